using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>What rank-based stochastic pooling does with the probability mass <c>(1 − α)^n</c> the rank weights leave over (METHODS.md §14).</summary>
public enum RspRemainder
{
    /// <summary>Divide the weights by <c>1 − (1 − α)^n</c> (compare the cumulative sum with <c>u·(1 − (1 − α)^n)</c>).</summary>
    Renormalize,
    /// <summary>Add the remainder to the last rank's weight, so the weights sum to 1.</summary>
    LastRank,
    /// <summary>The official code leaves the cell stale when <c>u</c> exceeds the cumulative total; the oracle refuses such a case.</summary>
    Error,
}

/// <summary>
/// Rank-based stochastic pooling, RSP (METHODS.md §14, Shi et al. 2016; official code <c>RankStoPoolForwardTrain</c> and
/// the CPU <c>Forward_cpu</c>): training selects one tap with probability <c>p_k = α(1 − α)^{k}</c> of its 0-based rank.
/// Exact code semantics: one <c>u</c> per output cell; scan the window in <b>spatial row-major order</b> (not rank order)
/// accumulating <c>p_{rank(i)}</c>; select the first tap whose cumulative sum is <c>≥ u</c>. So <c>u = 0</c> selects the first
/// tap in scan order whatever its rank (the code's <c>≥</c>). The remainder <c>(1 − α)^n</c> by <see cref="RspRemainder"/>.
/// Output: the selected value (exact) and its flat in-plane index. Inference = RWP (<c>RankStoPoolForwardTest</c> calls
/// <c>WrankPoolForward</c>; it is not renormalized under any remainder rule). The CPU code's shadowing <c>p_a = 0.5</c> is a
/// bug the oracle does not reproduce: α is the configured value (the GPU path). Decisions are taken in float64 on exact
/// weights; <see cref="Margin"/> lets suites keep clear of boundaries (TESTING.md §3.6). NaN: value NaN, index the first NaN tap.
/// </summary>
public static class RankStochasticPool
{
    /// <summary>The selected (value, index) of one window; throws for <see cref="RspRemainder.Error"/> when nothing is selected.</summary>
    public static (double Value, long Index) Train(double[] x, int offset, int[] taps, double alpha, double u, RspRemainder rem)
    {
        if (taps.Length == 0) return (0, -1);
        int nan = RankOrder.FirstNaN(x, offset, taps);
        if (nan >= 0) return (double.NaN, nan);
        var (p, thres) = Probabilities(x, offset, taps, alpha, u, rem);
        double c = 0;
        for (int i = 0; i < taps.Length; i++)
        {
            c += p[i];
            if (c >= thres) return (x[offset + taps[i]], taps[i]);
        }
        throw InputErrors.Bad("uniforms",
            $"u = {u} exceeds the rank weights' total {c} (remainder (1−α)^n = {Math.Pow(1 - alpha, taps.Length)}); the official code leaves this cell stale (remainder = 'error')");
    }

    /// <summary>Per-tap probabilities in scan order and the threshold the cumulative sum is compared with.</summary>
    static (double[] P, double Threshold) Probabilities(double[] x, int offset, int[] taps, double alpha, double u, RspRemainder rem)
    {
        var rank = RankOrder.Ranks(x, offset, taps);
        int n = taps.Length;
        var p = new double[n];
        for (int i = 0; i < n; i++) p[i] = RankOrder.Weight(alpha, rank[i]);
        double remainder = Math.Pow(1 - alpha, n);
        double thres = u;
        if (rem == RspRemainder.Renormalize) thres = u * (1 - remainder);
        else if (rem == RspRemainder.LastRank)
            for (int i = 0; i < n; i++) if (rank[i] == n - 1) p[i] += remainder;
        return (p, thres);
    }

    /// <summary>Smallest distance of the cumulative sums from the threshold, in units of <c>u_dtype</c> (+∞ for an empty or NaN window).</summary>
    public static double Margin(double[] x, int offset, int[] taps, double alpha, double u, RspRemainder rem, DType t)
    {
        if (taps.Length == 0 || RankOrder.FirstNaN(x, offset, taps) >= 0) return double.PositiveInfinity;
        var (p, thres) = Probabilities(x, offset, taps, alpha, u, rem);
        double c = 0, m = double.PositiveInfinity;
        foreach (var v in p) { c += v; m = Math.Min(m, Math.Abs(c - thres)); }
        return m / t.UnitRoundoff();
    }
}
