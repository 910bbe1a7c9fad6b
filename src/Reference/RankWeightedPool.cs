using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Rank-based weighted pooling, RWP (METHODS.md §14, Shi et al. 2016; official code <c>WrankPoolForward</c>):
/// <c>y = Σ_i α(1 − α)^{k_i}·x_i</c> with 0-based rank <c>k_i</c> (<see cref="RankOrder"/>); the weights are not renormalized
/// (they sum to <c>1 − (1 − α)^n</c>), as in the paper and the code. Terms of weight exactly 0 (α = 1, ranks ≥ 1) are
/// skipped, so RWP(α = 1) is the max even beside infinite taps. NaN propagates. Empty window: 0.
/// Bound: relative <c>(2n + 2)·u</c> on <c>Σ|w_i x_i|</c> (n − 1 additions, one product each, and the <c>r_max·u</c> of the
/// powers <c>(1 − α)^k</c>), plus the two output roundings (TESTING.md §3.3).
/// </summary>
public static class RankWeightedPool
{
    public static (double Value, double Bound) Reduce(double[] x, int offset, int[] taps, double alpha, DType dtype)
    {
        if (taps.Length == 0) return (0, 0);
        if (RankOrder.FirstNaN(x, offset, taps) >= 0) return (double.NaN, 0);
        var by = RankOrder.ByRank(x, offset, taps);
        double s = 0, comp = 0, abs = 0;
        for (int k = 0; k < by.Length; k++)
        {
            double w = RankOrder.Weight(alpha, k);
            if (w == 0) continue;
            double v = w * x[offset + taps[by[k]]];
            double n = s + v;
            comp += Math.Abs(s) >= Math.Abs(v) ? (s - n) + v : (v - n) + s;
            s = n;
            abs += Math.Abs(v);
        }
        double y = double.IsFinite(s + comp) ? s + comp : s;
        int cnt = taps.Length;
        double u = dtype.UnitRoundoff(), eta = dtype.SmallestSubnormal();
        double bound = (2 * cnt + 2) * u * abs + 2 * u * Math.Abs(y) + (cnt + 2) * eta;
        return (y, double.IsFinite(bound) ? bound : 0);
    }
}
