using NUnit.Framework;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// Every kernel of <see cref="KernelRegistry"/> against the reference over generated sweeps (TESTING.md §6, §11):
/// channel counts from the active vector width <c>w</c> ({1, w−1, w, w+1, 2w−1, 5w}), spatial sizes with tails of
/// 1, w−1, w+1 and primes, the named geometry edges, and the fixture families of §5 (ties, NaN at the first, middle and
/// last taps, ±0, −∞ windows, subnormals), with the tolerance object <c>verify</c> uses (<see cref="Tolerance.Derived"/>).
/// NCHW and NHWC must give bit-identical values and indices, and 1 and 2 threads the same bits. <c>.ci/run</c> reruns
/// this category in each ISA tier; <see cref="IsaTier_IsTheOneRequested"/> proves the tier took effect.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedKernelTests
{
    internal static readonly int Width = (int)Cascade.Widest;

    /// <summary>A named 2-D geometry edge (TESTING.md §6), both axes alike unless stated.</summary>
    public sealed record Geometry(string Name, int K, int S, int PadBegin, int PadEnd, int D, bool Ceil)
    {
        public override string ToString() => Name;
    }

    public static readonly Geometry[] Geometries =
    [
        new("resnet_k3s2p1", 3, 2, 1, 1, 1, false),
        new("vgg_k2s2", 2, 2, 0, 0, 1, false),
        new("inception_k3s1p1", 3, 1, 1, 1, 1, false),
        new("ceil_overhang_k2s3", 2, 3, 0, 0, 1, true),
        new("ceil_k3s2p1", 3, 2, 1, 1, 1, true),
        new("dilation_pad_ceil", 3, 2, 2, 2, 2, true),
        new("dilation_2_s1", 3, 1, 0, 0, 2, false),
        new("only_pad_l", 3, 2, 1, 0, 1, false),
        new("kw_equals_pw_empty", 3, 1, 3, 0, 1, false),
        new("one_by_one", 1, 1, 0, 0, 1, false),
        new("large_k5s1p2", 5, 1, 2, 2, 1, false),
    ];

    internal static readonly string[] Fixtures = ["rand", "ties", "nan", "zeros", "neginf", "subnormal"];

    internal static int[] ChannelTails() => new[] { 1, Width - 1, Width, Width + 1, 2 * Width - 1, 5 * Width }.Where(c => c >= 1).Distinct().ToArray();

    static int[] Sizes() => new[] { 1, 2, 3, Width - 1, Width, Width + 1, 2 * Width + 1, 13, 17 }.Where(c => c >= 1).Distinct().ToArray();

    /// <summary>The 2-D window kernels (the N-D ones: <see cref="OptimizedKernelNdTests"/>).</summary>
    public static IEnumerable<TestCaseData> KernelsAndGeometries() =>
        from k in KernelRegistry.All where k.Kind == KernelKind.Window && k.Rank == 2
        from g in Geometries select new TestCaseData(k, g).SetName($"{k.Name}_{g.Name}");

    /// <summary>
    /// The semantics (and Lp exponent) a kernel is checked under: both NaN index rules and TensorFlow's first-tap-only NaN for max; every divisor policy for
    /// average; PyTorch's raw inflated and ONNX's absolute true-norm Lp with the p = 2 and p = 1 fast paths and general p.
    /// </summary>
    internal static IEnumerable<(PoolSemantics Sem, double P)> SemanticsFor(Reduction r) => r switch
    {
        Reduction.Max => [(PoolSemantics.Torch, 2), (PoolSemantics.Onnx, 2), (PoolSemantics.TfArgmax, 2)],
        Reduction.Average => [(PoolSemantics.Torch, 2), (PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad }, 2), (PoolSemantics.Onnx, 2),
           (PoolSemantics.Torch with { Divisor = DivisorPolicy.Override }, 2)],
        _ => [(PoolSemantics.Torch, 2), (PoolSemantics.Onnx, 2), (PoolSemantics.Torch, 1), (PoolSemantics.Onnx, 1), (PoolSemantics.Torch, 3), (PoolSemantics.Onnx, 1.5)],
    };

    static PoolDescriptor? Describe(Reduction r, Geometry g, int h, int w, PoolSemantics sem, double p = 2) => Describe(r, g, [h, w], sem, p);

    /// <summary>A descriptor with geometry <paramref name="g"/> on every axis of <paramref name="sizes"/>, or null when the window does not fit.</summary>
    internal static PoolDescriptor? Describe(Reduction r, Geometry g, int[] sizes, PoolSemantics sem, double p = 2)
    {
        try
        {
            var rule = g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
            var axes = sizes.Select(n => PoolGeometry.Explicit(n, g.K, g.S, g.D, g.PadBegin, g.PadEnd, rule)).ToArray();
            return new PoolDescriptor(r, axes, sem, p, DivisorOverride: sem.Divisor == DivisorPolicy.Override ? 7 : 0);
        }
        catch (InvalidParameterException) { return null; } // the window does not fit: not a problem of this size
    }

    /// <summary>
    /// Fixtures a kernel is not held to, with the reason: Lp terms other than p = 1 are formed in float32, where the square of a
    /// subnormal underflows to 0 (the reference forms them in double), a documented limit of the float32 Lp kernels.
    /// </summary>
    internal static bool Skips(Reduction r, double p, string fixture) => r == Reduction.Lp && p != 1 && fixture == "subnormal";

    /// <summary>The reference's expectation (value and bound) for a window descriptor.</summary>
    internal static (Expectation Values, Expectation? Indices) Expected(Tensor x, PoolDescriptor desc)
    {
        if (desc.Reduction == Reduction.Max)
        {
            var (v, i) = MaxPool.Compute(x, desc, "output", "indices");
            return (v, i);
        }
        return (desc.Reduction == Reduction.Average ? AveragePool.Compute(x, desc, "output") : LpPool.Compute(x, desc, "output"), null);
    }

    /// <summary>Float32-representable NCHW data of one fixture family, seeded per case (SplitMix64, replayable).</summary>
    internal static Tensor Fill(string fixture, int[] shape, ulong seed)
    {
        var rng = new SplitMix64(seed);
        double U() => rng.NextDouble();
        int plane = (int)Tensor.ElementCount(shape[2..]);
        var d = new double[shape[0] * shape[1] * plane];
        for (int i = 0; i < d.Length; i++)
        {
            int inPlane = i % plane;
            d[i] = fixture switch
            {
                "ties" => Math.Floor(U() * 5) - 2,
                "nan" => inPlane == 0 || inPlane == plane / 2 || inPlane == plane - 1 || inPlane == plane / 2 + 1 || U() < 0.08 ? double.NaN : (float)(U() * 2 - 1),
                "zeros" => U() switch { < 0.45 => -0.0, < 0.9 => 0.0, _ => -1 },
                "neginf" => U() < 0.85 ? double.NegativeInfinity : (float)(U() * 2 - 1),
                "subnormal" => (U() < 0.5 ? -1 : 1) * float.Epsilon * Math.Floor(U() * 1000),
                _ => (float)(U() * 2 - 1),
            };
        }
        return new Tensor(DType.Float32, shape, d);
    }

    internal static float[] ToFloats(Tensor t) => t.Data.Select(v => (float)v).ToArray();

    /// <summary>Runs a kernel on an NCHW tensor (transposing for NHWC kernels) and returns NCHW values and indices.</summary>
    static (Tensor Values, Tensor? Indices) RunKernel(KernelEntry k, PoolDescriptor desc, Tensor x, int threads) =>
        RunKernel(k, new PoolPlan(desc), desc.Axes.Select(a => a.Output).ToArray(), x, threads, desc.ToString());

    /// <summary>Runs a kernel on a plan over an NCHW tensor (transposing for channels-last kernels); returns NCHW values and indices.</summary>
    internal static (Tensor Values, Tensor? Indices) RunKernel(KernelEntry k, PoolPlan plan, int[] outSpatial, Tensor x, int threads, string desc)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var input = k.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
        var y = new float[n * c * plan.OutputPlane];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5)); // poison: a NaN payload no computation produces
        long[]? idx = plan.Reduction == Reduction.Max ? Enumerable.Repeat((1L << 24) - 1, y.Length).ToArray() : null;
        k.Run(plan, n, c, ToFloats(input), y, idx, threads);
        int[] outShape = k.Layout == TensorLayout.Nhwc ? [n, .. outSpatial, c] : [n, c, .. outSpatial];
        var vals = new Tensor(DType.Float32, outShape, y.Select(v => (double)v).ToArray());
        var ind = idx is null ? null : new Tensor(DType.Int64, outShape, idx.Select(v => (double)v).ToArray());
        if (k.Layout == TensorLayout.Nhwc) { vals = Layout.ToChannelsFirst(vals); ind = ind is null ? null : Layout.ToChannelsFirst(ind); }
        foreach (var v in y)
            Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), $"{k.Name}: an output was never written ({desc})");
        return (vals, ind);
    }

    [TestCaseSource(nameof(KernelsAndGeometries))]
    public void Kernel_MatchesReference_OverSweepsAndFixtures(KernelEntry kernel, Geometry g)
    {
        var channels = ChannelTails();
        var sizes = Sizes();
        int combo = 0, compared = 0;
        foreach (int w in sizes)
            foreach (int h in new[] { 5, Width + 1 }.Distinct())
                foreach (var (sem, pNorm) in SemanticsFor(kernel.Reduction))
                {
                    var desc = Describe(kernel.Reduction, g, h, w, sem, pNorm);
                    if (desc is null) continue;
                    if (sem.Nan == NanPolicy.FirstTapOnly && kernel.Layout == TensorLayout.Nchw)
                {
                    // Separable passes would let a NaN at a later row's first tap hide that row: refused, with the reason.
                    Assert.That(kernel.Unsupported(desc), Does.Contain("first tap"), $"{kernel.Name} must refuse {desc}");
                    continue;
                }
                Assert.That(kernel.Unsupported(desc), Is.Null, $"{kernel.Name} must serve {desc}");
                    // Channel tails and fixtures rotate with co-prime-ish strides, so every pair meets across the sweep
                    // without a full product (the tier reruns of .ci/run repeat this category four times).
                    int c = channels[combo % channels.Length];
                    var fixtures = new[] { Fixtures[(combo + combo / Fixtures.Length) % Fixtures.Length], Fixtures[(combo * 5 + 2) % Fixtures.Length] }.Distinct();
                    combo++;
                    foreach (var fixture in fixtures.Where(f => !Skips(kernel.Reduction, pNorm, f)))
                    {
                        ulong seed = (ulong)(combo * 131 + Array.IndexOf(Fixtures, fixture));
                        var x = Fill(fixture, [2, c, h, w], seed);
                        var (vals, idx) = RunKernel(kernel, desc, x, threads: 2);
                        string repro = $"{kernel.Name} [{Cascade.Name(Cascade.Widest)}] fixture {fixture} seed {seed} shape [2,{c},{h},{w}]: {desc}";
                        var (ev, ei) = Expected(x, desc);
                        var cv = OutputComparer.Compare(ev, vals, Tolerance.Derived);
                        Assert.That(cv.Passed, Is.True, $"{cv.Describe()}\n  {repro}");
                        if (ei is not null)
                        {
                            var ci = OutputComparer.Compare(ei, idx!, Tolerance.Derived);
                            Assert.That(ci.Passed, Is.True, $"{ci.Describe()}\n  {repro}");
                        }
                        compared++;
                    }
                }
        Assert.That(compared, Is.GreaterThan(0), $"no size fits geometry {g}");
    }

    public static IEnumerable<TestCaseData> ReductionsAndGeometries() =>
        from r in new[] { Reduction.Max, Reduction.Average, Reduction.Lp } from g in Geometries select new TestCaseData(r, g).SetName($"{r}_{g.Name}");

    [TestCaseSource(nameof(ReductionsAndGeometries))]
    public void NchwAndNhwc_GiveIdenticalBits_AndThreadCountDoesNotMatter(Reduction r, Geometry g)
    {
        var nchw = KernelRegistry.All.Single(k => k.Reduction == r && k.Layout == TensorLayout.Nchw && k.Kind == KernelKind.Window && k.Rank == 2);
        var nhwc = KernelRegistry.All.Single(k => k.Reduction == r && k.Layout == TensorLayout.Nhwc && k.Kind == KernelKind.Window && k.Rank == 2);
        int compared = 0;
        var tails = ChannelTails();
        foreach (int c in tails)
            foreach (var fixture in Fixtures.Where((_, i) => i % tails.Length == Array.IndexOf(tails, c) % tails.Length || i == (Array.IndexOf(tails, c) + 3) % Fixtures.Length))
            {
                int hh = Math.Max(2 * Width + 1, 7);
                var desc = Describe(r, g, hh, 13, r == Reduction.Max ? PoolSemantics.Torch : PoolSemantics.Onnx, r == Reduction.Lp ? 3 : 2);
                if (desc is null) continue;
                var x = Fill(fixture, [3, c, hh, 13], (ulong)c * 7919);
                var a = RunKernel(nchw, desc, x, threads: 1);
                var b = RunKernel(nhwc, desc, x, threads: 2);
                var a2 = RunKernel(nchw, desc, x, threads: 2);
                string what = $"{r} {g} C={c} fixture {fixture}";
                Assert.That(Bits(b.Values), Is.EqualTo(Bits(a.Values)), $"NHWC values differ from NCHW: {what}");
                Assert.That(Bits(a2.Values), Is.EqualTo(Bits(a.Values)), $"2 threads differ from 1: {what}");
                if (r == Reduction.Max) Assert.That(b.Indices!.Data, Is.EqualTo(a.Indices!.Data), $"NHWC indices differ from NCHW: {what}");
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(0));
    }

    public static IEnumerable<TestCaseData> MaxKernelsAndGeometries() =>
        from k in KernelRegistry.All where k.Reduction == Reduction.Max && k.Kind == KernelKind.Window
        from g in Geometries select new TestCaseData(k, g).SetName($"ValuesOnly_{k.Name}_{g.Name}");

    /// <summary>
    /// A max without indices takes the values-only paths (planar stride 2: columns first; channels-last: an ordered max per tap
    /// with a NaN detector and a rescan), which must give the bits of the path with indices and the reference's values, in every
    /// rank, layout, geometry, NaN rule and fixture — plus a NaN-dense input (every fifth tap) and one with +∞ and −∞ side by side
    /// (the detector's false alarm).
    /// </summary>
    [TestCaseSource(nameof(MaxKernelsAndGeometries))]
    public void MaxValuesOnly_EqualValuesWithIndices_AndTheReference(KernelEntry kernel, Geometry g)
    {
        int compared = 0, i = 0;
        var tails = ChannelTails();
        int[] sizes = kernel.Rank switch { 1 => [2 * Width + 3], 2 => [7, 2 * Width + 3], _ => [5, 6, Width + 5] };
        foreach (var (sem, _) in SemanticsFor(Reduction.Max))
        {
            var desc = Describe(Reduction.Max, g, sizes, sem);
            if (desc is null || kernel.Unsupported(desc) is not null) continue;
            var plan = new PoolPlan(desc);
            foreach (var fixture in Fixtures.Append("nan-dense").Append("infinities"))
            {
                int c = tails[i++ % tails.Length];
                int[] shape = [2, c, .. sizes];
                var x = Fill(fixture is "nan-dense" or "infinities" ? "rand" : fixture, shape, (ulong)(i * 17 + kernel.Rank));
                var d = x.Data.ToArray();
                if (fixture == "nan-dense") for (int j = 0; j < d.Length; j += 5) d[j] = double.NaN;
                if (fixture == "infinities") for (int j = 0; j + 1 < d.Length; j += 7) { d[j] = double.PositiveInfinity; d[j + 1] = double.NegativeInfinity; }
                x = new Tensor(DType.Float32, shape, d);
                var input = kernel.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
                var y = new float[2 * c * plan.OutputPlane];
                Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
                kernel.Run(plan, 2, c, ToFloats(input), y, null, threads: 2);
                int[] outShape = kernel.Layout == TensorLayout.Nhwc ? [2, .. desc.Axes.Select(a => a.Output), c] : [2, c, .. desc.Axes.Select(a => a.Output)];
                var vals = new Tensor(DType.Float32, outShape, y.Select(v => (double)v).ToArray());
                if (kernel.Layout == TensorLayout.Nhwc) vals = Layout.ToChannelsFirst(vals);
                var withIndices = RunKernel(kernel, plan, desc.Axes.Select(a => a.Output).ToArray(), x, 1, desc.ToString());
                string what = $"{kernel.Name} [{Cascade.Name(Cascade.Widest)}] {sem.Nan} fixture {fixture} shape [{string.Join(",", shape)}]: {desc}";
                Assert.That(Bits(vals), Is.EqualTo(Bits(withIndices.Values)), $"values-only bits differ from the path with indices: {what}");
                var cmp = OutputComparer.Compare(Expected(x, desc).Values, vals, Tolerance.Derived);
                Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(0), $"no size fits {g} for {kernel.Name}");
    }

    /// <summary>
    /// A seeded random sweep of 2-D geometries the fixed lists do not reach — asymmetric explicit pads up to 4 (ONNX allows
    /// pads past half the kernel, so whole windows fall in the padding), kernels 1–5, strides 1–3, dilations 1–2, floor and
    /// ceil, widths 1–52 (past three Vector512) — through every fast path's entry (planar max without indices: stride-2 columns
    /// first; planar accumulation: fused 3×3) and the general ones: planar values equal channels-last values bit for bit, and
    /// both equal the reference within verify's bound. The seed and the geometry are in every message.
    /// </summary>
    [Test]
    public void RandomGeometries_PlanarEqualsChannelsLast_AndTheReference()
    {
        const ulong seed = 20261130;
        var rng = new Random((int)seed);
        int compared = 0, stride2 = 0, fused = 0;
        for (int trial = 0; trial < 160; trial++)
        {
            var r = (Reduction)(new[] { Reduction.Max, Reduction.Average, Reduction.Lp })[trial % 3];
            int k = rng.Next(1, 6), st = rng.Next(1, 4), dil = rng.Next(1, 3);
            int pl = rng.Next(0, 5), pr = rng.Next(0, 5), h = rng.Next(1, 12), w = rng.Next(1, 3 * 16 + 5); // widths up to three Vector512 whatever the tier
            bool ceil = rng.Next(2) == 1;
            var sem = r == Reduction.Max ? (trial % 2 == 0 ? PoolSemantics.Onnx : PoolSemantics.Torch)
                : r == Reduction.Average ? PoolSemantics.Onnx with { Divisor = trial % 2 == 0 ? DivisorPolicy.ExcludePad : DivisorPolicy.IncludePad }
                : PoolSemantics.Onnx;
            PoolDescriptor desc;
            try
            {
                var rule = ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
                desc = new PoolDescriptor(r, [PoolGeometry.Explicit(h, k, st, dil, pl, pr, rule), PoolGeometry.Explicit(w, k, st, dil, pr, pl, rule)], sem, 2);
            }
            catch (InvalidParameterException) { continue; }
            var (nchw, _) = KernelRegistry.Find(desc, TensorLayout.Nchw);
            var (nhwc, _) = KernelRegistry.Find(desc, TensorLayout.Nhwc);
            if (nchw is null || nhwc is null) continue;
            var plan = new PoolPlan(desc);
            if (r == Reduction.Max && NchwDriver.TakesStride2ValuesPath(plan)) stride2++;
            if (r != Reduction.Max && NchwDriver.TakesFused3x3Path(plan)) fused++;
            string fixture = Fixtures[trial % Fixtures.Length];
            if (Skips(r, 2, fixture)) fixture = "rand";
            int c = ChannelTails()[trial % ChannelTails().Length];
            var x = Fill(fixture, [2, c, h, w], seed + (ulong)trial);
            float[] Values(KernelEntry kk)
            {
                var input = kk.Layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
                var y = new float[2 * c * plan.OutputPlane];
                Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
                kk.Run(plan, 2, c, ToFloats(input), y, null, threads: 2);
                if (kk.Layout == TensorLayout.Nchw) return y;
                var t = Layout.ToChannelsFirst(new Tensor(DType.Float32, [2, desc.Axes[0].Output, desc.Axes[1].Output, c], y.Select(v => (double)v).ToArray()));
                return t.Data.Select(v => (float)v).ToArray();
            }
            var a = Values(nchw);
            var b = Values(nhwc);
            string what = $"seed {seed} trial {trial}: {desc} C={c} fixture {fixture} [{Cascade.Name(Cascade.Widest)}]";
            var bitsA = a.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();
            var bitsB = b.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();
            Assert.That(bitsA, Is.EqualTo(bitsB), $"planar and channels-last differ: {what}");
            var vals = new Tensor(DType.Float32, [2, c, desc.Axes[0].Output, desc.Axes[1].Output], a.Select(v => (double)v).ToArray());
            var cmp = OutputComparer.Compare(Expected(x, desc).Values, vals, Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(60));
        TestContext.Out.WriteLine($"{compared} compared; {stride2} took the stride-2 columns-first path, {fused} the fused 3×3 path");
        Assert.That(stride2, Is.GreaterThan(3), "too few random geometries reach the stride-2 path");
    }

    /// <summary>Float32 bits, every NaN mapped to one pattern (payloads are not compared).</summary>
    internal static int[] Bits(Tensor t) => t.Data.Select(v => double.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits((float)v)).ToArray();

    [Test]
    public void MaxOperator_PropagatesNaN_ReportsLastNaN_KeepsFirstOfTiesAndZeros()
    {
        // One 1×1×1×6 plane, k = 6: the NaN index rule and the tie rule decide the answers.
        var x = new Tensor(DType.Float32, [1, 1, 1, 6], [-0.0, 0.0, double.NaN, 1, double.NaN, 1]);
        var axes = new[] { PoolGeometry.Explicit(1, 1, 1, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(6, 6, 1, 1, 0, 0, CeilRule.Floor) };
        foreach (var k in KernelRegistry.All.Where(k => k.Reduction == Reduction.Max && k.Rank == 2))
        {
            var last = RunKernel(k, new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Torch), x, 1);
            var first = RunKernel(k, new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Onnx), x, 1);
            Assert.That(double.IsNaN(last.Values.Data[0]) && last.Indices!.Data[0] == 4, Is.True, $"{k.Name}: PyTorch rule gives the last NaN (4)");
            Assert.That(double.IsNaN(first.Values.Data[0]) && first.Indices!.Data[0] == 2, Is.True, $"{k.Name}: ONNX rule gives the first NaN (2)");
            var zeros = new Tensor(DType.Float32, [1, 1, 1, 6], [-0.0, 0.0, -1, 0.0, -0.0, -2]);
            var z = RunKernel(k, new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Torch), zeros, 1);
            Assert.That(double.IsNegative(z.Values.Data[0]) && z.Indices!.Data[0] == 0, Is.True, $"{k.Name}: −0 before +0 keeps −0 at index 0");
        }
    }

    /// <summary>
    /// The ISA tier this process runs in is the one <c>POOLCONF_EXPECT_TIER</c> (512, 256, 128, scalar) asks for, so a
    /// renamed or ignored <c>DOTNET_Enable*</c> knob fails loudly instead of re-testing the widest path (TESTING.md §9).
    /// </summary>
    [Test]
    public void IsaTier_IsTheOneRequested()
    {
        var want = Environment.GetEnvironmentVariable("POOLCONF_EXPECT_TIER");
        if (string.IsNullOrEmpty(want)) Assert.Ignore("POOLCONF_EXPECT_TIER is not set: this run does not request an ISA tier (.ci/run sets it per tier)");
        bool v512 = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, v256 = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
             v128 = System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated;
        var got = $"Vector512 {v512}, Vector256 {v256}, Vector128 {v128}; cascade widest {Cascade.Name(Cascade.Widest)}";
        switch (want)
        {
            case "512": Assert.That(v512 && Cascade.Widest == Tier.V512, Is.True, got); break;
            case "256": Assert.That(!v512 && v256 && Cascade.Widest == Tier.V256, Is.True, got); break;
            case "128": Assert.That(!v512 && !v256 && v128 && Cascade.Widest == Tier.V128, Is.True, got); break;
            case "scalar": Assert.That(!v512 && !v256 && !v128 && Cascade.Widest == Tier.Scalar, Is.True, got); break;
            default: Assert.Fail($"POOLCONF_EXPECT_TIER must be 512, 256, 128 or scalar, got '{want}'"); break;
        }
    }
}
