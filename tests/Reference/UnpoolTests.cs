using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// torch.max_unpool1d/2d/3d (per-plane indices in the output_size layout, METHODS.md §12, DIALECTS.md §1.7) and
/// onnx.MaxUnpool (flat N×C indices in the inferred layout, padded at the end: DIALECTS.md §3.4, CONTRACT.md §6).
/// </summary>
[TestFixture]
public class UnpoolTests
{
    static (string, PoolingConformance.Core.Tensor)[] In(PoolingConformance.Core.Tensor x, PoolingConformance.Core.Tensor i) => [("input", x), ("indices", i)];

    [Test]
    public void MaxUnpool1d_ScattersIntoZeros()
    {
        // [5, 7] at [1, 2], k2: default length (2 − 1)·2 + 2 = 4 → [0, 5, 7, 0].
        var r = Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 1, 2], 5, 7), I64([1, 1, 2], 1, 2)));
        Check.Exact(Check.V(r), [0, 5, 7, 0]);
    }

    [Test]
    public void MaxUnpool1d_NegativeValuesSurvive()
    {
        var r = Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 1, 2], -1, -2), I64([1, 1, 2], 0, 3)));
        Check.Exact(Check.V(r), [-1, 0, 0, -2]);
    }

    [Test]
    public void MaxUnpool2d_5x5PooledTo2x2_NeedsOutputSize()
    {
        // METHODS.md §12 [run]: 5×5 pooled k = s = 2 gives indices 6, 8, 16, 18 (5×5 layout); the default 4×4 output refuses
        // index 18 ("Found an invalid max index"), output_size (5,5) works, (6,6) is outside (2, 6).
        var x = T([1, 1, 2, 2], 6, 8, 16, 18);
        var idx = I64([1, 1, 2, 2], 6, 8, 16, 18);
        Check.Refuses(() => Eval("torch.max_unpool2d", """{"kernel_size": 2}""", In(x, idx)), "inputs.indices");
        var r = Eval("torch.max_unpool2d", """{"kernel_size": 2, "output_size": [5, 5]}""", In(x, idx));
        var want = new double[25];
        want[6] = 6; want[8] = 8; want[16] = 16; want[18] = 18;
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 5, 5 }));
        Check.Exact(Check.V(r), want);
        Check.Refuses(() => Eval("torch.max_unpool2d", """{"kernel_size": 2, "output_size": [6, 6]}""", In(x, idx)), "output_size");
    }

    [TestCase("[1, 1, 5, 5]")]   // with N, C (nd + 2 entries, the last nd used)
    [TestCase("[5, 5]")]
    public void MaxUnpool2d_AcceptsOutputSizeWithOrWithoutBatchAndChannel(string size)
    {
        // 2×2 input, k2: default 4×4, interval (2, 6) per axis; 5×5 is inside. Index 24 = (4, 4) exists only in the 5×5 layout.
        var r = Eval("torch.max_unpool2d", $$"""{"kernel_size": 2, "output_size": {{size}}}""", In(T([1, 1, 2, 2], 3, 0, 0, 0), I64([1, 1, 2, 2], 24, 0, 1, 2)));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 5, 5 }));
        Assert.That(Check.V(r)[24], Is.EqualTo(3));
    }

    [TestCase(2)]   // default 4, stride 2: the open interval (2, 6) excludes both ends
    [TestCase(6)]
    public void MaxUnpool1d_OutputSizeOnTheIntervalEnds_IsRefused(int size) =>
        Check.Refuses(() => Eval("torch.max_unpool1d", $$"""{"kernel_size": 2, "output_size": [{{size}}]}""", In(T([1, 1, 2], 1, 2), I64([1, 1, 2], 0, 1))), "output_size");

    [TestCase(3)]
    [TestCase(5)]
    public void MaxUnpool1d_OutputSizeInsideTheInterval_IsAccepted(int size)
    {
        var r = Eval("torch.max_unpool1d", $$"""{"kernel_size": 2, "output_size": [{{size}}]}""", In(T([1, 1, 2], 1, 2), I64([1, 1, 2], 0, 2)));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, size }));
        Assert.That(Check.V(r).Take(3), Is.EqualTo(new double[] { 1, 0, 2 }));
    }

    [Test]
    public void MaxUnpool2d_DuplicateIndices_LastWriteWins()
    {
        // METHODS.md §12 [run]: 3×3 with 9 in the centre, k2 s1 → indices [4,4,4,4]; scatter [1,2,3,4] there: 4 survives.
        // Default size (2 − 1)·1 + 2 = 3.
        var r = Eval("torch.max_unpool2d", """{"kernel_size": 2, "stride": 1}""", In(T([1, 1, 2, 2], 1, 2, 3, 4), I64([1, 1, 2, 2], 4, 4, 4, 4)));
        Check.Exact(Check.V(r), [0, 0, 0, 0, 4, 0, 0, 0, 0]);
    }

    [Test]
    public void MaxUnpool1d_Padding_ShrinksDefaultSize()
    {
        // k3 s2 p1 on length 2: (2 − 1)·2 + 3 − 2 = 3.
        var r = Eval("torch.max_unpool1d", """{"kernel_size": 3, "stride": 2, "padding": 1}""", In(T([1, 1, 2], 8, 9), I64([1, 1, 2], 0, 2)));
        Check.Exact(Check.V(r), [8, 0, 9]);
    }

    [Test]
    public void MaxUnpool3d_IndicesAreTHWFlatPerPlane()
    {
        // Two planes (N = 1, C = 2) of one element each, k2: output 2×2×2 per plane; index 7 = (1,1,1), index 0 = (0,0,0).
        var r = Eval("torch.max_unpool3d", """{"kernel_size": 2}""", In(T([1, 2, 1, 1, 1], 3, 5), I64([1, 2, 1, 1, 1], 7, 0)));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 2, 2, 2, 2 }));
        Check.Exact(Check.V(r), [0, 0, 0, 0, 0, 0, 0, 3, 5, 0, 0, 0, 0, 0, 0, 0]);
    }

    [Test]
    public void MaxUnpool1d_UnbatchedAndBatchZero()
    {
        var u = Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 2], 5, 7), I64([1, 2], 1, 2)));
        Assert.That(Check.S(u), Is.EqualTo(new[] { 1, 4 }));
        Check.Exact(Check.V(u), [0, 5, 7, 0]);
        var z = Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([0, 1, 2]), I64([0, 1, 2])));
        Assert.That(Check.S(z), Is.EqualTo(new[] { 0, 1, 4 }));
    }

    [TestCase(-1)]
    [TestCase(4)]
    public void MaxUnpool1d_RefusesIndexOutsideThePlane(long bad) =>
        Check.Refuses(() => Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 1, 2], 1, 2), I64([1, 1, 2], 0, bad))), "inputs.indices");

    [Test]
    public void MaxUnpool_RefusesNonInt64OrMisshapedIndices()
    {
        Check.Refuses(() => Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 1, 2], 1, 2), T([1, 1, 2], 0, 1))), "inputs.indices");
        Check.Refuses(() => Eval("torch.max_unpool1d", """{"kernel_size": 2}""", In(T([1, 1, 2], 1, 2), I64([1, 1, 1], 0))), "inputs.indices");
    }

    [TestCase("""{"kernel_size": 0}""", "kernel_size")]
    [TestCase("""{"kernel_size": 2, "stride": -2}""", "stride")]
    [TestCase("""{"kernel_size": 2, "output_size": [1, 2, 3, 4]}""", "output_size")]  // neither nd nor nd + 2 entries
    [TestCase("""{"kernel_size": 2, "dilation": 1}""", "dilation")]                   // unknown parameter
    public void MaxUnpool1d_RefusesInvalidParameters(string json, string field) =>
        Check.Refuses(() => Eval("torch.max_unpool1d", json, In(T([1, 1, 2], 1, 2), I64([1, 1, 2], 0, 1))), field);

    // ---- onnx.MaxUnpool ----

    [Test]
    public void OnnxMaxUnpool_WithoutOutputShape_MatchesNodeTest()
    {
        // onnx node test test_maxunpool_export_without_output_shape: X [[1,2],[3,4]], I [[5,7],[13,15]], k2 s2 → 4×4
        // with 1, 2, 3, 4 at flat 5, 7, 13, 15.
        var r = Eval("onnx.MaxUnpool", """{"kernel_shape": [2, 2], "strides": [2, 2]}""",
            ("X", T([1, 1, 2, 2], 1, 2, 3, 4)), ("I", I64([1, 1, 2, 2], 5, 7, 13, 15)));
        var want = new double[16];
        want[5] = 1; want[7] = 2; want[13] = 3; want[15] = 4;
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 4, 4 }));
        Check.Exact(Check.V(r), want);
    }

    [Test]
    public void OnnxMaxUnpool_OutputShape_ReadsInferredLayoutAndPadsAtTheEnd()
    {
        // DIALECTS.md §3.4 / test_maxunpool_export_with_output_shape: indices 5, 7, 13, 15 are in the inferred 4×4 layout
        // ((1,1), (1,3), (3,1), (3,3)); with output_shape 5×5 the values land at those coordinates of the 5×5 tensor:
        // flat 6, 8, 16, 18; the last row and column are the zero padding.
        var r = Eval("onnx.MaxUnpool", """{"kernel_shape": [2, 2], "strides": [2, 2]}""",
            ("X", T([1, 1, 2, 2], 5, 6, 7, 8)), ("I", I64([1, 1, 2, 2], 5, 7, 13, 15)), ("output_shape", I64([4], 1, 1, 5, 5)));
        var want = new double[25];
        want[6] = 5; want[8] = 6; want[16] = 7; want[18] = 8;
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 5, 5 }));
        Check.Exact(Check.V(r), want);
    }

    [Test]
    public void OnnxMaxUnpool_IndicesAreFlatOverBatchAndChannel()
    {
        // N = 1, C = 2, 1×1 inputs, k2 s2: inferred 1×2×2×2; index 3 = plane 0 (1,1), index 4 = plane 1 (0,0).
        var r = Eval("onnx.MaxUnpool", """{"kernel_shape": [2, 2], "strides": [2, 2]}""",
            ("X", T([1, 2, 1, 1], 1, 2)), ("I", I64([1, 2, 1, 1], 3, 4)));
        Check.Exact(Check.V(r), [0, 0, 0, 1, 2, 0, 0, 0]);
    }

    [Test]
    public void OnnxMaxUnpool_RefusesIndexOutsideTheInferredTensor()
    {
        // Inferred 1×1×4×4 = 16 elements: 16 is out of range (the 5×5-layout index 18 of §10.9 likewise).
        Check.Refuses(() => Eval("onnx.MaxUnpool", """{"kernel_shape": [2, 2], "strides": [2, 2]}""",
            ("X", T([1, 1, 2, 2], 1, 2, 3, 4)), ("I", I64([1, 1, 2, 2], 6, 8, 16, 18)), ("output_shape", I64([4], 1, 1, 5, 5))), "inputs.I");
    }

    [Test]
    public void OnnxMaxUnpool_RefusesOutputShapeSmallerThanInferred() =>
        Check.Refuses(() => Eval("onnx.MaxUnpool", """{"kernel_shape": [2, 2], "strides": [2, 2]}""",
            ("X", T([1, 1, 2, 2], 1, 2, 3, 4)), ("I", I64([1, 1, 2, 2], 0, 1, 2, 3)), ("output_shape", I64([4], 1, 1, 3, 3))), "inputs.output_shape");
}
