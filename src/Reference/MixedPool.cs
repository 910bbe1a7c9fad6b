using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Mixed pooling (METHODS.md §2a, Yu et al. 2014) and mixed max-average pooling (§2b, Lee et al. 2016):
/// <c>y_j = a·max_{R_j} x + (1 − a)·avg_{R_j} x</c>.
/// <para>Yu: <c>a = λ ∈ {0, 1}</c> per cell from an explicit 0/1 tensor (training), or at test time a fixed λ, the
/// expectation <c>p·max + (1 − p)·avg</c>, or the majority of the training counts (ties → max, a project choice; the
/// paper's test-time rule is [memory]). Lee: a fixed <c>a ∈ [0, 1]</c>.</para>
/// <para><c>a = 1</c> returns the max and <c>a = 0</c> the average as selections, not as <c>0·max + avg</c>, so an
/// infinite unselected branch cannot turn the output into NaN (the branch is "applied", as in the paper). Max: ties first,
/// NaN propagates; average over in-bounds taps (padding skipped, ExcludePad), so <c>avg ≤ y ≤ max</c>.</para>
/// </summary>
public static class MixedPool
{
    /// <summary>The mixed value of one window and its derived bound (TESTING.md §3.3: max exact, average bound scaled by <c>1 − a</c>, plus the mixing roundings).</summary>
    public static (double Value, double Bound) Mix(CombinedPool.MaxAvg w, double a, DType t)
    {
        if (a == 1) return (w.Max, 0);
        if (a == 0) return (w.Avg, w.AvgBound(t));
        double y = a * w.Max + (1 - a) * w.Avg;
        double u = t.UnitRoundoff();
        double bound = (1 - a) * w.AvgBound(t) + 3 * u * (a * Math.Abs(w.Max) + (1 - a) * Math.Abs(w.Avg)) + 2 * u * Math.Abs(y) + t.SmallestSubnormal();
        return (y, bound);
    }

    /// <summary>Majority of the training counts (Yu's "pooling history"): max when <c>count_max ≥ count_avg</c> (ties → max).</summary>
    public static double Majority(long countMax, long countAvg) => countMax >= countAvg ? 1 : 0;
}
