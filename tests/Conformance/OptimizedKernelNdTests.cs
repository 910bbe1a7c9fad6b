using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The 1-D and 3-D window kernels, the adaptive kernels and the global flat reduction against the reference, over sizes derived
/// from the active vector width and the fixture families of TESTING.md §5, with the tolerance object <c>verify</c> uses; both
/// layouts bit-identical and 1 and 2 threads the same bits. Rerun by <c>.ci/run</c> in each ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedKernelNdTests
{
    static readonly Geometry[] NdGeometries = Geometries.Where(g => g.Name is "resnet_k3s2p1" or "ceil_k3s2p1" or "dilation_pad_ceil" or "kw_equals_pw_empty"
        or "ceil_overhang_k2s3" or "one_by_one" or "inception_k3s1p1").ToArray();

    public static IEnumerable<TestCaseData> NdKernelsAndGeometries() =>
        from k in KernelRegistry.All where k.Kind == KernelKind.Window && k.Rank != 2
        from g in NdGeometries select new TestCaseData(k, g).SetName($"{k.Name}_{g.Name}");

    static IEnumerable<int[]> Shapes(int rank) => rank == 1
        ? new[] { 1, 2, 3, Width - 1, Width, Width + 1, 2 * Width + 1, 13, 31 }.Where(n => n >= 1).Distinct().Select(n => new[] { n })
        : new[] { new[] { 4, 5, Width + 1 }, [6, 3, 7], [3, 7, 2 * Width + 1], [5, 1, 13] };

    static void Check(Expectation exp, Tensor got, string what)
    {
        var cmp = OutputComparer.Compare(exp, got, Tolerance.Derived);
        Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
    }

    [TestCaseSource(nameof(NdKernelsAndGeometries))]
    public void NdKernel_MatchesReference_OverSweepsAndFixtures(KernelEntry kernel, Geometry g)
    {
        var channels = ChannelTails();
        int combo = 0, compared = 0;
        foreach (var sizes in Shapes(kernel.Rank))
            foreach (var (sem, pNorm) in SemanticsFor(kernel.Reduction))
            {
                var desc = Describe(kernel.Reduction, g, sizes, sem, pNorm);
                if (desc is null) continue;
                if (sem.Nan == NanPolicy.FirstTapOnly && kernel.Layout == TensorLayout.Nchw)
                {
                    // Separable passes would let a NaN at a later row's first tap hide that row: refused, with the reason.
                    Assert.That(kernel.Unsupported(desc), Does.Contain("first tap"), $"{kernel.Name} must refuse {desc}");
                    continue;
                }
                Assert.That(kernel.Unsupported(desc), Is.Null, $"{kernel.Name} must serve {desc}");
                int c = channels[combo % channels.Length];
                string fixture = Fixtures[(combo * 5 + 1) % Fixtures.Length];
                combo++;
                if (Skips(kernel.Reduction, pNorm, fixture)) fixture = "rand";
                ulong seed = (ulong)(combo * 977 + kernel.Rank);
                var x = Fill(fixture, [2, c, .. sizes], seed);
                var plan = new PoolPlan(desc);
                var (vals, idx) = RunKernel(kernel, plan, desc.Axes.Select(a => a.Output).ToArray(), x, 2, desc.ToString());
                string what = $"{kernel.Name} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} seed {seed} shape [2,{c},{string.Join(",", sizes)}]: {desc}";
                var (ev, ei) = Expected(x, desc);
                Check(ev, vals, what);
                if (ei is not null) Check(ei, idx!, what);
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(0), $"no size fits geometry {g}");
    }

    public static IEnumerable<TestCaseData> RanksAndReductions() =>
        from rank in new[] { 1, 3 } from r in new[] { Reduction.Max, Reduction.Average, Reduction.Lp }
        select new TestCaseData(rank, r).SetName($"Rank{rank}_{r}");

    [TestCaseSource(nameof(RanksAndReductions))]
    public void NdNchwAndNhwc_GiveIdenticalBits_AndThreadCountDoesNotMatter(int rank, Reduction r)
    {
        var nchw = KernelRegistry.All.Single(k => k.Reduction == r && k.Rank == rank && k.Kind == KernelKind.Window && k.Layout == TensorLayout.Nchw);
        var nhwc = KernelRegistry.All.Single(k => k.Reduction == r && k.Rank == rank && k.Kind == KernelKind.Window && k.Layout == TensorLayout.Nhwc);
        int compared = 0;
        foreach (var g in NdGeometries)
            foreach (int c in ChannelTails())
            {
                var sizes = rank == 1 ? new[] { 2 * Width + 3 } : [5, 6, Width + 1];
                var desc = Describe(r, g, sizes, r == Reduction.Max ? PoolSemantics.Torch : PoolSemantics.Onnx, r == Reduction.Lp ? 2 : 2);
                if (desc is null) continue;
                string fixture = Fixtures[(c + compared) % Fixtures.Length];
                if (Skips(r, 2, fixture)) fixture = "ties";
                var x = Fill(fixture, [3, c, .. sizes], (ulong)c * 31 + (ulong)rank);
                var plan = new PoolPlan(desc);
                var outs = desc.Axes.Select(a => a.Output).ToArray();
                var a = RunKernel(nchw, plan, outs, x, 1, desc.ToString());
                var b = RunKernel(nhwc, plan, outs, x, 2, desc.ToString());
                var a2 = RunKernel(nchw, plan, outs, x, 2, desc.ToString());
                string what = $"{r} rank {rank} {g} C={c} fixture {fixture}";
                Assert.That(Bits(b.Values), Is.EqualTo(Bits(a.Values)), $"channels-last values differ from planar: {what}");
                Assert.That(Bits(a2.Values), Is.EqualTo(Bits(a.Values)), $"2 threads differ from 1: {what}");
                if (r == Reduction.Max) Assert.That(b.Indices!.Data, Is.EqualTo(a.Indices!.Data), $"channels-last indices differ: {what}");
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(0));
    }

    public static IEnumerable<TestCaseData> AdaptiveKernels() => KernelRegistry.Adaptive.Select(k => new TestCaseData(k).SetName(k.Name));

    /// <summary>Output sizes per rank: dividing, non-dividing (overlapping bins), larger than the input (repeated cells), and 1 (global).</summary>
    static IEnumerable<(int[] In, int[] Out)> AdaptiveSizes(int rank) => rank switch
    {
        1 => [([Width + 1], [3]), ([12], [4]), ([5], [7]), ([2 * Width + 1], [1]), ([13], [13])],
        2 => [([7, Width + 1], [3, 2]), ([12, 12], [4, 4]), ([5, 3], [7, 6]), ([7, 7], [1, 1]), ([Math.Max(1, Width - 1), 13], [2, 5])],
        _ => [([4, 5, 6], [2, 3, 4]), ([3, 7, Width + 1], [3, 1, 5]), ([2, 3, 2], [3, 4, 3]), ([3, 4, 5], [1, 1, 1])],
    };

    [TestCaseSource(nameof(AdaptiveKernels))]
    public void Adaptive_MatchesReference_AndLayoutsAgree(KernelEntry kernel)
    {
        int compared = 0;
        var tails = ChannelTails();
        foreach (var (inS, outS) in AdaptiveSizes(kernel.Rank))
            foreach (var sem in kernel.Reduction == Reduction.Max ? new[] { PoolSemantics.Torch, PoolSemantics.Onnx } : [PoolSemantics.Torch])
            {
                int c = tails[compared % tails.Length];
                string fixture = Fixtures[(compared * 5 + 3) % Fixtures.Length];
                var x = Fill(fixture, [2, c, .. inS], (ulong)(compared * 7 + 11));
                var plan = PoolPlan.Adaptive(kernel.Reduction, inS, outS, sem);
                var (vals, idx) = RunKernel(kernel, plan, outS, x, 2, "adaptive");
                string what = $"{kernel.Name} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} in [{string.Join(",", inS)}] out [{string.Join(",", outS)}] C={c} {sem.NanIndex}";
                if (kernel.Reduction == Reduction.Max)
                {
                    var (ev, ei) = AdaptivePool.Max(x, outS, sem, "output", "indices");
                    Check(ev, vals, what);
                    Check(ei, idx!, what);
                }
                else Check(AdaptivePool.Average(x, outS, "output"), vals, what);
                var other = KernelRegistry.FindAdaptive(kernel.Reduction, kernel.Rank, kernel.Layout == TensorLayout.Nchw ? TensorLayout.Nhwc : TensorLayout.Nchw);
                var (v2, i2) = RunKernel(other, plan, outS, x, 1, "adaptive");
                Assert.That(Bits(v2), Is.EqualTo(Bits(vals)), $"layouts differ: {what}");
                if (idx is not null) Assert.That(i2!.Data, Is.EqualTo(idx.Data), $"layouts' indices differ: {what}");
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(0));
    }

    /// <summary>Flat plane lengths for the global reduction (TESTING.md §6): 1..40, around the 16 slots, 49 (7×7), and 511..520.</summary>
    static readonly int[] GlobalLengths = [.. Enumerable.Range(1, 40), 47, 48, 49, 63, 64, 65, 511, 512, 513, 520];

    [Test]
    public void GlobalAverage_MatchesReference_LayoutsBitIdentical_ThreadsIrrelevant()
    {
        int i = 0;
        foreach (int len in GlobalLengths)
            foreach (var (sem, r, p) in new[] { (PoolSemantics.Torch, Reduction.Average, 2.0), (PoolSemantics.Onnx, Reduction.Lp, 2.0), (PoolSemantics.Onnx, Reduction.Lp, 1.0), (PoolSemantics.Torch, Reduction.Lp, 3.0) })
            {
                if (r == Reduction.Lp && len % 3 != 0) continue;
                int c = ChannelTails()[i % ChannelTails().Length];
                string fixture = Fixtures[i++ % Fixtures.Length];
                if (Skips(r, p, fixture)) fixture = "rand";
                var desc = new PoolDescriptor(r, [PoolGeometry.Explicit(len, len, len, 1, 0, 0, CeilRule.Floor)], sem, p);
                var (k1, why) = KernelRegistry.Find(desc, TensorLayout.Nchw);
                Assert.That(k1?.Kind, Is.EqualTo(KernelKind.Global), $"a global problem finds the global kernel ({why})");
                var k2 = KernelRegistry.Find(desc, TensorLayout.Nhwc).Kernel!;
                var x = Fill(fixture, [3, c, len], (ulong)(len * 13 + i));
                var plan = new PoolPlan(desc);
                var a = RunKernel(k1!, plan, [1], x, 2, desc.ToString());
                var b = RunKernel(k2, plan, [1], x, 1, desc.ToString());
                string what = $"global {r} p={p} length {len} C={c} fixture {fixture} [{Cascade.Name(Cascade.Widest)}]";
                Check(Expected(x, desc).Values, a.Values, what);
                Assert.That(Bits(b.Values), Is.EqualTo(Bits(a.Values)), $"layouts differ: {what}");
            }
    }

    /// <summary>
    /// The planar kernel's sixteen-plane fold (AVX-512: sixteen planes' slots folded together by shuffles) against the oracle and
    /// against the channels-last kernel, which folds its slots in memory one row at a time — an independent arrangement of the
    /// same documented order, so equal bits mean every lane was lined up with its own plane. Plane counts below, at and around
    /// multiples of 16 (the remainder takes the one-plane path), every fixture family, lengths around the 16 slots and 7×7,
    /// 1 and 2 threads.
    /// </summary>
    [Test]
    public void GlobalAverage_SixteenPlaneFold_MatchesReference_AndChannelsLast()
    {
        int i = 0;
        foreach (int len in new[] { 1, 2, 15, 16, 17, 31, 32, 33, 49, 64 })
            foreach (int planes in new[] { 15, 16, 17, 33, 48, 70 })
            {
                string fixture = Fixtures[i++ % Fixtures.Length];
                var desc = new PoolDescriptor(Reduction.Average, [PoolGeometry.Explicit(len, len, len, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
                var plan = new PoolPlan(desc);
                var x = Fill(fixture, [1, planes, len], (ulong)(len * 131 + planes));
                string what = $"global avg length {len}, {planes} planes, fixture {fixture} [{Cascade.Name(Cascade.Widest)}]";
                var a = RunKernel(KernelRegistry.Find(desc, TensorLayout.Nchw).Kernel!, plan, [1], x, 1, what);
                var a2 = RunKernel(KernelRegistry.Find(desc, TensorLayout.Nchw).Kernel!, plan, [1], x, 2, what);
                var b = RunKernel(KernelRegistry.Find(desc, TensorLayout.Nhwc).Kernel!, plan, [1], x, 1, what);
                Check(Expected(x, desc).Values, a.Values, what);
                Assert.That(Bits(b.Values), Is.EqualTo(Bits(a.Values)), $"layouts differ: {what}");
                Assert.That(Bits(a2.Values), Is.EqualTo(Bits(a.Values)), $"threads differ: {what}");
            }
    }

    /// <summary>
    /// Signed zeros through the global reduction, whose AVX-512 path adds the tail taps with a vector whose other lanes hold −0
    /// (the additive identity, so those slots keep their bits), for every length 1..40 and 49: planes of −0 with a +0 in the
    /// tail or at the start. The documented order starts every slot at +0, so (hand) every slot stays +0 — +0 + (−0) = +0 — and
    /// every result is +0, the value PyTorch's sum from 0 gives too. Planar and channels-last agree bit for bit (the
    /// channels-last kernel keeps its 16 slots in memory, one scalar add each), with several planes per call so the planar kernel
    /// serves all but the last from registers.
    /// </summary>
    [Test]
    public void GlobalAverage_SignedZeroPlanes_GivePlusZero_InEveryLayout()
    {
        foreach (int len in Enumerable.Range(1, 40).Append(49))
        {
            var desc = new PoolDescriptor(Reduction.Average, [PoolGeometry.Explicit(len, len, len, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
            var plan = new PoolPlan(desc);
            int c = 5;
            var d = new double[c * len];
            for (int q = 0; q < c; q++)
                for (int i = 0; i < len; i++) d[q * len + i] = -0.0;
            d[1 * len + (len - 1)] = 0.0;   // plane 1: one +0 at its last tap (a tail tap when len % 16 != 0)
            d[3 * len] = 0.0;               // plane 3: one +0 at its first tap
            var x = new Tensor(DType.Float32, [1, c, len], d);
            var a = RunKernel(KernelRegistry.Find(desc, TensorLayout.Nchw).Kernel!, plan, [1], x, 1, desc.ToString());
            var b = RunKernel(KernelRegistry.Find(desc, TensorLayout.Nhwc).Kernel!, plan, [1], x, 1, desc.ToString());
            Assert.That(Bits(a.Values), Is.EqualTo(new[] { 0, 0, 0, 0, 0 }), $"length {len}: slots start at +0, so zero planes give +0");
            Assert.That(Bits(b.Values), Is.EqualTo(Bits(a.Values)), $"length {len}: layouts differ");
        }
    }

    /// <summary>
    /// The fused 3×3 stride-1 accumulation (Vector512 only; W3 and Inception's pools) against the channels-last kernel, which
    /// scans every window directly in the documented order — bit for bit, so the fused pass adds exactly as the separable passes
    /// do, −0 padding and all — and against the reference with verify's bound: padding 0 and 1, floor and ceil, widths around two
    /// vectors and W3's 56, heights from 1, every divisor policy and the Lp operators, every fixture family.
    /// </summary>
    [Test]
    public void Fused3x3_EqualsTheDirectScan_BitForBit()
    {
        if (Cascade.Widest != Tier.V512) Assert.Ignore("the fused 3×3 path runs in the Vector512 tier only (the others take the separable passes)");
        int compared = 0, i = 0;
        var ops = new (Reduction R, PoolSemantics Sem, double P)[]
        {
            (Reduction.Average, PoolSemantics.Torch, 2), (Reduction.Average, PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad }, 2),
            (Reduction.Average, PoolSemantics.Torch with { Divisor = DivisorPolicy.Override }, 2), (Reduction.Lp, PoolSemantics.Torch, 2),
            (Reduction.Lp, PoolSemantics.Onnx, 1), (Reduction.Lp, PoolSemantics.Torch, 1),
        };
        foreach (int w in new[] { 32, 33, 34, 35, 47, 56, 57 })
            foreach (int h in new[] { 1, 2, 3, 7 })
                foreach (var (pad, ceil) in new[] { (1, false), (0, false), (1, true), (0, true) })
                {
                    var (r, sem, pNorm) = ops[i % ops.Length];
                    string fixture = Fixtures[i++ % Fixtures.Length];
                    if (Skips(r, pNorm, fixture)) fixture = "rand";
                    PoolDescriptor desc;
                    try
                    {
                        var rule = ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
                        desc = new PoolDescriptor(r, [PoolGeometry.Explicit(h, 3, 1, 1, pad, pad, rule), PoolGeometry.Explicit(w, 3, 1, 1, pad, pad, rule)], sem, pNorm,
                            DivisorOverride: sem.Divisor == DivisorPolicy.Override ? 7 : 0);
                    }
                    catch (InvalidParameterException) { continue; }
                    var plan = new PoolPlan(desc);
                    if (!NchwDriver.TakesFused3x3Path(plan)) continue;
                    var nchw = KernelRegistry.Find(desc, TensorLayout.Nchw).Kernel!;
                    var nhwc = KernelRegistry.Find(desc, TensorLayout.Nhwc).Kernel!;
                    var x = Fill(fixture, [2, 3, h, w], (ulong)(w * 31 + h * 7 + i));
                    var a = RunKernel(nchw, plan, [desc.Axes[0].Output, desc.Axes[1].Output], x, 2, desc.ToString());
                    var b = RunKernel(nhwc, plan, [desc.Axes[0].Output, desc.Axes[1].Output], x, 1, desc.ToString());
                    string what = $"{r} p={pNorm} {sem.Divisor} pad {pad} ceil {ceil} shape [2,3,{h},{w}] fixture {fixture}";
                    Assert.That(Bits(a.Values), Is.EqualTo(Bits(b.Values)), $"fused planar differs from the direct channels-last scan: {what}");
                    Check(Expected(x, desc).Values, a.Values, what);
                    compared++;
                }
        Assert.That(compared, Is.GreaterThanOrEqualTo(40), "too few problems take the fused path");
        var w3 = new PoolDescriptor(Reduction.Average, [PoolGeometry.Explicit(56, 3, 1, 1, 1, 1, CeilRule.Floor), PoolGeometry.Explicit(56, 3, 1, 1, 1, 1, CeilRule.Floor)],
            PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad });
        Assert.That(NchwDriver.TakesFused3x3Path(new PoolPlan(w3)), Is.True, "W3 takes the fused path");
        // Hand: a plane of −0 averages to −0 everywhere (every partial sum of −0 is −0, −0 / d = −0); a +0 where the fused pass
        // pads the first strip's left or the last strip's right edge would make those border outputs +0.
        var negZeros = new Tensor(DType.Float32, [1, 2, 5, 56], Enumerable.Repeat(-0.0, 2 * 5 * 56).ToArray());
        var w3Small = new PoolDescriptor(Reduction.Average, [PoolGeometry.Explicit(5, 3, 1, 1, 1, 1, CeilRule.Floor), PoolGeometry.Explicit(56, 3, 1, 1, 1, 1, CeilRule.Floor)],
            PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad });
        var z = RunKernel(KernelRegistry.Find(w3Small, TensorLayout.Nchw).Kernel!, new PoolPlan(w3Small), [5, 56], negZeros, 1, w3Small.ToString());
        Assert.That(Bits(z.Values).Distinct(), Is.EqualTo(new[] { unchecked((int)0x80000000) }), "every output of a −0 plane is −0");
    }

    [Test]
    public void FirstTapOnlyNaN_WinsOnlyAsTheWindowsFirstTap_NotAsALaterRowsFirstTap()
    {
        // One 2×3 window (TensorFlow argmax rule), hand-worked: the scan seeds with tap 0 and replaces on a strict ordered >.
        var axes = new[] { PoolGeometry.Explicit(2, 2, 1, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(3, 3, 1, 1, 0, 0, CeilRule.Floor) };
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.TfArgmax);
        var cases = new (double[] X, double Value, long Index)[]
        {
            ([double.NaN, 1, 2, 3, 4, 0], double.NaN, 0),   // NaN first tap: nothing replaces it
            ([1, 2, 0, double.NaN, 5, 4], 5, 4),            // NaN first in the second row: ignored, 5 still wins
            ([1, double.NaN, 3, 3, double.NaN, 2], 3, 2),   // NaN elsewhere never wins; the first 3 of a tie stays
            ([-0.0, 0.0, double.NegativeInfinity, 0.0, -1, -2], -0.0, 0),
        };
        var k = KernelRegistry.MaxPool2dNhwc;
        Assert.That(KernelRegistry.MaxPool2dNchw.Unsupported(desc), Does.Contain("first tap"), "the planar (separable) kernel refuses the rule");
        foreach (var (xd, value, index) in cases)
        {
            var x = new Tensor(DType.Float32, [1, 1, 2, 3], xd);
            var (v, i) = RunKernel(k, new PoolPlan(desc), [1, 1], x, 1, desc.ToString());
            Assert.That(double.IsNaN(v.Data[0]) ? double.NaN : v.Data[0], Is.EqualTo(value), $"value of [{string.Join(", ", xd)}]");
            Assert.That(i!.Data[0], Is.EqualTo(index), $"index of [{string.Join(", ", xd)}]");
            Assert.That(MaxPool.Compute(x, desc, "o", "i").Indices.Value.Data[0], Is.EqualTo(index), "the reference agrees with the hand-worked index");
        }
    }

    [Test]
    public void GlobalAverage_W4Shape_UsesTheFlatReduction_AndMatchesReference()
    {
        // W4's problem (global 7×7 average, here 2×40 planes): the 2-D descriptor k = 7, s = 7 resolves to the global kernel.
        var desc = new PoolDescriptor(Reduction.Average, [PoolGeometry.Explicit(7, 7, 7, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(7, 7, 7, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
        foreach (var layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
        {
            var k = KernelRegistry.Find(desc, layout).Kernel!;
            Assert.That(k.Kind, Is.EqualTo(KernelKind.Global), k.Name);
            var x = Fill("rand", [2, 40, 7, 7], 4);
            var (v, _) = RunKernel(k, new PoolPlan2d(desc), [1, 1], x, 2, desc.ToString());
            Check(AveragePool.Compute(x, desc, "output"), v, $"W4 shape {layout}");
        }
    }
}
