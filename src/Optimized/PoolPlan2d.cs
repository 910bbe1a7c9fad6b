using PoolingConformance.Core;

namespace PoolingConformance.Optimized;

/// <summary>
/// The tables a 2-D kernel reads, built once per problem from the descriptor's <see cref="Axis"/> values (the geometry
/// itself is <see cref="PoolGeometry"/>'s: first in-bounds tap and tap counts come from <see cref="Axis.InBoundsTaps"/>,
/// <see cref="Axis.InBoundsCount"/> and <see cref="Axis.PaddedCount"/>, never recomputed here). Per output row/column:
/// the first in-bounds tap and the number of in-bounds taps (they are consecutive taps, <c>d</c> apart); the divisor of
/// every output cell for averages; the windows without an in-bounds tap and the value their semantics give them.
/// </summary>
public sealed class PoolPlan2d
{
    public PoolDescriptor Descriptor { get; }
    public Axis H { get; }
    public Axis W { get; }
    public int[] FirstH { get; }
    public int[] CountH { get; }
    public int[] FirstW { get; }
    public int[] CountW { get; }
    /// <summary>Output columns whose window has all <c>k</c> taps in bounds: <c>[InteriorLo, InteriorHi)</c> (empty when Lo = Hi).</summary>
    public int InteriorLo { get; }
    public int InteriorHi { get; }
    /// <summary>Divisor of each output cell (OH × OW), averages only.</summary>
    public float[]? Divisor { get; }
    /// <summary>Output cells (<c>oh·OW + ow</c>) whose window has no in-bounds tap, with their value; index −1.</summary>
    public (int Cell, float Value)[] Empty { get; }

    public int OH => H.Output;
    public int OW => W.Output;

    /// <summary>Why a descriptor is outside what the 2-D float32 kernels implement, or null.</summary>
    public static string? Unsupported(PoolDescriptor d)
    {
        if (d.Axes.Length != 2) return $"{d.Axes.Length}-D pooling (the optimized kernels are 2-D)";
        var s = d.Semantics;
        switch (d.Reduction)
        {
            case Reduction.Max:
                if (s.Nan != NanPolicy.Propagate) return $"NaN policy {s.Nan} (kernels propagate NaN)";
                if (s.SignedZero != SignedZeroPolicy.FirstWins) return $"signed-zero policy {s.SignedZero}";
                if (s.MaxInitial != MaxInitial.NegativeInfinity) return $"max initial value {s.MaxInitial}";
                if (s.EmptyMax == EmptyWindow.Lowest) return "empty max window = lowest";
                return null;
            case Reduction.Average:
                return null;
            default: return $"{d.Reduction} pooling";
        }
    }

    public PoolPlan2d(PoolDescriptor d)
    {
        if (Unsupported(d) is { } why) throw new NotSupportedException(why);
        Descriptor = d;
        H = d.Axes[0]; W = d.Axes[1];
        (FirstH, CountH) = Taps(H);
        (FirstW, CountW) = Taps(W);
        int lo = 0;
        while (lo < OW && CountW[lo] != W.Kernel) lo++;
        int hi = lo;
        while (hi < OW && CountW[hi] == W.Kernel) hi++;
        InteriorLo = lo; InteriorHi = hi;
        for (int ow = hi; ow < OW; ow++)
            if (CountW[ow] == W.Kernel) throw new InvalidOperationException($"interior columns of {W} are not contiguous");
        var empty = new List<(int, float)>();
        var sem = d.Semantics;
        if (d.Reduction == Reduction.Average)
        {
            Divisor = new float[OH * OW];
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++)
                {
                    double div = sem.Divisor switch
                    {
                        DivisorPolicy.IncludePad => (double)H.PaddedCount(oh) * W.PaddedCount(ow),
                        DivisorPolicy.ExcludePad => (double)CountH[oh] * CountW[ow],
                        DivisorPolicy.FullKernel => (double)H.Kernel * W.Kernel,
                        _ => d.DivisorOverride,
                    };
                    if ((float)div != div) throw new NotSupportedException($"divisor {div} is not exact in float32");
                    Divisor[oh * OW + ow] = (float)div;
                    bool isEmpty = CountH[oh] == 0 || CountW[ow] == 0;
                    if (div == 0 || (isEmpty && sem.EmptyAverage == EmptyWindow.Unspecified && sem.Divisor == DivisorPolicy.ExcludePad))
                        empty.Add((oh * OW + ow, sem.EmptyAverage switch { EmptyWindow.Zero => 0f, EmptyWindow.NegativeInfinity => float.NegativeInfinity, _ => float.NaN }));
                    else if (isEmpty) empty.Add((oh * OW + ow, 0f));
                }
        }
        else
        {
            float v = sem.EmptyMax switch { EmptyWindow.Zero => 0f, EmptyWindow.NegativeInfinity => float.NegativeInfinity, _ => float.NaN };
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++)
                    if (CountH[oh] == 0 || CountW[ow] == 0) empty.Add((oh * OW + ow, v));
        }
        Empty = [.. empty];
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
