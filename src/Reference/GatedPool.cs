using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Gated max-average pooling (METHODS.md §2c, Lee et al. 2016): <c>y = σ(ωᵀx)·max + (1 − σ(ωᵀx))·avg</c>, <c>σ</c> the
/// logistic sigmoid, <c>x</c> the window flattened row-major over the full <c>k_h·k_w</c> kernel positions, <c>ω</c> the
/// gating mask (per layer or per channel). Border windows: taps outside the input contribute 0 to <c>ωᵀx</c>
/// (<c>zero_fill</c>, as a <c>Conv2d(kernel=k, stride=k)</c> gate with zero padding computes it) or padding is refused
/// (<c>forbid</c>). Max and average as in mixed pooling (in-bounds taps). <c>ω_i·x_i</c> with <c>ω_i = 0</c> and
/// <c>x_i = ±∞</c> is NaN (IEEE), so the gate and the output are NaN; <c>ωᵀx = ±∞</c> saturates σ to 1 or 0.
/// </summary>
public static class GatedPool
{
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>
    /// <c>ωᵀx</c> over the kernel positions of output (oh, ow): <paramref name="omega"/> holds <c>k_h·k_w</c> weights from
    /// <paramref name="omegaOffset"/>; returns the dot product and <c>Σ|ω_i·x_i|</c>.
    /// </summary>
    public static (double Dot, double AbsDot) Gate(double[] data, int planeOffset, Axis[] axes, int oh, int ow, double[] omega, int omegaOffset)
    {
        double s = 0, comp = 0, abs = 0;
        int width = axes[1].Length;
        for (int mh = 0; mh < axes[0].Kernel; mh++)
        {
            long ih = axes[0].Tap(oh, mh);
            for (int mw = 0; mw < axes[1].Kernel; mw++)
            {
                long iw = axes[1].Tap(ow, mw);
                if (ih < 0 || ih >= axes[0].Length || iw < 0 || iw >= width) continue; // zero-filled: contributes 0
                double v = omega[omegaOffset + mh * axes[1].Kernel + mw] * data[planeOffset + (int)ih * width + (int)iw];
                double u = s + v;
                comp += Math.Abs(s) >= Math.Abs(v) ? (s - u) + v : (v - u) + s;
                s = u;
                abs += Math.Abs(v);
            }
        }
        double r = s + comp;
        return (double.IsFinite(r) ? r : s, abs);
    }

    /// <summary>
    /// The gated value and its bound: the dot product of <c>n = k_h·k_w</c> products errs by <c>(n + 1)·u·Σ|ω_i x_i|</c>, σ has
    /// slope ≤ 1/4, and the sigmoid's own error is taken as 8·u (4 ulp, doubled, like <c>powf</c>); the gate error times
    /// <c>|max − avg|</c>, plus the average's bound scaled by <c>1 − g</c> and the mixing roundings (TESTING.md §3.3).
    /// </summary>
    public static (double Value, double Bound, double Gate) Mix(CombinedPool.MaxAvg w, double dot, double absDot, int n, DType t)
    {
        double g = Sigmoid(dot);
        double y = g * w.Max + (1 - g) * w.Avg;
        double u = t.UnitRoundoff();
        double dg = 0.25 * (n + 1) * u * absDot + 8 * u * g;
        double bound = dg * Math.Abs(w.Max - w.Avg) + (1 - g) * w.AvgBound(t)
            + 3 * u * (g * Math.Abs(w.Max) + (1 - g) * Math.Abs(w.Avg)) + 2 * u * Math.Abs(y) + t.SmallestSubnormal();
        return (y, double.IsFinite(bound) ? bound : 0, g);
    }
}
