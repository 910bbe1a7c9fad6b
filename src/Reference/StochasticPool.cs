using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Stochastic pooling (METHODS.md §4, Zeiler &amp; Fergus 2013; sampling as BVLC/caffe <c>pooling_layer.cu</c>
/// <c>StoPoolForwardTrain/Test</c>). Region <c>R_j</c> of non-negative activations, <c>S = Σ x_i</c>.
/// <para>Training: <c>thres = u_j·S</c>; scan <c>R_j</c> row-major accumulating <c>C_i = Σ_{m≤i} x_m</c>; select the first
/// <c>i</c> with <c>C_i ≥ thres</c> (Caffe, <c>rule = ge</c>) or <c>C_i &gt; thres</c> (<c>rule = gt</c>, never selects a
/// <c>p = 0</c> cell). Output <c>x_i</c> (exact) and its flat in-plane index. The decision is taken in exact arithmetic
/// (compensated float64 sums of the exact inputs); Caffe's float32 decision agrees wherever the margin of the decision
/// is large (TESTING.md §3.6) — <see cref="Margin"/> measures it so suites keep clear of boundaries except where every
/// quantity is exact in the dtype too.</para>
/// <para>Inference (probabilistic weighting): <c>Σ x_i² / Σ x_i</c> (Caffe adds FLT_MIN to the denominator; the oracle
/// defines <c>S = 0</c> → 0 instead).</para>
/// <para>All-zero window: training under <c>ge</c> selects the first tap (<c>0 ≥ 0</c>), value 0 — the catalog's rule;
/// under <c>gt</c> nothing satisfies <c>0 &gt; 0</c>, and the oracle applies the same result (value 0, first tap) unless
/// <c>zero_window = error</c>, which refuses the case. Inference gives 0. Empty window (no in-bounds tap): 0, index −1.
/// NaN in the window: output NaN, index the first NaN tap (Caffe writes nothing). Negative inputs are refused unless
/// clamped to 0 (<c>clamp_negative</c>); ±∞ are refused (<c>p_i = x_i/S</c> is undefined).</para>
/// </summary>
public static class StochasticPool
{
    /// <summary>Training selection of one window: (value, index); <c>index = −1</c> for an empty window; <c>null</c> when nothing is selected (strict rule on an all-zero window).</summary>
    public static (double Value, long Index)? Train(double[] x, int offset, int[] taps, double u, bool strict)
    {
        if (taps.Length == 0) return (0, -1);
        foreach (var t in taps) if (double.IsNaN(x[offset + t])) return (double.NaN, t);
        double s = AveragePool.Sum(x, offset, taps).Sum;
        double thres = u * s;
        double c = 0, comp = 0;
        foreach (var t in taps)
        {
            double v = x[offset + t];
            double n = c + v;
            comp += Math.Abs(c) >= Math.Abs(v) ? (c - n) + v : (v - n) + c;
            c = n;
            double cum = c + comp;
            if (strict ? cum > thres : cum >= thres) return (v, t);
        }
        return null;
    }

    /// <summary>
    /// Smallest distance of the window's decision quantities <c>C_i</c> from the threshold <c>u·S</c>, in units of
    /// <c>u_dtype·S</c> (TESTING.md §3.6); +∞ for an empty or all-zero window, where no rounding can change the choice.
    /// </summary>
    public static double Margin(double[] x, int offset, int[] taps, double u, DType t)
    {
        double s = AveragePool.Sum(x, offset, taps).Sum;
        if (!(s > 0)) return double.PositiveInfinity;
        double thres = u * s, c = 0, m = double.PositiveInfinity;
        foreach (var tap in taps) { c += x[offset + tap]; m = Math.Min(m, Math.Abs(c - thres)); }
        return m / (t.UnitRoundoff() * s);
    }

    /// <summary>
    /// Inference <c>Σx²/Σx</c> and its bound: relative <c>(2n + 2)·u + 2·u_out</c> (TESTING.md §3.3), plus
    /// <c>n·η/(2·S)</c> for squares that fall into the subnormal range of the accumulation type.
    /// </summary>
    public static (double Value, double Bound) Infer(double[] x, int offset, int[] taps, DType t)
    {
        if (taps.Length == 0) return (0, 0);
        var (s, _, _) = AveragePool.Sum(x, offset, taps);
        if (double.IsNaN(s)) return (double.NaN, 0);
        if (s == 0) return (0, 0);
        double q = 0, comp = 0;
        foreach (var tap in taps)
        {
            double v = x[offset + tap] * x[offset + tap];
            double n = q + v;
            comp += Math.Abs(q) >= Math.Abs(v) ? (q - n) + v : (v - n) + q;
            q = n;
        }
        double y = (q + comp) / s;
        int cnt = taps.Length;
        double u = t.UnitRoundoff(), eta = t.SmallestSubnormal();
        return (y, (2 * cnt + 2) * u * Math.Abs(y) + 2 * u * Math.Abs(y) + cnt * eta / (2 * s) + (cnt + 2) * eta);
    }
}
