using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Issue 4 part A, hand-computed: poolconf mixed, gated, stochastic, median, combined, rank-based (RAP, RWP, RSP) and
/// weighted pooling (METHODS.md §2, §4, §8, §14, §15a). Every expected value is worked in the comment beside it.
/// </summary>
[TestFixture]
public class NovelATests
{
    // The 2×2 window used throughout: [[1, 2], [3, 6]] → max 6, avg (1+2+3+6)/4 = 3.
    static Tensor X1236 => T([1, 1, 2, 2], 1, 2, 3, 6);
    const string K2 = "\"kernel_size\": 2";

    // ---------------- mixed ----------------

    [TestCase("""{"kernel_size": 2, "mode": "fixed", "fixed_lambda": 1}""", 6.0)]
    [TestCase("""{"kernel_size": 2, "mode": "fixed", "fixed_lambda": 0}""", 3.0)]
    [TestCase("""{"kernel_size": 2, "mode": "alpha", "alpha": 0.5}""", 4.5)]       // 0.5·6 + 0.5·3
    [TestCase("""{"kernel_size": 2, "mode": "expectation", "p": 0.25}""", 3.75)]  // 0.25·6 + 0.75·3
    [TestCase("""{"kernel_size": 2, "mode": "majority", "count_max": 2, "count_avg": 2}""", 6.0)] // tie → max
    [TestCase("""{"kernel_size": 2, "mode": "majority", "count_max": 1, "count_avg": 2}""", 3.0)]
    public void Mixed_Modes(string json, double expected)
    {
        Check.Exact(Check.V(Eval("poolconf.mixed_pool2d", json, X1236)), [expected]);
    }

    [Test]
    public void Mixed_LambdaPerCell_SelectsTheBranchPerCell()
    {
        // x = [[1,2,0,0],[3,6,4,4]], k=2: windows {1,2,3,6} (max 6, avg 3) and {0,0,4,4} (max 4, avg 2); λ = [1, 0] → [6, 2].
        var x = T([1, 1, 2, 4], 1, 2, 0, 0, 3, 6, 4, 4);
        var r = Eval("poolconf.mixed_pool2d", $"{{{K2}}}", ("input", x), ("lambda", T([1, 1, 1, 2], 1, 0)));
        Check.Exact(Check.V(r), [6, 2]);
        // One λ per layer (a scalar tensor broadcasts to every cell): λ = 0 → [3, 2].
        Check.Exact(Check.V(Eval("poolconf.mixed_pool2d", $"{{{K2}}}", ("input", x), ("lambda", T([], 0)))), [3, 2]);
        Assert.That(Check.E(r).Bound![0], Is.EqualTo(0), "the max branch is a selection: exact");
    }

    [Test]
    public void Mixed_InvalidParameters_NameTheField()
    {
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $"{{{K2}}}", ("input", X1236), ("lambda", T([1], 0.5))), "inputs.lambda");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $"{{{K2}}}", X1236), "inputs.lambda");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $"{{{K2}}}", ("input", X1236), ("lambda", T([1, 1, 1, 3], 1, 1, 1))), "inputs.lambda");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $$"""{{{K2}}, "mode": "alpha", "alpha": 1.5}""", X1236), "alpha");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $$"""{{{K2}}, "mode": "fixed", "fixed_lambda": 2}""", X1236), "fixed_lambda");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $$"""{{{K2}}, "mode": "alpha", "p": 0.5}""", X1236), "alpha");
        Check.Refuses(() => Eval("poolconf.mixed_pool2d", $$"""{{{K2}}, "mode": "majority", "count_max": -1, "count_avg": 0}""", X1236), "count_max");
    }

    // ---------------- gated ----------------

    [Test]
    public void Gated_ZeroMask_IsHalfMaxHalfAvg()
    {
        // ω = 0 → σ(0) = 1/2 → (6 + 3)/2 = 4.5.
        var r = Eval("poolconf.gated_pool2d", $"{{{K2}}}", ("input", X1236), ("omega", T([2, 2], 0, 0, 0, 0)));
        Check.Exact(Check.V(r), [4.5]);
    }

    [Test]
    public void Gated_OnesMask_SigmoidOfTheWindowSum()
    {
        // ω = 1 → ωᵀx = 12, σ(12) = 1/(1 + e^−12) = 0.99999385582…; y = 6g + 3(1 − g) = 3 + 3g = 5.99998156747.
        var r = Eval("poolconf.gated_pool2d", $"{{{K2}}}", ("input", X1236), ("omega", T([2, 2], 1, 1, 1, 1)));
        Check.Close(Check.V(r), [5.99998156747], 1e-11);
    }

    [Test]
    public void Gated_ZeroFill_OutOfRangeTapsAddNothingToTheGate()
    {
        // x = [[2]] (1×1), k=2, s=1, p=1 → 2×2 output. Window (oh, ow) has rows oh−1..oh, cols ow−1..ow; the single tap (0,0)
        // sits at kernel position (1−oh, 1−ow). ω = [[1,0],[0,0]] weights only kernel (0,0), reached at output (1,1):
        // gates σ(0), σ(0), σ(0), σ(2) = 0.5, 0.5, 0.5, 0.880797077978.
        var r = Eval("poolconf.gated_pool2d", """{"kernel_size": 2, "stride": 1, "padding": 1}""", ("input", T([1, 1, 1, 1], 2)), ("omega", T([2, 2], 1, 0, 0, 0)));
        Check.Close(Check.V(r, "gate"), [0.5, 0.5, 0.5, 0.880797077978], 1e-11);
        Check.Exact(Check.V(r), [2, 2, 2, 2]); // max = avg = 2 whatever the gate
    }

    [Test]
    public void Gated_PerChannelMask_AndInvalidShapes()
    {
        // C = 2, both channels [[1,2],[3,6]]; ω[0] = 0 → 4.5; ω[1] = 1 → 5.99998156747.
        var x = T([1, 2, 2, 2], 1, 2, 3, 6, 1, 2, 3, 6);
        var r = Eval("poolconf.gated_pool2d", $"{{{K2}}}", ("input", x), ("omega", T([2, 2, 2], 0, 0, 0, 0, 1, 1, 1, 1)));
        Check.Close(Check.V(r), [4.5, 5.99998156747], 1e-11);
        Check.Refuses(() => Eval("poolconf.gated_pool2d", $"{{{K2}}}", ("input", x), ("omega", T([3], 0, 0, 0))), "inputs.omega");
        Check.Refuses(() => Eval("poolconf.gated_pool2d", """{"kernel_size": 2, "padding": 1, "border": "forbid"}""", ("input", x), ("omega", T([2, 2], 0, 0, 0, 0))), "border");
    }

    // ---------------- stochastic ----------------

    // x = [[1,2],[3,2]]: S = 8, cumulative C = 1, 3, 6, 8 (taps 0..3).
    static Tensor X1232 => T([1, 1, 2, 2], 1, 2, 3, 2);
    static OpResult Sto(string extra, Tensor x, double u) =>
        Eval("poolconf.stochastic_pool2d", $$"""{"kernel_size": 2, "training": true, "return_indices": true{{extra}}}""", ("input", x), ("uniforms", T([1, 1, 1, 1], u)));

    [TestCase("", 0.25, 2.0, 1)]     // thres 2: first C ≥ 2 is C = 3 (tap 1)
    [TestCase("", 0.375, 2.0, 1)]    // thres 3 exactly: ≥ takes C = 3 (tap 1)
    [TestCase(", \"rule\": \"gt\"", 0.375, 3.0, 2)] // strict: C = 3 is not > 3, C = 6 is (tap 2)
    [TestCase("", 0.0, 1.0, 0)]      // thres 0: C = 1 ≥ 0 at the first tap
    [TestCase("", 0.99999994039535522, 2.0, 3)] // largest float32 below 1: thres 7.99999952, only C = 8 reaches it
    public void Stochastic_Training_CaffeAndStrictRules(string extra, double u, double value, long index)
    {
        var r = Sto(extra, X1232, u);
        Check.Exact(Check.V(r), [value]);
        Check.Exact(Check.V(r, "indices"), [index]);
    }

    [Test]
    public void Stochastic_UZeroWithLeadingZero_GeSelectsAZeroProbabilityCell()
    {
        // x = [[0,2],[3,2]], u = 0: Caffe's ≥ takes tap 0 (0 ≥ 0, probability 0); strict skips to tap 1 (2 > 0).
        var x = T([1, 1, 2, 2], 0, 2, 3, 2);
        Check.Exact(Check.V(Sto("", x, 0), "indices"), [0]);
        Check.Exact(Check.V(Sto(", \"rule\": \"gt\"", x, 0), "indices"), [1]);
    }

    [Test]
    public void Stochastic_AllZeroWindow()
    {
        // S = 0: ≥ selects the first tap (value 0); inference 0; the strict rule with zero_window=error refuses.
        var z = T([1, 1, 2, 2], 0, 0, 0, 0);
        Check.Exact(Check.V(Sto("", z, 0.5), "indices"), [0]);
        Check.Exact(Check.V(Sto(", \"rule\": \"gt\"", z, 0.5)), [0]);
        Check.Exact(Check.V(Eval("poolconf.stochastic_pool2d", $"{{{K2}}}", z)), [0]);
        Check.Refuses(() => Sto(", \"rule\": \"gt\", \"zero_window\": \"error\"", z, 0.5), "zero_window");
    }

    [Test]
    public void Stochastic_Inference_SumOfSquaresOverSum()
    {
        // (1 + 4 + 9 + 4)/8 = 18/8 = 2.25.
        Check.Close(Check.V(Eval("poolconf.stochastic_pool2d", $"{{{K2}}}", X1232)), [2.25], 1e-15);
        // Clamped: [[−1,2],[3,4]] → [[0,2],[3,4]]: (4 + 9 + 16)/9 = 29/9.
        var neg = T([1, 1, 2, 2], -1, 2, 3, 4);
        Check.Close(Check.V(Eval("poolconf.stochastic_pool2d", $$"""{{{K2}}, "clamp_negative": true}""", neg)), [29.0 / 9], 1e-15);
        Check.Refuses(() => Eval("poolconf.stochastic_pool2d", $"{{{K2}}}", neg), "inputs.input");
    }

    [Test]
    public void Stochastic_NaNPropagates_AndUniformsAreValidated()
    {
        var x = T([1, 1, 2, 2], 1, double.NaN, 3, 2);
        var r = Sto("", x, 0.5);
        Check.Exact(Check.V(r), [double.NaN]);
        Check.Exact(Check.V(r, "indices"), [1]);
        Check.Refuses(() => Sto("", X1232, 1.0), "inputs.uniforms");
        Check.Refuses(() => Sto("", X1232, -0.25), "inputs.uniforms");
        Check.Refuses(() => Eval("poolconf.stochastic_pool2d", """{"kernel_size": 2, "training": true}""", ("input", X1232), ("uniforms", T([1, 1, 1, 2], 0.5, 0.5))), "inputs.uniforms");
        Check.Refuses(() => Eval("poolconf.stochastic_pool2d", """{"kernel_size": 2, "training": true}""", X1232), "inputs.uniforms");
        Check.Refuses(() => Eval("poolconf.stochastic_pool2d", """{"kernel_size": 2, "return_indices": true}""", X1232), "return_indices");
    }

    // ---------------- median ----------------

    [Test]
    public void Median_Odd_IsTheMiddleOrderStatistic()
    {
        // [[5,1,4],[2,9,3],[7,6,8]] sorted 1..9: the 5th is 5, at tap 0.
        var r = Eval("poolconf.median_pool2d", """{"kernel_size": 3, "return_indices": true}""", T([1, 1, 3, 3], 5, 1, 4, 2, 9, 3, 7, 6, 8));
        Check.Exact(Check.V(r), [5]);
        Check.Exact(Check.V(r, "indices"), [0]);
    }

    [TestCase("lower", 2.0, 3)]  // [[4,1],[3,2]] sorted 1,2,3,4: lower middle 2 at tap 3
    [TestCase("upper", 3.0, 2)]  // upper middle 3 at tap 2
    [TestCase("mean", 2.5, 3)]   // (2 + 3)/2; index of the lower middle
    public void Median_EvenRules(string even, double value, long index)
    {
        var r = Eval("poolconf.median_pool2d", $$"""{{{K2}}, "even": "{{even}}", "return_indices": true}""", T([1, 1, 2, 2], 4, 1, 3, 2));
        Check.Exact(Check.V(r), [value]);
        Check.Exact(Check.V(r, "indices"), [index]);
    }

    [Test]
    public void Median_NaNPolicies_TiesAndPadding()
    {
        var x = T([1, 1, 2, 2], 4, double.NaN, 3, 2);
        // propagate: NaN at its tap 1; ignore: {4, 3, 2} → 3 at tap 2.
        var p = Eval("poolconf.median_pool2d", $$"""{{{K2}}, "return_indices": true}""", x);
        Check.Exact(Check.V(p), [double.NaN]); Check.Exact(Check.V(p, "indices"), [1]);
        var i = Eval("poolconf.median_pool2d", $$"""{{{K2}}, "nan": "ignore", "return_indices": true}""", x);
        Check.Exact(Check.V(i), [3]); Check.Exact(Check.V(i, "indices"), [2]);
        // Ties [[2,2],[1,2]]: sorted 1,2,2,2, lower middle 2 → the first tap holding 2 is tap 0.
        Check.Exact(Check.V(Eval("poolconf.median_pool2d", $$"""{{{K2}}, "return_indices": true}""", T([1, 1, 2, 2], 2, 2, 1, 2)), "indices"), [0]);
        // Padding is skipped, not a zero: [[1,2],[3,4]], k=3, s=2, p=1 → one window over the 4 real taps → lower median 2.
        Check.Exact(Check.V(Eval("poolconf.median_pool2d", """{"kernel_size": 3, "stride": 2, "padding": 1}""", T([1, 1, 2, 2], 1, 2, 3, 4))), [2]);
    }

    // ---------------- combined ----------------

    [TestCase("cat_avg_max", new[] { 2.0, 5, 3, 8 })] // channel 0 = [1,3], channel 1 = [2,8], k=(1,2): avg [2, 5], max [3, 8]
    [TestCase("cat_max_avg", new[] { 3.0, 8, 2, 5 })]
    [TestCase("add", new[] { 5.0, 13 })]
    [TestCase("mean", new[] { 2.5, 6.5 })]
    public void Combined_Modes(string mode, double[] expected)
    {
        var r = Eval("poolconf.combined_pool2d", $$"""{"kernel_size": [1, 2], "mode": "{{mode}}"}""", T([1, 2, 1, 2], 1, 3, 2, 8));
        Check.Exact(Check.V(r), expected);
        Assert.That(Check.S(r)[1], Is.EqualTo(mode.StartsWith("cat") ? 4 : 2));
    }

    // ---------------- rank-based ----------------

    // x = [[1,5],[3,4]]: ranks (0-based) 5→0, 4→1, 3→2, 1→3.
    static Tensor X1534 => T([1, 1, 2, 2], 1, 5, 3, 4);

    [TestCase(1, 5.0)]     // the max
    [TestCase(2, 4.5)]     // (5 + 4)/2
    [TestCase(4, 3.25)]    // (1+5+3+4)/4 = the average
    [TestCase(9, 3.25)]    // t > |R|: the code divides by min(|R|, t) = 4
    public void RankAvg(int t, double expected) =>
        Check.Exact(Check.V(Eval("poolconf.rank_avg_pool2d", $$"""{{{K2}}, "t": {{t}}}""", X1534)), [expected]);

    [Test]
    public void RankWeighted_And_Invalid()
    {
        // α = 0.5: 0.5·5 + 0.25·4 + 0.125·3 + 0.0625·1 = 2.5 + 1 + 0.375 + 0.0625 = 3.9375 (weights sum 0.9375, not renormalized).
        Check.Exact(Check.V(Eval("poolconf.rank_weighted_pool2d", $$"""{{{K2}}, "alpha": 0.5}""", X1534)), [3.9375]);
        Check.Exact(Check.V(Eval("poolconf.rank_weighted_pool2d", $$"""{{{K2}}, "alpha": 1}""", X1534)), [5]);
        Check.Refuses(() => Eval("poolconf.rank_weighted_pool2d", $$"""{{{K2}}, "alpha": 0}""", X1534), "alpha");
        Check.Refuses(() => Eval("poolconf.rank_weighted_pool2d", $$"""{{{K2}}, "alpha": 1.5}""", X1534), "alpha");
        Check.Refuses(() => Eval("poolconf.rank_avg_pool2d", $$"""{{{K2}}, "t": 0}""", X1534), "t");
        Check.Refuses(() => Eval("poolconf.rank_stochastic_pool2d", $$"""{{{K2}}, "alpha": -0.5}""", X1534), "alpha");
    }

    static OpResult Rsp(Tensor x, double u, string remainder) =>
        Eval("poolconf.rank_stochastic_pool2d", $$"""{{{K2}}, "alpha": 0.5, "training": true, "return_indices": true, "remainder": "{{remainder}}"}""",
            ("input", x), ("uniforms", T([1, 1, 1, 1], u)));

    // Scan order taps 0..3 = values 1, 5, 3, 4 with ranks 3, 0, 2, 1 → p = 1/16, 1/2, 1/8, 1/4; cumulative 0.0625, 0.5625, 0.6875, 0.9375.
    [TestCase(0.0, "renormalize", 1.0, 0)]   // u = 0: tap 0 (0.0625 ≥ 0) although it ranks last — the code's spatial scan with ≥
    [TestCase(0.5, "renormalize", 5.0, 1)]   // thres 0.5·0.9375 = 0.46875 → tap 1
    [TestCase(0.96, "renormalize", 4.0, 3)]  // thres 0.9 → tap 3
    [TestCase(0.7, "last_rank", 3.0, 2)]     // last rank (tap 0) gets +1/16: cumulative 0.125, 0.625, 0.75, 1 → 0.75 ≥ 0.7 at tap 2
    [TestCase(0.96, "last_rank", 4.0, 3)]
    [TestCase(0.6, "error", 3.0, 2)]         // 0.6875 ≥ 0.6
    public void RankStochastic_Training(double u, string remainder, double value, long index)
    {
        var r = Rsp(X1534, u, remainder);
        Check.Exact(Check.V(r), [value]);
        Check.Exact(Check.V(r, "indices"), [index]);
    }

    [Test]
    public void RankStochastic_RemainderError_TiesAndInference()
    {
        // u = 0.96 > 0.9375: the official code leaves the cell stale → refused.
        Check.Refuses(() => Rsp(X1534, 0.96, "error"), "inputs.uniforms");
        // All-equal window: ranks by position 0,1,2,3 → p = .5, .25, .125, .0625; u = 0.6 renormalized → thres 0.5625,
        // cumulative .5, .75 → tap 1.
        Check.Exact(Check.V(Rsp(T([1, 1, 2, 2], 2, 2, 2, 2), 0.6, "renormalize"), "indices"), [1]);
        // Inference = RWP = 3.9375.
        Check.Exact(Check.V(Eval("poolconf.rank_stochastic_pool2d", $$"""{{{K2}}, "alpha": 0.5}""", X1534)), [3.9375]);
    }

    // ---------------- weighted ----------------

    [Test]
    public void Weighted_ExplicitWeights_ZeroSum_AndBroadcast()
    {
        // x = [[1,2],[3,4]], w = [[1,0],[0,3]] → (1·1 + 3·4)/(1 + 3) = 13/4 = 3.25.
        var x = T([1, 1, 2, 2], 1, 2, 3, 4);
        Check.Exact(Check.V(Eval("poolconf.weighted_pool2d", $"{{{K2}}}", ("input", x), ("weight", T([1, 1, 2, 2], 1, 0, 0, 3)))), [3.25]);
        // Σw = 0 → 0 (default) or the plain average 2.5.
        var zero = T([1, 1, 2, 2], 0, 0, 0, 0);
        Check.Exact(Check.V(Eval("poolconf.weighted_pool2d", $"{{{K2}}}", ("input", x), ("weight", zero))), [0]);
        Check.Exact(Check.V(Eval("poolconf.weighted_pool2d", $$"""{{{K2}}, "zero_weight": "average"}""", ("input", x), ("weight", zero))), [2.5]);
        // A [1,1,2,2] weight broadcasts over two channels [[1,2],[3,4]] and [[5,6],[7,8]]: (1+12)/4 = 3.25, (5+24)/4 = 7.25.
        var x2 = T([1, 2, 2, 2], 1, 2, 3, 4, 5, 6, 7, 8);
        Check.Exact(Check.V(Eval("poolconf.weighted_pool2d", $"{{{K2}}}", ("input", x2), ("weight", T([1, 1, 2, 2], 1, 0, 0, 3)))), [3.25, 7.25]);
        Check.Refuses(() => Eval("poolconf.weighted_pool2d", $"{{{K2}}}", ("input", x), ("weight", T([1, 1, 2, 2], 1, -1, 0, 3))), "inputs.weight");
        Check.Refuses(() => Eval("poolconf.weighted_pool2d", $"{{{K2}}}", ("input", x), ("weight", T([1, 1, 3, 2], 1, 1, 1, 1, 1, 1))), "inputs.weight");
    }

    [Test]
    public void AllOps_AreListedWithDocumentedParams()
    {
        foreach (var name in new[] { "mixed", "gated", "stochastic", "median", "combined", "rank_avg", "rank_weighted", "rank_stochastic", "weighted" })
        {
            var op = PoolingConformance.Reference.OpRegistry.Find($"poolconf.{name}_pool2d");
            Assert.That(op, Is.Not.Null, name);
            Assert.That(op!.Params.Select(p => p.Name), Does.Contain("kernel_size"));
        }
    }
}
