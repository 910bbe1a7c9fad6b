using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Planning;

/// <summary>
/// One spatial axis of a planned window problem, in the form every kernel reads: for output position <c>o</c>, the first
/// in-bounds tap <see cref="Start"/>[o], the number of in-bounds taps <see cref="Count"/>[o] and the distance between taps
/// <see cref="Step"/> (the dilation). Fixed windows (padding, ceil mode, dilation: the out-of-bounds taps are dropped, the
/// in-bounds ones stay consecutive <c>d</c> apart), adaptive bins and global windows all fit this form. The geometry comes
/// from <see cref="Axis"/> (<see cref="PoolGeometry"/>) or <see cref="PoolGeometry.AdaptiveBin"/>; nothing is recomputed here.
/// </summary>
public sealed class AxisTable
{
    public int Length { get; }
    public int Output { get; }
    public int Step { get; }
    public int[] Start { get; }
    public int[] Count { get; }
    /// <summary>Per output: taps inside the padded extent (IncludePad divisor factor); equals <see cref="Count"/> without padding.</summary>
    public int[] Padded { get; }
    /// <summary>The kernel size <c>k</c> (FullKernel divisor factor, Lp inflation); the bin size is not constant for adaptive axes (0 there).</summary>
    public int Kernel { get; }

    AxisTable(int length, int output, int step, int kernel, int[] start, int[] count, int[] padded)
    {
        Length = length; Output = output; Step = step; Kernel = kernel; Start = start; Count = count; Padded = padded;
    }

    /// <summary>The table of a fixed-window axis (taps <c>o·s − pb + m·d</c>, the in-bounds ones kept).</summary>
    public static AxisTable From(Axis a)
    {
        var start = new int[a.Output];
        var count = new int[a.Output];
        var padded = new int[a.Output];
        for (int o = 0; o < a.Output; o++)
        {
            int n = 0, first = 0;
            foreach (var i in a.InBoundsTaps(o)) { if (n == 0) first = i; n++; }
            start[o] = first; count[o] = n; padded[o] = a.PaddedCount(o);
        }
        return new AxisTable(a.Length, a.Output, a.Dilation, a.Kernel, start, count, padded);
    }

    /// <summary>Adaptive bins <c>[floor(i·L/O), ceil((i+1)·L/O))</c> (global pooling: <c>O = 1</c>).</summary>
    public static AxisTable Adaptive(int length, int output)
    {
        var start = new int[output];
        var count = new int[output];
        for (int o = 0; o < output; o++)
        {
            var (s, e) = PoolGeometry.AdaptiveBin(o, length, output);
            start[o] = s; count[o] = e - s;
        }
        return new AxisTable(length, output, 1, 0, start, count, (int[])count.Clone());
    }

    /// <summary>A singleton axis (length 1, one output, one tap) that pads a 1-D or 2-D problem to three axes.</summary>
    public static AxisTable Unit { get; } = new(1, 1, 1, 1, [0], [1], [1]);

    /// <summary>The in-bounds tap positions of output <c>o</c>, in scan order.</summary>
    public IEnumerable<int> Taps(int o)
    {
        for (int m = 0; m < Count[o]; m++) yield return Start[o] + m * Step;
    }
}
