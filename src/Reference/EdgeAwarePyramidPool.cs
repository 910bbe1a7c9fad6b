using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Edge-aware pyramid pooling — the project's own definition (METHODS.md §15b: the review's source is unresolved; the
/// closest verified candidate is Guan et al., IEEE SPL 2019): for each level <c>n</c> and adaptive bin <c>b</c>
/// (<see cref="PoolGeometry.AdaptiveBin"/>, <c>[⌊i·L/n⌋, ⌈(i+1)·L/n⌉)</c> per axis, PSP style),
/// <c>y_b = Σ_{i∈b} ω_i·F_i / Σ_{i∈b} ω_i</c> with <c>ω_i = exp(−β·E_i)</c> from an explicit edge map <c>E ∈ [0, 1]</c>.
/// With <c>β = 0</c> or a constant <c>E</c> it is adaptive average pooling. Upsampling is nearest:
/// output pixel <c>(h, w)</c> takes bin <c>(⌊h·n/H⌋, ⌊w·n/W⌋)</c> (PyTorch <c>interpolate(mode="nearest")</c> in exact integers).
/// </summary>
public static class EdgeAwarePyramidPool
{
    /// <summary>exp's relative error plus the β·E product, in units of u.</summary>
    public const int CWeight = 9;

    /// <summary>
    /// One plane of one level: n×n bin values and bounds. Bound: <c>(2m + 2·c_w + 3)·u·Σω|F|/Σω</c> for a bin of m taps — the
    /// numerator's m products and additions, the denominator's m − 1 additions (a relative error of the denominator moves
    /// y by at most that much of <c>Σω|F|/Σω</c>), the division, and each weight's own relative error <c>c_w·u</c> entering
    /// numerator and denominator.
    /// </summary>
    public static (double[] Y, double[] Dy) Level(ReadOnlySpan<double> f, ReadOnlySpan<double> e, int h, int w, int n, double beta, double u)
    {
        var y = new double[n * n]; var dy = new double[n * n];
        for (int bi = 0; bi < n; bi++)
        {
            var (h0, h1) = PoolGeometry.AdaptiveBin(bi, h, n);
            for (int bj = 0; bj < n; bj++)
            {
                var (w0, w1) = PoolGeometry.AdaptiveBin(bj, w, n);
                double num = 0, den = 0, mag = 0;
                for (int a = h0; a < h1; a++)
                    for (int b = w0; b < w1; b++)
                    {
                        double om = Math.Exp(-beta * e[a * w + b]);
                        num += om * f[a * w + b]; den += om; mag += om * Math.Abs(f[a * w + b]);
                    }
                long m = (long)(h1 - h0) * (w1 - w0);
                y[bi * n + bj] = num / den;
                dy[bi * n + bj] = (2 * m + 2 * CWeight + 3) * u * mag / den;
            }
        }
        return (y, dy);
    }
}
