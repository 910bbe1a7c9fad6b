using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The survey window methods of the optimized backend (<c>poolconf.mixed/gated/combined/median/rank_avg/rank_weighted/
/// rank_stochastic/stochastic/weighted_pool2d</c>, kernels in <c>src/Optimized/Kernels/Survey</c>) against the reference ops
/// through <see cref="OpRegistry"/>, with the tolerance object <c>verify</c> uses: plane sizes from the vector width (tails
/// 1, width − 1, width + 1, primes), geometries with padding, dilation, ceil overhang and empty-free border windows, the fixture
/// families of TESTING.md (NaN, ties, ±0, −∞, subnormals); 1 and 2 threads give the same bits; a case the reference refuses
/// is refused with the same field. Plus hand-computed windows per op and the refusals. Rerun by <c>.ci/run</c> per ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedSurveyWindowTests
{
    static readonly (string Name, int K, int S, int P, int D, bool Ceil)[] Geoms =
    [
        ("k2s2", 2, 2, 0, 1, false), ("k3s2p1_ceil", 3, 2, 1, 1, true), ("k3s1", 3, 1, 0, 1, false),
        ("k3s2p1d2", 3, 2, 1, 2, false), ("k2s3_ceil", 2, 3, 0, 1, true), ("k4s1p2", 4, 1, 2, 1, false),
    ];

    static (int H, int W)[] Sizes() => [(Width + 1, 5), (7, Math.Max(1, Width - 1)), (3, 2 * Width + 1), (13, 11), (2, 2)];

    static string Geo((string Name, int K, int S, int P, int D, bool Ceil) g, string extra = "") =>
        $"{{\"kernel_size\":{g.K},\"stride\":{g.S},\"padding\":{g.P},\"dilation\":{g.D},\"ceil_mode\":{(g.Ceil ? "true" : "false")}{(extra.Length > 0 ? "," + extra : "")}}}";

    static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    static CaseSpec Case(string op, string json) =>
        new("test", op, Json(json), new Dictionary<string, string>(), ["output", "indices", "gate"], null);

    static Dictionary<string, Tensor> Run(string op, string json, Dictionary<string, Tensor> inputs, int threads = 1) =>
        OptimizedBackend.Run(Case(op, json), inputs, threads);

    static int[] Bits(Tensor t) => t.Data.Select(v => double.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits((float)v)).ToArray();

    /// <summary>
    /// The reference's outputs against the backend's at 1 and 2 threads (same bits); a refusal of the reference must be a
    /// refusal of the backend naming the same field. Returns whether the case ran.
    /// </summary>
    /// <summary>Cases compared (not refused) per op and mode since the sweep began: every op and mode of a sweep must have run.</summary>
    static readonly Dictionary<string, int> RanBy = new(StringComparer.Ordinal);

    static string ModeKey(string op, string json) => json.Contains("\"training\":true", StringComparison.Ordinal) ? $"{op} training" : op;

    /// <summary>Fails when an op (and mode) of the sweep never ran: its comparisons would pass vacuously if every case were refused.</summary>
    static void AssertEveryOpRan(params string[] keys)
    {
        foreach (var k in keys) Assert.That(RanBy.GetValueOrDefault(k), Is.GreaterThan(0), $"{k}: every case of the sweep was refused, nothing compared");
        RanBy.Clear();
    }

    static bool Compare(string op, string json, Dictionary<string, Tensor> inputs, string what)
    {
        Dictionary<string, Expectation>? exp = null;
        InvalidParameterException? refused = null;
        try { exp = OpRegistry.Find(op)!.Evaluate(new ParamReader(Json(json)), inputs).Outputs; }
        catch (InvalidParameterException e) { refused = e; }
        Dictionary<string, Tensor> one;
        try { one = Run(op, json, inputs, 1); }
        catch (InvalidParameterException e)
        {
            Assert.That(refused, Is.Not.Null, $"the backend refused ({e.Field}: {e.Message}) what the reference computes: {what}");
            Assert.That(e.Field, Is.EqualTo(refused!.Field), $"refusal field: {what}");
            return false;
        }
        Assert.That(refused, Is.Null, $"the reference refused ({refused?.Field}: {refused?.Message}) what the backend computes: {what}");
        var two = Run(op, json, inputs, 2);
        foreach (var (name, e) in exp!)
        {
            Assert.That(one.ContainsKey(name), Is.True, $"output '{name}' missing: {what}");
            var cmp = OutputComparer.Compare(e, one[name], Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {op} {json} {what} [{Cascade.Name(Cascade.Widest)}]");
            Assert.That(Bits(two[name]), Is.EqualTo(Bits(one[name])), $"2 threads differ from 1 on '{name}': {what}");
        }
        var key = ModeKey(op, json);
        RanBy[key] = RanBy.GetValueOrDefault(key) + 1;
        return true;
    }

    static double[] Draw(int count, ulong seed, Func<double, double> f)
    {
        var rng = new SplitMix64(seed);
        var d = new double[count];
        for (int i = 0; i < count; i++) d[i] = f(rng.NextDouble());
        return d;
    }

    static int OutSize(int l, (string Name, int K, int S, int P, int D, bool Ceil) g)
    {
        try { return PoolGeometry.OutputSize(l, g.K, g.S, g.D, g.P, g.P, g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor); }
        catch (InvalidParameterException) { return 0; }
    }

    /// <summary>Every (geometry, size, fixture) the sweeps run: shape N×C×H×W with N = 2 and C cycling 1..3.</summary>
    static IEnumerable<(string Geo, (string Name, int K, int S, int P, int D, bool Ceil) G, int[] Shape, string Fixture, ulong Seed)> Sweep(string[] fixtures)
    {
        ulong i = 0;
        foreach (var g in Geoms)
            foreach (var (h, w) in Sizes())
                foreach (var f in fixtures)
                {
                    i++;
                    yield return (g.Name, g, [2, (int)(i % 3) + 1, h, w], f, i * 7919 + 13);
                }
    }

    static readonly string[] GeneralFixtures = ["rand", "ties", "nan", "zeros", "neginf", "subnormal"];

    [Test]
    public void MixedGatedCombined_EqualTheReference()
    {
        RanBy.Clear();
        int ran = 0;
        foreach (var (geo, g, shape, fixture, seed) in Sweep(GeneralFixtures))
        {
            var x = Fill(fixture, shape, seed);
            int oh = OutSize(shape[2], g), ow = OutSize(shape[3], g), n = shape[0], c = shape[1];
            string what = $"{geo} [{string.Join(",", shape)}] {fixture}";
            var inputs = new Dictionary<string, Tensor> { ["input"] = x };
            if (oh > 0 && ow > 0)
            {
                var lamCell = new Tensor(DType.Float32, [n, c, oh, ow], Draw(n * c * oh * ow, seed, u => u < 0.5 ? 0 : 1));
                ran += Compare("poolconf.mixed_pool2d", Geo(g), new(inputs) { ["lambda"] = lamCell }, what) ? 1 : 0;
            }
            var lamMap = new Tensor(DType.Float32, [n, c, 1, 1], Draw(n * c, seed + 1, u => u < 0.5 ? 0 : 1));
            Compare("poolconf.mixed_pool2d", Geo(g), new(inputs) { ["lambda"] = lamMap }, what);
            Compare("poolconf.mixed_pool2d", Geo(g), new(inputs) { ["lambda"] = new Tensor(DType.Float32, [1], [1]) }, what);
            Compare("poolconf.mixed_pool2d", Geo(g, "\"mode\":\"alpha\",\"alpha\":0.3"), inputs, what);
            Compare("poolconf.mixed_pool2d", Geo(g, "\"mode\":\"expectation\",\"p\":0.625"), inputs, what);
            Compare("poolconf.mixed_pool2d", Geo(g, "\"mode\":\"majority\",\"count_max\":3,\"count_avg\":4"), inputs, what);
            Compare("poolconf.mixed_pool2d", Geo(g, "\"mode\":\"fixed\",\"fixed_lambda\":1"), inputs, what);
            foreach (var mode in new[] { "cat_avg_max", "cat_max_avg", "add", "mean" })
                Compare("poolconf.combined_pool2d", Geo(g, $"\"mode\":\"{mode}\""), inputs, what);
            var omegaC = new Tensor(DType.Float32, [c, g.K, g.K], Draw(c * g.K * g.K, seed + 2, u => (float)(2 * u - 1)));
            var omegaL = new Tensor(DType.Float32, [g.K, g.K], Draw(g.K * g.K, seed + 3, u => (float)(4 * u - 2)));
            Compare("poolconf.gated_pool2d", Geo(g), new(inputs) { ["omega"] = omegaC }, what);
            Compare("poolconf.gated_pool2d", Geo(g, "\"border\":\"forbid\""), new(inputs) { ["omega"] = omegaL }, what);
        }
        Assert.That(ran, Is.GreaterThan(100));
        AssertEveryOpRan("poolconf.mixed_pool2d", "poolconf.combined_pool2d", "poolconf.gated_pool2d");
    }

    [Test]
    public void MedianAndRankMethods_EqualTheReference()
    {
        RanBy.Clear();
        int ran = 0;
        foreach (var (geo, g, shape, fixture, seed) in Sweep(GeneralFixtures))
        {
            var x = Fill(fixture, shape, seed);
            string what = $"{geo} [{string.Join(",", shape)}] {fixture}";
            var inputs = new Dictionary<string, Tensor> { ["input"] = x };
            foreach (var even in new[] { "lower", "upper", "mean" })
                foreach (var nan in new[] { "propagate", "ignore" })
                    ran += Compare("poolconf.median_pool2d", Geo(g, $"\"even\":\"{even}\",\"nan\":\"{nan}\",\"return_indices\":true"), inputs, what) ? 1 : 0;
            foreach (var t in new[] { 1, 2, 3, 100 })
                Compare("poolconf.rank_avg_pool2d", Geo(g, $"\"t\":{t}"), inputs, what);
            foreach (var a in new[] { 1.0, 0.5, 0.25 })
                Compare("poolconf.rank_weighted_pool2d", Geo(g, $"\"alpha\":{a}"), inputs, what);
            Compare("poolconf.rank_stochastic_pool2d", Geo(g, "\"alpha\":0.5"), inputs, what);
            int oh = OutSize(shape[2], g), ow = OutSize(shape[3], g);
            if (oh > 0 && ow > 0 && fixture != "neginf")
            {
                var u = Uniforms(shape, oh, ow, seed);
                foreach (var rem in new[] { "renormalize", "last_rank", "error" })
                    Compare("poolconf.rank_stochastic_pool2d", Geo(g, $"\"alpha\":0.5,\"training\":true,\"remainder\":\"{rem}\",\"return_indices\":true"),
                        new(inputs) { ["uniforms"] = u }, what);
                Compare("poolconf.rank_stochastic_pool2d", Geo(g, "\"alpha\":1,\"training\":true,\"remainder\":\"error\""), new(inputs) { ["uniforms"] = u }, what);
            }
        }
        Assert.That(ran, Is.GreaterThan(600));
        AssertEveryOpRan("poolconf.median_pool2d", "poolconf.rank_avg_pool2d", "poolconf.rank_weighted_pool2d", "poolconf.rank_stochastic_pool2d", "poolconf.rank_stochastic_pool2d training");
    }

    [Test]
    public void LargeWindows_TakeTheSortFallback_AndEqualTheReference()
    {
        RanBy.Clear();
        // 72 and 81 taps: beyond the insertion-sort limit of the median and rank kernels.
        int ran = 0;
        foreach (var (kh, kw) in new[] { (8, 9), (9, 9) })
            foreach (var fixture in new[] { "rand", "ties", "zeros", "nan" })
            {
                int[] shape = [1, 2, 10, 11];
                var x = Fill(fixture, shape, (ulong)(kh * 31 + fixture.Length));
                var inputs = new Dictionary<string, Tensor> { ["input"] = x };
                string geo = $"{{\"kernel_size\":[{kh},{kw}],\"stride\":1";
                string what = $"k {kh}x{kw} {fixture}";
                foreach (var even in new[] { "lower", "upper", "mean" })
                    foreach (var nan in new[] { "propagate", "ignore" })
                        ran += Compare("poolconf.median_pool2d", geo + $",\"even\":\"{even}\",\"nan\":\"{nan}\"}}", inputs, what) ? 1 : 0;
                Compare("poolconf.rank_avg_pool2d", geo + ",\"t\":5}", inputs, what);
                Compare("poolconf.rank_weighted_pool2d", geo + ",\"alpha\":0.1}", inputs, what);
                int oh = 10 - kh + 1, ow = 11 - kw + 1;
                var u = Uniforms(shape, oh, ow, 77);
                foreach (var rem in new[] { "renormalize", "last_rank" })
                    Compare("poolconf.rank_stochastic_pool2d", geo + $",\"alpha\":0.05,\"training\":true,\"remainder\":\"{rem}\"}}", new(inputs) { ["uniforms"] = u }, what);
            }
        Assert.That(ran, Is.EqualTo(48));
        AssertEveryOpRan("poolconf.median_pool2d", "poolconf.rank_avg_pool2d", "poolconf.rank_weighted_pool2d", "poolconf.rank_stochastic_pool2d training");
    }

    /// <summary>Uniforms of an output: cell 0 of each plane 0, cell 1 the largest float32 below 1, the rest random float32 in [0, 1).</summary>
    static Tensor Uniforms(int[] shape, int oh, int ow, ulong seed)
    {
        int plane = oh * ow;
        var u = Draw(shape[0] * shape[1] * plane, seed + 5, v => Math.Min((float)v, 0.99999994f));
        for (int i = 0; i < u.Length; i++)
        {
            if (i % plane == 0) u[i] = 0;
            else if (i % plane == 1) u[i] = 0.99999994f;
        }
        return new Tensor(DType.Float32, [shape[0], shape[1], oh, ow], u);
    }

    [Test]
    public void StochasticAndWeighted_EqualTheReference()
    {
        RanBy.Clear();
        int ran = 0;
        foreach (var (geo, g, shape, fixture, seed) in Sweep(["rand", "ties", "zeros", "subnormal", "nan", "neginf"]))
        {
            var raw = Fill(fixture, shape, seed);
            // Stochastic pooling takes non-negative finite activations: |x| of the fixture (−∞ cells kept, to be refused).
            var x = new Tensor(DType.Float32, shape, raw.Data.Select(v => double.IsNegativeInfinity(v) ? v : Math.Abs(v)).ToArray());
            string what = $"{geo} [{string.Join(",", shape)}] {fixture}";
            var inputs = new Dictionary<string, Tensor> { ["input"] = x };
            int oh = OutSize(shape[2], g), ow = OutSize(shape[3], g);
            ran += Compare("poolconf.stochastic_pool2d", Geo(g), inputs, what) ? 1 : 0;
            Compare("poolconf.stochastic_pool2d", Geo(g, "\"clamp_negative\":true"), new() { ["input"] = raw }, what);
            if (oh > 0 && ow > 0)
            {
                var u = Uniforms(shape, oh, ow, seed);
                foreach (var rule in new[] { "ge", "gt" })
                    foreach (var zero in new[] { "first", "error" })
                        Compare("poolconf.stochastic_pool2d", Geo(g, $"\"training\":true,\"rule\":\"{rule}\",\"zero_window\":\"{zero}\",\"return_indices\":true"),
                            new(inputs) { ["uniforms"] = u }, what);
                Compare("poolconf.stochastic_pool2d", Geo(g, "\"training\":true,\"clamp_negative\":true"), new() { ["input"] = raw, ["uniforms"] = u }, what);
            }
            // Weighted: weights with zeros, broadcast per plane and full-shape; Σw = 0 windows under both rules.
            var wPlane = new Tensor(DType.Float32, [1, 1, shape[2], shape[3]], Draw(shape[2] * shape[3], seed + 7, v => v < 0.3 ? 0 : (float)(2 * v)));
            var wFull = new Tensor(DType.Float32, shape, Draw(shape[0] * shape[1] * shape[2] * shape[3], seed + 8, v => v < 0.5 ? 0 : (float)(v * 1e3)));
            var wZero = new Tensor(DType.Float32, [1, 1, 1, 1], [0]);
            Compare("poolconf.weighted_pool2d", Geo(g), new() { ["input"] = raw, ["weight"] = wPlane }, what);
            Compare("poolconf.weighted_pool2d", Geo(g, "\"zero_weight\":\"average\""), new() { ["input"] = raw, ["weight"] = wFull }, what);
            Compare("poolconf.weighted_pool2d", Geo(g, "\"zero_weight\":\"average\""), new() { ["input"] = raw, ["weight"] = wZero }, what);
        }
        Assert.That(ran, Is.GreaterThan(40));
        AssertEveryOpRan("poolconf.stochastic_pool2d", "poolconf.stochastic_pool2d training", "poolconf.weighted_pool2d");
    }

    // ---------------------------------------------------------------- hand-computed windows

    static Tensor T(int[] shape, params double[] v) => new(DType.Float32, shape, v);

    static (double[] Values, double[] Indices) Hand(string op, string json, Dictionary<string, Tensor> inputs, string output = "output")
    {
        var r = Run(op, json, inputs);
        return (r[output].Data, r.TryGetValue("indices", out var i) ? i.Data : []);
    }

    [Test]
    public void Median_HandComputed()
    {
        // 2×4 plane, 2×2 windows stride 2: [3, 1 / 9, 5] and [2, NaN / 7, 4].
        var x = T([1, 1, 2, 4], 3, 1, 2, double.NaN, 9, 5, 7, 4);
        var (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2}", new() { ["input"] = x });
        // window 0 sorted 1,3,5,9: lower 3 (tap 0); window 1 holds NaN at tap 3: propagate.
        Assert.That(v[0], Is.EqualTo(3)); Assert.That(i[0], Is.EqualTo(0));
        Assert.That(double.IsNaN(v[1]), Is.True); Assert.That(i[1], Is.EqualTo(3));
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2,\"even\":\"upper\",\"nan\":\"ignore\"}", new() { ["input"] = x });
        // window 0 upper 5 (tap 5); window 1 without NaN: 2,4,7 → 4 at tap 7.
        Assert.That(v, Is.EqualTo(new double[] { 5, 4 })); Assert.That(i, Is.EqualTo(new double[] { 5, 7 }));
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2,\"even\":\"mean\",\"nan\":\"ignore\"}", new() { ["input"] = x });
        Assert.That(v, Is.EqualTo(new double[] { 4, 4 })); Assert.That(i[0], Is.EqualTo(0));
        // Signed zeros: [−0, +0, 1, 2] sorted −0, +0, 1, 2 (stable): the lower middle is +0, and the first tap equal to it is the −0.
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2}", new() { ["input"] = T([1, 1, 2, 2], -0.0, 0.0, 1, 2) });
        Assert.That(BitConverter.DoubleToInt64Bits(v[0]), Is.EqualTo(BitConverter.DoubleToInt64Bits(-0.0))); Assert.That(i[0], Is.EqualTo(0));
        // All-NaN window under ignore: NaN at the first tap; padding-only border taps are skipped (3 taps: median of 3).
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2,\"nan\":\"ignore\"}", new() { ["input"] = T([1, 1, 2, 2], double.NaN, double.NaN, double.NaN, double.NaN) });
        Assert.That(double.IsNaN(v[0]), Is.True); Assert.That(i[0], Is.EqualTo(0));
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2,\"padding\":1}", new() { ["input"] = T([1, 1, 2, 2], 8, 6, 7, 5) });
        // (2 + 2 − 2)/2 + 1 = 2 windows per axis, each holding one in-bounds tap (the corner): padded taps are skipped, not zeros.
        Assert.That(v, Is.EqualTo(new double[] { 8, 6, 7, 5 }));
        Assert.That(i, Is.EqualTo(new double[] { 0, 1, 2, 3 }));
        (v, i) = Hand("poolconf.median_pool2d", "{\"kernel_size\":2,\"stride\":1,\"padding\":1}", new() { ["input"] = T([1, 1, 2, 2], 8, 6, 7, 5) });
        // 3×3 windows; the centre one holds all four taps 8, 6, 7, 5: lower middle of 5, 6, 7, 8 is 6 at tap 1.
        Assert.That(v[4], Is.EqualTo(6)); Assert.That(i[4], Is.EqualTo(1));
        // Top-middle window: taps 8, 6 → lower 6 (tap 1).
        Assert.That(v[1], Is.EqualTo(6)); Assert.That(i[1], Is.EqualTo(1));
    }

    [Test]
    public void RankMethods_HandComputed()
    {
        // One 2×2 window [1, 4 / 2, 3]: ranks 4 → 0, 3 → 1, 2 → 2, 1 → 3.
        var x = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 2, 2], 1, 4, 2, 3) };
        Assert.That(Hand("poolconf.rank_avg_pool2d", "{\"kernel_size\":2,\"t\":2}", x).Values, Is.EqualTo(new[] { 3.5 }));
        Assert.That(Hand("poolconf.rank_avg_pool2d", "{\"kernel_size\":2,\"t\":100}", x).Values, Is.EqualTo(new[] { 2.5 }));
        Assert.That(Hand("poolconf.rank_avg_pool2d", "{\"kernel_size\":2,\"t\":1}", x).Values, Is.EqualTo(new[] { 4.0 }));
        // RWP α = ½: ½·4 + ¼·3 + ⅛·2 + 1/16·1 = 3.0625 (not renormalized).
        Assert.That(Hand("poolconf.rank_weighted_pool2d", "{\"kernel_size\":2,\"alpha\":0.5}", x).Values, Is.EqualTo(new[] { 3.0625 }));
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", "{\"kernel_size\":2,\"alpha\":0.5}", x).Values, Is.EqualTo(new[] { 3.0625 }));
        // RSP training, scan-order probabilities 1/16, 1/2, 1/8, 1/4 (total 15/16).
        Dictionary<string, Tensor> U(double u) => new(x) { ["uniforms"] = T([1, 1, 1, 1], u) };
        const string rsp = "{\"kernel_size\":2,\"alpha\":0.5,\"training\":true";
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", rsp + "}", U(0)), Is.EqualTo((new[] { 1.0 }, new[] { 0.0 })));          // u = 0: the first tap
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", rsp + "}", U(0.5)).Indices, Is.EqualTo(new[] { 1.0 }));                // 0.5·15/16 ≤ 9/16
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", rsp + "}", U(0.99)).Values, Is.EqualTo(new[] { 3.0 }));                // needs all four
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", rsp + ",\"remainder\":\"last_rank\"}", U(0.95)).Indices, Is.EqualTo(new[] { 3.0 }));
        var e = Assert.Throws<InvalidParameterException>(() => Run("poolconf.rank_stochastic_pool2d", rsp + ",\"remainder\":\"error\"}", U(0.95)));
        Assert.That(e!.Field, Is.EqualTo("inputs.uniforms"));
        // Ties go to the earlier position: [2, 2 / 2, 2] with t = 1 is 2 and RSP α = 1 picks the first tap of rank 0.
        var ties = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 2, 2], 2, 2, 2, 2), ["uniforms"] = T([1, 1, 1, 1], 0.5) };
        Assert.That(Hand("poolconf.rank_stochastic_pool2d", "{\"kernel_size\":2,\"alpha\":1,\"training\":true}", ties).Indices, Is.EqualTo(new[] { 0.0 }));
    }

    [Test]
    public void StochasticAndWeighted_HandComputed()
    {
        // Window [1, 0 / 3, 0]: S = 4.
        var x = T([1, 1, 2, 2], 1, 0, 3, 0);
        Dictionary<string, Tensor> U(double u) => new() { ["input"] = x, ["uniforms"] = T([1, 1, 1, 1], u) };
        const string tr = "{\"kernel_size\":2,\"training\":true";
        Assert.That(Hand("poolconf.stochastic_pool2d", tr + "}", U(0.25)), Is.EqualTo((new[] { 1.0 }, new[] { 0.0 })));              // C = 1 ≥ 1
        Assert.That(Hand("poolconf.stochastic_pool2d", tr + ",\"rule\":\"gt\"}", U(0.25)), Is.EqualTo((new[] { 3.0 }, new[] { 2.0 }))); // strict: 1 > 1 fails
        Assert.That(Hand("poolconf.stochastic_pool2d", "{\"kernel_size\":2}", new() { ["input"] = x }).Values, Is.EqualTo(new[] { 2.5 })); // (1 + 9)/4
        var zeros = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 2, 2], 0, 0, 0, 0), ["uniforms"] = T([1, 1, 1, 1], 0.5) };
        Assert.That(Hand("poolconf.stochastic_pool2d", tr + ",\"rule\":\"gt\"}", zeros), Is.EqualTo((new[] { 0.0 }, new[] { 0.0 })));
        var e = Assert.Throws<InvalidParameterException>(() => Run("poolconf.stochastic_pool2d", tr + ",\"rule\":\"gt\",\"zero_window\":\"error\"}", zeros));
        Assert.That(e!.Field, Is.EqualTo("zero_window"));
        // Weighted: x [1, 2 / 3, 4], w [1, 0 / 3, 0] → (1 + 9)/4; Σw = 0 → 0 or the plain average 2.5.
        var xs = T([1, 1, 2, 2], 1, 2, 3, 4);
        Assert.That(Hand("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new() { ["input"] = xs, ["weight"] = T([1, 1, 2, 2], 1, 0, 3, 0) }).Values, Is.EqualTo(new[] { 2.5 }));
        Assert.That(Hand("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new() { ["input"] = xs, ["weight"] = T([1, 1, 1, 1], 0) }).Values, Is.EqualTo(new[] { 0.0 }));
        Assert.That(Hand("poolconf.weighted_pool2d", "{\"kernel_size\":2,\"zero_weight\":\"average\"}", new() { ["input"] = xs, ["weight"] = T([1, 1, 1, 1], 0) }).Values,
            Is.EqualTo(new[] { 2.5 }));
        // A weight-0 tap holding +∞ adds nothing.
        Assert.That(Hand("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new() { ["input"] = T([1, 1, 2, 2], 2, double.PositiveInfinity, 4, 6), ["weight"] = T([1, 1, 2, 2], 1, 0, 1, 0) }).Values,
            Is.EqualTo(new[] { 3.0 }));
    }

    [Test]
    public void MixedCombinedGated_HandComputed()
    {
        // Window [1, 2 / 3, 6]: max 6, average 3.
        var x = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 2, 2], 1, 2, 3, 6) };
        Assert.That(Hand("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"alpha\",\"alpha\":0.25}", x).Values, Is.EqualTo(new[] { 3.75 }));
        Assert.That(Hand("poolconf.mixed_pool2d", "{\"kernel_size\":2}", new(x) { ["lambda"] = T([1], 1) }).Values, Is.EqualTo(new[] { 6.0 }));
        Assert.That(Hand("poolconf.mixed_pool2d", "{\"kernel_size\":2}", new(x) { ["lambda"] = T([1, 1, 1, 1], 0) }).Values, Is.EqualTo(new[] { 3.0 }));
        Assert.That(Hand("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"majority\",\"count_max\":2,\"count_avg\":2}", x).Values, Is.EqualTo(new[] { 6.0 }));
        // a = 1 is a selection: +∞ in the average branch does not make 0·∞.
        var inf = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 1, 2], 1, double.NegativeInfinity) };
        Assert.That(Hand("poolconf.mixed_pool2d", "{\"kernel_size\":[1,2],\"mode\":\"alpha\",\"alpha\":1}", inf).Values, Is.EqualTo(new[] { 1.0 }));
        Assert.That(Hand("poolconf.combined_pool2d", "{\"kernel_size\":2}", x).Values, Is.EqualTo(new[] { 3.0, 6.0 }));
        Assert.That(Hand("poolconf.combined_pool2d", "{\"kernel_size\":2,\"mode\":\"cat_max_avg\"}", x).Values, Is.EqualTo(new[] { 6.0, 3.0 }));
        Assert.That(Hand("poolconf.combined_pool2d", "{\"kernel_size\":2,\"mode\":\"add\"}", x).Values, Is.EqualTo(new[] { 9.0 }));
        Assert.That(Hand("poolconf.combined_pool2d", "{\"kernel_size\":2,\"mode\":\"mean\"}", x).Values, Is.EqualTo(new[] { 4.5 }));
        // cat with N = 2: per batch item [avg of C channels, max of C channels].
        var two = new Dictionary<string, Tensor> { ["input"] = T([2, 1, 1, 2], 1, 3, -4, 2) };
        Assert.That(Hand("poolconf.combined_pool2d", "{\"kernel_size\":[1,2]}", two).Values, Is.EqualTo(new[] { 2.0, 3.0, -1.0, 2.0 }));
        // Gate ω = 0: σ(0) = ½ → ½·6 + ½·3; ω = [0, 0, 0, ln 3 / 6]: σ(ln 3) = ¾ → ¾·6 + ¼·3 = 5.25.
        var r = Run("poolconf.gated_pool2d", "{\"kernel_size\":2}", new(x) { ["omega"] = T([2, 2], 0, 0, 0, 0) });
        Assert.That(r["output"].Data, Is.EqualTo(new[] { 4.5 })); Assert.That(r["gate"].Data, Is.EqualTo(new[] { 0.5 }));
        r = Run("poolconf.gated_pool2d", "{\"kernel_size\":2}", new(x) { ["omega"] = T([2, 2], 0, 0, 0, (float)(Math.Log(3) / 6)) });
        Assert.That(r["output"].Data[0], Is.EqualTo(5.25).Within(1e-5));
        // Zero-filled border: k = 2, padding 1 on a 1×1 plane: one window, its one tap at kernel position (1, 1), so ωᵀx = ω[1,1]·2 =
        // ln 3 (the other weights meet zero-filled taps) and σ = ¾; max = avg = 2.
        r = Run("poolconf.gated_pool2d", "{\"kernel_size\":2,\"padding\":1}", new() { ["input"] = T([1, 1, 1, 1], 2), ["omega"] = T([2, 2], 5, 5, 5, (float)(Math.Log(3) / 2)) });
        Assert.That(r["gate"].Data.Length, Is.EqualTo(1));
        Assert.That(r["gate"].Data[0], Is.EqualTo(0.75).Within(1e-6));
        Assert.That(r["output"].Data, Is.EqualTo(new[] { 2.0 }));
    }

    [Test]
    public void Refusals_NameTheField()
    {
        var x = new Dictionary<string, Tensor> { ["input"] = T([1, 1, 2, 2], 1, 2, 3, 4) };
        void Refused(string op, string json, Dictionary<string, Tensor> inputs, string field)
        {
            var e = Assert.Throws<InvalidParameterException>(() => Run(op, json, inputs), $"{op} {json}");
            Assert.That(e!.Field, Is.EqualTo(field), $"{op} {json}: {e.Message}");
        }
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2}", x, "inputs.lambda");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2}", new(x) { ["lambda"] = T([1], 0.5) }, "inputs.lambda");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2}", new(x) { ["lambda"] = T([3], 1, 1, 1) }, "inputs.lambda");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"alpha\",\"alpha\":0.5}", new(x) { ["lambda"] = T([1], 1) }, "inputs.lambda");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"alpha\",\"alpha\":1.5}", x, "alpha");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"fixed\",\"fixed_lambda\":2}", x, "fixed_lambda");
        Refused("poolconf.mixed_pool2d", "{\"kernel_size\":2,\"mode\":\"other\"}", x, "mode");
        Refused("poolconf.combined_pool2d", "{\"kernel_size\":0}", x, "kernel_size");
        // Hostile geometry (the reference crashes on both: IndexOutOfRange on an empty dilation, OutOfMemory / int overflow on
        // a padding that makes an output of 10^10 cells): one clear refusal naming the field, for every op of the family.
        var big = new Dictionary<string, Tensor>(x)
        {
            ["lambda"] = T([1], 1), ["omega"] = T([2, 2], 1, 1, 1, 1), ["weight"] = T([1, 1, 2, 2], 1, 1, 1, 1),
        };
        foreach (var (op, extra) in new[] { ("mixed", ""), ("gated", ""), ("combined", ""), ("median", ""), ("rank_avg", ",\"t\":1"),
                     ("rank_weighted", ",\"alpha\":0.5"), ("rank_stochastic", ",\"alpha\":0.5"), ("stochastic", ""), ("weighted", "") })
        {
            var only = new Dictionary<string, Tensor> { ["input"] = x["input"] };
            foreach (var name in op switch { "mixed" => new[] { "lambda" }, "gated" => ["omega"], "weighted" => ["weight"], _ => [] }) only[name] = big[name];
            Refused($"poolconf.{op}_pool2d", $"{{\"kernel_size\":2,\"dilation\":[]{extra}}}", only, "dilation");
            Refused($"poolconf.{op}_pool2d", $"{{\"kernel_size\":2,\"padding\":100000{extra}}}", only, "padding");
        }
        // In training mode the uniforms' shape is checked first (as the reference does), then the output's size.
        Refused("poolconf.stochastic_pool2d", "{\"kernel_size\":2,\"padding\":100000,\"training\":true}", new(x) { ["uniforms"] = T([1, 1, 1, 1], 0.5) }, "inputs.uniforms");
        Refused("poolconf.combined_pool2d", "{\"kernel_size\":2,\"padding\":-1}", x, "padding");
        Refused("poolconf.combined_pool2d", "{\"kernel_size\":2,\"stride\":0}", x, "stride");
        Refused("poolconf.combined_pool2d", "{\"kernel_size\":2,\"bogus\":1}", x, "bogus");
        Refused("poolconf.combined_pool2d", "{\"kernel_size\":2}", new() { ["input"] = T([2, 2], 1, 2, 3, 4) }, "inputs.input");
        Refused("poolconf.median_pool2d", "{\"kernel_size\":2,\"even\":\"middle\"}", x, "even");
        Refused("poolconf.rank_avg_pool2d", "{\"kernel_size\":2,\"t\":0}", x, "t");
        Refused("poolconf.rank_avg_pool2d", "{\"kernel_size\":2}", x, "t");
        Refused("poolconf.rank_weighted_pool2d", "{\"kernel_size\":2,\"alpha\":0}", x, "alpha");
        Refused("poolconf.rank_stochastic_pool2d", "{\"kernel_size\":2,\"alpha\":0.5,\"return_indices\":true}", x, "return_indices");
        Refused("poolconf.rank_stochastic_pool2d", "{\"kernel_size\":2,\"alpha\":0.5,\"training\":true}", x, "inputs.uniforms");
        Refused("poolconf.rank_stochastic_pool2d", "{\"kernel_size\":2,\"alpha\":0.5,\"training\":true}", new(x) { ["uniforms"] = T([1, 1, 1, 1], 1) }, "inputs.uniforms");
        Refused("poolconf.stochastic_pool2d", "{\"kernel_size\":2}", new(x) { ["uniforms"] = T([1, 1, 1, 1], 0) }, "inputs.uniforms");
        Refused("poolconf.stochastic_pool2d", "{\"kernel_size\":2}", new() { ["input"] = T([1, 1, 2, 2], 1, -2, 3, 4) }, "inputs.input");
        Refused("poolconf.stochastic_pool2d", "{\"kernel_size\":2}", new() { ["input"] = T([1, 1, 2, 2], 1, double.PositiveInfinity, 3, 4) }, "inputs.input");
        Refused("poolconf.stochastic_pool2d", "{\"kernel_size\":2,\"rule\":\"lt\"}", x, "rule");
        Refused("poolconf.weighted_pool2d", "{\"kernel_size\":2}", x, "inputs.weight");
        Refused("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new(x) { ["weight"] = T([1, 1, 2, 2], 1, -1, 1, 1) }, "inputs.weight");
        Refused("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new(x) { ["weight"] = T([2, 2], 1, 1, 1, 1) }, "inputs.weight");
        Refused("poolconf.weighted_pool2d", "{\"kernel_size\":2}", new(x) { ["weight"] = T([1, 1, 3, 1], 1, 1, 1) }, "inputs.weight");
        Refused("poolconf.gated_pool2d", "{\"kernel_size\":2}", new(x) { ["omega"] = T([3], 1, 1, 1) }, "inputs.omega");
        Refused("poolconf.gated_pool2d", "{\"kernel_size\":2}", new(x) { ["omega"] = T([2, 2], 1, double.NaN, 1, 1) }, "inputs.omega");
        Refused("poolconf.gated_pool2d", "{\"kernel_size\":2,\"padding\":1,\"border\":\"forbid\"}", new(x) { ["omega"] = T([2, 2], 1, 1, 1, 1) }, "border");
        // float64 is not served (skipped with the reason), not refused.
        var x64 = new Dictionary<string, Tensor> { ["input"] = new Tensor(DType.Float64, [1, 1, 2, 2], [1, 2, 3, 4]) };
        Assert.Throws<OptimizedBackend.NotServed>(() => Run("poolconf.median_pool2d", "{\"kernel_size\":2}", x64));
    }

    [Test]
    public void Registry_ListsTheSurveyKernels_AndTheBackendServesTheOps()
    {
        foreach (var name in new[] { "MixedPool2d_F32_Nchw", "GatedPool2d_F32_Nchw", "CombinedPool2d_F32_Nchw", "MedianPool2d_F32_Nchw", "RankAvgPool2d_F32_Nchw",
                     "RankWeightedPool2d_F32_Nchw", "RankStochasticPool2d_F32_Nchw", "StochasticPool2d_F32_Nchw", "WeightedPool2d_F32_Nchw" })
            Assert.That(KernelRegistry.Names, Does.Contain(name));
        foreach (var op in new[] { "mixed", "median", "combined", "rank_avg", "stochastic", "rank_stochastic", "rank_weighted", "weighted", "gated" })
            Assert.That(OptimizedBackend.Served, Does.Contain($"poolconf.{op}_pool2d"));
    }
}
