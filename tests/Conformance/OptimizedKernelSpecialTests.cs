using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Kernels;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The non-window kernels of <see cref="KernelRegistry"/> — YOLO SPP / SPPF, ROI Align, ROI pool, max unpool — against the
/// reference ops (through <see cref="OpRegistry"/> where the op is a dialect's), over sizes derived from the vector width, the
/// fixture families of TESTING.md §5 and the ROI box edges, with the tolerance object <c>verify</c> uses; both layouts and
/// both thread counts give the same bits. Rerun by <c>.ci/run</c> in each ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedKernelSpecialTests
{
    static Expectation Op(string op, string json, Dictionary<string, Tensor> inputs, string output = "output") =>
        OpRegistry.Find(op)!.Evaluate(new ParamReader(JsonDocument.Parse(json).RootElement), inputs).Outputs[output];

    static void Check(Expectation exp, Tensor got, string what)
    {
        var cmp = OutputComparer.Compare(exp, got, Tolerance.Derived);
        Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
    }

    static readonly (int H, int W)[] SppSizes = [(13, 13), (20, 20), (Width + 1, 5), (1, 1), (3, 2 * Width + 1), (7, Width - 1 < 1 ? 1 : Width - 1)];

    /// <summary>Runs an SPP kernel on an NCHW tensor, returns the NCHW output (B·C channels).</summary>
    static Tensor RunSpp(SppKernel k, SppMax rule, int[] blocks, Tensor x, int threads)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var input = k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
        var y = new float[n * c * h * w * blocks.Length];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
        k.Run(rule, blocks, n, c, h, w, ToFloats(input), y, threads);
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), $"{k.Name}: an output was never written");
        var t = new Tensor(DType.Float32, k.Layout == TensorLayout.Nhwc ? [n, h, w, c * blocks.Length] : [n, c * blocks.Length, h, w], y.Select(v => (double)v).ToArray());
        return k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsFirst(t) : t;
    }

    public static IEnumerable<TestCaseData> SppKernels() => new[] { KernelRegistry.SppNchw, KernelRegistry.SppNhwc }.Select(k => new TestCaseData(k).SetName(k.Name));

    [TestCaseSource(nameof(SppKernels))]
    public void Spp_EqualsUltralyticsSpp_SppfAndDarknetYoloV3Spp(SppKernel k)
    {
        int i = 0;
        var tails = ChannelTails();
        foreach (var (h, w) in SppSizes)
            foreach (var fixture in Fixtures)
            {
                int c = tails[i % tails.Length];
                var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 101 + 7));
                var inputs = new Dictionary<string, Tensor> { ["input"] = x };
                string what = $"{k.Name} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} shape [2,{c},{h},{w}]";
                Check(Op("ultralytics.spp", "{}", inputs), RunSpp(k, SppMax.Torch, [0, 5, 9, 13], x, 2), "ultralytics.spp " + what);
                Check(Op("ultralytics.spp", "{\"k\":[3,7]}", inputs), RunSpp(k, SppMax.Torch, [0, 3, 7], x, 1), "ultralytics.spp k=[3,7] " + what);
                Check(Op("ultralytics.sppf", "{}", inputs), RunSpp(k, SppMax.Torch, [0, 5, 9, 13], x, 2), "ultralytics.sppf " + what);
                Check(Op("ultralytics.sppf", "{\"k\":3}", inputs), RunSpp(k, SppMax.Torch, [0, 3, 5, 7], x, 2), "ultralytics.sppf k=3 " + what);
                Check(Op("darknet.yolov3_spp", "{}", inputs), RunSpp(k, SppMax.Darknet, [13, 9, 5, 0], x, 2), "darknet.yolov3_spp " + what);
                Check(Op("darknet.yolov3_spp", "{\"sizes\":[2,4,6]}", inputs), RunSpp(k, SppMax.Darknet, [6, 4, 2, 0], x, 1), "darknet even sizes " + what);
            }
    }

    [Test]
    public void Spp_NaN_PropagatesUnderTorch_NeverWinsUnderDarknet()
    {
        // One NaN at (4, 4) of a 9×9 plane, the rest finite; a second plane entirely NaN.
        var d = new double[2 * 81];
        for (int j = 0; j < 81; j++) d[j] = j % 7 - 3;
        d[4 * 9 + 4] = double.NaN;
        for (int j = 81; j < 162; j++) d[j] = double.NaN;
        var x = new Tensor(DType.Float32, [1, 2, 9, 9], d);
        foreach (var k in new[] { KernelRegistry.SppNchw, KernelRegistry.SppNhwc })
        {
            var t = RunSpp(k, SppMax.Torch, [5], x, 1);
            for (int oh = 0; oh < 9; oh++)
                for (int ow = 0; ow < 9; ow++)
                {
                    bool covers = Math.Abs(oh - 4) <= 2 && Math.Abs(ow - 4) <= 2;
                    Assert.That(double.IsNaN(t.Data[oh * 9 + ow]), Is.EqualTo(covers), $"{k.Name} torch: NaN exactly where the 5×5 window covers it ({oh},{ow})");
                    Assert.That(double.IsNaN(t.Data[81 + oh * 9 + ow]), Is.True, $"{k.Name} torch: an all-NaN plane stays NaN");
                }
            var dk = RunSpp(k, SppMax.Darknet, [5], x, 1);
            Assert.That(dk.Data.Take(81).Any(double.IsNaN), Is.False, $"{k.Name} darknet: NaN never wins");
            Assert.That(dk.Data.Skip(81).All(v => v == -float.MaxValue), Is.True, $"{k.Name} darknet: an all-NaN window gives -FLT_MAX");
        }
    }

    [Test]
    public void Spp_LayoutsAndThreadCounts_GiveIdenticalBits()
    {
        foreach (var c in ChannelTails())
        {
            var x = Fill(Fixtures[c % Fixtures.Length], [3, c, 11, 2 * Width + 1], (ulong)c);
            var a = RunSpp(KernelRegistry.SppNchw, SppMax.Torch, [0, 5, 9, 13], x, 1);
            var b = RunSpp(KernelRegistry.SppNhwc, SppMax.Torch, [0, 5, 9, 13], x, 2);
            var a2 = RunSpp(KernelRegistry.SppNchw, SppMax.Torch, [0, 5, 9, 13], x, 2);
            Assert.That(Bits(b), Is.EqualTo(Bits(a)), $"C={c}: layouts differ");
            Assert.That(Bits(a2), Is.EqualTo(Bits(a)), $"C={c}: thread counts differ");
        }
    }

    // ---- ROI Align / ROI pool ----

    /// <summary>Box edges of TESTING.md §5: inside, partly and fully outside, beyond −1 and H, reversed, zero size, half-integers, huge.</summary>
    static Roi[] Boxes(int batch, int h, int w, double scale, DType coord, ulong seed)
    {
        ulong st = seed;
        double U() { st = st * 6364136223846793005UL + 1442695040888963407UL; return (st >> 11) * (1.0 / (1UL << 53)); }
        double H = h / scale, W = w / scale;
        var list = new List<(double, double, double, double)>
        {
            (0, 0, W - 1, H - 1), (0.5 * W, 0.5 * H, 0.5 * W, 0.5 * H), (0.7 * W, 0.6 * H, 0.2 * W, 0.1 * H),
            (-2 / scale, -3 / scale, 0.3 * W, 0.4 * H), (0.8 * W, 0.9 * H, 1.5 * W, 1.7 * H), (-5 * W, -5 * H, 5 * W, 5 * H),
            (1.5, 2.5, 3.5, 0.5 + 2 / scale), (-1.5 / scale, -1.2 / scale, -1.1 / scale, -1.05 / scale), (W + 1 / scale, H, W + 3 / scale, H + 2 / scale),
        };
        for (int i = 0; i < 12; i++)
        {
            double x1 = (U() * 1.4 - 0.2) * W, y1 = (U() * 1.4 - 0.2) * H;
            list.Add((x1, y1, x1 + U() * W * 0.8, y1 + U() * H * 0.8));
        }
        return list.Select((b, i) => new Roi(i % batch, coord.Round(b.Item1), coord.Round(b.Item2), coord.Round(b.Item3), coord.Round(b.Item4))).ToArray();
    }

    static Tensor RunRoi(TensorLayout layout, bool align, Tensor x, Roi[] rois, int ph, int pw, double scale, int sr, bool aligned, DType coord, int threads,
        RoiAlignReduction reduction = RoiAlignReduction.Average)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var input = layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
        var y = new float[rois.Length * c * ph * pw];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
        if (align)
            (layout == TensorLayout.Nchw ? KernelRegistry.RoiAlignNchw : KernelRegistry.RoiAlignNhwc)
                .Run(ToFloats(input), n, c, h, w, rois, ph, pw, scale, sr, aligned ? 0.5 : 0, !aligned, coord, y, threads, reduction);
        else (layout == TensorLayout.Nchw ? KernelRegistry.RoiPoolNchw : KernelRegistry.RoiPoolNhwc).Run(ToFloats(input), n, c, h, w, rois, ph, pw, scale, coord, y, threads);
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), "an output was never written");
        var t = new Tensor(DType.Float32, layout == TensorLayout.Nhwc ? [rois.Length, ph, pw, c] : [rois.Length, c, ph, pw], y.Select(v => (double)v).ToArray());
        return layout == TensorLayout.Nhwc ? Layout.ToChannelsFirst(t) : t;
    }

    public static IEnumerable<TestCaseData> RoiCases() =>
        from layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc }
        from coord in new[] { DType.Float32, DType.Float64 }
        select new TestCaseData(layout, coord).SetName($"{layout}_{coord.Name()}");

    [TestCaseSource(nameof(RoiCases))]
    public void RoiAlign_MatchesReference_OverBoxEdgesSamplingAndFixtures(TensorLayout layout, DType coord)
    {
        int i = 0, compared = 0;
        var tails = ChannelTails();
        foreach (var (h, w, scale) in new[] { (13, 11, 1.0 / 16), (7, Width + 1, 0.5), (1, 5, 1.0), (Width - 1 < 1 ? 1 : Width - 1, 2, 0.25) })
            foreach (var (ph, pw, sr, aligned) in new[] { (7, 7, 2, true), (2, 3, 0, false), (3, 2, -1, true), (1, 1, 3, false) })
            {
                int c = tails[i % tails.Length];
                string fixture = Fixtures[i % Fixtures.Length];
                var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 17 + 3));
                var rois = Boxes(2, h, w, scale, coord, (ulong)i);
                var exp = RoiAlign.Compute(x, rois, ph, pw, scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.Average), coord, "output");
                var got = RunRoi(layout, true, x, rois, ph, pw, scale, sr, aligned, coord, 2);
                Check(exp, got, $"roi_align {layout} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} map {h}×{w} C={c} out {ph}×{pw} sr {sr} aligned {aligned} scale {scale} boxes {coord.Name()}");
                var other = RunRoi(layout == TensorLayout.Nchw ? TensorLayout.Nhwc : TensorLayout.Nchw, true, x, rois, ph, pw, scale, sr, aligned, coord, 1);
                Assert.That(Bits(other), Is.EqualTo(Bits(got)), "layouts / thread counts differ");
                // ONNX's max mode: the largest weighted corner over the samples (0 for samples outside the cutoff).
                var expMax = RoiAlign.Compute(x, rois, ph, pw, scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.OnnxWeightedCornerMax), coord, "output");
                var gotMax = RunRoi(layout, true, x, rois, ph, pw, scale, sr, aligned, coord, 2, RoiAlignReduction.WeightedCornerMax);
                Check(expMax, gotMax, $"roi_align max {layout} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} map {h}×{w} C={c} out {ph}×{pw} sr {sr} aligned {aligned} scale {scale} boxes {coord.Name()}");
                // The paper's max: the largest interpolated sample value.
                var expIMax = RoiAlign.Compute(x, rois, ph, pw, scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.InterpolatedMax), coord, "output");
                var gotIMax = RunRoi(layout, true, x, rois, ph, pw, scale, sr, aligned, coord, 1, RoiAlignReduction.InterpolatedMax);
                Check(expIMax, gotIMax, $"roi_align interpolated max {layout} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} map {h}×{w} C={c} out {ph}×{pw} sr {sr} aligned {aligned} scale {scale} boxes {coord.Name()}");
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(0));
    }

    [TestCaseSource(nameof(RoiCases))]
    public void RoiPool_MatchesReference_OverBoxEdgesAndFixtures(TensorLayout layout, DType coord)
    {
        int i = 0;
        var tails = ChannelTails();
        foreach (var (h, w, scale) in new[] { (13, 11, 1.0 / 16), (7, Width + 1, 0.5), (1, 5, 1.0), (6, 2, 0.25) })
            foreach (var (ph, pw) in new[] { (7, 7), (2, 3), (1, 1) })
            {
                int c = tails[i % tails.Length];
                string fixture = Fixtures[i % Fixtures.Length];
                var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 29 + 5));
                var rois = Boxes(2, h, w, scale, coord, (ulong)i + 100);
                var exp = RoiPool.Compute(x, rois, ph, pw, scale, coord, "output");
                var got = RunRoi(layout, false, x, rois, ph, pw, scale, 0, false, coord, 2);
                Check(exp, got, $"roi_pool {layout} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} map {h}×{w} C={c} out {ph}×{pw} scale {scale} boxes {coord.Name()}");
            }
    }

    // ---- Max unpool ----

    [Test]
    public void MaxUnpool_MatchesReference_DuplicatesKeepLastWrite_LayoutsAgree()
    {
        int i = 0;
        foreach (int c in ChannelTails())
            foreach (var (h, w, k, s) in new[] { (9, 9, 3, 1), (8, Width + 1, 2, 2), (5, 13, 3, 2) })
            {
                // Indices from a max pool (k3 s1: overlapping windows, so duplicates), values distinct from the pooled ones.
                var x = Fill(Fixtures[i++ % 3], [2, c, h, w], (ulong)(c * 7 + k));
                var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(h, k, s, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(w, k, s, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
                var idx = MaxPool.Compute(x, desc, "o", "i").Indices.Value;
                int oh = desc.Axes[0].Output, ow = desc.Axes[1].Output;
                var vals = Enumerable.Range(0, idx.Data.Length).Select(j => (double)(j % 97) - 48).ToArray();
                var expected = MaxUnpool.Scatter(vals, idx.Data, 2 * c, h * w, "indices");
                bool dup = false;
                for (int q = 0; q < 2 * c && !dup; q++)
                    dup = idx.Data.Skip(q * oh * ow).Take(oh * ow).Distinct().Count() < oh * ow;
                foreach (var layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
                {
                    var vt = new Tensor(DType.Float32, [2, c, oh, ow], vals);
                    var it = new Tensor(DType.Int64, [2, c, oh, ow], idx.Data);
                    if (layout == TensorLayout.Nhwc) { vt = Layout.ToChannelsLast(vt); it = Layout.ToChannelsLast(it); }
                    var y = new float[2 * c * h * w];
                    Array.Fill(y, float.NaN);
                    (layout == TensorLayout.Nchw ? KernelRegistry.MaxUnpoolNchw : KernelRegistry.MaxUnpoolNhwc)
                        .Run(ToFloats(vt), it.Data.Select(v => (long)v).ToArray(), 2, c, oh * ow, h * w, y, 2);
                    var got = new Tensor(DType.Float32, layout == TensorLayout.Nhwc ? [2, h, w, c] : [2, c, h, w], y.Select(v => (double)v).ToArray());
                    if (layout == TensorLayout.Nhwc) got = Layout.ToChannelsFirst(got);
                    Assert.That(got.Data, Is.EqualTo(expected), $"unpool {layout} C={c} {h}×{w} k{k} s{s}");
                }
                if (k == 3 && s == 1) Assert.That(dup, Is.True, "the k3 s1 case must exercise duplicate indices");
            }
    }

    [Test]
    public void MaxUnpool_RefusesAnIndexOutsideThePlane()
    {
        foreach (var k in new[] { KernelRegistry.MaxUnpoolNchw, KernelRegistry.MaxUnpoolNhwc })
            foreach (long bad in new[] { -1L, 6L })
            {
                var e = Assert.Throws<InvalidParameterException>(() => k.Run([1, 2], [0, bad], 1, 1, 2, 6, new float[6]));
                Assert.That(e!.Field, Is.EqualTo("inputs.indices"), k.Name);
            }
    }
}
