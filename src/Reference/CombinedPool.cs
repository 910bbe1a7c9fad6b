using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Combined pooling (METHODS.md §8b): max and average over the same window. <c>cat_avg_max</c> = timm
/// <c>adaptive_catavgmax_pool2d</c> (<c>cat((avg, max), 1)</c>, 2C channels, avg first); <c>cat_max_avg</c> = fastai
/// <c>AdaptiveConcatPool2d</c> (<c>cat([max, avg], 1)</c>, max first); <c>add</c> = <c>avg + max</c>; <c>mean</c> =
/// <c>0.5·(avg + max)</c> = timm <c>adaptive_avgmax_pool2d</c> (= mixed max-average with <c>a = 0.5</c>, §2b).
/// Max: the generic scan (ties first, NaN propagates, padded taps skipped). Average: over the in-bounds taps
/// (ExcludePad — timm and fastai pool adaptively, without padding, so they are silent; this keeps <c>avg ≤ max</c>).
/// Empty window: 0 in both halves (§0.5).
/// </summary>
public static class CombinedPool
{
    /// <summary>The two reductions of one window in float64: max (exact), average, <c>Σ|x|</c>, whether all taps are integers.</summary>
    public readonly record struct MaxAvg(double Max, double Avg, double AbsSum, bool AllIntegers, int Count)
    {
        /// <summary>The derived bound of the average (TESTING.md §3.3) in <paramref name="t"/>.</summary>
        public double AvgBound(DType t) => Count == 0 ? 0 :
            ErrorBounds.Average(Count, AbsSum / Count, Avg, ErrorBounds.ExactSum(AbsSum, AllIntegers, t), t, t);
    }

    public static MaxAvg Window(double[] data, int offset, int[] taps, DType t)
    {
        if (taps.Length == 0) return new MaxAvg(0, 0, 0, true, 0);
        var (max, _, _) = MaxPool.Reduce(data, offset, taps, PoolSemantics.Generic, t);
        var (sum, abs, ints) = AveragePool.Sum(data, offset, taps);
        return new MaxAvg(max, sum / taps.Length, abs, ints, taps.Length);
    }

    /// <summary><c>add</c>: <c>avg + max</c>, with the average's bound plus one rounding of the addition.</summary>
    public static (double Value, double Bound) Add(MaxAvg w, DType t)
    {
        double y = w.Avg + w.Max;
        return (y, w.AvgBound(t) + t.UnitRoundoff() * (Math.Abs(w.Avg) + Math.Abs(w.Max)) + 2 * t.UnitRoundoff() * Math.Abs(y));
    }

    /// <summary><c>mean</c>: <c>0.5·(avg + max)</c>; halving is exact away from the subnormal range (η term).</summary>
    public static (double Value, double Bound) Mean(MaxAvg w, DType t)
    {
        var (s, b) = Add(w, t);
        return (0.5 * s, 0.5 * b + t.SmallestSubnormal());
    }
}
