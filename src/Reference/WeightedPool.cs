using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>What a window whose weights sum to 0 returns (METHODS.md §15a: the catalog defines 0).</summary>
public enum ZeroWeight
{
    /// <summary><c>Σw = 0</c> → 0 (the catalog's definition).</summary>
    Zero,
    /// <summary><c>Σw = 0</c> → the plain average of the window (uniform weights), an alternative some implementations use.</summary>
    Average,
}

/// <summary>
/// Weighted pooling (METHODS.md §15a, the oracle-friendly family): <c>y_j = Σ_{i∈R_j} w_i·x_i / Σ_{i∈R_j} w_i</c> with explicit
/// non-negative, finite weights <c>w_i</c> at the input positions (padded taps skipped). The entropy weights of Zhu et al. 2019
/// (Cluster Computing 22) are [unresolved] in the catalog and are not built. <c>Σw = 0</c> by <see cref="ZeroWeight"/>.
/// Terms with <c>w_i = 0</c> are skipped (so an infinite tap of weight 0 does not make NaN). NaN in a weighted tap propagates.
/// Bound: numerator <c>n·u·Σ|w_i x_i|</c> (n − 1 additions and one product each), denominator <c>(n − 1)·u</c> relative, the
/// division one more: <c>(n + 1)·u·Σ|w x|/Σw + (n + 1)·u·|y| + 2·u_out·|y| + (n + 2)·η</c>.
/// </summary>
public static class WeightedPool
{
    public static (double Value, double Bound) Reduce(double[] x, int offset, double[] w, Func<int, int> weightIndex, int[] taps, ZeroWeight zero, DType t)
    {
        if (taps.Length == 0) return (0, 0);
        double num = 0, numC = 0, den = 0, denC = 0, abs = 0;
        foreach (var tap in taps)
        {
            double wi = w[weightIndex(tap)];
            if (wi == 0) continue;
            double v = wi * x[offset + tap];
            double n = num + v;
            numC += Math.Abs(num) >= Math.Abs(v) ? (num - n) + v : (v - n) + num;
            num = n;
            double d = den + wi;
            denC += Math.Abs(den) >= Math.Abs(wi) ? (den - d) + wi : (wi - d) + den;
            den = d;
            abs += Math.Abs(v);
        }
        double dn = den + denC;
        if (dn == 0)
        {
            if (zero == ZeroWeight.Zero) return (0, 0);
            var avg = CombinedPool.Window(x, offset, taps, t);
            return (avg.Avg, avg.AvgBound(t));
        }
        double nn = double.IsFinite(num + numC) ? num + numC : num;
        double y = nn / dn;
        int cnt = taps.Length;
        double u = t.UnitRoundoff(), eta = t.SmallestSubnormal();
        double bound = (cnt + 1) * u * abs / dn + (cnt + 1) * u * Math.Abs(y) + 2 * u * Math.Abs(y) + (cnt + 2) * eta;
        return (y, double.IsFinite(bound) ? bound : 0);
    }
}
