using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Kernels;
using PoolingConformance.Optimized.Operators;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The van Herk / Gil-Werman sliding max (<see cref="SlidingMax"/>) against the reference, bit for bit (NaN is any NaN, −0 differs
/// from +0): stride-1 max pooling without indices in both layouts, 1-D and 2-D, windows 1 to 17 (below the kernels' threshold
/// through <see cref="SlidingMax.SelectNchw{TOp}"/> directly, at or above it through the registry's kernels), windows larger than
/// the axis, paddings up to k − 1, ceil mode, both NaN index rules, every fixture family, a single NaN at every position, the
/// row-major first-wins ±0 rule, all three planar row methods, layouts and thread counts giving the same bits; the path
/// predicates; and the SPP kernels' two algorithms equal to each other and to the reference. Rerun by <c>.ci/run</c> per ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedSlidingMaxTests
{
    static KernelEntry Kernel(TensorLayout l, int rank) =>
        KernelRegistry.All.Single(k => k.Reduction == Reduction.Max && k.Layout == l && k.Kind == KernelKind.Window && k.Rank == rank);

    static int[] Sizes() => new[] { 1, 2, 3, Width - 1, Width, Width + 1, 2 * Width + 1, 13, 17, 23 }.Where(s => s >= 1).Distinct().Order().ToArray();

    static PoolDescriptor? Describe(int h, int w, int kh, int kw, int ph, int pw, bool ceil, PoolSemantics sem, int rank = 2)
    {
        try
        {
            var rule = ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
            var aw = PoolGeometry.Explicit(w, kw, 1, 1, pw, pw, rule);
            if (rank == 1) return new PoolDescriptor(Reduction.Max, [aw], sem);
            return new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(h, kh, 1, 1, ph, ph, rule), aw], sem);
        }
        catch (InvalidParameterException) { return null; }
    }

    /// <summary>Runs the sliding-max path (forced for any window size) on an NCHW tensor; returns NCHW values as bits.</summary>
    static int[] Forced(TensorLayout layout, PoolPlan plan, SlidingMax.Windows g, Tensor x, int threads)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var input = ToFloats(layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x);
        var y = Poisoned(n * c * plan.OutputPlane);
        bool last = plan.NanIndex == NanIndex.Last;
        if (layout == TensorLayout.Nchw)
        {
            if (last) SlidingMax.SelectNchw<MaxOperator>(plan, g, n * c, input, y, threads);
            else SlidingMax.SelectNchw<FirstNanMaxOperator>(plan, g, n * c, input, y, threads);
        }
        else if (last) SlidingMax.SelectNhwc<MaxOperator>(plan, g, n, c, input, y, threads);
        else SlidingMax.SelectNhwc<FirstNanMaxOperator>(plan, g, n, c, input, y, threads);
        return ToNchwBits(layout, plan, n, c, y);
    }

    /// <summary>Runs a registry kernel without indices (the values path) on an NCHW tensor; returns NCHW values as bits.</summary>
    static int[] ViaKernel(KernelEntry k, PoolPlan plan, Tensor x, int threads)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var y = Poisoned(n * c * plan.OutputPlane);
        k.Run(plan, n, c, ToFloats(k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x), y, null, threads);
        return ToNchwBits(k.Layout, plan, n, c, y);
    }

    static float[] Poisoned(int len)
    {
        var y = new float[len];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
        return y;
    }

    static int[] ToNchwBits(TensorLayout layout, PoolPlan plan, int n, int c, float[] y)
    {
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), "an output was never written");
        if (layout == TensorLayout.Nhwc)
        {
            var t = new Tensor(DType.Float32, [n, plan.OH, plan.OW, c], y.Select(v => (double)v).ToArray());
            y = ToFloats(Layout.ToChannelsFirst(t));
        }
        return y.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();
    }

    static int[] Reference(Tensor x, PoolDescriptor d) => Bits(MaxPool.Compute(x, d, "output", "indices").Values.Value);

    static void Same(int[] expected, int[] got, string what)
    {
        Assert.That(got.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
            if (got[i] != expected[i])
                Assert.Fail($"{what}: element {i} has bits {got[i]:X8}, the reference {expected[i]:X8} (−1: NaN) [{Cascade.Name(Cascade.Widest)}]");
    }

    public static IEnumerable<TestCaseData> Windows() => Enumerable.Range(1, 17).Select(k => new TestCaseData(k).SetName($"SlidingMax_Window{k}"));

    /// <summary>
    /// Window k×k and k×3 (or 1-D), every size of <see cref="Sizes"/> on the width, paddings 0, k/2 and k − 1, floor and ceil, both NaN
    /// rules, the fixture families in turn; both layouts, all three planar row methods, 1 and 2 threads, against the reference.
    /// </summary>
    [TestCaseSource(nameof(Windows))]
    public void SlidingMax_MatchesReference_BitForBit(int k)
    {
        int compared = 0, combo = 0;
        var rows = new[] { RowMethod.Naive, RowMethod.Doubling, RowMethod.VanHerkScalar };
        foreach (int w in Sizes())
            foreach (int pad in new[] { 0, k / 2, k - 1 }.Distinct())
            {
                combo++;
                int rank = combo % 4 == 0 ? 1 : 2, h = new[] { 1, 5, 9, Width + 1 }[combo % 4];
                int kh = combo % 3 == 0 ? 3 : k, ph = Math.Min(pad, kh - 1);
                var sem = combo % 2 == 0 ? PoolSemantics.Torch : PoolSemantics.Onnx;
                var d = Describe(h, w, kh, k, ph, pad, combo % 5 < 2, sem, rank);
                if (d is null) continue;
                var plan = new PoolPlan(d);
                var fixture = Fixtures[combo % Fixtures.Length];
                int c = ChannelTails()[combo % ChannelTails().Length];
                var x = Fill(fixture, rank == 1 ? [2, c, w] : [2, c, h, w], (ulong)(k * 1000 + combo));
                var expected = Reference(x, d);
                string what = $"k={k} {d} C={c} fixture {fixture}";
                foreach (var row in combo % 2 == 0 ? rows : rows[..1]) // the non-default row methods on every other geometry
                {
                    var g = SlidingMax.Windows.For(plan, minWindow: 1, row: row);
                    Assert.That(g, Is.Not.Null, $"the sliding path must apply: {what}");
                    Same(expected, Forced(TensorLayout.Nchw, plan, g!, x, 1), $"NCHW {row} {what}");
                }
                var g0 = SlidingMax.Windows.For(plan, minWindow: 1)!;
                Same(expected, Forced(TensorLayout.Nhwc, plan, g0, x, 1), $"NHWC {what}");
                Same(expected, Forced(TensorLayout.Nhwc, plan, g0, x, 2), $"NHWC 2 threads {what}");
                if (combo % 2 == 1) Same(expected, Forced(TensorLayout.Nchw, plan, g0, x, 2), $"NCHW 2 threads {what}");
                foreach (var (layout, min) in new[] { (TensorLayout.Nchw, SlidingMax.MinWindowPlanar), (TensorLayout.Nhwc, SlidingMax.MinWindowChannelsLast) })
                {
                    Assert.That(SlidingMax.TakesSlidingMaxPath(plan, layout), Is.EqualTo((rank == 1 ? k : Math.Max(k, kh)) >= min), $"{layout} path choice: {what}");
                    Same(expected, ViaKernel(Kernel(layout, rank), plan, x, 2), $"kernel {layout} {what}");
                }
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(Sizes().Length / 2), "too few geometries compared");
    }

    /// <summary>One NaN per plane at every input position in turn (plane i has it at position i); NaN exactly where a window covers it.</summary>
    [TestCase(5), TestCase(13)]
    public void SlidingMax_NaNAtEveryPosition_Propagates(int k)
    {
        int h = 7, w = Width + 3, plane = h * w;
        foreach (var sem in new[] { PoolSemantics.Torch, PoolSemantics.Onnx })
        {
            var d = Describe(h, w, k, k, k / 2, k / 2, false, sem)!;
            var plan = new PoolPlan(d);
            Assert.That(SlidingMax.TakesSlidingMaxPath(plan, TensorLayout.Nchw) && SlidingMax.TakesSlidingMaxPath(plan, TensorLayout.Nhwc), Is.True);
            var x = Fill("rand", [1, plane, h, w], (ulong)k);
            var data = x.Data.ToArray();
            for (int i = 0; i < plane; i++) data[i * plane + i] = double.NaN;
            x = new Tensor(DType.Float32, x.Shape, data);
            var expected = Reference(x, d);
            Same(expected, ViaKernel(Kernel(TensorLayout.Nchw, 2), plan, x, 2), $"NCHW {d}");
            Same(expected, ViaKernel(Kernel(TensorLayout.Nhwc, 2), plan, x, 1), $"NHWC {d}");
        }
    }

    /// <summary>
    /// ±0 decided by the row-major scan: −0 before +0 in scan order gives −0, +0 first gives +0, whatever order the blocks combine
    /// them in (a window of −0 above +0 rows, and +0 above −0, in the same plane).
    /// </summary>
    [Test]
    public void SlidingMax_SignedZero_IsTheScanOrdersFirst()
    {
        int h = 9, w = 2 * Width + 5, k = 5;
        var data = new double[2 * h * w];
        for (int i = 0; i < h * w; i++) { int r = i / w, c = i % w; data[i] = (r + c) % 3 == 0 ? -0.0 : (r + 2 * c) % 5 == 0 ? 0.0 : -1; }
        for (int i = 0; i < h * w; i++) data[h * w + i] = (i / w) < h / 2 ? ((i % w) % 2 == 0 ? 0.0 : -0.0) : -0.0;
        var x = new Tensor(DType.Float32, [1, 2, h, w], data);
        foreach (var sem in new[] { PoolSemantics.Torch, PoolSemantics.Onnx })
            foreach (int pad in new[] { 0, 2 })
            {
                var d = Describe(h, w, k, k, pad, pad, false, sem)!;
                var plan = new PoolPlan(d);
                var expected = Reference(x, d);
                Assert.That(expected.Count(b => b == unchecked((int)0x80000000)), Is.GreaterThan(0), "the case must have −0 results");
                Assert.That(expected.Count(b => b == 0), Is.GreaterThan(0), "the case must have +0 results");
                Same(expected, ViaKernel(Kernel(TensorLayout.Nchw, 2), plan, x, 1), $"NCHW {d}");
                Same(expected, ViaKernel(Kernel(TensorLayout.Nhwc, 2), plan, x, 2), $"NHWC {d}");
            }
    }

    /// <summary>Large windows in the two layouts over channel tails: the registry kernels give the same bits, as the reference.</summary>
    [Test]
    public void SlidingMax_Layouts_GiveIdenticalBits_OverChannelTails()
    {
        int i = 0;
        foreach (int c in ChannelTails().Append(33).Append(70))
        {
            var fixture = Fixtures[i++ % Fixtures.Length];
            var d = Describe(14, 15, 13, 13, 6, 6, i % 2 == 0, i % 3 == 0 ? PoolSemantics.Onnx : PoolSemantics.Torch)!;
            var plan = new PoolPlan(d);
            var x = Fill(fixture, [2, c, 14, 15], (ulong)(c * 7));
            var a = ViaKernel(Kernel(TensorLayout.Nchw, 2), plan, x, 1);
            var b = ViaKernel(Kernel(TensorLayout.Nhwc, 2), plan, x, 2);
            Assert.That(b, Is.EqualTo(a), $"layouts differ: C={c} {fixture}");
            Same(Reference(x, d), a, $"C={c} {fixture} {d}");
        }
    }

    /// <summary>Where the path applies and where the other kernels keep the case (an opted-out plan among them).</summary>
    [Test]
    public void PathPredicates()
    {
        PoolPlan Plan(int k, int s, int dil, int pad, PoolSemantics sem, Reduction r = Reduction.Max) =>
            new(new PoolDescriptor(r, [PoolGeometry.Explicit(56, k, s, dil, pad, pad, CeilRule.Floor), PoolGeometry.Explicit(56, k, s, dil, pad, pad, CeilRule.Floor)], sem));
        foreach (var (l, min) in new[] { (TensorLayout.Nchw, SlidingMax.MinWindowPlanar), (TensorLayout.Nhwc, SlidingMax.MinWindowChannelsLast) })
        {
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(13, 1, 1, 6, PoolSemantics.Torch), l), Is.True, $"{l}: k13 s1 p6");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(min, 1, 1, 0, PoolSemantics.Onnx), l), Is.True, $"{l}: the threshold window");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(min - 1, 1, 1, 1, PoolSemantics.Torch), l), Is.False, $"{l}: below the threshold");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(13, 2, 1, 6, PoolSemantics.Torch), l), Is.False, $"{l}: stride 2");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(7, 1, 2, 0, PoolSemantics.Torch), l), Is.False, $"{l}: dilation 2");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(13, 1, 1, 6, PoolSemantics.TfArgmax), l), Is.False, $"{l}: TensorFlow's first-tap-only NaN rule");
            Assert.That(SlidingMax.TakesSlidingMaxPath(Plan(13, 1, 1, 6, PoolSemantics.Torch, Reduction.Average), l), Is.False, $"{l}: an average");
            var a3 = PoolGeometry.Explicit(9, 5, 1, 1, 2, 2, CeilRule.Floor);
            Assert.That(SlidingMax.TakesSlidingMaxPath(new PoolPlan(new PoolDescriptor(Reduction.Max, [a3, a3, a3], PoolSemantics.Torch)), l), Is.False, $"{l}: 3-D");
        }
        // A plan opted out (the benchmarks' general-kernel baseline) leaves the path from its next call, even after it was used;
        // the general kernels give the same bits.
        foreach (var l in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
        {
            var plan = Plan(13, 1, 1, 6, PoolSemantics.Torch);
            var xs = Fill("ties", [1, 3, 56, 56], 13);
            var before = RunKernel(Kernel(l, 2), plan, [56, 56], xs, 1, $"{l} k13").Values;
            SlidingMax.OptOut(plan);
            Assert.That(SlidingMax.TakesSlidingMaxPath(plan, l), Is.False, $"{l}: opted out");
            Assert.That(Bits(RunKernel(Kernel(l, 2), plan, [56, 56], xs, 1, $"{l} k13 opted out").Values), Is.EqualTo(Bits(before)), $"{l}: general kernel, same bits");
        }
        // With indices the kernels keep the general path: indices are still right.
        var d = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(9, 5, 1, 1, 2, 2, CeilRule.Floor), PoolGeometry.Explicit(9, 5, 1, 1, 2, 2, CeilRule.Floor)], PoolSemantics.Torch);
        var x = Fill("ties", [1, 2, 9, 9], 5);
        var (_, idx) = RunKernel(Kernel(TensorLayout.Nchw, 2), new PoolPlan(d), [9, 9], x, 1, d.ToString());
        Assert.That(idx!.Data, Is.EqualTo(MaxPool.Compute(x, d, "output", "indices").Indices.Value.Data), "indices with the sliding-eligible geometry");
    }

    // ---- SPP: doubling and van Herk ----

    /// <summary>The SPP kernels' measured choice (<see cref="SppChoice.UseVanHerk"/>: van Herk in every layout and shape unless doubling is asked for).</summary>
    [Test]
    public void Spp_AlgorithmChoice()
    {
        Assert.That(SppChoice.UseVanHerk(SppAlgorithm.Auto), Is.True, "by default (W8 and every shape measured)");
        Assert.That(SppChoice.UseVanHerk(SppAlgorithm.Doubling), Is.False, "forced doubling");
        Assert.That(SppChoice.UseVanHerk(SppAlgorithm.VanHerk), Is.True, "forced van Herk");
    }

    static float[] RunSpp(SppKernel k, SppMax rule, int[] blocks, Tensor x, int threads, SppAlgorithm a)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var y = Poisoned(n * c * h * w * blocks.Length);
        k.Run(rule, blocks, n, c, h, w, ToFloats(k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x), y, threads, a);
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), "an SPP output was never written");
        var t = new Tensor(DType.Float32, k.Layout == TensorLayout.Nhwc ? [n, h, w, c * blocks.Length] : [n, c * blocks.Length, h, w], y.Select(v => (double)v).ToArray());
        return ToFloats(k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsFirst(t) : t);
    }

    /// <summary>The value bits, NaN as one pattern; ±0 kept apart (both algorithms give the row-major scan's first maximum).</summary>
    static int[] SppBits(float[] y) => y.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();

    /// <summary>The same with ±0 as one: the reference comparison (verify's comparer treats them alike for SPP).</summary>
    static int[] SppValueBits(int[] bits) => bits.Select(b => b == unchecked((int)0x80000000) ? 0 : b).ToArray();

    [Test]
    public void Spp_DoublingAndVanHerk_EqualEachOtherAndTheReference()
    {
        int i = 0;
        foreach (var (h, w) in new[] { (20, 20), (13, 13), (1, 1), (3, 2 * Width + 1), (Width + 1, 5), (7, 17) })
            foreach (var fixture in new[] { Fixtures[i % Fixtures.Length], Fixtures[(i + 3) % Fixtures.Length] })
            {
                int c = ChannelTails()[i % ChannelTails().Length];
                var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 31 + 3));
                foreach (var (rule, blocks, op, json) in new[]
                {
                    (SppMax.Torch, new[] { 0, 5, 9, 13 }, "ultralytics.spp", "{}"),
                    (SppMax.Torch, new[] { 0, 3, 7 }, "ultralytics.spp", "{\"k\":[3,7]}"),
                    (SppMax.Darknet, new[] { 13, 9, 5, 0 }, "darknet.yolov3_spp", "{}"),
                    (SppMax.Darknet, new[] { 6, 4, 2, 0 }, "darknet.yolov3_spp", "{\"sizes\":[2,4,6]}"),
                })
                {
                    var inputs = new Dictionary<string, Tensor> { ["input"] = x };
                    var exp = OpRegistry.Find(op)!.Evaluate(new ParamReader(System.Text.Json.JsonDocument.Parse(json).RootElement), inputs).Outputs["output"];
                    var expected = SppValueBits(SppBits(ToFloats(exp.Value)));
                    foreach (var k in new[] { KernelRegistry.SppNchw, KernelRegistry.SppNhwc })
                    {
                        string what = $"{k.Name} {op} {json} fixture {fixture} [2,{c},{h},{w}] [{Cascade.Name(Cascade.Widest)}]";
                        var dbl = SppBits(RunSpp(k, rule, blocks, x, 2, SppAlgorithm.Doubling));
                        var vh = SppBits(RunSpp(k, rule, blocks, x, 1, SppAlgorithm.VanHerk));
                        var vh2 = SppBits(RunSpp(k, rule, blocks, x, 2, SppAlgorithm.VanHerk));
                        Same(expected, SppValueBits(dbl), "doubling " + what);
                        Same(dbl, vh, "van Herk against doubling, ±0 included, " + what);
                        Assert.That(vh2, Is.EqualTo(vh), "van Herk, 2 threads " + what);
                    }
                }
            }
    }
}
