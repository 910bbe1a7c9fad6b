using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>Which middle element an even-sized window returns (METHODS.md §8a).</summary>
public enum EvenMedian
{
    /// <summary>The lower of the two middle order statistics (<c>torch.median</c>, Kornia <c>median_blur</c>).</summary>
    Lower,
    /// <summary>The upper one.</summary>
    Upper,
    /// <summary>Their mean (NumPy/SciPy <c>median</c>).</summary>
    Mean,
}

/// <summary>
/// Median pooling (METHODS.md §8a): <c>y_j = median{x_i : i ∈ R_j}</c> over the in-bounds taps only (padding is skipped;
/// a zero pad would change the median). Order statistics of the window sorted ascending with ties kept in scan order
/// (−0 and +0 equal). Odd <c>n</c>: the element of rank <c>(n+1)/2</c>. Even <c>n</c>: <see cref="EvenMedian"/>.
/// Index: the first tap (scan order) holding the selected value — the value returned is that tap's, so value and index
/// always agree; for <c>Mean</c>, the index of the lower middle. NaN: <c>propagate</c> (<c>torch.median</c>, default) —
/// a NaN tap makes the value NaN with the first NaN's index — or <c>ignore</c> (<c>torch.nanmedian</c>) — NaN taps are
/// dropped; an all-NaN window is NaN with the first tap's index. Empty window: 0, index −1 (§0.5).
/// </summary>
public static class MedianPool
{
    public static (double Value, long Index) Reduce(double[] x, int offset, int[] taps, EvenMedian even, bool ignoreNan)
    {
        if (taps.Length == 0) return (0, -1);
        var vals = new List<(double V, int Pos, int Tap)>(taps.Length);
        for (int i = 0; i < taps.Length; i++)
        {
            double v = x[offset + taps[i]];
            if (double.IsNaN(v))
            {
                if (!ignoreNan) return (double.NaN, taps[i]);
                continue;
            }
            vals.Add((v, i, taps[i]));
        }
        if (vals.Count == 0) return (double.NaN, taps[0]);
        vals.Sort((a, b) => a.V < b.V ? -1 : a.V > b.V ? 1 : a.Pos.CompareTo(b.Pos));
        int n = vals.Count;
        int lo = (n - 1) / 2, hi = n / 2;
        double FirstEqual(double v, out int tap)
        {
            foreach (var t in taps) { double w = x[offset + t]; if (w == v) { tap = t; return w; } }
            tap = -1; return v;
        }
        if (n % 2 == 1 || even == EvenMedian.Lower) { double v = FirstEqual(vals[lo].V, out int t); return (v, t); }
        if (even == EvenMedian.Upper) { double v = FirstEqual(vals[hi].V, out int t); return (v, t); }
        FirstEqual(vals[lo].V, out int tl);
        double a = vals[lo].V, b = vals[hi].V, mean = (a + b) / 2;
        // (a + b)/2 is exact in float64 for float16/float32 inputs; a/2 + b/2 only where the sum overflows.
        return (double.IsInfinity(mean) && double.IsFinite(a) && double.IsFinite(b) ? a / 2 + b / 2 : mean, tl);
    }
}
