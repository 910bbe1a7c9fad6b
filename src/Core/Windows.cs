namespace PoolingConformance.Core;

/// <summary>
/// One output cell of a windowed op: its flat in-plane output index, its in-bounds taps as flat in-plane
/// input indices in scan order (first axis outermost, last axis innermost, stepping by the dilation),
/// and the three counts the divisor policies need.
/// </summary>
public sealed record Window(int Output, int[] Taps, long InBounds, long Padded, long FullKernel)
{
    public bool IsEmpty => Taps.Length == 0;
}

/// <summary>Window enumeration over 1 to 3 spatial axes, from the per-axis geometry (the only place this is done).</summary>
public static class Windows
{
    /// <summary>Row-major strides of a spatial shape.</summary>
    public static int[] Strides(IReadOnlyList<int> shape)
    {
        var st = new int[shape.Count];
        int s = 1;
        for (int a = shape.Count - 1; a >= 0; a--) { st[a] = s; s *= shape[a]; }
        return st;
    }

    /// <summary>Every window of the problem, in output row-major order.</summary>
    public static Window[] Enumerate(IReadOnlyList<Axis> axes)
    {
        int d = axes.Count;
        var inStr = Strides(axes.Select(a => a.Length).ToArray());
        var outShape = axes.Select(a => a.Output).ToArray();
        int total = (int)Tensor.ElementCount(outShape);
        var result = new Window[total];
        var o = new int[d];
        for (int flat = 0; flat < total; flat++)
        {
            int rem = flat;
            for (int a = d - 1; a >= 0; a--) { o[a] = rem % outShape[a]; rem /= outShape[a]; }
            var perAxis = new int[d][];
            long padded = 1, full = 1;
            for (int a = 0; a < d; a++)
            {
                perAxis[a] = axes[a].InBoundsTaps(o[a]).ToArray();
                padded *= axes[a].PaddedCount(o[a]);
                full *= axes[a].Kernel;
            }
            result[flat] = new Window(flat, Cartesian(perAxis, inStr), perAxis.Aggregate(1L, (p, t) => p * t.Length), padded, full);
        }
        return result;
    }

    /// <summary>Windows given directly as per-axis [start, end) ranges (adaptive and fractional pooling).</summary>
    public static Window FromRanges(int output, IReadOnlyList<(int Start, int End)> ranges, IReadOnlyList<int> inputShape)
    {
        var inStr = Strides(inputShape);
        var perAxis = ranges.Select(r => Enumerable.Range(r.Start, Math.Max(0, r.End - r.Start)).ToArray()).ToArray();
        long n = perAxis.Aggregate(1L, (p, t) => p * t.Length);
        return new Window(output, Cartesian(perAxis, inStr), n, n, n);
    }

    static int[] Cartesian(int[][] perAxis, int[] strides)
    {
        var taps = new List<int> { 0 };
        for (int a = 0; a < perAxis.Length; a++)
        {
            var next = new List<int>(taps.Count * perAxis[a].Length);
            foreach (var t in taps)
                foreach (var i in perAxis[a]) next.Add(t + i * strides[a]);
            taps = next;
        }
        return taps.ToArray();
    }
}
