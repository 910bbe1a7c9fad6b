using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Rank-based average pooling, RAP (METHODS.md §14, Shi, Ye, Wu 2016, Neural Networks 83; official code
/// <c>RankAvePoolForward</c>): the mean of the <c>t</c> largest taps, <c>y = (1/min(|R|, t))·Σ_{k_i &lt; t} x_i</c> — the code
/// divides by <c>min(|R|, t)</c> on clipped windows (the paper writes <c>1/t</c>; the code is followed). Ranks by
/// <see cref="RankOrder"/> (ties to the earlier position; the value does not depend on the tie rule). NaN propagates.
/// <c>t ≥ |R|</c> gives the average, <c>t = 1</c> the max. Empty window: 0. Bound: the average bound over the <c>min(|R|, t)</c>
/// selected taps (TESTING.md §3.3).
/// </summary>
public static class RankAvgPool
{
    public static (double Value, double Bound) Reduce(double[] x, int offset, int[] taps, int t, DType dtype)
    {
        if (taps.Length == 0) return (0, 0);
        if (RankOrder.FirstNaN(x, offset, taps) >= 0) return (double.NaN, 0);
        var by = RankOrder.ByRank(x, offset, taps);
        int m = Math.Min(taps.Length, t);
        var selected = by.Take(m).Select(i => taps[i]).ToArray();
        var (sum, abs, ints) = AveragePool.Sum(x, offset, selected);
        double y = sum / m;
        return (y, ErrorBounds.Average(m, abs / m, y, ErrorBounds.ExactSum(abs, ints, dtype), dtype, dtype));
    }
}
