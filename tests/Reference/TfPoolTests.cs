using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>tf.nn.max_pool, tf.nn.avg_pool, tf.nn.max_pool_with_argmax (DIALECTS.md §4).</summary>
[TestFixture]
public class TfPoolTests
{
    [Test]
    public void AvgPool_Same_ExcludesPaddingFromTheCount()
    {
        // tensorflow/tensorflow#45579: 1×3×3×1 NHWC values 1..9, ksize 2 s1 SAME: pads (0, 1) per axis, windows {0,1} {1,2} {2}.
        // (0,0) (1+2+4+5)/4 = 3; (0,2) (3+6)/2 = 4.5 (zero-pad + VALID would give 9/4); (2,2) 9/1.
        var r = Eval("tf.nn.avg_pool", """{"ksize": 2, "strides": 1, "padding": "SAME"}""", T([1, 3, 3, 1], 1, 2, 3, 4, 5, 6, 7, 8, 9));
        Check.Close(Check.V(r), [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9], 1e-15);
    }

    [Test]
    public void AvgPool_Same_PutsOddExtraPadAtTheEnd()
    {
        // DIALECTS.md §4.1: L = 4, k3 s2 SAME: O = 2, need (2−1)·2 + 3 − 4 = 1 → before 0, after 1: windows {0,1,2} {2,3}.
        // On [4,3,2,1]: 9/3 = 3 and 3/2 = 1.5 (extra at the start would give 3.5 and 2).
        var r = Eval("tf.nn.avg_pool", """{"ksize": 3, "strides": 2, "padding": "SAME"}""", T([1, 4, 1], 4, 3, 2, 1));
        Check.Close(Check.V(r), [3, 1.5], 1e-15);
    }

    [TestCase("tf.nn.max_pool", new double[] { 4, 40 })]
    [TestCase("tf.nn.avg_pool", new double[] { 2.5, 25 })]
    public void Pool_NhwcAndNchw_GiveTheSameValues(string op, double[] perChannel)
    {
        // Channel 0 = [[1,2],[3,4]], channel 1 = [[10,20],[30,40]]; ksize 2 s2 VALID → max 4, 40; mean 2.5, 25.
        var nhwc = Eval(op, """{"ksize": 2, "strides": 2, "padding": "VALID"}""", T([1, 2, 2, 2], 1, 10, 2, 20, 3, 30, 4, 40));
        Assert.That(Check.S(nhwc), Is.EqualTo(new[] { 1, 1, 1, 2 }));
        Check.Close(Check.V(nhwc), perChannel, 1e-15);
        var nchw = Eval(op, """{"ksize": [1, 1, 2, 2], "strides": [1, 1, 2, 2], "padding": "VALID", "data_format": "NCHW"}""",
            T([1, 2, 2, 2], 1, 2, 3, 4, 10, 20, 30, 40));
        Assert.That(Check.S(nchw), Is.EqualTo(new[] { 1, 2, 1, 1 }));
        Check.Close(Check.V(nchw), perChannel, 1e-15);
    }

    [Test]
    public void AvgPool_SameNchw_ExcludesPaddingLikeNhwc()
    {
        // The 3×3 SAME problem of AvgPool_Same_ExcludesPaddingFromTheCount in NCHW (one channel: the data order is the same).
        var r = Eval("tf.nn.avg_pool", """{"ksize": 2, "strides": 1, "padding": "SAME", "data_format": "NCHW"}""", T([1, 1, 3, 3], 1, 2, 3, 4, 5, 6, 7, 8, 9));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Check.Close(Check.V(r), [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9], 1e-15);
    }

    [Test]
    public void MaxPool_AllNegInfWindow_GivesLowestFinite()
    {
        // DIALECTS.md §4.2 (tensorflow/tensorflow#2501): CPU starts from lowest() → −FLT_MAX for float32.
        var r = Eval("tf.nn.max_pool", """{"ksize": 2, "strides": 2, "padding": "VALID"}""", T32([1, 2, 1], double.NegativeInfinity, double.NegativeInfinity));
        Check.Exact(Check.V(r), [-3.4028234663852886e38]);
    }

    [Test]
    public void MaxPool_ExplicitPadding_NeverWins()
    {
        // NWC [−1,−2,−3], ksize 3 s1, padding [[0,0],[1,1],[0,0]]: windows {−1,−2}, {−1,−2,−3}, {−2,−3} → −1, −1, −2.
        var r = Eval("tf.nn.max_pool", """{"ksize": 3, "strides": 1, "padding": [[0, 0], [1, 1], [0, 0]]}""", T([1, 3, 1], -1, -2, -3));
        Check.Exact(Check.V(r), [-1, -1, -2]);
    }

    [Test]
    public void MaxPool3d_Ndhwc()
    {
        // 1×2×2×2×1 ramp 0..7, ksize 2 VALID → 7.
        Check.Exact(Check.V(Eval("tf.nn.max_pool", """{"ksize": 2, "strides": 2, "padding": "VALID"}""", Ramp([1, 2, 2, 2, 1]))), [7]);
    }

    // ---- max_pool_with_argmax ----

    [TestCase(false, new double[] { 6, 7, 6, 7 })]     // (y·W + x)·C + c = (1·2 + 1)·2 + c
    [TestCase(true, new double[] { 6, 7, 14, 15 })]    // + b·H·W·C = 8 for batch 1
    public void MaxPoolWithArgmax_IndexIsNhwcFlattened(bool includeBatch, double[] expected)
    {
        // Two identical batches of channel 0 = [[1,2],[3,4]], channel 1 = [[10,20],[30,40]]; ksize 2 s2 VALID.
        double[] one = [1, 10, 2, 20, 3, 30, 4, 40];
        var r = Eval("tf.nn.max_pool_with_argmax", $$"""{"ksize": 2, "strides": 2, "padding": "VALID", "include_batch_in_index": {{(includeBatch ? "true" : "false")}}}""",
            T([2, 2, 2, 2], one.Concat(one).ToArray()));
        Check.Exact(Check.V(r), [4, 40, 4, 40]);
        Check.Exact(Check.V(r, "argmax"), expected);
    }

    [Test]
    public void MaxPoolWithArgmax_KeepsFirstOfTiedMaxima()
    {
        // 2×2×1 window [[1,3],[3,2]] → 3 at index 1.
        var r = Eval("tf.nn.max_pool_with_argmax", """{"ksize": 2, "strides": 2, "padding": "VALID"}""", T([1, 2, 2, 1], 1, 3, 3, 2));
        Check.Exact(Check.V(r, "argmax"), [1]);
    }

    // DIALECTS.md §4.4: the CPU scan replaces when out < in, seeded with the first tap: NaN wins only as the first tap.
    [TestCase(0, double.NaN, 0)]   // NaN first: kept (every later comparison with NaN is false)
    [TestCase(1, 5.0, 3)]          // NaN in the middle is skipped: max of 1, 2, 5 is 5 at index 3
    [TestCase(3, 2.0, 2)]          // NaN last is skipped: max of 1, 0, 2 → 2 at index 2
    public void MaxPoolWithArgmax_NaN_WinsOnlyAsFirstTap(int at, double value, long index)
    {
        var data = new double[] { 1, 0, 2, 5 };
        if (at == 3) data = [1, 0, 2, double.NaN];
        else data[at] = double.NaN;
        var r = Eval("tf.nn.max_pool_with_argmax", """{"ksize": 2, "strides": 2, "padding": "VALID"}""", T([1, 2, 2, 1], data));
        Check.Exact(Check.V(r), [value]);
        Check.Exact(Check.V(r, "argmax"), [index]);
    }

    [Test]
    public void MaxPoolWithArgmax_AllNegInf_GivesNegInfAtFirstTap()
    {
        var r = Eval("tf.nn.max_pool_with_argmax", """{"ksize": 2, "strides": 2, "padding": "VALID"}""",
            T([1, 2, 2, 1], double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity));
        Check.Exact(Check.V(r), [double.NegativeInfinity]);
        Check.Exact(Check.V(r, "argmax"), [0]);
    }

    [Test]
    public void MaxPoolWithArgmax_Same_IndexStaysInsideTheInput()
    {
        // 1×3×3×1 ramp 0..8, ksize 2 s2 SAME: pads (0,1); windows {0,1} {2}: winners (1,1)=4, (1,2)=5, (2,1)=7, (2,2)=8.
        var r = Eval("tf.nn.max_pool_with_argmax", """{"ksize": 2, "strides": 2, "padding": "SAME"}""", Ramp([1, 3, 3, 1]));
        Check.Exact(Check.V(r), [4, 5, 7, 8]);
        Check.Exact(Check.V(r, "argmax"), [4, 5, 7, 8]);
    }

    [TestCase("tf.nn.avg_pool", """{"ksize": 2, "strides": 1, "padding": [[0, 0], [1, 1], [0, 0]]}""", "padding")] // explicit: max_pool only
    [TestCase("tf.nn.max_pool", """{"ksize": 2, "strides": 1, "padding": "FULL"}""", "padding")]
    [TestCase("tf.nn.max_pool", """{"ksize": 2, "strides": 1, "padding": [[0, 0], [1, 1], [1, 0]]}""", "padding")] // channel pad
    [TestCase("tf.nn.max_pool", """{"ksize": [2, 2, 1], "strides": 1, "padding": "VALID"}""", "ksize")]            // batch entry ≠ 1
    [TestCase("tf.nn.max_pool", """{"ksize": 0, "strides": 1, "padding": "VALID"}""", "ksize")]
    [TestCase("tf.nn.max_pool", """{"ksize": 2, "strides": -1, "padding": "VALID"}""", "strides")]
    [TestCase("tf.nn.max_pool", """{"ksize": 2, "padding": "VALID"}""", "strides")]                                  // required
    [TestCase("tf.nn.max_pool", """{"ksize": 2, "strides": 1, "padding": "VALID", "data_format": "NHWC"}""", "data_format")] // 1-D wants NWC/NCW
    [TestCase("tf.nn.max_pool", """{"ksize": 5, "strides": 1, "padding": "VALID"}""", "ksize")]                     // window > input
    [TestCase("tf.nn.avg_pool", """{"ksize": 2, "strides": 1, "padding": "VALID", "dilations": 2}""", "dilations")] // unknown
    public void TfPool_RefusesInvalidParameters(string op, string json, string field) =>
        Check.Refuses(() => Eval(op, json, Ramp([1, 4, 1])), field);

    [TestCase("""{"ksize": 2, "strides": 2, "padding": "VALID", "data_format": "NCHW"}""", "data_format")]
    [TestCase("""{"ksize": 2, "strides": 2, "padding": "VALID", "output_dtype": "int32"}""", "output_dtype")]
    [TestCase("""{"ksize": 2, "strides": 2, "padding": [[0, 0], [1, 1], [1, 1], [0, 0]]}""", "padding")]
    public void MaxPoolWithArgmax_RefusesInvalidParameters(string json, string field) =>
        Check.Refuses(() => Eval("tf.nn.max_pool_with_argmax", json, Ramp([1, 4, 4, 1])), field);

    [Test]
    public void MaxPoolWithArgmax_RefusesNon4DInput() =>
        Check.Refuses(() => Eval("tf.nn.max_pool_with_argmax", """{"ksize": 2, "strides": 2, "padding": "VALID"}""", Ramp([1, 4, 1])), "inputs.input");
}
