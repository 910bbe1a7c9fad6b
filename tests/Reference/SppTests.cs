using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Hand-worked examples of the spatial-pyramid family (METHODS.md §5–6): <c>poolconf.spp</c> in its three binnings,
/// <c>caffe.spp</c>, <c>darknet.maxpool</c>, <c>darknet.yolov3_spp</c>, <c>ultralytics.spp</c>, <c>ultralytics.sppf</c>.
/// Every expected value is worked out in the comment above it, never copied from the oracle's output.
/// </summary>
[TestFixture]
public class SppTests
{
    const double FltMax = 3.4028234663852886e38;
    static readonly double NaN = double.NaN, NegInf = double.NegativeInfinity;

    static double[] Out(OpResult r, string name = "output") => r.Outputs[name].Value.Data;
    static int[] Shape(OpResult r, string name = "output") => r.Outputs[name].Value.Shape;

    static InvalidParameterException Refused(string op, string prms, Tensor x) =>
        Assert.Throws<InvalidParameterException>(() => Eval(op, prms, x))!;

    // ---------------------------------------------------------------- poolconf.spp, adaptive binning

    [Test]
    public void Spp_Adaptive_3x3Ramp_Levels1And2_GlobalMaxThenOverlappingBins()
    {
        // x = ramp 0..8 on 3×3 (x[r,c] = 3r + c). Level 1: global max 8.
        // Level 2 over a = 3: bins [floor(0·3/2), ceil(1·3/2)) = [0,2) and [floor(3/2), ceil(6/2)) = [1,3) (they overlap on 1).
        // Bin (y,x) max = x[last row, last col]: (0,0) → x[1,1] = 4, (0,1) → x[1,2] = 5, (1,0) → x[2,1] = 7, (1,1) → x[2,2] = 8.
        var r = Eval("poolconf.spp", """{"levels": [1, 2]}""", T([1, 1, 3, 3], 0, 1, 2, 3, 4, 5, 6, 7, 8));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 5 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 8, 4, 5, 7, 8 }));
    }

    [Test]
    public void Spp_LevelsInGivenOrder_ChannelMajorWithinALevel_PerSample()
    {
        // Levels [2, 1] (not sorted). C = 2, 2×2 planes: ch0 = [1,2,3,4], ch1 = [10,20,30,40]; sample 1 = −sample 0.
        // Level 2 on a = 2: every bin is one cell, so the block is the plane itself, channel-major: c·4 + y·2 + x.
        // Level 1: the per-channel max. Sample 0: [1,2,3,4, 10,20,30,40 | 4, 40].
        // Sample 1: [−1,−2,−3,−4, −10,−20,−30,−40 | max(−1..−4) = −1, max(−10..−40) = −10].
        var x = T([2, 2, 2, 2], 1, 2, 3, 4, 10, 20, 30, 40, -1, -2, -3, -4, -10, -20, -30, -40);
        var r = Eval("poolconf.spp", """{"levels": [2, 1], "binning": "adaptive", "mode": "max"}""", x);
        Assert.That(Shape(r), Is.EqualTo(new[] { 2, 10 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 1, 2, 3, 4, 10, 20, 30, 40, 4, 40, -1, -2, -3, -4, -10, -20, -30, -40, -1, -10 }));
    }

    [Test]
    public void Spp_Adaptive_InputSmallerThanTheBinCount_RepeatsCells()
    {
        // a = 2, n = 3: bins [0, ceil(2/3)) = [0,1), [floor(2/3), ceil(4/3)) = [0,2), [floor(4/3), ceil(6/3)) = [1,2):
        // rows {0}, {0,1}, {1}, columns the same. x[r,c] = 1 + 2r + c = [[1,2],[3,4]].
        // (0,0) {0}×{0} = 1; (0,1) {0}×{0,1} = 2; (0,2) {0}×{1} = 2;
        // (1,0) {0,1}×{0} = 3; (1,1) all = 4; (1,2) {0,1}×{1} = 4;
        // (2,0) {1}×{0} = 3; (2,1) {1}×{0,1} = 4; (2,2) {1}×{1} = 4.
        var r = Eval("poolconf.spp", """{"levels": [3]}""", T([1, 1, 2, 2], 1, 2, 3, 4));
        Assert.That(Out(r), Is.EqualTo(new double[] { 1, 2, 2, 3, 4, 4, 3, 4, 4 }));
    }

    [Test]
    public void Spp_Max_PropagatesNaN_AsPyTorch()
    {
        // PyTorch semantics: [[1, NaN], [3, 2]] — the global bin holds a NaN, so level 1 is NaN.
        // Level 2 on a = 2: one cell per bin: 1, NaN, 3, 2.
        var r = Eval("poolconf.spp", """{"levels": [1, 2]}""", T([1, 1, 2, 2], 1, NaN, 3, 2));
        Assert.That(Out(r)[0], Is.NaN);
        Assert.That(Out(r)[1..], Is.EqualTo(new[] { 1, NaN, 3, 2 }));
    }

    [Test]
    public void Spp_AdaptiveAvg_DividesByTheBinSize()
    {
        // Same bins as the 3×3 max example, x = ramp 0..8. Bin (0,0) = {0,1,3,4}: 8/4 = 2; (0,1) = {1,2,4,5}: 12/4 = 3;
        // (1,0) = {3,4,6,7}: 20/4 = 5; (1,1) = {4,5,7,8}: 24/4 = 6. Level 1: 36/9 = 4.
        var r = Eval("poolconf.spp", """{"levels": [1, 2], "mode": "avg"}""", T([1, 1, 3, 3], 0, 1, 2, 3, 4, 5, 6, 7, 8));
        Assert.That(Out(r), Is.EqualTo(new double[] { 4, 2, 3, 5, 6 }).Within(1e-12));
        Assert.That(r.Outputs["output"].Bound, Is.Not.Null, "the average carries its derived bound");
    }

    // ---------------------------------------------------------------- poolconf.spp, paper binning

    [Test]
    public void Spp_Paper_5x5_Level2_Window3Stride2()
    {
        // a = 5, n = 2: window ceil(5/2) = 3, stride floor(5/2) = 2 → windows [0,3), [2,5): (5 − 3)/2 + 1 = 2 bins.
        // x = ramp (x[r,c] = 5r + c). Max = the window's bottom-right cell: (0,0) x[2,2] = 12, (0,1) x[2,4] = 14,
        // (1,0) x[4,2] = 22, (1,1) x[4,4] = 24.
        var x = Ramp([1, 1, 5, 5], dtype: DType.Float64);
        Assert.That(Out(Eval("poolconf.spp", """{"levels": [2], "binning": "paper"}""", x)), Is.EqualTo(new double[] { 12, 14, 22, 24 }));
        // Avg: the mean of a 3×3 block is its centre, 5·(mean row) + (mean col): (1,1) → 6, (1,3) → 8, (3,1) → 16, (3,3) → 18.
        Assert.That(Out(Eval("poolconf.spp", """{"levels": [2], "binning": "paper", "mode": "avg"}""", x)),
            Is.EqualTo(new double[] { 6, 8, 16, 18 }).Within(1e-12));
    }

    [Test]
    public void Spp_Paper_13x13_PaperLevels6321_GiveFiftyBins()
    {
        // a = 13, x[r,c] = 13r + c. n = 6: window 3, stride 2 (starts 0,2,…,10; last [10,13)); bin (i,j) max = 13(2i+2) + 2j+2:
        //   (0,0) = 28, (5,5) = 13·12 + 12 = 168.  n = 3: window 5, stride 4 (starts 0,4,8): (0,0) = 13·4 + 4 = 56, (2,2) = 168.
        //   n = 2: window 7, stride 6 (starts 0,6): (0,0) = 13·6 + 6 = 84.  n = 1: 168.  36 + 9 + 4 + 1 = 50 elements.
        var r = Eval("poolconf.spp", """{"levels": [6, 3, 2, 1], "binning": "paper"}""", Ramp([1, 1, 13, 13], dtype: DType.Float64));
        var y = Out(r);
        Assert.That(y, Has.Length.EqualTo(50));
        Assert.That(new[] { y[0], y[35], y[36], y[44], y[45], y[49] }, Is.EqualTo(new double[] { 28, 168, 56, 168, 84, 168 }));
    }

    [TestCase(7, 4, 6)]   // window 2, stride 1: (7 − 2)/1 + 1 = 6 bins
    [TestCase(10, 6, 9)]  // window 2, stride 1: (10 − 2)/1 + 1 = 9 bins
    [TestCase(5, 3, 4)]   // window 2, stride 1: (5 − 2)/1 + 1 = 4 bins
    public void Spp_Paper_RefusesSizesThatDoNotGiveNBins_NamingLevels(int a, int n, int got)
    {
        var e = Refused("poolconf.spp", $$"""{"levels": [1, {{n}}], "binning": "paper"}""", Ramp([1, 1, a, a]));
        Assert.That(e.Field, Is.EqualTo("levels"));
        Assert.That(e.Message, Does.Contain($"gives {got} bins, not {n}"));
    }

    [Test]
    public void Spp_Paper_RefusesAnInputSmallerThanTheBinCount()
    {
        // a = 3 < n = 4: the stride floor(3/4) is 0.
        var e = Refused("poolconf.spp", """{"levels": [4], "binning": "paper"}""", Ramp([1, 1, 3, 3]));
        Assert.That(e.Field, Is.EqualTo("levels"));
        // Only one axis too small is enough (W = 3, H = 13).
        Assert.That(Refused("poolconf.spp", """{"levels": [4], "binning": "paper"}""", Ramp([1, 1, 13, 3])).Field, Is.EqualTo("levels"));
    }

    // ---------------------------------------------------------------- poolconf.spp, Caffe binning

    [Test]
    public void Spp_Caffe_5x5_Level2_PadsOneCellAndSkipsItInTheMax()
    {
        // a = 5, n = 2: kernel = stride = ceil(5/2) = 3, pad = (3·2 − 5 + 1)/2 = 1. Caffe ceil: ceil((5 + 2 − 3)/3) + 1 = 3,
        // and (3 − 1)·3 = 6 ≥ 5 + 1 drops one: 2 bins. Windows start at −1 and 2: rows {0,1} and {2,3,4} (−1 is padding).
        // x = −1 − ramp (x[r,c] = −1 − 5r − c, all negative): padding is skipped, so bin (0,0) = max{x[0..1, 0..1]} = x[0,0] = −1,
        // (0,1) = x[0,2] = −3, (1,0) = x[2,0] = −11, (1,1) = x[2,2] = −13.
        var x = new Tensor(DType.Float64, [1, 1, 5, 5], Enumerable.Range(0, 25).Select(i => -1.0 - i).ToArray());
        Assert.That(Out(Eval("poolconf.spp", """{"levels": [2], "binning": "caffe"}""", x)), Is.EqualTo(new double[] { -1, -3, -11, -13 }));
    }

    [Test]
    public void Spp_CaffeAvg_CountsPaddingInTheDivisor()
    {
        // Same geometry, x = ramp (5r + c). Every bin's padded extent is 3×3 = 9 (hend = min(start + 3, 5 + 1)).
        // (0,0): rows {0,1} × cols {0,1} = 0+1+5+6 = 12 → 12/9.  (0,1): rows {0,1} × cols {2,3,4} = 9 + 24 = 33 → 33/9.
        // (1,0): rows {2,3,4} × cols {0,1} = 21 + 31 + 41 = 93 → 93/9.  (1,1): rows {2,3,4} × cols {2,3,4} = 9 · 18 = 162 → 18.
        var r = Eval("poolconf.spp", """{"levels": [2], "binning": "caffe", "mode": "avg"}""", Ramp([1, 1, 5, 5], dtype: DType.Float64));
        Assert.That(Out(r), Is.EqualTo(new[] { 12.0 / 9, 33.0 / 9, 93.0 / 9, 18 }).Within(1e-12));
    }

    [TestCase(13, 6)] // kernel ceil(13/6) = 3, pad (18 − 13 + 1)/2 = 3 ≥ 3
    [TestCase(5, 4)]  // kernel ceil(5/4) = 2, pad (8 − 5 + 1)/2 = 2 ≥ 2
    [TestCase(3, 4)]  // a < n: kernel 1, pad (4 − 3 + 1)/2 = 1 ≥ 1
    public void Spp_Caffe_RefusesWhereCaffeAborts_PadNotBelowKernel(int a, int n)
    {
        var e = Refused("poolconf.spp", $$"""{"levels": [{{n}}], "binning": "caffe"}""", Ramp([1, 1, a, a]));
        Assert.That(e.Field, Is.EqualTo("levels"));
        Assert.That(e.Message, Does.Contain("pad >= kernel"));
    }

    // ---------------------------------------------------------------- poolconf.spp, bad parameters

    [TestCase("""{"levels": []}""", "levels")]
    [TestCase("""{"levels": [2, 0]}""", "levels")]
    [TestCase("""{"levels": [-1]}""", "levels")]
    [TestCase("""{}""", "levels")]
    [TestCase("""{"levels": 2}""", "levels")]
    [TestCase("""{"levels": [1], "mode": "min"}""", "mode")]
    [TestCase("""{"levels": [1], "binning": "floor"}""", "binning")]
    [TestCase("""{"levels": [1], "kernel_size": 2}""", "kernel_size")]
    public void Spp_RefusesBadParameters_NamingTheField(string prms, string field)
    {
        Assert.That(Refused("poolconf.spp", prms, Ramp([1, 1, 4, 4])).Field, Is.EqualTo(field));
    }

    [Test]
    public void Spp_RefusesAnInputThatIsNotFourDimensional()
    {
        var e = Refused("poolconf.spp", """{"levels": [1]}""", Ramp([1, 4, 4]));
        Assert.That(e.Field, Is.EqualTo("inputs.input"));
    }

    // ---------------------------------------------------------------- caffe.spp

    [Test]
    public void CaffeSpp_Height2_Levels1Then2_Max()
    {
        // Levels 1, 2 on the 5×5 ramp. Level 1: kernel 5, pad (5 − 5 + 1)/2 = 0: global max 24.
        // Level 2: kernel 3, pad 1 (as above): rows/cols {0,1}, {2,3,4}: (0,0) x[1,1] = 6, (0,1) x[1,4] = 9, (1,0) x[4,1] = 21, (1,1) 24.
        var r = Eval("caffe.spp", """{"pyramid_height": 2}""", Ramp([1, 1, 5, 5], dtype: DType.Float64));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 5 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 24, 6, 9, 21, 24 }));
    }

    [Test]
    public void CaffeSpp_Height2_Ave_CountsPadding()
    {
        // Level 1: 300/25 = 12. Level 2: 12/9, 33/9, 93/9, 18 (worked out in Spp_CaffeAvg_CountsPaddingInTheDivisor).
        var r = Eval("caffe.spp", """{"pyramid_height": 2, "pool": "AVE"}""", Ramp([1, 1, 5, 5], dtype: DType.Float64));
        Assert.That(Out(r), Is.EqualTo(new[] { 12, 12.0 / 9, 33.0 / 9, 93.0 / 9, 18 }).Within(1e-12));
    }

    [Test]
    public void CaffeSpp_Height1_IsThePoolingLayersTop_NxCx1x1()
    {
        // pyramid_height 1: Caffe returns the single pooling layer's top (no flatten): shape N×C×1×1. C = 2, 2×2 planes.
        var r = Eval("caffe.spp", """{"pyramid_height": 1}""", T([1, 2, 2, 2], 1, 5, 2, 3, -4, -2, -3, -9));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 2, 1, 1 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 5, -2 }));
    }

    [Test]
    public void CaffeSpp_Max_NaNNeverWins_AndTheScanStartsAtMinusFltMax()
    {
        // Caffe MAX: top = −FLT_MAX, then `if (x > top)`. [NaN, 1, 3, NaN] → 3 (NaN never replaces);
        // [NaN, −inf, −inf, NaN] → nothing is above −FLT_MAX → −FLT_MAX (not −inf, not NaN).
        var r = Eval("caffe.spp", """{"pyramid_height": 1}""", T([2, 1, 2, 2], NaN, 1, 3, NaN, NaN, NegInf, NegInf, NaN));
        Assert.That(Out(r), Is.EqualTo(new[] { 3, -FltMax }));
    }

    [Test]
    public void CaffeSpp_Height3_SumsOneFourSixteenBinsPerChannel()
    {
        // 13×13, C = 3: levels 1, 2, 4 (n = 4: kernel 4, pad (16 − 13 + 1)/2 = 2 < 4, valid): 3·(1 + 4 + 16) = 63.
        var r = Eval("caffe.spp", """{"pyramid_height": 3}""", Ramp([2, 3, 13, 13]));
        Assert.That(Shape(r), Is.EqualTo(new[] { 2, 63 }));
    }

    [TestCase(5, 3, "pyramid_height")]  // level 4 on a = 5: kernel 2, pad 2
    [TestCase(13, 4, "pyramid_height")] // level 8 on a = 13: kernel 2, pad (16 − 13 + 1)/2 = 2
    public void CaffeSpp_RefusesWhereCaffeAborts(int a, int height, string field)
    {
        var e = Refused("caffe.spp", $$"""{"pyramid_height": {{height}}}""", Ramp([1, 1, a, a]));
        Assert.That(e.Field, Is.EqualTo(field));
    }

    [TestCase("""{"pyramid_height": 0}""", "pyramid_height")]
    [TestCase("""{"pyramid_height": -2}""", "pyramid_height")]
    [TestCase("""{}""", "pyramid_height")]
    [TestCase("""{"pyramid_height": 1, "pool": "STOCHASTIC"}""", "pool")]
    [TestCase("""{"pyramid_height": 1, "levels": [1]}""", "levels")]
    public void CaffeSpp_RefusesBadParameters(string prms, string field)
    {
        Assert.That(Refused("caffe.spp", prms, Ramp([1, 1, 8, 8])).Field, Is.EqualTo(field));
    }

    // ---------------------------------------------------------------- darknet.maxpool

    [Test]
    public void DarknetMaxPool_Size2Stride2_OffsetIsZeroAndTheExtraCellIsIgnored()
    {
        // size 2, stride 2: padding 1 (default size − 1), out = (5 + 1 − 2)/2 + 1 = 3 = ceil(5/2); offset −1/2 = 0 in C.
        // Windows rows/cols {0,1}, {2,3}, {4} (5 is outside and ignored). x = ramp 0..49 over 1×2×5×5, so every value equals its
        // darknet global index w + 5·(h + 5·c). Channel 0: maxima at (1,1) 6, (1,3) 8, (1,4) 9, (3,1) 16, 18, 19, (4,1) 21, 23, 24;
        // channel 1: the same + 25. Indices equal the values. A Python `//` port (offset −1) would give 0, 2, 4, 10, …
        var r = Eval("darknet.maxpool", """{"size": 2, "stride": 2}""", Ramp([1, 2, 5, 5]));
        double[] ch0 = [6, 8, 9, 16, 18, 19, 21, 23, 24];
        double[] want = [.. ch0, .. ch0.Select(v => v + 25)];
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 2, 3, 3 }));
        Assert.That(Out(r), Is.EqualTo(want));
        Assert.That(Out(r, "indices"), Is.EqualTo(want));
        Assert.That(r.Outputs["indices"].Value.DType, Is.EqualTo(DType.Int64));
    }

    [Test]
    public void DarknetMaxPool_Size2Stride1_PadsOnlyRightAndBottom()
    {
        // size 2, stride 1: padding 1, out = (3 + 1 − 2)/1 + 1 = 3, offset 0: window [j, j+1] → rows/cols {0,1}, {1,2}, {2}.
        // x = ramp 0..8 (3r + c): out (i,j) = x[min(i+1,2), min(j+1,2)] = 4, 5, 5, 7, 8, 8, 7, 8, 8.
        // (A `//` port uses offset −1, windows {−1,0}, {0,1}, {1,2}, and returns the input unchanged.)
        var r = Eval("darknet.maxpool", """{"size": 2, "stride": 1}""", Ramp([1, 1, 3, 3]));
        Assert.That(Out(r), Is.EqualTo(new double[] { 4, 5, 5, 7, 8, 8, 7, 8, 8 }));
        Assert.That(Out(r, "indices"), Is.EqualTo(new double[] { 4, 5, 5, 7, 8, 8, 7, 8, 8 }));
    }

    [Test]
    public void DarknetMaxPool_OutputSizeUsesCTruncation_NotFloor()
    {
        // 2×2 input, size 4, stride 2, padding 1: (2 + 1 − 4)/2 + 1 = (−1)/2 + 1 = 0 + 1 = 1 in C (Python: −1 + 1 = 0).
        // Offset −1/2 = 0: the single window covers [0, 4) on both axes → taps {0,1}²: x = [[1,4],[3,2]] → 4 at index 1.
        var r = Eval("darknet.maxpool", """{"size": 4, "stride": 2, "padding": 1}""", T([1, 1, 2, 2], 1, 4, 3, 2));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 4 }));
        Assert.That(Out(r, "indices"), Is.EqualTo(new double[] { 1 }));
    }

    [Test]
    public void DarknetMaxPool_DefaultSize5_IsSymmetricSame_AndTiesKeepTheFirst()
    {
        // 1×7 row [3,1,4,1,5,9,2], size 5 stride 1: padding 4, offset −2, out_w = 7, out_h = (1 + 4 − 5) + 1 = 1.
        // Window j = [j−2, j+2] ∩ [0,7): j0 {0,1,2} → 4 @2; j1 {0..3} → 4 @2; j2 {0..4} → 5 @4; j3..j6 contain 9 @5.
        var r = Eval("darknet.maxpool", """{"size": 5}""", T([1, 1, 1, 7], 3, 1, 4, 1, 5, 9, 2));
        Assert.That(Out(r), Is.EqualTo(new double[] { 4, 4, 5, 9, 9, 9, 9 }));
        Assert.That(Out(r, "indices"), Is.EqualTo(new double[] { 2, 2, 4, 5, 5, 5, 5 }));
        // Ties: row [2,7,7,1,7], size 3: padding 2, offset −1: windows {0,1}, {0,1,2}, {1,2,3}, {2,3,4}, {3,4}.
        // Strict >: the first 7 of each window wins → indices 1, 1, 1, 2, 4.
        var t = Eval("darknet.maxpool", """{"size": 3}""", T([1, 1, 1, 5], 2, 7, 7, 1, 7));
        Assert.That(Out(t), Is.EqualTo(new double[] { 7, 7, 7, 7, 7 }));
        Assert.That(Out(t, "indices"), Is.EqualTo(new double[] { 1, 1, 1, 2, 4 }));
    }

    [Test]
    public void DarknetMaxPool_NaNNeverWins_AndNothingAboveMinusFltMaxGivesMinusFltMaxAndIndexMinusOne()
    {
        // Row [NaN, NaN, 5, −inf, −inf], size 2 stride 1 (padding 1, offset 0): windows {0,1}, {1,2}, {2,3}, {3,4}, {4}.
        // {0,1}: both NaN, never > −FLT_MAX → −FLT_MAX, max_i stays −1. {1,2} → 5 @2. {2,3} → 5 @2.
        // {3,4}: −inf is not > −FLT_MAX → −FLT_MAX, −1. {4} → −FLT_MAX, −1.
        var r = Eval("darknet.maxpool", """{"size": 2, "stride": 1}""", T([1, 1, 1, 5], NaN, NaN, 5, NegInf, NegInf));
        Assert.That(Out(r), Is.EqualTo(new[] { -FltMax, 5, 5, -FltMax, -FltMax }));
        Assert.That(Out(r, "indices"), Is.EqualTo(new double[] { -1, 2, 2, -1, -1 }));
    }

    [Test]
    public void DarknetMaxPool_WindowsEntirelyInThePadding_GiveMinusFltMax()
    {
        // 1×2 input [3, 8], size 2, stride 2, padding 5: out_h = (1 + 5 − 2)/2 + 1 = 3, out_w = (2 + 5 − 2)/2 + 1 = 3, offset −5/2 = −2.
        // Row windows [−2,−1], [0,1], [2,3] → only the middle has row 0; column windows the same → only (1,1) has taps {0,1}: 8 @1.
        var r = Eval("darknet.maxpool", """{"size": 2, "stride": 2, "padding": 5}""", T([1, 1, 1, 2], 3, 8));
        var f = -FltMax;
        Assert.That(Out(r), Is.EqualTo(new[] { f, f, f, f, 8, f, f, f, f }));
        Assert.That(Out(r, "indices"), Is.EqualTo(new double[] { -1, -1, -1, -1, 1, -1, -1, -1, -1 }));
    }

    [Test]
    public void DarknetMaxPool_Defaults_StrideOneSizeStridePaddingSizeMinusOne()
    {
        // parse_maxpool: stride = 1, size = stride, padding = size − 1. {} is size 1 stride 1 padding 0: the identity, with the
        // global index (the ramp's value) as index. {"stride": 2} is size 2, stride 2, padding 1.
        var x = Ramp([2, 2, 3, 3]);
        var id = Eval("darknet.maxpool", "{}", x);
        Assert.That(Out(id), Is.EqualTo(x.Data));
        Assert.That(Out(id, "indices"), Is.EqualTo(x.Data));
        Assert.That(Out(Eval("darknet.maxpool", """{"stride": 2}""", x)), Is.EqualTo(Out(Eval("darknet.maxpool", """{"size": 2, "stride": 2, "padding": 1}""", x))));
    }

    [TestCase("""{"size": 0}""", "size")]
    [TestCase("""{"stride": 0}""", "stride")]
    [TestCase("""{"size": 2, "padding": -1}""", "padding")]
    [TestCase("""{"size": 5, "padding": 0}""", "size")] // (3 + 0 − 5)/1 + 1 = −1
    [TestCase("""{"kernel_size": 2}""", "kernel_size")]
    public void DarknetMaxPool_RefusesBadParameters(string prms, string field)
    {
        Assert.That(Refused("darknet.maxpool", prms, Ramp([1, 1, 3, 3])).Field, Is.EqualTo(field));
    }

    // ---------------------------------------------------------------- darknet.yolov3_spp

    [Test]
    public void DarknetYoloV3Spp_ConcatenatesMp13Mp9Mp5ThenX()
    {
        // Row [3,1,4,1,5,9,2] (1×7). mp5 (window ±2) = [4,4,5,9,9,9,9] (worked out above).
        // mp9 (±4): j0 {0..4} → 5; j1 {0..5} → 9; j2..j6 contain index 5 → 9: [5,9,9,9,9,9,9]. mp13 (±6): every window holds all → 9.
        // Route layers -1,-3,-5,-6 → [mp13, mp9, mp5, x], 4 channels.
        var r = Eval("darknet.yolov3_spp", "{}", T([1, 1, 1, 7], 3, 1, 4, 1, 5, 9, 2));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 4, 1, 7 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 9, 9, 9, 9, 9, 9, 9, 5, 9, 9, 9, 9, 9, 9, 4, 4, 5, 9, 9, 9, 9, 3, 1, 4, 1, 5, 9, 2 }));
    }

    [Test]
    public void DarknetYoloV3Spp_NaNNeverWinsInThePools_ButXIsCopied()
    {
        // [NaN, 2]: every pool window holds both cells → 2 (NaN never wins); the x block keeps the NaN.
        var r = Eval("darknet.yolov3_spp", "{}", T([1, 1, 1, 2], NaN, 2));
        Assert.That(Out(r), Is.EqualTo(new[] { 2, 2, 2, 2, 2, 2, NaN, 2 }));
    }

    [Test]
    public void DarknetYoloV3Spp_RefusesBadSizes()
    {
        Assert.That(Refused("darknet.yolov3_spp", """{"sizes": []}""", Ramp([1, 1, 3, 3])).Field, Is.EqualTo("sizes"));
        Assert.That(Refused("darknet.yolov3_spp", """{"sizes": [5, 0]}""", Ramp([1, 1, 3, 3])).Field, Is.EqualTo("sizes"));
    }

    // ---------------------------------------------------------------- ultralytics.spp / ultralytics.sppf

    [Test]
    public void UltralyticsSpp_ConcatenatesXThenMp5Mp9Mp13()
    {
        // MaxPool2d(k, 1, k//2) on the row [3,1,4,1,5,9,2]: the same windows as darknet's (±k//2): mp5, mp9, mp13 as above.
        // Order [x, mp5, mp9, mp13] — darknet's reversed.
        var r = Eval("ultralytics.spp", "{}", T([1, 1, 1, 7], 3, 1, 4, 1, 5, 9, 2));
        Assert.That(Shape(r), Is.EqualTo(new[] { 1, 4, 1, 7 }));
        Assert.That(Out(r), Is.EqualTo(new double[] { 3, 1, 4, 1, 5, 9, 2, 4, 4, 5, 9, 9, 9, 9, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 }));
    }

    [Test]
    public void UltralyticsSpp_PropagatesNaN_AsPyTorch()
    {
        // [NaN, 2]: every window holds the NaN → NaN in each pooled block.
        var r = Eval("ultralytics.spp", """{"k": [3]}""", T([1, 1, 1, 2], NaN, 2));
        Assert.That(Out(r), Is.EqualTo(new[] { NaN, 2, NaN, NaN }));
    }

    [Test]
    public void UltralyticsSppf_K3_ChainsTheSamePool()
    {
        // m = MaxPool2d(3, 1, 1) on [3,1,4,1,5,9,2]: y1 windows {0,1}, {0,1,2}, {1,2,3}, {2,3,4}, {3,4,5}, {4,5,6}, {5,6}
        //   → [3,4,4,5,9,9,9]. y2 = m(y1) → [4,4,5,9,9,9,9] (= the 5-window of x). y3 = m(y2) → [4,5,9,9,9,9,9] (= the 7-window).
        var r = Eval("ultralytics.sppf", """{"k": 3}""", T([1, 1, 1, 7], 3, 1, 4, 1, 5, 9, 2));
        Assert.That(Out(r), Is.EqualTo(new double[] { 3, 1, 4, 1, 5, 9, 2, 3, 4, 4, 5, 9, 9, 9, 4, 4, 5, 9, 9, 9, 9, 4, 5, 9, 9, 9, 9, 9 }));
    }

    [Test]
    public void UltralyticsSppf_Default_EqualsTheSppExampleByHand()
    {
        // k = 5: y1 = 5-window [4,4,5,9,9,9,9], y2 = 9-window [5,9,9,9,9,9,9], y3 = 13-window [9,…]: the SPP example's blocks.
        var r = Eval("ultralytics.sppf", "{}", T([1, 1, 1, 7], 3, 1, 4, 1, 5, 9, 2));
        Assert.That(Out(r), Is.EqualTo(new double[] { 3, 1, 4, 1, 5, 9, 2, 4, 4, 5, 9, 9, 9, 9, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 }));
    }

    [TestCase("ultralytics.spp", """{"k": [5, 4]}""")]
    [TestCase("ultralytics.spp", """{"k": []}""")]
    [TestCase("ultralytics.spp", """{"k": [0]}""")]
    [TestCase("ultralytics.sppf", """{"k": 4}""")]
    [TestCase("ultralytics.sppf", """{"k": -1}""")]
    public void Ultralytics_RefusesEvenOrEmptyKernels_NamingK(string op, string prms)
    {
        Assert.That(Refused(op, prms, Ramp([1, 1, 5, 5])).Field, Is.EqualTo("k"));
    }
}
