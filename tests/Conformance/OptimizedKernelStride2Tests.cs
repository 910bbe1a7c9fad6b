using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The stride-2 values-only path of the planar max kernels (<see cref="NchwDriver.TakesStride2ValuesPath"/>: no indices requested,
/// width stride 2, no width dilation; issue 6's W1 and W2) against the reference, bit for bit: input widths around the active
/// vector width <c>w</c> (interior runs of 1, w−1, w, w+1, 2w+1 outputs and primes), odd and even sizes, kernels 1 to 5, pad 0
/// and 1, floor and ceil, height dilation, both NaN index rules, every fixture family, a single NaN at every input position, and
/// the row-major first-wins ±0 rule (a column-first reduction would get these wrong). Compared with
/// <see cref="OptimizedKernelTests.Bits"/>: NaN is any NaN, and −0 differs from +0 (the comparer's tolerance treats them alike).
/// <c>.ci/run</c> reruns this category in each ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedKernelStride2Tests
{
    static int Width => OptimizedKernelTests.Width;

    static KernelEntry Nchw(int rank) =>
        KernelRegistry.All.Single(k => k.Reduction == Reduction.Max && k.Layout == TensorLayout.Nchw && k.Kind == KernelKind.Window && k.Rank == rank);

    /// <summary>Input widths: interior output runs around the vector width and a few primes, odd and even inputs.</summary>
    static int[] Widths()
    {
        int w = Width;
        var outs = new[] { 1, 2, 3, w - 1, w, w + 1, 2 * w - 1, 2 * w + 1, 3 * w + 2, 13, 17, 31 };
        return outs.Where(o => o >= 1).SelectMany(o => new[] { 2 * o, 2 * o + 1, 2 * o + 2 }).Append(112).Append(113).Distinct().Order().ToArray();
    }

    public sealed record Case(string Name, int K, int Pad, bool Ceil, int DilH)
    {
        public override string ToString() => Name;
    }

    static readonly Case[] Cases =
    [
        new("k2s2", 2, 0, false, 1), new("k2s2_ceil", 2, 0, true, 1), new("k2s2p1", 2, 1, false, 1),
        new("k3s2p1", 3, 1, false, 1), new("k3s2", 3, 0, false, 1), new("k3s2p1_ceil", 3, 1, true, 1), new("k3s2_ceil", 3, 0, true, 1),
        new("k1s2", 1, 0, false, 1), new("k1s2_ceil", 1, 0, true, 1), new("k4s2p1", 4, 1, false, 1), new("k5s2p1_ceil", 5, 1, true, 1),
        new("k3s2p1_dilh2", 3, 1, false, 2),
    ];

    public static IEnumerable<TestCaseData> CaseData() => Cases.Select(c => new TestCaseData(c).SetName($"Stride2Values_{c.Name}"));

    static PoolDescriptor? Describe(Case c, int h, int w, PoolSemantics sem)
    {
        try
        {
            var rule = c.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
            var ah = PoolGeometry.Explicit(h, c.K, 2, c.DilH, c.Pad, c.Pad, rule);
            var aw = PoolGeometry.Explicit(w, c.K, 2, 1, c.Pad, c.Pad, rule);
            return new PoolDescriptor(Reduction.Max, [ah, aw], sem);
        }
        catch (InvalidParameterException) { return null; }
    }

    /// <summary>The kernel's values without indices (the fast path), as float32 bits with one NaN pattern.</summary>
    static int[] FastBits(KernelEntry k, PoolPlan plan, Tensor x, int threads)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var y = new float[n * c * plan.OutputPlane];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
        k.Run(plan, n, c, OptimizedKernelTests.ToFloats(x), y, null, threads);
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), $"{k.Name}: an output was never written");
        return y.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();
    }

    static void AssertSameAsReference(KernelEntry k, PoolDescriptor desc, Tensor x, string what)
    {
        var plan = new PoolPlan(desc);
        Assert.That(NchwDriver.TakesStride2ValuesPath(plan), Is.True, $"the fast path must serve {desc}");
        var expected = OptimizedKernelTests.Bits(MaxPool.Compute(x, desc, "output", "indices").Values.Value);
        var got1 = FastBits(k, plan, x, 1);
        var got2 = FastBits(k, plan, x, 2);
        for (int i = 0; i < expected.Length; i++)
            if (got1[i] != expected[i])
                Assert.Fail($"{what}: element {i} has bits {got1[i]:X8}, the reference {expected[i]:X8} (−1: NaN) [{Cascade.Name(Cascade.Widest)}] {desc}");
        Assert.That(got2, Is.EqualTo(got1), $"2 threads differ from 1: {what}");
    }

    [TestCaseSource(nameof(CaseData))]
    public void Stride2Values_MatchReference_BitForBit(Case c)
    {
        var k = Nchw(2);
        int combo = 0, compared = 0;
        foreach (int w in Widths())
            foreach (int h in new[] { 3, 6 })
                foreach (var sem in new[] { PoolSemantics.Torch, PoolSemantics.Onnx })
                {
                    var desc = Describe(c, h, w, sem);
                    if (desc is null || !NchwDriver.TakesStride2ValuesPath(new PoolPlan(desc))) continue;
                    foreach (var fixture in new[] { OptimizedKernelTests.Fixtures[combo % 6], OptimizedKernelTests.Fixtures[(combo * 5 + 2) % 6] }.Distinct())
                    {
                        ulong seed = (ulong)(combo * 977 + w);
                        var x = OptimizedKernelTests.Fill(fixture, [2, 3, h, w], seed);
                        AssertSameAsReference(k, desc, x, $"{c} fixture {fixture} seed {seed} shape [2,3,{h},{w}]");
                        compared++;
                    }
                    combo++;
                }
        Assert.That(compared, Is.GreaterThan(10), $"too few sizes take the fast path for {c}");
    }

    /// <summary>One NaN per plane, at every input position in turn (plane i has it at position i), other values random.</summary>
    [TestCaseSource(nameof(CaseData))]
    public void Stride2Values_NaNAtEveryPosition_Propagates(Case c)
    {
        var k = Nchw(2);
        int compared = 0;
        foreach (int w in new[] { 2 * Width + 1, 2 * Width + 2, 9 })
        {
            int h = 5, plane = h * w;
            foreach (var sem in new[] { PoolSemantics.Torch, PoolSemantics.Onnx })
            {
                var desc = Describe(c, h, w, sem);
                if (desc is null || !NchwDriver.TakesStride2ValuesPath(new PoolPlan(desc))) continue;
                var x = OptimizedKernelTests.Fill("rand", [1, plane, h, w], (ulong)(w * 31 + plane));
                var d = x.Data.ToArray();
                for (int q = 0; q < plane; q++) d[q * plane + q] = double.NaN;
                AssertSameAsReference(k, desc, new Tensor(DType.Float32, x.Shape, d), $"{c} NaN at every position, shape [1,{plane},{h},{w}]");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(0));
    }

    [Test]
    public void Stride2Values_OneDimensional_MatchReference()
    {
        var k = Nchw(1);
        int compared = 0;
        foreach (int w in Widths())
            foreach (var (kk, pad) in new[] { (2, 0), (3, 1), (3, 0), (1, 0) })
            {
                if (kk > w + 2 * pad) continue;
                var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(w, kk, 2, 1, pad, pad, CeilRule.Floor)], PoolSemantics.Torch);
                if (!NchwDriver.TakesStride2ValuesPath(new PoolPlan(desc))) continue;
                var x = OptimizedKernelTests.Fill(OptimizedKernelTests.Fixtures[compared % 6], [2, 3, w], (ulong)(w * 7 + kk));
                AssertSameAsReference(k, desc, x, $"1-D k{kk} p{pad} width {w}");
                compared++;
            }
        Assert.That(compared, Is.GreaterThan(10));
    }

    /// <summary>
    /// Hand-computed ±0 windows (k 2, s 2, one 2×2 window in the middle of a 4×(2·w + 4) plane so the vector path serves it): the
    /// row-major first of the tied zeros wins. [[−1, +0], [−0, −1]] gives +0 (a column-first reduction would give −0);
    /// [[−1, −0], [+0, −1]] gives −0; a −∞ window gives −∞; a NaN at the last tap gives NaN.
    /// </summary>
    [Test]
    public void Stride2Values_SignedZeros_FollowRowMajorFirstWins()
    {
        var k = Nchw(2);
        int w = 2 * Width + 4, h = 4;
        var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(h, 2, 2, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(w, 2, 2, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
        var plan = new PoolPlan(desc);
        Assert.That(NchwDriver.TakesStride2ValuesPath(plan), Is.True);
        var cases = new (double[] Window, int ExpectedBits)[]
        {
            ([-1, 0.0, -0.0, -1], 0),
            ([-1, -0.0, 0.0, -1], unchecked((int)0x80000000)),
            ([-0.0, -1, 0.0, -1], unchecked((int)0x80000000)),
            ([double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity], BitConverter.SingleToInt32Bits(float.NegativeInfinity)),
            ([1, 2, 3, double.NaN], -1),
        };
        int ow = Width / 2 + 1; // an output column inside the vector part
        foreach (var (win, want) in cases)
        {
            var d = Enumerable.Repeat(-5.0, h * w).ToArray();
            d[2 * w + 2 * ow] = win[0]; d[2 * w + 2 * ow + 1] = win[1]; d[3 * w + 2 * ow] = win[2]; d[3 * w + 2 * ow + 1] = win[3];
            var x = new Tensor(DType.Float32, [1, 1, h, w], d);
            var got = FastBits(k, plan, x, 1);
            Assert.That(got[plan.OW + ow], Is.EqualTo(want), $"window [{string.Join(", ", win)}]");
            AssertSameAsReference(k, desc, x, $"window [{string.Join(", ", win)}]");
        }
    }

    /// <summary>
    /// The columns-first reduction (column maxima of a window's rows, then the stride-2 maxima along them) sees the taps out of
    /// scan order, so it must hand every NaN plane and every ±0 result back to the scan-order path. Pinned here by hand for k = 3
    /// (straight-line code) and k = 5 (the loop), in three widths: 2w + 7 (k = 3 runs the two-pass form: its last window reaches the
    /// end padding), 2w + 8 and 4w − 2 (k = 3 runs the one-pass form, with a tail of 4 outputs held in one vector and a tail of
    /// w − 1 outputs computed as an overlapping block), at the padded border column, inside the vector part, and in the last two
    /// output columns: a NaN in the middle or last row of a window (the column max alone would drop it), +∞ and −∞ in one column
    /// (the NaN detector's false alarm: same bits, scan-order path), mixed-sign zeros a column-first order would resolve the other
    /// way, and a ReLU-like plane of mostly +0 with scattered −0.
    /// </summary>
    [Test]
    public void Stride2Values_ColumnsFirst_HandsNaNAndSignedZerosToScanOrder()
    {
        var k = Nchw(2);
        int h = 9, compared = 0, onePass = 0;
        foreach (int w in new[] { 2 * Width + 7, 2 * Width + 8, Math.Max(14, 4 * Width - 2) }.Distinct())
            foreach (int kk in new[] { 3, 5 })
            {
                var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(h, kk, 2, 1, 1, 1, CeilRule.Floor), PoolGeometry.Explicit(w, kk, 2, 1, 1, 1, CeilRule.Floor)], PoolSemantics.Torch);
                var plan = new PoolPlan(desc);
                Assert.That(NchwDriver.TakesStride2ValuesPath(plan), Is.True, $"{desc}");
                if (NchwDriver.TakesStride2OnePass(plan)) onePass++;
                foreach (int col in new[] { 0, 1, Width / 2 + 1, plan.OW - 2, plan.OW - 1 }.Distinct())
                {
                    // Window (oh = 1, ow = col): rows 1..kk, columns 2·col − 1 .. (in-bounds ones); put the specials in its rows 2 and kk.
                    int r0 = 1, c0 = Math.Max(0, 2 * col - 1);
                    void Put(double[] d, int row, int dc, double v) => d[(r0 + row) * w + c0 + dc] = v;
                    var baseData = OptimizedKernelTests.Fill("rand", [1, 1, h, w], (ulong)(kk * 100 + col)).Data.ToArray();
                    var nanMiddle = (double[])baseData.Clone(); Put(nanMiddle, 1, 0, double.NaN);
                    var nanLast = (double[])baseData.Clone(); Put(nanLast, kk - 1, 1, double.NaN);
                    var infs = (double[])baseData.Clone(); Put(infs, 0, 1, double.PositiveInfinity); Put(infs, kk - 1, 1, double.NegativeInfinity);
                    var zeros = Enumerable.Repeat(-1.0, h * w).ToArray(); Put(zeros, 0, 1, 0.0); Put(zeros, 1, 0, -0.0);
                    var zeros2 = Enumerable.Repeat(-1.0, h * w).ToArray(); Put(zeros2, 0, 1, -0.0); Put(zeros2, 1, 0, 0.0);
                    var relu = baseData.Select((v, i) => v < 0.3 ? (i % 7 == 0 ? -0.0 : 0.0) : v).ToArray();
                    foreach (var (name, d) in new[] { ("NaN middle row", nanMiddle), ("NaN last row", nanLast), ("+inf and -inf in a column", infs),
                                                       ("+0 then -0", zeros), ("-0 then +0", zeros2), ("ReLU-like", relu) })
                    {
                        AssertSameAsReference(k, desc, new Tensor(DType.Float32, [1, 1, h, w], d), $"k{kk} width {w} window column {col}: {name}");
                        compared++;
                    }
                }
                // Hand-computed: in scan order [[−1, +0, …], [−0, …]] the +0 comes first; a column-first order would meet −0 first.
                foreach (int oc in new[] { Width / 2 + 1, plan.OW - 1 })
                {
                    var hand = Enumerable.Repeat(-1.0, h * w).ToArray();
                    int cc = 2 * oc - 1;
                    hand[1 * w + cc + 1] = 0.0; hand[2 * w + cc] = -0.0;
                    var bits = FastBits(k, plan, new Tensor(DType.Float32, [1, 1, h, w], hand), 1);
                    Assert.That(bits[plan.OW + oc], Is.EqualTo(0), $"k{kk} width {w} column {oc}: +0 comes first in scan order");
                }
            }
        Assert.That(compared, Is.GreaterThanOrEqualTo(2 * 6 * 5));
        Assert.That(onePass, Is.EqualTo(2), "k = 3 at widths 2w + 8 and 4w − 2 runs the one-pass form");
    }

    /// <summary>
    /// Which planes run in one pass (<see cref="NchwDriver.TakesStride2OnePass"/>): W1 (k3 p1, 112 → 56) and W2 (k2 p0, 224 → 112)
    /// do, and so do k2 with begin padding 1 and end padding 0, and k1; a window reaching the end padding (k3 p1 on an odd width,
    /// k2 p1 on both sides) and a window past the taps the one pass keeps (k4, k3 p0) do not. Each of them against the reference too, on the tie fixture.
    /// </summary>
    [Test]
    public void Stride2OnePass_ServesItsGeometriesOnly()
    {
        int n = Math.Max(8, Width);
        var cases = new (int W, int K, int PadBegin, int PadEnd, bool OnePass)[]
        {
            (112, 3, 1, 1, true), (224, 2, 0, 0, true), (2 * n + 2, 2, 1, 0, true), (2 * n + 2, 1, 0, 0, true),
            (113, 3, 1, 1, false), (2 * n + 2, 2, 1, 1, false), (112, 4, 1, 1, false), (112, 3, 0, 0, false),
        };
        foreach (var (w, kk, padBegin, padEnd, want) in cases)
        {
            var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(5, 3, 2, 1, 1, 1, CeilRule.Floor), PoolGeometry.Explicit(w, kk, 2, 1, padBegin, padEnd, CeilRule.Floor)], PoolSemantics.Torch);
            var plan = new PoolPlan(desc);
            Assert.That(NchwDriver.TakesStride2OnePass(plan), Is.EqualTo(want), $"{desc} [{Cascade.Name(Cascade.Widest)}]");
            AssertSameAsReference(Nchw(2), desc, OptimizedKernelTests.Fill("ties", [1, 3, 5, w], (ulong)(w + kk)), $"{desc}");
        }
    }

    /// <summary>W1 and W2 themselves take the fast path, and requesting indices keeps the general kernel (values and indices).</summary>
    [Test]
    public void Stride2Values_ServesW1W2_AndIndicesKeepTheGeneralPath()
    {
        foreach (var (hw, kk, pad) in new[] { (112, 3, 1), (224, 2, 0) })
        {
            var axes = new[] { PoolGeometry.Explicit(hw, kk, 2, 1, pad, pad, CeilRule.Floor), PoolGeometry.Explicit(hw, kk, 2, 1, pad, pad, CeilRule.Floor) };
            var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Torch);
            Assert.That(NchwDriver.TakesStride2ValuesPath(new PoolPlan(desc)), Is.True, $"{desc}");
            var x = OptimizedKernelTests.Fill("ties", [1, 2, hw, hw], (ulong)hw);
            AssertSameAsReference(Nchw(2), desc, x, $"{desc}");
            var (vals, idx) = OptimizedKernelTests.RunKernel(Nchw(2), new PoolPlan(desc), [axes[0].Output, axes[1].Output], x, 1, desc.ToString());
            var (ev, ei) = OptimizedKernelTests.Expected(x, desc);
            Assert.That(OptimizedKernelTests.Bits(vals), Is.EqualTo(OptimizedKernelTests.Bits(ev.Value)));
            Assert.That(OutputComparer.Compare(ei!, idx!, Tolerance.Derived).Passed, Is.True, "indices of the general path");
        }
    }
}
