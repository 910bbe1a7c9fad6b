using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// onnx.MaxPool, AveragePool, LpPool, Global*Pool per the spec text and C++ shape inference (DIALECTS.md §3), with the node-test
/// and ONNX Runtime vectors of §3.5–3.6 and the correct values where the Python reference is wrong (§10).
/// </summary>
[TestFixture]
public class OnnxPoolTests
{
    static Tensor Ramp1(int n) => Ramp([1, 1, n], start: 1, dtype: DType.Float64);
    static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();

    [Test]
    public void MaxPool_CeilOn5x5Ramp_MatchesOrtValuesAndIndices()
    {
        // DIALECTS.md §3.5 (ONNX Runtime 1.31.1): arange(25) 5×5, k2 s2 ceil → 6,8,9,16,18,19,21,23,24; indices identical.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1}""", Ramp([1, 1, 5, 5]), "X");
        double[] want = [6, 8, 9, 16, 18, 19, 21, 23, 24];
        Check.Exact(Check.V(r, "Y"), want);
        Check.Exact(Check.V(r, "Indices"), want);
    }

    [Test]
    public void MaxPool_StorageOrder1_PrecomputedStrides_MatchesNodeTest()
    {
        // maxpool_with_argmax_2d_precomputed_strides: 1..25 5×5, k2 s2, storage_order 1 → Y [[7,9],[17,19]],
        // Indices h + w·H: (1,1) → 6, (1,3) → 16, (3,1) → 8, (3,3) → 18.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2, 2], "strides": [2, 2], "storage_order": 1}""", Ramp([1, 1, 5, 5], start: 1), "X");
        Check.Exact(Check.V(r, "Y"), [7, 9, 17, 19]);
        Check.Exact(Check.V(r, "Indices"), [6, 16, 8, 18]);
    }

    [Test]
    public void MaxPool_StorageOrder1_PrecomputedPads_MatchesNodeTest()
    {
        // maxpool_with_argmax_2d_precomputed_pads: 1..25 5×5, k5 pads 2, storage_order 1. Window (i, j) covers rows i−2..i+2,
        // cols j−2..j+2 → winner at (min(i+2,4), min(j+2,4)); column-major index h + 5w.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [5, 5], "pads": [2, 2, 2, 2], "storage_order": 1}""", Ramp([1, 1, 5, 5], start: 1), "X");
        var y = new List<double>(); var z = new List<double>();
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                int h = Math.Min(i + 2, 4), w = Math.Min(j + 2, 4);
                y.Add(1 + 5 * h + w); z.Add(h + 5 * w);
            }
        Check.Exact(Check.V(r, "Y"), y.ToArray());
        Check.Exact(Check.V(r, "Indices"), z.ToArray());
        Check.Exact(Check.V(r, "Y").Take(5).ToArray(), [13, 14, 15, 15, 15]);   // the node test's first row
        Check.Exact(Check.V(r, "Indices").Take(5).ToArray(), [12, 17, 22, 22, 22]);
    }

    [Test]
    public void MaxPool_Uint8_PrecomputedPads()
    {
        // maxpool_2d_uint8: the same pads problem in uint8 → first row 13, 14, 15, 15, 15; last 23, 24, 25, 25, 25.
        var x = new Tensor(DType.UInt8, [1, 1, 5, 5], Enumerable.Range(1, 25).Select(v => (double)v).ToArray());
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [5, 5], "pads": [2, 2, 2, 2]}""", x, "X");
        Assert.That(Check.E(r, "Y").Value.DType, Is.EqualTo(DType.UInt8));
        Check.Exact(Check.V(r, "Y").Take(5).ToArray(), [13, 14, 15, 15, 15]);
        Check.Exact(Check.V(r, "Y").Skip(20).ToArray(), [23, 24, 25, 25, 25]);
    }

    [TestCase(0, new double[] { 4, 5 })]   // row-major (1,1) → 4, (1,2) → 5
    [TestCase(1, new double[] { 3, 5 })]   // column-major h + w·H: 1 + 2 = 3, 1 + 4 = 5
    public void MaxPool_StorageOrder_SelectsInPlaneLayout(int order, double[] expected)
    {
        // [[0,1,2],[3,4,5]], k2 s1: windows win at (1,1) = 4 and (1,2) = 5.
        var r = Eval("onnx.MaxPool", $$"""{"kernel_shape": [2, 2], "storage_order": {{order}}}""", Ramp([1, 1, 2, 3]), "X");
        Check.Exact(Check.V(r, "Indices"), expected);
    }

    [Test]
    public void MaxPool_IndicesAreFlatOverBatchAndChannel()
    {
        // N = 1, C = 2 planes [1,4,2,3] and [8,5,6,7], k2 (2×2): plane 0 wins at 1, plane 1 at 0 → flat 1 and 4 + 0.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2, 2]}""", T([1, 2, 2, 2], 1, 4, 2, 3, 8, 5, 6, 7), "X");
        Check.Exact(Check.V(r, "Y"), [4, 8]);
        Check.Exact(Check.V(r, "Indices"), [1, 4]);
    }

    [Test]
    public void MaxPool_CeilOutputSizeReduceByOne_MatchesNodeTest()
    {
        // maxpool_2d_ceil_output_size_reduce_by_one: 2×2, k1 s2 ceil: ceil(1/2) + 1 = 2 but 1·2 ≥ 2 drops to 1 → [[1]].
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [1, 1], "strides": [2, 2], "ceil_mode": 1}""", T([1, 1, 2, 2], 1, 2, 3, 4), "X");
        Assert.That(Check.S(r, "Y"), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Check.Exact(Check.V(r, "Y"), [1]);
    }

    [Test]
    public void MaxPool_PadsAreBeginsThenEnds()
    {
        // DIALECTS.md §10.6: pads [0, 1, 0, 0] = H begin 0, W begin 1, H end 0, W end 0, k [1, 2] on [[2,1],[4,3]]:
        // W windows {−1,0} and {0,1} → [[2,2],[4,4]] (shape 2×2; reading H:(0,1) would give 3×1).
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [1, 2], "pads": [0, 1, 0, 0]}""", T([1, 1, 2, 2], 2, 1, 4, 3), "X");
        Assert.That(Check.S(r, "Y"), Is.EqualTo(new[] { 1, 1, 2, 2 }));
        Check.Exact(Check.V(r, "Y"), [2, 2, 4, 4]);
    }

    [TestCase("SAME_UPPER", new double[] { 1, 3, 5, 6 })]  // total 1 at the end: {0,1} {2,3} {4,5} {6}
    [TestCase("SAME_LOWER", new double[] { 0, 2, 4, 6 })]  // total 1 at the start: {0} {1,2} {3,4} {5,6}
    [TestCase("VALID", new double[] { 1, 3, 5 })]           // (7 − 2)/2 + 1 = 3
    public void MaxPool_AutoPad_L7K2S2(string mode, double[] expected)
    {
        // DIALECTS.md §10.7: SAME_LOWER with stride 2 gives ceil(7/2) = 4 outputs (the Python reference gives 3).
        var r = Eval("onnx.MaxPool", $$"""{"kernel_shape": [2], "strides": [2], "auto_pad": "{{mode}}"}""", Ramp([1, 1, 7]), "X");
        Check.Exact(Check.V(r, "Y"), expected);
    }

    [Test]
    public void MaxPool_SameUpperWithDilation_UsesEffectiveKernel()
    {
        // L = 5, k2 d2 s1: K = 3, total 2 → pads (1,1); taps o − 1 + {0, 2}: {1}, {0,2}, {1,3}, {2,4}, {3} on [1..5] → 2,3,4,5,4.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2], "dilations": [2], "auto_pad": "SAME_UPPER"}""", Ramp1(5), "X");
        Check.Exact(Check.V(r, "Y"), [2, 3, 4, 5, 4]);
    }

    [Test]
    public void MaxPool_SameWithStrideAboveKernel_ClampsTotalPad()
    {
        // L = 5, k1 s3: total max(0, 1 − 2) = 0, O = ceil(5/3) = 2, taps {0}, {3} → 1, 4.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [1], "strides": [3], "auto_pad": "SAME_LOWER"}""", Ramp1(5), "X");
        Check.Exact(Check.V(r, "Y"), [1, 4]);
    }

    [Test]
    public void MaxPool_ValidWithDilation_UsesEffectiveKernel()
    {
        // DIALECTS.md §10.4: L = 7, k3 d2 VALID → (7 − 5)/1 + 1 = 3 outputs (the reference gives 5): taps {0,2,4}… → 5, 6, 7.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [3], "dilations": [2], "auto_pad": "VALID"}""", Ramp1(7), "X");
        Check.Exact(Check.V(r, "Y"), [5, 6, 7]);
    }

    [Test]
    public void MaxPool_WindowOnlyOfPadding_IsUnspecified()
    {
        // ONNX allows pads ≥ k: L = 2, k2 s1 pads [3, 0]: O = 4, taps {−3,−2}, {−2,−1} empty, {−1,0}, {0,1}.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2], "pads": [3, 0]}""", T([1, 1, 2], 7, 9), "X");
        Assert.That(Check.Unspecified(r, "Y"), Is.EqualTo(new[] { true, true, false, false }));
        Assert.That(Check.V(r, "Y").Skip(2), Is.EqualTo(new double[] { 7, 9 }));
    }

    [Test]
    public void MaxPool_WindowOnlyOfPadding_IndexIsUnspecified()
    {
        // Same problem as above with Indices: the two empty windows have no index to compare; the others index 0 and 1.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2], "pads": [3, 0]}""", T([1, 1, 2], 7, 9), "X");
        Assert.That(Check.Unspecified(r, "Indices"), Is.EqualTo(new[] { true, true, false, false }));
        Assert.That(Check.V(r, "Indices").Skip(2), Is.EqualTo(new double[] { 0, 1 }));
    }

    [Test]
    public void MaxPool_NaN_PropagatesWithFirstNaNIndex()
    {
        // PoolSemantics.Onnx (the oracle's choice, spec silent): [1, NaN, NaN, 2] k4 → NaN at index 1.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [4]}""", T([1, 1, 4], 1, double.NaN, double.NaN, 2), "X");
        Check.Exact(Check.V(r, "Y"), [double.NaN]);
        Check.Exact(Check.V(r, "Indices"), [1]);
    }

    [Test]
    public void MaxPool_Opset1_HasNoIndices()
    {
        // Indices arrive with opset 8; strides default to 1: [1..4] k2 → 2, 3, 4.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2], "opset": 1}""", Ramp1(4), "X");
        Assert.That(r.Outputs.ContainsKey("Indices"), Is.False);
        Check.Exact(Check.V(r, "Y"), [2, 3, 4]);
    }

    // ---- AveragePool ----

    [TestCase(0, new[] { 1.0, 1, 1, 1 })]
    [TestCase(1, new[] { 4.0 / 9, 6.0 / 9, 6.0 / 9, 1 })]
    public void AveragePool_CountIncludePad_MatchesOrt(int cip, double[] expected)
    {
        // DIALECTS.md §3.5: ones 4×4, k3 s2 p1: cip 0 → all 1; cip 1 → 4/9, 6/9, 6/9, 1 (windows hold 2 or 3 cells per axis).
        var r = Eval("onnx.AveragePool", $$"""{"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "count_include_pad": {{cip}}}""",
            T([1, 1, 4, 4], Ones(16)), "X");
        Check.Close(Check.V(r, "Y"), expected, 1e-15);
    }

    [Test]
    public void AveragePool_IncludePadCeil_DoesNotCountCeilOverhang()
    {
        // The pytorch/pytorch#183528 problem as ONNX (ONNX PR #6650 semantics): 1..16 4×4, k3 s2 pads 1, ceil, cip 1.
        var r = Eval("onnx.AveragePool", """{"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1, "count_include_pad": 1}""",
            Ramp([1, 1, 4, 4], start: 1), "X");
        Check.Close(Check.V(r, "Y"), [1.5555556, 3.3333333, 2.0, 6.3333335, 11, 6, 4.5, 7.5, 4.0], 1e-7);
    }

    [Test]
    public void AveragePool_CeilStride3BeginPad_DoesNotShiftWindows()
    {
        // DIALECTS.md §10.1: [1..5], k3 s3 pads [2, 0], ceil → [1, 3, 5] (the Python reference gives [NaN, 2, 4]).
        // O = ceil(4/3) + 1 = 3, 6 < 7 keeps it; taps {−2,−1,0}, {1,2,3}, {4,5,6} → 1/1, 9/3, 5/1 (cip 0).
        var r = Eval("onnx.AveragePool", """{"kernel_shape": [3], "strides": [3], "pads": [2, 0], "ceil_mode": 1}""", Ramp1(5), "X");
        Check.Close(Check.V(r, "Y"), [1, 3, 5], 1e-15);
    }

    [TestCase("SAME_UPPER", 0, new[] { 1.5, 2.5, 3.5, 4.5, 5 })]   // {0,1} … {3,4} {4}
    [TestCase("SAME_LOWER", 0, new[] { 1, 1.5, 2.5, 3.5, 4.5 })]   // {0} {0,1} …
    [TestCase("SAME_UPPER", 1, new[] { 1.5, 2.5, 3.5, 4.5, 2.5 })] // last window 5 over 2 positions
    [TestCase("SAME_LOWER", 1, new[] { 0.5, 1.5, 2.5, 3.5, 4.5 })]
    [TestCase("VALID", 0, new[] { 1.5, 2.5, 3.5, 4.5 })]
    public void AveragePool_AutoPad_SplitsOddTotal(string mode, int cip, double[] expected)
    {
        // [1..5], k2 s1: total 2 − 1 = 1.
        var r = Eval("onnx.AveragePool", $$"""{"kernel_shape": [2], "auto_pad": "{{mode}}", "count_include_pad": {{cip}}}""", Ramp1(5), "X");
        Check.Close(Check.V(r, "Y"), expected, 1e-15);
    }

    [Test]
    public void AveragePool_SameLowerK5_IncludePadCountsBothPads()
    {
        // microsoft/onnxruntime#24681 shape: ones(5), k5 s1 SAME_LOWER: total 4 → pads (2, 2); cip 1 divides every window by 5:
        // in-bounds cells 3, 4, 5, 4, 3 → 0.6, 0.8, 1, 0.8, 0.6 (end padding counted as well as begin padding).
        var r = Eval("onnx.AveragePool", """{"kernel_shape": [5], "auto_pad": "SAME_LOWER", "count_include_pad": 1}""", T([1, 1, 5], Ones(5)), "X");
        Check.Close(Check.V(r, "Y"), [0.6, 0.8, 1, 0.8, 0.6], 1e-15);
    }

    [Test]
    public void AveragePool_AsymmetricPads_IncludePad()
    {
        // ones(5), k3 s1 pads [2, 0], cip 1: O = 5; windows hold 1, 2, 3, 3, 3 cells of 3 positions.
        var r = Eval("onnx.AveragePool", """{"kernel_shape": [3], "pads": [2, 0], "count_include_pad": 1}""", T([1, 1, 5], Ones(5)), "X");
        Check.Close(Check.V(r, "Y"), [1.0 / 3, 2.0 / 3, 1, 1, 1], 1e-15);
    }

    [TestCase(1, new[] { 0.5, 1, 1, 1, 0.5 })]   // dilated positions inside [−1, 6): 2 each; in-bounds 1, 2, 2, 2, 1
    [TestCase(0, new[] { 1.0, 1, 1, 1, 1 })]
    public void AveragePool_Dilation_IncludePadCountsDilatedPositions(int cip, double[] expected)
    {
        // ones(5), k2 d2 pads [1,1] (opset 19): K = 3, O = 5, taps o − 1 + {0, 2}.
        var r = Eval("onnx.AveragePool", $$"""{"kernel_shape": [2], "dilations": [2], "pads": [1, 1], "count_include_pad": {{cip}}, "opset": 19}""",
            T([1, 1, 5], Ones(5)), "X");
        Check.Close(Check.V(r, "Y"), expected, 1e-15);
    }

    [Test]
    public void AveragePool_WindowOnlyOfPadding_ExcludePadUnspecified_IncludePadZero()
    {
        // L = 2, k2 pads [3, 0]: windows {−3,−2} and {−2,−1} hold no cell. cip 0: unspecified; cip 1: 0/2 = 0.
        var x = T([1, 1, 2], 4, 6);
        var ex = Eval("onnx.AveragePool", """{"kernel_shape": [2], "pads": [3, 0]}""", x, "X");
        Assert.That(Check.Unspecified(ex, "Y"), Is.EqualTo(new[] { true, true, false, false }));
        Assert.That(Check.V(ex, "Y").Skip(2), Is.EqualTo(new double[] { 4, 5 }));
        var inc = Eval("onnx.AveragePool", """{"kernel_shape": [2], "pads": [3, 0], "count_include_pad": 1}""", x, "X");
        Assert.That(Check.Unspecified(inc, "Y"), Has.None.True);
        Check.Close(Check.V(inc, "Y"), [0, 0, 2, 5], 1e-15);   // {−1,0}: 4/2; {0,1}: 10/2
    }

    [TestCase(1, """{"kernel_shape": [2], "pads": [1, 1]}""", new[] { 1.0, 1, 1, 1 })]  // opset 1 excludes padding
    [TestCase(7, """{"kernel_shape": [2], "pads": [1, 1], "count_include_pad": 1}""", new[] { 0.5, 1, 1, 0.5 })]
    [TestCase(10, """{"kernel_shape": [2], "strides": [2], "ceil_mode": 1}""", new[] { 1.0, 1 })]
    [TestCase(19, """{"kernel_shape": [2], "dilations": [2]}""", new[] { 1.0 })]
    public void AveragePool_Opsets_AcceptTheirAttributes(int opset, string attrs, double[] expected)
    {
        // ones(3): k2 pads 1 → O = 4, windows {−1,0} {0,1} {1,2} {2,3}; k2 s2 ceil → {0,1} {2}; k2 d2 → {0,2}.
        var json = attrs.TrimEnd('}') + $", \"opset\": {opset}}}";
        var r = Eval("onnx.AveragePool", json, T([1, 1, 3], Ones(3)), "X");
        Check.Close(Check.V(r, "Y"), expected, 1e-15);
    }

    [TestCase(1, """{"kernel_shape": [2], "count_include_pad": 1}""", "count_include_pad")]
    [TestCase(7, """{"kernel_shape": [2], "ceil_mode": 1}""", "ceil_mode")]
    [TestCase(10, """{"kernel_shape": [2], "dilations": [1]}""", "dilations")]
    [TestCase(22, """{"kernel_shape": [2], "count_include_pad": 2}""", "count_include_pad")]
    public void AveragePool_RefusesAttributesItsOpsetLacks(int opset, string attrs, string field)
    {
        var json = attrs.TrimEnd('}') + $", \"opset\": {opset}}}";
        Check.Refuses(() => Eval("onnx.AveragePool", json, T([1, 1, 3], Ones(3)), "X"), field);
    }

    // ---- LpPool ----

    [Test]
    public void LpPool_IsTrueNormOfAbsoluteValues()
    {
        // [−3, 4] p2 k2 → 5; p1 on [−1, 2, 3, −4] k4 → 10 (|x|, unlike torch's signed sum).
        Check.Close(Check.V(Eval("onnx.LpPool", """{"kernel_shape": [2], "p": 2}""", T([1, 1, 2], -3, 4), "X"), "Y"), [5], 1e-15);
        Check.Close(Check.V(Eval("onnx.LpPool", """{"kernel_shape": [4], "p": 1}""", T([1, 1, 4], -1, 2, 3, -4), "X"), "Y"), [10], 1e-15);
    }

    [Test]
    public void LpPool_Ceil_IsNotInflated()
    {
        // DIALECTS.md §10.2: [1..5], k2 s2 p2 ceil → [√5, 5, 5] by the spec's norm (the reference's inflation gives √50).
        var r = Eval("onnx.LpPool", """{"kernel_shape": [2], "strides": [2], "p": 2, "ceil_mode": 1}""", Ramp1(5), "X");
        Check.Close(Check.V(r, "Y"), [Math.Sqrt(5), 5, 5], 1e-15);
    }

    [Test]
    public void LpPool_Padding_AddsNothing()
    {
        // [3, 4], k2 pads [1, 1]: windows {3}, {3,4}, {4} → 3, 5, 4.
        var r = Eval("onnx.LpPool", """{"kernel_shape": [2], "pads": [1, 1]}""", T([1, 1, 2], 3, 4), "X");
        Check.Close(Check.V(r, "Y"), [3, 5, 4], 1e-15);
    }

    [Test]
    public void LpPool_Opset1_AcceptsFractionalP()
    {
        // p = 1.5 over [1, 1]: (1 + 1)^{1/1.5} = 2^{2/3}.
        var r = Eval("onnx.LpPool", """{"kernel_shape": [2], "p": 1.5, "opset": 1}""", T([1, 1, 2], 1, 1), "X");
        Check.Close(Check.V(r, "Y"), [Math.Pow(2, 2.0 / 3)], 1e-14);
    }

    [TestCase("""{"kernel_shape": [2], "p": 1.5}""", "p")]             // integer from opset 2
    [TestCase("""{"kernel_shape": [2], "p": 0}""", "p")]
    [TestCase("""{"kernel_shape": [2], "ceil_mode": 1, "opset": 11}""", "ceil_mode")]   // from opset 18
    [TestCase("""{"kernel_shape": [2], "dilations": [2], "opset": 11}""", "dilations")]
    public void LpPool_RefusesInvalidAttributes(string json, string field) =>
        Check.Refuses(() => Eval("onnx.LpPool", json, Ramp1(4), "X"), field);

    // ---- Global pools ----

    [TestCase(new[] { 1, 2, 3 }, new[] { 1, 2, 1 })]            // DIALECTS.md §10.8: rank kept, every spatial axis reduced
    [TestCase(new[] { 1, 2, 2, 3 }, new[] { 1, 2, 1, 1 })]
    [TestCase(new[] { 1, 2, 3, 4, 5 }, new[] { 1, 2, 1, 1, 1 })]
    public void GlobalMaxPool_ReducesAllSpatialAxes_KeepingRank(int[] shape, int[] outShape)
    {
        // Ramp planes: the maximum of plane q is its last element, (q + 1)·P − 1.
        var r = Eval("onnx.GlobalMaxPool", "{}", Ramp(shape), "X");
        int plane = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        Assert.That(Check.S(r, "Y"), Is.EqualTo(outShape));
        Check.Exact(Check.V(r, "Y"), [plane - 1, 2 * plane - 1]);
    }

    [Test]
    public void GlobalAveragePool_IsThePlaneMean()
    {
        // planes 0..5 and 6..11 of 2×3: means 2.5 and 8.5.
        var r = Eval("onnx.GlobalAveragePool", "{}", Ramp([1, 2, 2, 3]), "X");
        Check.Close(Check.V(r, "Y"), [2.5, 8.5], 0);
    }

    [TestCase(2, 5.0)]             // √(9 + 16 + 0 + 0)
    [TestCase(1, 7.0)]             // |−3| + 4
    public void GlobalLpPool_IsNormOfPlane(int p, double expected)
    {
        var r = Eval("onnx.GlobalLpPool", $$"""{"p": {{p}}}""", T([1, 1, 2, 2], -3, 4, 0, 0), "X");
        Check.Close(Check.V(r, "Y"), [expected], 1e-15);
    }

    [Test]
    public void GlobalLpPool_Opset1_AcceptsFractionalP()
    {
        // p = 0.5 over [1, 4, 9, 16]: (1 + 2 + 3 + 4)^2 = 100.
        var r = Eval("onnx.GlobalLpPool", """{"p": 0.5, "opset": 1}""", T([1, 1, 2, 2], 1, 4, 9, 16), "X");
        Check.Close(Check.V(r, "Y"), [100], 1e-14);
        Check.Refuses(() => Eval("onnx.GlobalLpPool", """{"p": 0.5}""", T([1, 1, 2, 2], 1, 4, 9, 16), "X"), "p");
    }

    [TestCase("""{"kernel_shape": [2, 2]}""", "kernel_shape")]                       // wrong length for 1-D
    [TestCase("""{"kernel_shape": [0]}""", "kernel_shape")]
    [TestCase("""{"kernel_shape": [2], "strides": [0]}""", "strides")]
    [TestCase("""{"kernel_shape": [2], "pads": [1]}""", "pads")]
    [TestCase("""{"kernel_shape": [2], "pads": [-1, 0]}""", "pads")]
    [TestCase("""{"kernel_shape": [2], "pads": [1, 0], "auto_pad": "SAME_UPPER"}""", "pads")]
    [TestCase("""{"kernel_shape": [2], "auto_pad": "SAME"}""", "auto_pad")]
    [TestCase("""{"kernel_shape": [2], "storage_order": 2}""", "storage_order")]
    [TestCase("""{"kernel_shape": [2], "storage_order": 1, "opset": 1}""", "storage_order")]
    [TestCase("""{"kernel_shape": [2], "opset": 0}""", "opset")]
    [TestCase("""{"kernel_shape": [2], "ceil": 1}""", "ceil")]                       // unknown attribute
    [TestCase("""{"kernel_shape": [5]}""", "kernel_shape")]                          // larger than the input
    [TestCase("""{"strides": [1]}""", "kernel_shape")]                               // required
    public void MaxPool_RefusesInvalidAttributes(string json, string field) =>
        Check.Refuses(() => Eval("onnx.MaxPool", json, Ramp1(4), "X"), field);

    [TestCase(new[] { 4, 4 })]
    [TestCase(new[] { 1, 1, 1, 1, 1, 4 })]
    public void MaxPool_RefusesWrongRank(int[] shape) =>
        Check.Refuses(() => Eval("onnx.MaxPool", """{"kernel_shape": [1]}""", Ramp(shape), "X"), "inputs.X");
}
