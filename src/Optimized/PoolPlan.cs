using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized;

/// <summary>
/// The tables a window kernel reads, built once per problem, for 1 to 3 spatial axes laid out as depth × height × width
/// (a 2-D problem has a trivial depth axis of length 1, a 1-D problem trivial depth and height). The geometry itself is
/// <see cref="PoolGeometry"/>'s: first in-bounds tap and tap counts come from <see cref="Axis.InBoundsTaps"/>,
/// <see cref="Axis.InBoundsCount"/> and <see cref="Axis.PaddedCount"/> (adaptive bins from <see cref="PoolGeometry.AdaptiveBin"/>),
/// never recomputed here. Per output position of each axis: the first in-bounds tap and the number of in-bounds taps (consecutive
/// taps, <c>d</c> apart); per output cell the factor its reduction finishes with (the divisor of an average, PyTorch's ceil
/// inflation <c>Πk/|R|</c> of an Lp pool, nothing for a max); the cells without an in-bounds tap and the value their
/// semantics give them (index −1). Indices are flat per (n, c) plane: <c>(id·H + ih)·W + iw</c>.
/// </summary>
public class PoolPlan
{
    /// <summary>The window problem, or null for an adaptive plan (<see cref="Adaptive"/>).</summary>
    public PoolDescriptor? Descriptor { get; }
    public Reduction Reduction { get; }
    /// <summary>Which NaN's index a max reports (PyTorch: the last; ONNX and the others: the first).</summary>
    public NanIndex NanIndex { get; }
    /// <summary>TensorFlow argmax: the first tap seeds the scan, then <c>max &lt; v</c> replaces, so NaN wins only as the first tap.</summary>
    public bool NanFirstTapOnly { get; }
    /// <summary>Max scans start from −FLT_MAX (TensorFlow): every result is floored at −FLT_MAX, the index unchanged.</summary>
    public bool FloorAtLowest { get; }
    /// <summary>Lp terms <c>x^p</c> (PyTorch) rather than <c>|x|^p</c>.</summary>
    public bool LpRaw { get; }
    /// <summary>Lp exponent (Lp plans only).</summary>
    public double P { get; }
    /// <summary>Spatial rank of the problem (1, 2 or 3).</summary>
    public int Rank { get; }
    public int LD { get; }
    public int LH { get; }
    public int LW { get; }
    public int OD { get; }
    public int OH { get; }
    public int OW { get; }
    public int DilD { get; }
    public int DilH { get; }
    public int DilW { get; }
    /// <summary>The window width in taps of the interior columns (0 for an adaptive plan: no uniform interior).</summary>
    public int KernelW { get; }
    public int[] FirstD { get; }
    public int[] CountD { get; }
    public int[] FirstH { get; }
    public int[] CountH { get; }
    public int[] FirstW { get; }
    public int[] CountW { get; }
    /// <summary>Output columns whose window has all <c>k</c> taps in bounds: <c>[InteriorLo, InteriorHi)</c> (empty when Lo = Hi).</summary>
    public int InteriorLo { get; }
    public int InteriorHi { get; }
    /// <summary>Per output cell (OD × OH × OW): the divisor of an average, the scale of an Lp pool; null for a max.</summary>
    public float[]? Factor { get; }
    /// <summary>Output cells (<c>(od·OH + oh)·OW + ow</c>) whose window has no in-bounds tap, with their value; index −1.</summary>
    public (int Cell, float Value)[] Empty { get; }

    // The geometries of the special paths, each derived from the plan by its driver on first use and kept (null included:
    // "does not apply" is computed once too).
    /// <summary>The stride-2 values-only geometry of the planar max kernel, or null where it does not apply.</summary>
    internal Drivers.NchwDriver.Stride2Rows? Stride2 => Once(ref _stride2, Drivers.NchwDriver.Stride2Rows.For);
    /// <summary>The stride-1 van Herk geometry of a max without indices (<see cref="Drivers.SlidingMax"/>), or null where it does not apply.</summary>
    public Drivers.SlidingMax.Windows? SlidingMax => Once(ref _sliding, p => Drivers.SlidingMax.Windows.For(p));
    /// <summary>The fused 3×3 stride-1 geometry of the planar accumulation kernels, or null where it does not apply.</summary>
    internal Drivers.NchwDriver.Fused3x3Geometry? Fused3x3 => Once(ref _fused, Drivers.NchwDriver.Fused3x3Geometry.For);
    /// <summary>The running-sum geometry of a stride-1 average, or null where it does not apply.</summary>
    internal Drivers.RunningSumDriver.Geometry? RunningSum => Once(ref _running, Drivers.RunningSumDriver.Geometry.For);
    (bool Known, Drivers.NchwDriver.Stride2Rows? Value) _stride2;
    (bool Known, Drivers.SlidingMax.Windows? Value) _sliding;
    (bool Known, Drivers.NchwDriver.Fused3x3Geometry? Value) _fused;
    (bool Known, Drivers.RunningSumDriver.Geometry? Value) _running;

    T? Once<T>(ref (bool Known, T? Value) slot, Func<PoolPlan, T?> derive) where T : class
    {
        if (!slot.Known)
        {
            slot.Value = derive(this);
            slot.Known = true;   // after the value, as the separate flags before this helper were written
        }
        return slot.Value;
    }

    /// <summary>One output cell whose window is the whole input plane (global pooling): the flat-reduction fast path applies.</summary>
    public bool IsGlobal => OD * OH * OW == 1 && CountD[0] == LD && CountH[0] == LH && CountW[0] == LW && Empty.Length == 0;

    /// <summary>One input and one output depth slice (every 1-D and 2-D problem): no depth pass.</summary>
    public bool SingleSlice => LD == 1 && OD == 1;

    public int InputPlane => LD * LH * LW;
    public int OutputPlane => OD * OH * OW;

    /// <summary>Kept for source compatibility with the 2-D plan's users: the factor table of an average.</summary>
    public float[]? Divisor => Reduction == Reduction.Average ? Factor : null;

    /// <summary>
    /// What the accumulate operators' <c>Finalize</c> takes per cell: for an average the reciprocal of the divisor, rounded once
    /// to float32 (a multiply instead of a division: ErrorBounds.Average allows the reciprocal's rounding and the product's),
    /// for Lp the scale itself. Computed once per plan.
    /// </summary>
    public float[]? FinalFactor => _final ??= Reduction == Reduction.Average && Factor is { } d ? Array.ConvertAll(d, v => (float)(1.0 / v)) : Factor;
    float[]? _final;

    /// <summary>Why a descriptor is outside what the float32 window kernels implement, or null.</summary>
    public static string? Unsupported(PoolDescriptor d)
    {
        if (d.Axes.Length is < 1 or > 3) return $"{d.Axes.Length}-D pooling (the optimized kernels are 1-D to 3-D)";
        var s = d.Semantics;
        switch (d.Reduction)
        {
            case Reduction.Max: return UnsupportedMax(s);
            case Reduction.Average: return null;
            case Reduction.Lp:
                if (!(d.P > 0) || double.IsInfinity(d.P)) return $"Lp exponent {d.P}";
                return null;
            default: return $"{d.Reduction} pooling";
        }
    }

    static string? UnsupportedMax(PoolSemantics s)
    {
        if (s.Nan == NanPolicy.Ignore) return $"NaN policy {s.Nan} (kernels propagate NaN, or let it win as the first tap only)";
        if (s.SignedZero != SignedZeroPolicy.FirstWins) return $"signed-zero policy {s.SignedZero}";
        return null;
    }

    public PoolPlan(PoolDescriptor d)
    {
        if (Unsupported(d) is { } why) throw new NotSupportedException(why);
        Descriptor = d;
        Reduction = d.Reduction;
        (NanIndex, FloorAtLowest, LpRaw) = (d.Semantics.NanIndex, d.Semantics.MaxInitial == MaxInitial.Lowest, d.Semantics.LpSign == LpSignMode.Raw);
        NanFirstTapOnly = d.Semantics.Nan == NanPolicy.FirstTapOnly;
        P = d.P;
        Rank = d.Axes.Length;
        var trivial = new Axis(1, 1, 1, 1, 0, 0, 1);
        var ad = Rank == 3 ? d.Axes[0] : trivial;
        var ah = Rank >= 2 ? d.Axes[Rank - 2] : trivial;
        var aw = d.Axes[Rank - 1];
        (LD, LH, LW, OD, OH, OW) = (ad.Length, ah.Length, aw.Length, ad.Output, ah.Output, aw.Output);
        (DilD, DilH, DilW, KernelW) = (ad.Dilation, ah.Dilation, aw.Dilation, aw.Kernel);
        (FirstD, CountD) = Taps(ad);
        (FirstH, CountH) = Taps(ah);
        (FirstW, CountW) = Taps(aw);
        int lo = 0;
        while (lo < OW && CountW[lo] != aw.Kernel) lo++;
        int hi = lo;
        while (hi < OW && CountW[hi] == aw.Kernel) hi++;
        InteriorLo = lo; InteriorHi = hi;
        for (int ow = hi; ow < OW; ow++)
            if (CountW[ow] == aw.Kernel) throw new InvalidOperationException($"interior columns of {aw} are not contiguous");
        var empty = new List<(int, float)>();
        var sem = d.Semantics;
        if (d.Reduction == Reduction.Max)
        {
            float v = sem.EmptyMax switch { EmptyWindow.Zero => 0f, EmptyWindow.NegativeInfinity => float.NegativeInfinity, EmptyWindow.Lowest => -float.MaxValue, _ => float.NaN };
            ForEachCell((cell, od, oh, ow) => { if (CountD[od] == 0 || CountH[oh] == 0 || CountW[ow] == 0) empty.Add((cell, v)); });
        }
        else
        {
            Factor = new float[OutputPlane];
            var factor = Factor;
            ForEachCell((cell, od, oh, ow) =>
            {
                bool isEmpty = CountD[od] == 0 || CountH[oh] == 0 || CountW[ow] == 0;
                if (d.Reduction == Reduction.Lp)
                {
                    // PyTorch's ceil inflation Πk/|R| with |R| the IncludePad count; the true norm has none. Rounded once to float32
                    // (ErrorBounds.Lp allows two roundings for the scaling: this one and the multiply).
                    double padded = (double)ad.PaddedCount(od) * ah.PaddedCount(oh) * aw.PaddedCount(ow);
                    double full = (double)ad.Kernel * ah.Kernel * aw.Kernel;
                    factor[cell] = sem.LpCeil == CeilInflation.TorchInflated && padded > 0 ? (float)(full / padded) : 1f;
                    if (isEmpty) empty.Add((cell, 0f));
                    return;
                }
                double div = sem.Divisor switch
                {
                    DivisorPolicy.IncludePad => (double)ad.PaddedCount(od) * ah.PaddedCount(oh) * aw.PaddedCount(ow),
                    DivisorPolicy.ExcludePad => (double)CountD[od] * CountH[oh] * CountW[ow],
                    DivisorPolicy.FullKernel => (double)ad.Kernel * ah.Kernel * aw.Kernel,
                    _ => d.DivisorOverride,
                };
                if ((float)div != div) throw new NotSupportedException($"divisor {div} is not exact in float32");
                factor[cell] = (float)div;
                if (div == 0 || (isEmpty && sem.EmptyAverage == EmptyWindow.Unspecified && sem.Divisor == DivisorPolicy.ExcludePad))
                    empty.Add((cell, sem.EmptyAverage switch { EmptyWindow.Zero => 0f, EmptyWindow.NegativeInfinity => float.NegativeInfinity, _ => float.NaN }));
                else if (isEmpty) empty.Add((cell, 0f));
            });
        }
        Empty = [.. empty];
    }

    /// <summary>
    /// Adaptive pooling of an input of <paramref name="inputSpatial"/> to <paramref name="outputSpatial"/> bins (1 to 3 axes):
    /// bin <c>i</c> is <see cref="PoolGeometry.AdaptiveBin"/>, never empty for positive sizes; averages divide by the bin size.
    /// Global pooling is every output size 1.
    /// </summary>
    public static PoolPlan Adaptive(Reduction reduction, int[] inputSpatial, int[] outputSpatial, PoolSemantics semantics) =>
        new(reduction, inputSpatial, outputSpatial, semantics);

    PoolPlan(Reduction reduction, int[] inputSpatial, int[] outputSpatial, PoolSemantics sem)
    {
        if (reduction == Reduction.Lp) throw new NotSupportedException("adaptive Lp pooling");
        if (inputSpatial.Length != outputSpatial.Length || inputSpatial.Length is < 1 or > 3)
            throw new ArgumentException($"adaptive pooling of rank {inputSpatial.Length} to rank {outputSpatial.Length}");
        if (inputSpatial.Any(l => l < 1) || outputSpatial.Any(o => o < 1)) throw new ArgumentException("adaptive pooling needs positive sizes");
        if (reduction == Reduction.Max && UnsupportedMax(sem) is { } why) throw new NotSupportedException(why);
        Reduction = reduction;
        (NanIndex, FloorAtLowest, NanFirstTapOnly) = (sem.NanIndex, sem.MaxInitial == MaxInitial.Lowest, sem.Nan == NanPolicy.FirstTapOnly);
        Rank = inputSpatial.Length;
        int[] L = [.. Enumerable.Repeat(1, 3 - Rank), .. inputSpatial], O = [.. Enumerable.Repeat(1, 3 - Rank), .. outputSpatial];
        (LD, LH, LW, OD, OH, OW) = (L[0], L[1], L[2], O[0], O[1], O[2]);
        (DilD, DilH, DilW, KernelW) = (1, 1, 1, 0);
        (FirstD, CountD) = Bins(L[0], O[0]);
        (FirstH, CountH) = Bins(L[1], O[1]);
        (FirstW, CountW) = Bins(L[2], O[2]);
        Empty = [];
        if (reduction == Reduction.Average)
        {
            Factor = new float[OutputPlane];
            var factor = Factor;
            ForEachCell((cell, od, oh, ow) => factor[cell] = (float)((double)CountD[od] * CountH[oh] * CountW[ow]));
        }
    }

    /// <summary>
    /// The plan of a case the host-side planner mapped (<see cref="CasePlanner"/>): its per-axis tap tables, per-cell divisor or
    /// Lp scale and semantics, fixed windows and adaptive bins alike. Throws <see cref="NotServedException"/> for a max whose NaN
    /// rule the kernels do not implement (NaN ignored, or NaN winning only as the first tap).
    /// </summary>
    public static PoolPlan From(WindowPlan wp) => new(wp);

    PoolPlan(WindowPlan wp)
    {
        var sem = wp.Semantics;
        if (wp.Reduction == Reduction.Max && sem.Nan == NanMode.Ignore)
            throw new NotServedException($"NaN mode {sem.Nan} (the kernels propagate NaN, or let it win as the first tap only)");
        NanFirstTapOnly = sem.Nan == NanMode.FirstTapOnly;
        if (NanFirstTapOnly && !wp.ChannelsLast && wp.Reduction == Reduction.Max)
            throw new NotServedException("a NaN that wins only as the first tap in a planar layout (the planar kernels are separable)");
        if (wp.Reduction == Reduction.Lp && (!(wp.P > 0) || double.IsInfinity(wp.P))) throw new NotServedException($"Lp exponent {wp.P}");
        Descriptor = wp.Descriptor;
        Reduction = wp.Reduction;
        P = wp.P;
        NanIndex = sem.Nan == NanMode.PropagateLast ? NanIndex.Last : NanIndex.First;
        FloorAtLowest = sem.MaxInitial == -float.MaxValue;
        LpRaw = sem.LpRaw;
        Rank = wp.Rank;
        var (d, h, w) = (wp.D, wp.H, wp.W);
        (LD, LH, LW, OD, OH, OW) = (d.Length, h.Length, w.Length, d.Output, h.Output, w.Output);
        (DilD, DilH, DilW) = (d.Step, h.Step, w.Step);
        (FirstD, CountD, FirstH, CountH, FirstW, CountW) = (d.Start, d.Count, h.Start, h.Count, w.Start, w.Count);
        // The interior (columns whose windows have all k taps in bounds, the row pass's SIMD part) exists for fixed windows only.
        KernelW = wp.Descriptor is null ? 0 : w.Kernel;
        int lo = 0;
        if (KernelW > 0)
        {
            while (lo < OW && CountW[lo] != KernelW) lo++;
            int hi0 = lo;
            while (hi0 < OW && CountW[hi0] == KernelW) hi0++;
            bool contiguous = true;
            for (int ow = hi0; ow < OW; ow++) if (CountW[ow] == KernelW) contiguous = false;
            (InteriorLo, InteriorHi) = contiguous ? (lo, hi0) : (0, 0);
        }
        var empty = new List<(int, float)>();
        if (wp.Reduction == Reduction.Average) Factor = wp.Divisor ?? throw new ArgumentException("an average plan without divisors");
        else if (wp.Reduction == Reduction.Lp)
        {
            Factor = wp.LpScale ?? new float[OutputPlane];
            if (wp.LpScale is null) Array.Fill(Factor, 1f);
        }
        var factor = Factor;
        ForEachCell((cell, od, oh, ow) =>
        {
            bool isEmpty = CountD[od] == 0 || CountH[oh] == 0 || CountW[ow] == 0;
            if (wp.Reduction == Reduction.Max) { if (isEmpty) empty.Add((cell, sem.EmptyMax)); }
            else if (wp.Reduction == Reduction.Average && factor![cell] == 0) empty.Add((cell, sem.EmptyAverage));
            else if (isEmpty) empty.Add((cell, 0f));
        });
        Empty = [.. empty];
    }

    static (int[] First, int[] Count) Bins(int length, int output)
    {
        var first = new int[output];
        var count = new int[output];
        for (int o = 0; o < output; o++)
        {
            var (s, e) = PoolGeometry.AdaptiveBin(o, length, output);
            first[o] = s; count[o] = e - s;
        }
        return (first, count);
    }

    void ForEachCell(Action<int, int, int, int> f)
    {
        int cell = 0;
        for (int od = 0; od < OD; od++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) f(cell++, od, oh, ow);
    }

    static (int[] First, int[] Count) Taps(Axis a)
    {
        var first = new int[a.Output];
        var count = new int[a.Output];
        for (int o = 0; o < a.Output; o++)
        {
            count[o] = a.InBoundsCount(o);
            first[o] = count[o] > 0 ? a.InBoundsTaps(o).First() : 0;
        }
        return (first, count);
    }
}

/// <summary>The 2-D plan of the first kernels, kept for its users (benchmarks): a <see cref="PoolPlan"/> of a 2-D descriptor.</summary>
public sealed class PoolPlan2d(PoolDescriptor d) : PoolPlan(Require2d(d))
{
    public new PoolDescriptor Descriptor => base.Descriptor!;
    public Axis H => Descriptor.Axes[0];
    public Axis W => Descriptor.Axes[1];

    static PoolDescriptor Require2d(PoolDescriptor d) =>
        d.Axes.Length == 2 ? d : throw new NotSupportedException($"{d.Axes.Length}-D pooling in a 2-D plan (use PoolPlan)");

    /// <summary>Why a descriptor is outside what the 2-D plan serves, or null.</summary>
    public static new string? Unsupported(PoolDescriptor d) =>
        d.Axes.Length != 2 ? $"{d.Axes.Length}-D pooling (a 2-D plan)" : PoolPlan.Unsupported(d);
}
