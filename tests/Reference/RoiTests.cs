using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// The ROI ops (issue 3): torchvision roi_pool / roi_align / ps_roi_pool / ps_roi_align, poolconf.roi_align_max,
/// onnx.RoiAlign / MaxRoiPool, caffe.roi_align, tf.image.crop_and_resize. Every expected value is worked by hand in the
/// comments from METHODS.md §7 and DIALECTS.md §2, §3.4, §4.6, §9 rows 9–11. Unless said otherwise the map is the 4×4
/// ramp v(y, x) = 4y + x (float32); bilinear interpolation of a ramp is the ramp itself, so a sample inside [0, 3]² is worth
/// 4y + x, and an average of such samples is the ramp at the mean sample position.
/// </summary>
[TestFixture]
public class RoiTests
{
    const double NaN = double.NaN;
    static readonly double Lowest32 = -(double)float.MaxValue;

    static Tensor Ramp4 => Ramp([1, 1, 4, 4]);
    /// <summary>K×5 float32 boxes <c>[batch, x1, y1, x2, y2]</c>.</summary>
    static Tensor Boxes(params double[][] b) => T32([b.Length, 5], b.SelectMany(r => r).ToArray());
    static Tensor Boxes4(params double[][] b) => T32([b.Length, 4], b.SelectMany(r => r).ToArray());

    static double[] Tv(string op, string json, Tensor x, Tensor boxes) => Check.V(Eval(op, json, ("input", x), ("boxes", boxes)));

    static double[] OnnxAlign(string json, Tensor x, Tensor rois, params long[] batch) =>
        Check.V(Eval("onnx.RoiAlign", json, ("X", x), ("rois", rois), ("batch_indices", I64([batch.Length], batch))), "Y");

    // ───────────────────────────── torchvision.roi_pool / onnx.MaxRoiPool ─────────────────────────────

    [TestCase("torchvision.roi_pool")]
    [TestCase("onnx.MaxRoiPool")]
    public void RoiPool_HalfCorners_RoundAwayFromZero_Gives15_NotBankers10(string op)
    {
        // DIALECTS.md §2.2 [run]: box (0.5, 0.5, 2.5, 2.5), 1×1. round(0.5) = 1, round(2.5) = 3 (half away from zero);
        // roi = 3 − 1 + 1 = 3, bin = 3 → rows/cols [1, 4) → max v(3, 3) = 15. Banker's rounding (0, 2) would give v(2, 2) = 10.
        Check.Exact(PoolOne(op, Ramp4, [0, 0.5, 0.5, 2.5, 2.5]), [15]);
    }

    [Test]
    public void RoiPool_NegativeHalfCorner_RoundsAwayFromZero()
    {
        // Box (−0.5, −0.5, 0.5, 0.5): round(−0.5) = −1, round(0.5) = 1 → roi = 1 − (−1) + 1 = 3, bin [−1, 2) clipped to [0, 2)
        // → max v(1, 1) = 5. Banker's (−0, 0) or truncation (0, 0) would give the 1×1 bin [0, 1) → 0.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1}""", Ramp4, Boxes([0, -0.5, -0.5, 0.5, 0.5])), [5]);
    }

    [Test]
    public void RoiPool_SpatialScale_ScalesBeforeRounding()
    {
        // Box (1, 1, 5, 5) at σ = 0.5: corners 0.5 and 2.5 → round 1 and 3 → rows/cols [1, 4) → 15.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1, "spatial_scale": 0.5}""", Ramp4, Boxes([0, 1, 1, 5, 5])), [15]);
    }

    [Test]
    public void RoiPool_IntegerBins_2x2()
    {
        // Box (0, 0, 3, 3): roi = 4, bin = 2 → bins [0, 2), [2, 4). Maxima at the bottom-right of each 2×2 block:
        // v(1, 1) = 5, v(1, 3) = 7, v(3, 1) = 13, v(3, 3) = 15.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": [2, 2]}""", Ramp4, Boxes([0, 0, 0, 3, 3])), [5, 7, 13, 15]);
    }

    [Test]
    public void RoiPool_FractionalBins_OverlapByFloorAndCeil()
    {
        // Box (0, 0, 2, 2): roi = 3, bin = 1.5. Bin 0: [floor(0), ceil(1.5)) = [0, 2); bin 1: [floor(1.5), ceil(3)) = [1, 3):
        // the bins share row/column 1. Maxima: v(1, 1) = 5, v(1, 2) = 6, v(2, 1) = 9, v(2, 2) = 10.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 2}""", Ramp4, Boxes([0, 0, 0, 2, 2])), [5, 6, 9, 10]);
    }

    [Test]
    public void RoiPool_PartlyOutside_EmptyBinsAreZero()
    {
        // Box (3, 3, 6, 6): roi = 4, bin = 2. Bin 0: [3, 5) clipped to [3, 4) → v(3, 3) = 15; bin 1: [5, 7) clipped to [4, 4):
        // empty → 0. So [[15, 0], [0, 0]].
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 2}""", Ramp4, Boxes([0, 3, 3, 6, 6])), [15, 0, 0, 0]);
    }

    [TestCase(10, 10, 12, 12)]
    [TestCase(-5, -5, -2, -2)]
    public void RoiPool_FarOutside_IsZero(double x1, double y1, double x2, double y2)
    {
        // (10..12): bins start at 10, clipped to [4, 4) → empty → 0. (−5..−2): bins [−5, −1) clipped to [0, 0) → empty → 0.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 2}""", Ramp4, Boxes([0, x1, y1, x2, y2])), [0, 0, 0, 0]);
    }

    [Test]
    public void RoiPool_ReversedBox_IsOnePixelAtTheStartCorner()
    {
        // Box (3, 3, 1, 1): roi = max(1 − 3 + 1, 1) = 1, bin = 0.5. Bin 0: [floor(0) + 3, ceil(0.5) + 3) = [3, 4);
        // bin 1: [floor(0.5) + 3, ceil(1) + 3) = [3, 4). Every bin is the pixel v(3, 3) = 15.
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 2}""", Ramp4, Boxes([0, 3, 3, 1, 1])), [15, 15, 15, 15]);
    }

    [Test]
    public void RoiPool_NaN_NeverSelected_AllNaNBinIsMinusFltMax()
    {
        // METHODS.md §7a [run]: max starts from −FLT_MAX with strict >, so NaN never wins.
        // [[NaN, 1], [2, NaN]], box (0, 0, 1, 1) 1×1 → 2; an all-NaN map → −FLT_MAX.
        var x = T32([1, 1, 2, 2], NaN, 1, 2, NaN);
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1}""", x, Boxes([0, 0, 0, 1, 1])), [2]);
        var allNaN = T32([1, 1, 2, 2], NaN, NaN, NaN, NaN);
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1}""", allNaN, Boxes([0, 0, 0, 1, 1])), [Lowest32]);
    }

    [Test]
    public void RoiPool_Float64_AllNaNBin_IsStillFloatLowest()
    {
        // The C++ writes -FLT_MAX for every dtype, so a float64 all-NaN bin gives −3.4028234663852886e38, not −DBL_MAX.
        var x = T([1, 1, 1, 2], NaN, NaN);
        var boxes = T([1, 5], 0, 0, 0, 1, 0);
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1}""", x, boxes), [Lowest32]);
    }

    [Test]
    public void RoiPool_MinusInfinityBin_IsMinusFltMax()
    {
        // −∞ > −FLT_MAX is false: a bin of −∞ only keeps the start value −FLT_MAX.
        var x = T32([1, 1, 1, 2], double.NegativeInfinity, double.NegativeInfinity);
        Check.Exact(Tv("torchvision.roi_pool", """{"output_size": 1}""", x, Boxes([0, 0, 0, 1, 0])), [Lowest32]);
    }

    [Test]
    public void RoiPool_BatchIndex_SelectsTheImage_AndChannelsAreKept()
    {
        // N = 2, C = 2: image b channel c = ramp + 100·(2b + c). Box (1, 0, 0, 0, 0) 1×1 → pixel (0, 0) of image 1: 200, 300.
        // Box (0, 0, 0, 3, 3) → whole image 0: 15, 115.
        var x = new Tensor(DType.Float32, [2, 2, 4, 4], Enumerable.Range(0, 64).Select(i => (double)(i % 16 + 100 * (i / 16))).ToArray());
        var r = Tv("torchvision.roi_pool", """{"output_size": 1}""", x, Boxes([1, 0, 0, 0, 0], [0, 0, 0, 3, 3]));
        Check.Exact(r, [200, 300, 15, 115]);
    }

    [Test]
    public void MaxRoiPool_PooledShape_AndSpatialScale()
    {
        // onnx.MaxRoiPool = Fast R-CNN: box (0, 0, 6, 6) at σ = 0.5 → (0, 0, 3, 3), roi 4, 2×2 bins of 2 → [5, 7, 13, 15].
        var r = Eval("onnx.MaxRoiPool", """{"pooled_shape": [2, 2], "spatial_scale": 0.5}""", ("X", Ramp4), ("rois", Boxes([0, 0, 0, 6, 6])));
        Check.Exact(Check.V(r, "Y"), [5, 7, 13, 15]);
        Assert.That(Check.S(r, "Y"), Is.EqualTo(new[] { 1, 1, 2, 2 }));
    }

    /// <summary>A 1×1 Fast R-CNN pool through torchvision.roi_pool or onnx.MaxRoiPool (same semantics, different names).</summary>
    static double[] PoolOne(string op, Tensor x, double[] box) => op == "onnx.MaxRoiPool"
        ? Check.V(Eval(op, """{"pooled_shape": [1, 1]}""", ("X", x), ("rois", Boxes(box))), "Y")
        : Tv(op, """{"output_size": 1}""", x, Boxes(box));

    // ───────────────────────────── torchvision.roi_align ─────────────────────────────

    [TestCase(false, 7.5)]
    [TestCase(true, 0.0)]
    public void RoiAlign_DegenerateBox_UnalignedIs7_5_AlignedIs0(bool aligned, double expected)
    {
        // METHODS.md §7b [run]: box (1, 1, 1, 1), 1×1, adaptive. aligned=False: roi forced to 1, G = ceil(1/1) = 1, one sample
        // at 1 + 0.5 = 1.5 → 4·1.5 + 1.5 = 7.5. aligned=True: start 0.5, roi 0, G = ceil(0) = 0, no sample, 0/max(0, 1) = 0.
        var r = Tv("torchvision.roi_align", $$"""{"output_size": 1, "aligned": {{(aligned ? "true" : "false")}}}""", Ramp4, Boxes([0, 1, 1, 1, 1]));
        Check.Exact(r, [expected]);
    }

    [TestCase(false, 5.0)]
    [TestCase(true, 2.5)]
    public void RoiAlign_AlignedShiftsSamplesByHalfAPixel(bool aligned, double expected)
    {
        // Box (0, 0, 2, 2), 1×1, sampling_ratio 2. Unaligned: roi 2, samples 0 + (i + 0.5)·2/2 = 0.5, 1.5 → mean 1 → 4 + 1 = 5.
        // Aligned: start −0.5, samples 0, 1 → mean 0.5 → 2 + 0.5 = 2.5.
        var r = Tv("torchvision.roi_align", $$"""{"output_size": 1, "sampling_ratio": 2, "aligned": {{(aligned ? "true" : "false")}}}""", Ramp4, Boxes([0, 0, 0, 2, 2]));
        Check.Close(r, [expected]);
    }

    // Row [0, 0, 0, 8] (H = 1: every y collapses onto row 0), box x ∈ [0, 4], one bin:
    //   adaptive G = ceil(4/1) = 4: samples 0.5, 1.5, 2.5, 3.5 → 0, 0, lerp(0, 8, .5) = 4, collapsed x_low = 3 = W − 1 → 8; mean 12/4 = 3;
    //   sampling_ratio 1: sample 2 → 0;  sampling_ratio 2: samples 1, 3 → 0, 8 → 4.
    [TestCase(-1, 3.0)]
    [TestCase(0, 3.0)]
    [TestCase(1, 0.0)]
    [TestCase(2, 4.0)]
    public void RoiAlign_SamplingRatio_FixedAndAdaptive(int samplingRatio, double expected)
    {
        var row = T32([1, 1, 1, 4], 0, 0, 0, 8);
        Check.Close(Tv("torchvision.roi_align", $$"""{"output_size": 1, "sampling_ratio": {{samplingRatio}}}""", row, Boxes([0, 0, 0, 4, 1])), [expected]);
    }

    [Test]
    public void RoiAlign_AdaptiveGrid_IsCeilOfRoiOverBinPerAxis()
    {
        // Row [0, 0, 0, 8], box x ∈ [0, 3], 1×1, adaptive: G_w = ceil(3) = 3 → samples 0.5, 1.5, 2.5 → 0, 0, 4 → mean 4/3.
        // (G_w = 2 would give samples 0.75, 2.25 → 0, 2 → 1; G_w = 4 would give 0.375, 1.125, 1.875, 2.625 → 0, 0, 0, 5 → 1.25.)
        var row = T32([1, 1, 1, 4], 0, 0, 0, 8);
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 1}""", row, Boxes([0, 0, 0, 3, 1])), [4.0 / 3]);
    }

    // Row [2, 0, 0, 8] (W = 4), sampling_ratio 1, unaligned, box [x1, x1 + 1]: the one sample sits at x = x1 + 0.5.
    //   x1 = 3.5 → x = 4.0 (= W): not cut off (the test is x > W), x_low = 4 ≥ W − 1 collapses onto the last column → 8;
    //   x1 = 4.0 → x = 4.5 > W → 0;
    //   x1 = −1.5 → x = −1.0: not cut off (the test is x < −1), clamped to 0 → 2 (no extrapolation towards −1);
    //   x1 = −2.0 → x = −1.5 < −1 → 0;
    //   x1 = −1.0 → x = −0.5: clamped to 0 → 2.
    [TestCase(3.5, 8.0)]
    [TestCase(4.0, 0.0)]
    [TestCase(-1.5, 2.0)]
    [TestCase(-2.0, 0.0)]
    [TestCase(-1.0, 2.0)]
    public void RoiAlign_SampleCutoffAtMinus1AndW_ClampAt0_CollapseAtLast(double x1, double expected)
    {
        var row = T32([1, 1, 1, 4], 2, 0, 0, 8);
        Check.Exact(Tv("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 1}""", row, Boxes([0, x1, 0, x1 + 1, 1])), [expected]);
    }

    [Test]
    public void RoiAlign_SampleCutoffAlongY()
    {
        // Column map 4×1: v(y) = [1, 2, 3, 4]. Box y ∈ [4, 5] (x ∈ [0, 1] collapses to column 0), sr 1: sample y = 4.5 > H → 0;
        // y ∈ [3, 4]: sample 3.5, y_low = 3 ≥ H − 1 → row 3 → 4; y ∈ [−2, −1]: sample −1.5 < −1 → 0; y ∈ [−1.5, −0.5]: −1 → clamp → 1.
        var col = T32([1, 1, 4, 1], 1, 2, 3, 4);
        var r = Tv("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 1}""", col,
            Boxes([0, 0, 4, 1, 5], [0, 0, 3, 1, 4], [0, 0, -2, 1, -1], [0, 0, -1.5, 1, -0.5]));
        Check.Exact(r, [0, 4, 0, 1]);
    }

    [Test]
    public void RoiAlign_ReversedBox_UnalignedClampsToOnePixel_AlignedAdaptiveIsZero_AlignedSr1Samples()
    {
        // Box (2, 2, 0, 0), 1×1.
        // aligned=False: roi = max(−2, 1) = 1, G = 1, sample at 2 + 0.5 = 2.5 → 4·2.5 + 2.5 = 12.5.
        // aligned=True, adaptive: start 1.5, roi −2, G = ceil(−2) = −2 per axis; the loops run zero times, count = max(4, 1) = 4 → 0.
        // aligned=True, sampling_ratio 1: bin −2, one sample at 1.5 + 0.5·(−2) = 0.5 → 2 + 0.5 = 2.5.
        var box = Boxes([0, 2, 2, 0, 0]);
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 1}""", Ramp4, box), [12.5]);
        Check.Exact(Tv("torchvision.roi_align", """{"output_size": 1, "aligned": true}""", Ramp4, box), [0]);
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 1, "aligned": true, "sampling_ratio": 1}""", Ramp4, box), [2.5]);
    }

    [Test]
    public void RoiAlign_2x2Bins_OnTheRamp()
    {
        // Box (0, 0, 3, 3), 2×2, unaligned, adaptive: roi 3, bin 1.5, G = ceil(1.5) = 2; bin 0 samples 0.375, 1.125 (mean 0.75),
        // bin 1 samples 1.875, 2.625 (mean 2.25). Values 4·ȳ + x̄: 3.75, 5.25, 9.75, 11.25.
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 2}""", Ramp4, Boxes([0, 0, 0, 3, 3])), [3.75, 5.25, 9.75, 11.25]);
    }

    [Test]
    public void RoiAlign_FarOutsideBox_IsZero()
    {
        // DIALECTS.md §2.1 [run]: every sample beyond H/W → 0.
        Check.Exact(Tv("torchvision.roi_align", """{"output_size": 2}""", Ramp4, Boxes([0, 20, 20, 24, 24])), [0, 0, 0, 0]);
    }

    [Test]
    public void RoiAlign_NonLinearBilinearWeights()
    {
        // 2×2 map [[0, 1], [2, 8]], box (0, 0, 1, 1), sr 1, unaligned: one sample at (0.5, 0.5), all weights 1/4 → 11/4 = 2.75.
        var x = T32([1, 1, 2, 2], 0, 1, 2, 8);
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 1}""", x, Boxes([0, 0, 0, 1, 1])), [2.75]);
    }

    // ───────────────────────────── ONNX RoiAlign, poolconf.roi_align_max ─────────────────────────────

    // DIALECTS.md §9 row 9: 10×10 ramp v = 10y + x, ROI [0, 0, 9, 9], 2×2, sampling_ratio 2, half_pixel.
    // start −0.5, roi 9, bin 4.5, samples per axis: bin 0 at −0.5 + 1.125 = 0.625 and 2.875, bin 1 at 5.125 and 7.375.
    static Tensor Ramp10 => Ramp([1, 1, 10, 10]);

    [Test]
    public void OnnxRoiAlign_Avg_HalfPixel_DialectsExample()
    {
        // All samples inside [0, 9]: the mean is the ramp at the mean sample (1.75 or 6.25 per axis):
        // 17.5 + 1.75 = 19.25, 17.5 + 6.25 = 23.75, 62.5 + 1.75 = 64.25, 62.5 + 6.25 = 68.75 (quoted exactly in DIALECTS.md).
        var y = OnnxAlign("""{"output_height": 2, "output_width": 2, "sampling_ratio": 2, "coordinate_transformation_mode": "half_pixel"}""",
            Ramp10, Boxes4([0, 0, 9, 9]), 0);
        Check.Close(y, [19.25, 23.75, 64.25, 68.75]);
    }

    [Test]
    public void OnnxRoiAlign_Max_IsLargestWeightedCorner_DialectsExample()
    {
        // max over the 4 samples of max(w_i·v_i). The winners:
        //  bin (0,0): sample (2.875, 2.875): ly = lx = 0.875, corner v(3,3) = 33 with w = 0.765625 → 25.265625;
        //             the other corners 22·0.015625, 23·0.109375, 32·0.109375 = 3.5; other samples at most 16.953125 (31·0.546875).
        //  bin (0,1): sample (2.875, 5.125): corner v(3,5) = 35, w = 0.875·0.875 → 26.796875 (sample (2.875, 7.375): 37·0.546875 = 20.23).
        //  bin (1,0): sample (5.125, 2.875): corner v(5,3) = 53, w = 0.875·0.875 → 40.578125 (sample (7.375, 2.875): 73·0.546875 = 39.92).
        //  bin (1,1): sample (5.125, 5.125): corner v(5,5) = 55·0.765625 → 42.109375 (sample (7.375, 5.125): 75·0.546875 = 41.02).
        // DIALECTS.md quotes [25.27, 26.80, 40.58, 42.11]: the exact values rounded half up to two decimals, so the quoted
        // numbers are checked within 0.005 and the exact dyadic values within float32 rounding.
        var y = OnnxAlign("""{"output_height": 2, "output_width": 2, "sampling_ratio": 2, "mode": "max"}""", Ramp10, Boxes4([0, 0, 9, 9]), 0);
        double[] quoted = [25.27, 26.80, 40.58, 42.11];
        for (int i = 0; i < 4; i++) Assert.That(y[i], Is.EqualTo(quoted[i]).Within(0.005), $"element {i}");
        Check.Close(y, [25.265625, 26.796875, 40.578125, 42.109375]);
    }

    [Test]
    public void RoiAlignMax_IsLargestInterpolatedSample_DialectsExample()
    {
        // poolconf.roi_align_max (aligned=True = half_pixel): on a ramp the largest sample is the bottom-right one of each bin,
        // 10·2.875 + 2.875 = 31.625, 28.75 + 7.375 = 36.125, 73.75 + 2.875 = 76.625, 73.75 + 7.375 = 81.125 (quoted exactly).
        var r = Tv("poolconf.roi_align_max", """{"output_size": [2, 2], "sampling_ratio": 2, "aligned": true}""", Ramp10, Boxes([0, 0, 0, 9, 9]));
        Check.Close(r, [31.625, 36.125, 76.625, 81.125]);
    }

    [Test]
    public void RoiAlignMax_UsesTheSameOffsetAndClampAsRoiAlign()
    {
        // aligned=False, degenerate (1, 1, 1, 1): one sample at (1.5, 1.5) → 7.5; aligned=True: no sample → 0.
        Check.Close(Tv("poolconf.roi_align_max", """{"output_size": 1}""", Ramp4, Boxes([0, 1, 1, 1, 1])), [7.5]);
        Check.Exact(Tv("poolconf.roi_align_max", """{"output_size": 1, "aligned": true}""", Ramp4, Boxes([0, 1, 1, 1, 1])), [0]);
    }

    [Test]
    public void RoiAlignMax_OutsideSampleContributesZero()
    {
        // Row [−5, −5, −5, −5], box x ∈ [3, 5] unaligned sr 2: samples 3.5 (collapsed → −5) and 4.5 (> W → 0) → max 0;
        // the average is −2.5.
        var row = T32([1, 1, 1, 4], -5, -5, -5, -5);
        Check.Exact(Tv("poolconf.roi_align_max", """{"output_size": 1, "sampling_ratio": 2}""", row, Boxes([0, 3, 0, 5, 1])), [0]);
        Check.Close(Tv("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 2}""", row, Boxes([0, 3, 0, 5, 1])), [-2.5]);
    }

    [TestCase(10, new[] { 24.75, 29.25, 69.75, 74.25 })]
    [TestCase(16, new[] { 19.25, 23.75, 64.25, 68.75 })]
    [TestCase(22, new[] { 19.25, 23.75, 64.25, 68.75 })]
    public void OnnxRoiAlign_DefaultCoordinateMode_Opset10IsOutputHalfPixel_16IsHalfPixel(int opset, double[] expected)
    {
        // Opset 10 behaves as output_half_pixel: start 0, bin 4.5, samples 1.125, 3.375 | 5.625, 7.875 → means 2.25, 6.75:
        // 22.5 + 2.25 = 24.75, 29.25, 69.75, 74.25. Opset ≥ 16 defaults to half_pixel: the example above.
        var y = OnnxAlign($$"""{"output_height": 2, "output_width": 2, "sampling_ratio": 2, "opset": {{opset}}}""", Ramp10, Boxes4([0, 0, 9, 9]), 0);
        Check.Close(y, expected);
    }

    [TestCase("output_half_pixel", 7.5)]
    [TestCase("half_pixel", 0.0)]
    public void OnnxRoiAlign_DegenerateBox_OnlyOutputHalfPixelClampsTheRoi(string mode, double expected)
    {
        // As torchvision: output_half_pixel forces roi 1 → sample (1.5, 1.5) → 7.5; half_pixel: roi 0, adaptive grid 0 → 0.
        var y = OnnxAlign($$"""{"coordinate_transformation_mode": "{{mode}}"}""", Ramp4, Boxes4([1, 1, 1, 1]), 0);
        Check.Exact(y, [expected]);
    }

    [Test]
    public void OnnxRoiAlign_BatchIndices_SelectTheImage_SpatialScale()
    {
        // N = 2, image 1 = ramp + 16. Box (0, 0, 4, 4) at σ = 0.5 → (0, 0, 2, 2); output_half_pixel, sr 2, 1×1:
        // samples 0.5, 1.5 → mean 1 → 5; on image 1: 21; on image 0: 5.
        var x = Ramp([2, 1, 4, 4]);
        var y = OnnxAlign("""{"coordinate_transformation_mode": "output_half_pixel", "sampling_ratio": 2, "spatial_scale": 0.5}""",
            x, Boxes4([0, 0, 4, 4], [0, 0, 4, 4]), 1, 0);
        Check.Close(y, [21, 5]);
    }

    [Test]
    public void OnnxRoiAlign_CoordinateModeBeforeOpset16_IsRefused()
    {
        Check.Refuses(() => OnnxAlign("""{"coordinate_transformation_mode": "half_pixel", "opset": 10}""", Ramp4, Boxes4([0, 0, 1, 1]), 0),
            "coordinate_transformation_mode");
        Check.Refuses(() => OnnxAlign("""{"opset": 9}""", Ramp4, Boxes4([0, 0, 1, 1]), 0), "opset");
        Check.Refuses(() => OnnxAlign("""{"mode": "min"}""", Ramp4, Boxes4([0, 0, 1, 1]), 0), "mode");
        Check.Refuses(() => OnnxAlign("""{"sampling_ratio": -1}""", Ramp4, Boxes4([0, 0, 1, 1]), 0), "sampling_ratio");
    }

    // ───────────────────────────── ps_roi_pool / ps_roi_align ─────────────────────────────

    [Test]
    public void PsRoiPool_LastRowAndColumnNeverPooled()
    {
        // DIALECTS.md §2.3 [run]: box (0, 0, 4, 4), 1×1: roi = 4 − 0 = 4 (no +1), bin [0, 4) clipped to [0, H − 1) = [0, 3):
        // mean of rows/cols 0..2 = (0+1+2+4+5+6+8+9+10)/9 = 45/9 = 5 (not 7.5, the mean of the whole map).
        Check.Close(Tv("torchvision.ps_roi_pool", """{"output_size": 1}""", Ramp4, Boxes([0, 0, 0, 4, 4])), [5]);
    }

    [Test]
    public void PsRoiPool_ReadsThePositionSensitiveChannel()
    {
        // C = 4 = 2·2, C_out = 1; channel c = ramp + 100c. Box (0, 0, 4, 4), 2×2: roi 4, bin 2 → bins [0, 2) and [2, 4) → [2, 3).
        // (0,0) reads channel 0 over rows/cols 0..1: {0, 1, 4, 5} → 2.5; (0,1) channel 1 rows 0..1 col 2: {2, 6} → 4 + 100;
        // (1,0) channel 2 row 2 cols 0..1: {8, 9} → 8.5 + 200; (1,1) channel 3 pixel (2, 2): 10 + 300.
        Check.Close(Tv("torchvision.ps_roi_pool", """{"output_size": 2}""", Channels4(), Boxes([0, 0, 0, 4, 4])), [2.5, 104, 208.5, 310]);
    }

    [Test]
    public void PsRoiPool_RoundsHalfAwayFromZero_AndEmptyBinIsZero()
    {
        // Box (0.5, 0.5, 2.5, 2.5): corners 1 and 3, roi = 2 (no +1), 1×1 bin [1, 3) → {5, 6, 9, 10} → 7.5.
        // (Banker's 0, 2 would give {0, 1, 4, 5} → 2.5.) Box (3, 3, 4, 4): bin [3, 4) clipped to [3, 3) → empty → 0.
        var r = Tv("torchvision.ps_roi_pool", """{"output_size": 1}""", Ramp4, Boxes([0, 0.5, 0.5, 2.5, 2.5], [0, 3, 3, 4, 4]));
        Check.Close(r, [7.5, 0]);
    }

    [Test]
    public void PsRoiPool_ReversedBox_IsOnePixel()
    {
        // Box (2, 2, 0, 0): roi = max(0 − 2, 1) = 1, bin [2, 3) → v(2, 2) = 10.
        Check.Close(Tv("torchvision.ps_roi_pool", """{"output_size": 1}""", Ramp4, Boxes([0, 2, 2, 0, 0])), [10]);
    }

    [Test]
    public void PsRoiAlign_ReadsThePositionSensitiveChannel()
    {
        // ps_roi_align always subtracts 0.5: box (0.5, 0.5, 4.5, 4.5) → start 0, roi 4, 2×2 bins of 2, sr 1: samples at 1 and 3.
        // (0,0) ch 0 at (1, 1) = 5; (0,1) ch 1 at (1, 3) = 7 + 100; (1,0) ch 2 at (3, 1) = 13 + 200 (y_low 3 = H − 1 collapses);
        // (1,1) ch 3 at (3, 3) = 15 + 300.
        var r = Tv("torchvision.ps_roi_align", """{"output_size": 2, "sampling_ratio": 1}""", Channels4(), Boxes([0, 0.5, 0.5, 4.5, 4.5]));
        Check.Close(r, [5, 107, 213, 315]);
    }

    [Test]
    public void PsRoiAlign_DegenerateBox_AdaptiveIsNaN_FixedSamplesTheCorner()
    {
        // DIALECTS.md §2.4 [run]: box (1, 1, 1, 1), start 0.5, roi 0, no ROI clamp. Adaptive: G = ceil(0) = 0, count = 0·0
        // unclamped → 0/0 = NaN (roi_align would clamp the count to 1 and give 0). sampling_ratio 2: bin 0, all four samples
        // at (0.5, 0.5) → 2 + 0.5 = 2.5.
        Check.Exact(Tv("torchvision.ps_roi_align", """{"output_size": 1}""", Ramp4, Boxes([0, 1, 1, 1, 1])), [NaN]);
        Check.Close(Tv("torchvision.ps_roi_align", """{"output_size": 1, "sampling_ratio": 2}""", Ramp4, Boxes([0, 1, 1, 1, 1])), [2.5]);
        Check.Exact(Tv("torchvision.roi_align", """{"output_size": 1, "aligned": true}""", Ramp4, Boxes([0, 1, 1, 1, 1])), [0]);
    }

    [Test]
    public void PsRoiAlign_HasNoMinimumRoiSize()
    {
        // Box (1, 1, 1.5, 1.5), sr 1: start 0.5, roi 0.5 (roi_align aligned=False would force 1), sample 0.5 + 0.25 = 0.75
        // → 4·0.75 + 0.75 = 3.75.
        Check.Close(Tv("torchvision.ps_roi_align", """{"output_size": 1, "sampling_ratio": 1}""", Ramp4, Boxes([0, 1, 1, 1.5, 1.5])), [3.75]);
    }

    [TestCase("torchvision.ps_roi_pool")]
    [TestCase("torchvision.ps_roi_align")]
    public void PsOps_ChannelsNotAMultipleOfTheBins_AreRefused(string op)
    {
        // C = 3 with a 2×2 output: C_out = 3/4 is not an integer.
        Check.Refuses(() => Tv(op, """{"output_size": 2}""", Ramp([1, 3, 4, 4]), Boxes([0, 0, 0, 3, 3])), "inputs.input");
    }

    static Tensor Channels4() =>
        new(DType.Float32, [1, 4, 4, 4], Enumerable.Range(0, 64).Select(i => (double)(i % 16 + 100 * (i / 16))).ToArray());

    // ───────────────────────────── caffe.roi_align ─────────────────────────────

    [Test]
    public void CaffeRoiAlign_FourColumnRois_AreBatch0_AndClampTheRoi()
    {
        // Detectron v1: no offset, roi ≥ 1. 4-column (1, 1, 1, 1) → batch 0, roi 1, sample (1.5, 1.5) → 7.5 (as torchvision aligned=False).
        var r = Eval("caffe.roi_align", """{}""", ("X", Ramp([2, 1, 4, 4])), ("rois", Boxes4([1, 1, 1, 1])));
        Check.Close(Check.V(r, "Y"), [7.5]);
    }

    [Test]
    public void CaffeRoiAlign_FiveColumnRois_BatchAndSampling()
    {
        // (1, 0, 0, 2, 2) on image 1 = ramp + 16, 1×1 adaptive: roi 2, G = 2, samples 0.5, 1.5 → mean 1 → 5 + 16 = 21.
        // (0, 0, 0, 3, 3) 2×2 pooled, sampling_ratio 1: bin 1.5, one sample per bin at 0.75 or 2.25 per axis → 4y + x:
        // (0.75, 0.75) → 3.75, (0.75, 2.25) → 5.25, (2.25, 0.75) → 9.75, (2.25, 2.25) → 11.25.
        var x = Ramp([2, 1, 4, 4]);
        Check.Close(Check.V(Eval("caffe.roi_align", """{}""", ("X", x), ("rois", Boxes([1, 0, 0, 2, 2]))), "Y"), [21]);
        var r = Eval("caffe.roi_align", """{"pooled_h": 2, "pooled_w": 2, "sampling_ratio": 1}""", ("X", x), ("rois", Boxes([0, 0, 0, 3, 3])));
        Check.Close(Check.V(r, "Y"), [3.75, 5.25, 9.75, 11.25]);
    }

    [Test]
    public void CaffeRoiAlign_ReversedBox_ClampsToOnePixel_NoNaN()
    {
        // (2, 2, 0, 0): roi = max(−2, 1) = 1, G = 1, count 1·1 = 1 → sample (2.5, 2.5) → 12.5; never 0/0.
        Check.Close(Check.V(Eval("caffe.roi_align", """{}""", ("X", Ramp4), ("rois", Boxes4([2, 2, 0, 0]))), "Y"), [12.5]);
    }

    [Test]
    public void CaffeRoiAlign_SpatialScale()
    {
        // (0, 0, 8, 8) at σ = 0.25 → (0, 0, 2, 2), sr 2 → 5.
        var r = Eval("caffe.roi_align", """{"spatial_scale": 0.25, "sampling_ratio": 2}""", ("X", Ramp4), ("rois", Boxes4([0, 0, 8, 8])));
        Check.Close(Check.V(r, "Y"), [5]);
    }

    // ───────────────────────────── tf.image.crop_and_resize ─────────────────────────────

    static double[] Crop(string json, Tensor image, double[][] boxes, params long[] idx)
    {
        var b = T32([boxes.Length, 4], boxes.SelectMany(r => r).ToArray());
        var bi = new Tensor(DType.Int32, [idx.Length], idx.Select(v => (double)v).ToArray());
        return Check.V(Eval("tf.image.crop_and_resize", json, ("image", image), ("boxes", b), ("box_indices", bi)));
    }

    // 2×2 image (NHWC, C = 1) [[0, 1], [2, 8]]: bilinear is not the ramp, so nearest and bilinear differ.
    static Tensor Img2 => T32([1, 2, 2, 1], 0, 1, 2, 8);

    [Test]
    public void CropAndResize_Bilinear_3x3OfA2x2()
    {
        // Box [0, 0, 1, 1], crop 3×3: in = i·(1·1/2) = 0, 0.5, 1 per axis.
        // Row 0: 0, lerp(0, 1, .5) = 0.5, 1; row 0.5: lerp(0, 2) = 1, (0 + 1 + 2 + 8)/4 = 2.75, lerp(1, 8) = 4.5; row 1: 2, 5, 8.
        Check.Close(Crop("""{"crop_size": [3, 3]}""", Img2, [[0, 0, 1, 1]], 0), [0, 0.5, 1, 1, 2.75, 4.5, 2, 5, 8]);
    }

    [Test]
    public void CropAndResize_Nearest_RoundsHalfAwayFromZero()
    {
        // Same coordinates; roundf(0.5) = 1: row 0 → [v(0,0), v(0,1), v(0,1)] = 0, 1, 1; rows 0.5 and 1 → row 1: 2, 8, 8.
        Check.Exact(Crop("""{"crop_size": [3, 3], "method": "nearest"}""", Img2, [[0, 0, 1, 1]], 0), [0, 1, 1, 2, 8, 8, 2, 8, 8]);
    }

    [TestCase("bilinear", 2.75)]
    [TestCase("nearest", 8.0)]
    public void CropAndResize_CropSize1_SamplesTheBoxCentre(string method, double expected)
    {
        // crop 1: in = 0.5·(y1 + y2)·(H − 1) = 0.5 per axis. Bilinear: the mean of the four pixels, 11/4; nearest: roundf(0.5) = 1 → v(1, 1) = 8
        // (banker's rounding would pick v(0, 0) = 0).
        Check.Close(Crop($$"""{"crop_size": [1, 1], "method": "{{method}}"}""", Img2, [[0, 0, 1, 1]], 0), [expected]);
    }

    [TestCase("bilinear")]
    [TestCase("nearest")]
    public void CropAndResize_ExtrapolationValue_OutsideTheImage(string method)
    {
        // 3×3 ramp image 0..8, box [−1, −1, 1, 1], crop 3×3: in = −1·2 + i·(2·2/2) = −2, 0, 2 per axis. Row/column −2 is outside
        // [0, H − 1] → −7; the rest hits pixels exactly: (0, 0) = 0, (0, 2) = 2, (2, 0) = 6, (2, 2) = 8.
        var img = Ramp([1, 3, 3, 1]);
        const double E = -7;
        Check.Exact(Crop($$"""{"crop_size": [3, 3], "method": "{{method}}", "extrapolation_value": -7}""", img, [[-1, -1, 1, 1]], 0),
            [E, E, E, E, 0, 2, E, 6, 8]);
    }

    [Test]
    public void CropAndResize_DefaultExtrapolationIsZero()
    {
        // Box [1.5, 0, 2, 1] on the 3×3 ramp, crop 1×3: in_y = 0.5·3.5·2 = 3.5 > 2 → the whole row is 0.
        Check.Exact(Crop("""{"crop_size": [1, 3]}""", Ramp([1, 3, 3, 1]), [[1.5, 0, 2, 1]], 0), [0, 0, 0]);
    }

    [TestCase("bilinear")]
    [TestCase("nearest")]
    public void CropAndResize_FlippedBox_MirrorsTheCrop(string method)
    {
        // Box [1, 1, 0, 0] on the 3×3 ramp, crop 3×3: in = 1·2 + i·(−1·2/2) = 2 − i → the image rotated by 180°: 8, 7, …, 0.
        var r = Crop($$"""{"crop_size": [3, 3], "method": "{{method}}"}""", Ramp([1, 3, 3, 1]), [[1, 1, 0, 0]], 0);
        Check.Exact(r, [8, 7, 6, 5, 4, 3, 2, 1, 0]);
    }

    [Test]
    public void CropAndResize_BoxIndices_AndChannelsLast()
    {
        // image 2×1×2×2 NHWC: image 0 pixels (c0, c1) = (0, 10), (1, 11); image 1 = (100, 110), (101, 111).
        // Box [0, 0, 1, 1] crop 1×3 on image 1: in_y = 0.5·1·0 = 0 (H = 1), in_x = 0, 0.5, 1 → c0: 100, 100.5, 101; c1: 110, 110.5, 111,
        // interleaved per pixel. Output 1×1×3×2.
        var img = T32([2, 1, 2, 2], 0, 10, 1, 11, 100, 110, 101, 111);
        var b = T32([1, 4], 0, 0, 1, 1);
        var r = Eval("tf.image.crop_and_resize", """{"crop_size": [1, 3]}""", ("image", img), ("boxes", b), ("box_indices", I64([1], 1)));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 3, 2 }));
        Check.Close(Check.V(r), [100, 110, 100.5, 110.5, 101, 111]);
    }

    [Test]
    public void CropAndResize_Errors()
    {
        var img = Ramp([1, 3, 3, 1]);
        var bi = I64([1], 0);
        OpResult Run(Tensor boxes, Tensor idx, string json = """{"crop_size": [2, 2]}""") =>
            Eval("tf.image.crop_and_resize", json, ("image", img), ("boxes", boxes), ("box_indices", idx));
        Check.Refuses(() => Run(T([1, 4], 0, 0, 1, 1), bi), "inputs.boxes");                               // float64 boxes
        Check.Refuses(() => Run(T32([1, 5], 0, 0, 0, 1, 1), bi), "inputs.boxes");                          // wrong width
        Check.Refuses(() => Run(T32([1, 4], 0, NaN, 1, 1), bi), "inputs.boxes");                           // NaN
        Check.Refuses(() => Run(T32([1, 4], 0, 0, double.PositiveInfinity, 1), bi), "inputs.boxes");       // +∞
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), I64([1], 1)), "inputs.box_indices");              // out of range
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), I64([1], -1)), "inputs.box_indices");             // negative
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), T32([1], 0)), "inputs.box_indices");              // float indices
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), I64([2], 0, 0)), "inputs.box_indices");           // wrong length
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), bi, """{"crop_size": [0, 2]}"""), "crop_size");
        Check.Refuses(() => Run(T32([1, 4], 0, 0, 1, 1), bi, """{"crop_size": [2, 2], "method": "area"}"""), "method");
    }

    // ───────────────────────────── bad boxes (every ROI op) ─────────────────────────────

    static readonly string[] TorchvisionOps =
        ["torchvision.roi_pool", "torchvision.roi_align", "torchvision.ps_roi_pool", "torchvision.ps_roi_align", "poolconf.roi_align_max"];

    [TestCaseSource(nameof(TorchvisionOps))]
    public void Torchvision_BadBoxes_AreRefused_NamingTheBoxes(string op)
    {
        const string P = """{"output_size": 1}""";
        var x = Ramp([2, 1, 4, 4]);
        Check.Refuses(() => Tv(op, P, x, T32([1, 4], 0, 0, 1, 1)), "inputs.boxes");                                // width 4
        Check.Refuses(() => Tv(op, P, x, T32([1, 6], 0, 0, 0, 1, 1, 0)), "inputs.boxes");                           // width 6
        Check.Refuses(() => Tv(op, P, x, T32([5], 0, 0, 0, 1, 1)), "inputs.boxes");                                 // rank 1
        Check.Refuses(() => Tv(op, P, x, Boxes([2, 0, 0, 1, 1])), "inputs.boxes");                                  // batch 2 of N = 2
        Check.Refuses(() => Tv(op, P, x, Boxes([-1, 0, 0, 1, 1])), "inputs.boxes");                                 // negative batch
        Check.Refuses(() => Tv(op, P, x, Boxes([0.5, 0, 0, 1, 1])), "inputs.boxes");                                // not an integer
        Check.Refuses(() => Tv(op, P, x, Boxes([NaN, 0, 0, 1, 1])), "inputs.boxes");                                // NaN batch
        Check.Refuses(() => Tv(op, P, x, Boxes([0, NaN, 0, 1, 1])), "inputs.boxes");                                // NaN x1
        Check.Refuses(() => Tv(op, P, x, Boxes([0, 0, 0, 1, double.PositiveInfinity])), "inputs.boxes");            // +∞ y2
        Check.Refuses(() => Tv(op, P, x, Boxes([0, double.NegativeInfinity, 0, 1, 1])), "inputs.boxes");            // −∞ x1
        Check.Refuses(() => Tv(op, P, x, Boxes([0, 0, 0, 1, 1], [0, 0, NaN, 1, 1])), "inputs.boxes");               // the second box
        Check.Refuses(() => Tv(op, P, x, T([1, 5], 0, 0, 0, 1, 1)), "inputs.boxes");                                // float64 vs float32 input
        Check.Refuses(() => Tv(op, P, x, I64([1, 5], 0, 0, 0, 1, 1)), "inputs.boxes");                              // int64 boxes
        Check.Refuses(() => Tv(op, """{"output_size": 0}""", x, Boxes([0, 0, 0, 1, 1])), "output_size");
        Check.Refuses(() => Tv(op, """{"output_size": 1, "spatial_scale": 0}""", x, Boxes([0, 0, 0, 1, 1])), "spatial_scale");
        Check.Refuses(() => Eval(op, P, ("input", x)), "inputs.boxes");                                             // missing
    }

    [Test]
    public void Torchvision_UnknownParameter_IsRefused()
    {
        // roi_pool has no sampling_ratio; ps_roi_align has no aligned.
        Check.Refuses(() => Tv("torchvision.roi_pool", """{"output_size": 1, "sampling_ratio": 2}""", Ramp4, Boxes([0, 0, 0, 1, 1])), "sampling_ratio");
        Check.Refuses(() => Tv("torchvision.ps_roi_align", """{"output_size": 1, "aligned": true}""", Ramp4, Boxes([0, 0, 0, 1, 1])), "aligned");
    }

    [Test]
    public void Torchvision_EmptyBoxList_GivesAnEmptyOutput()
    {
        // K = 0 boxes: output 0×C×PH×PW (torchvision accepts empty box tensors).
        var r = Eval("torchvision.roi_align", """{"output_size": [2, 3]}""", ("input", Ramp([1, 2, 4, 4])), ("boxes", T32([0, 5])));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 0, 2, 2, 3 }));
    }

    [Test]
    public void OnnxRoiAlign_BadBoxes_AreRefused()
    {
        var x = Ramp([2, 1, 4, 4]);
        OpResult Run(Tensor rois, Tensor bi) => Eval("onnx.RoiAlign", "{}", ("X", x), ("rois", rois), ("batch_indices", bi));
        var ok = I64([1], 0);
        Check.Refuses(() => Run(Boxes([0, 0, 0, 1, 1]), ok), "inputs.rois");                       // 5 columns: ONNX wants 4
        Check.Refuses(() => Run(Boxes4([0, NaN, 1, 1]), ok), "inputs.rois");                       // NaN
        Check.Refuses(() => Run(Boxes4([0, 0, double.PositiveInfinity, 1]), ok), "inputs.rois");    // +∞
        Check.Refuses(() => Run(T([1, 4], 0, 0, 1, 1), ok), "inputs.rois");                        // float64 rois, float32 X
        Check.Refuses(() => Run(Boxes4([0, 0, 1, 1]), I64([1], 2)), "inputs.batch_indices");       // out of range
        Check.Refuses(() => Run(Boxes4([0, 0, 1, 1]), I64([1], -1)), "inputs.batch_indices");      // negative
        Check.Refuses(() => Run(Boxes4([0, 0, 1, 1]), T32([1], 0)), "inputs.batch_indices");       // float batch indices
        Check.Refuses(() => Run(Boxes4([0, 0, 1, 1]), I64([2], 0, 0)), "inputs.batch_indices");    // length mismatch
    }

    [Test]
    public void OnnxMaxRoiPool_BadBoxes_AreRefused()
    {
        var x = Ramp([1, 1, 4, 4]);
        OpResult Run(Tensor rois, string json = """{"pooled_shape": [1, 1]}""") => Eval("onnx.MaxRoiPool", json, ("X", x), ("rois", rois));
        Check.Refuses(() => Run(Boxes4([0, 0, 1, 1])), "inputs.rois");                             // 4 columns
        Check.Refuses(() => Run(Boxes([1, 0, 0, 1, 1])), "inputs.rois");                           // batch 1 of N = 1
        Check.Refuses(() => Run(Boxes([0.25, 0, 0, 1, 1])), "inputs.rois");                        // not an integer
        Check.Refuses(() => Run(Boxes([0, 0, NaN, 1, 1])), "inputs.rois");                         // NaN
        Check.Refuses(() => Run(T([1, 5], 0, 0, 0, 1, 1)), "inputs.rois");                         // dtype
        Check.Refuses(() => Run(Boxes([0, 0, 0, 1, 1]), "{}"), "pooled_shape");                     // required
    }

    [Test]
    public void CaffeRoiAlign_BadBoxes_AreRefused()
    {
        var x = Ramp([1, 1, 4, 4]);
        OpResult Run(Tensor rois) => Eval("caffe.roi_align", "{}", ("X", x), ("rois", rois));
        Check.Refuses(() => Run(T32([1, 3], 0, 0, 1)), "inputs.rois");                             // 3 columns
        Check.Refuses(() => Run(T32([1, 6], 0, 0, 0, 1, 1, 1)), "inputs.rois");                    // 6 columns
        Check.Refuses(() => Run(Boxes([1, 0, 0, 1, 1])), "inputs.rois");                           // batch out of range
        Check.Refuses(() => Run(Boxes4([0, 0, double.NegativeInfinity, 1])), "inputs.rois");       // −∞ (4 columns)
        Check.Refuses(() => Run(T([1, 4], 0, 0, 1, 1)), "inputs.rois");                            // dtype
    }
}
