using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>How the real output is obtained when an even output size cuts the spectrum below the input size (METHODS.md §13).</summary>
public enum NyquistRule
{
    /// <summary>(A) per axis, <c>Re(IDFT_H(crop))</c>: the conjugate pair of the Nyquist bin averaged (separable; see <see cref="SpectralPool.Plane"/>).</summary>
    Hermitian,
    /// <summary>(B) scipy.signal.resample: per axis the dropped <c>+H/2</c> bin is folded into the kept <c>−H/2</c> bin.</summary>
    Fold,
}

/// <summary>Scaling of the spectral crop (METHODS.md §13 <c>SpectralScale</c>).</summary>
public enum SpectralScale
{
    /// <summary>Forward unscaled, inverse <c>1/(MN)</c>: preserves the mean (scipy.signal.resample).</summary>
    Mean,
    /// <summary>Orthonormal DFTs on both sizes: <c>1/√(MN·HW)</c> = Mean·√(MN/HW).</summary>
    Ortho,
    /// <summary>numpy "backward": forward unscaled, inverse <c>1/(HW)</c> = Mean·MN/HW.</summary>
    Backward,
}

/// <summary>
/// Spectral pooling (Rippel, Snoek, Adams, NeurIPS 2015, Algorithm 1) of one M×N plane to H×W, by a direct O(n²) DFT per
/// axis in double (no FFT library in the oracle). Kept frequencies per axis <c>K(M, H)</c>: signed <c>−⌊H/2⌋ … ⌈H/2⌉ − 1</c>,
/// stored at DFT index <c>t</c> (<c>t = f mod H</c>); <c>Y[t, r] = X[f_t mod M, f_r mod N]</c>, plus, for <see cref="NyquistRule.Fold"/>
/// on an even axis strictly cut (<c>H &lt; M</c>), <c>X[+H/2]</c> folded into the <c>−H/2</c> bin. Output
/// <c>x̂ = scale · A_H·x·A_Wᵀ</c> with each axis's real matrix <see cref="AxisMatrix"/>. Twiddles use the exactly reduced index
/// <c>(j·k) mod n</c> and <c>CosPi/SinPi</c>.
/// </summary>
public static class SpectralPool
{
    /// <summary>Sources in the M-point spectrum of each of the H kept bins (one index, two for the folded Nyquist bin).</summary>
    public static int[][] Sources(int m, int h, NyquistRule rule)
    {
        var src = new int[h][];
        for (int t = 0; t < h; t++)
        {
            int f = t < (h + 1) / 2 ? t : t - h;
            int idx = ((f % m) + m) % m;
            src[t] = rule == NyquistRule.Fold && h % 2 == 0 && h < m && t == h / 2 ? [idx, h / 2] : [idx];
        }
        return src;
    }

    public static double Scale(int m, int n, int h, int w, SpectralScale s) => s switch
    {
        SpectralScale.Mean => 1.0 / ((double)m * n),
        SpectralScale.Ortho => 1.0 / Math.Sqrt((double)m * n * h * w),
        _ => 1.0 / ((double)h * w),
    };

    static (double Re, double Im) Cis(long k, int n, int sign)
    {
        double a = 2.0 * (k % n) / n;
        return (double.CosPi(a), sign * double.SinPi(a));
    }

    /// <summary>
    /// The real H×M matrix of one axis: <c>A[a, i] = Re Σ_t Σ_{p ∈ src(t)} e^{−2πi·p·i/M}·e^{2πi·t·a/H}</c> (a forward DFT of the
    /// unit vector, the crop or fold, the inverse DFT, the real part), unscaled.
    /// </summary>
    public static double[] AxisMatrix(int m, int h, NyquistRule rule)
    {
        var src = Sources(m, h, rule);
        var a = new double[h * m];
        for (int o = 0; o < h; o++)
            for (int i = 0; i < m; i++)
            {
                double re = 0;
                for (int t = 0; t < h; t++)
                    foreach (var p in src[t])
                    {
                        var (c1, s1) = Cis((long)p * i, m, -1);
                        var (c2, s2) = Cis((long)t * o, h, 1);
                        re += c1 * c2 - s1 * s2;
                    }
                a[o * m + i] = re;
            }
        return a;
    }

    /// <summary>
    /// Pools one row-major M×N plane to H×W: <c>scale · A_H · x · A_Wᵀ</c>. The rule is applied per axis (separable), for
    /// <see cref="NyquistRule.Hermitian"/> too: the real part is taken after each axis's inverse DFT. This is what makes the
    /// composition law <c>pool(pool(x, H1), H2) = pool(x, H2)</c> hold for every size; taking one real part after a 2-D
    /// inverse instead differs when both axes are cut to even sizes and breaks that law.
    /// </summary>
    public static double[] Plane(ReadOnlySpan<double> x, int m, int n, int h, int w, NyquistRule rule, SpectralScale scale)
    {
        var ah = AxisMatrix(m, h, rule);
        var aw = AxisMatrix(n, w, rule);
        double sc = Scale(m, n, h, w, scale);
        var tmp = new double[m * w];            // x · A_Wᵀ
        for (int a = 0; a < m; a++)
            for (int b = 0; b < w; b++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += x[a * n + j] * aw[b * n + j];
                tmp[a * w + b] = s;
            }
        var outv = new double[h * w];
        for (int a = 0; a < h; a++)
            for (int b = 0; b < w; b++)
            {
                double s = 0;
                for (int i = 0; i < m; i++) s += ah[a * m + i] * tmp[i * w + b];
                outv[a * w + b] = sc * s;
            }
        return outv;
    }

    /// <summary>
    /// The norm-wise constant of TESTING.md §3.5 for a backend that may use a direct DFT (<c>c ∝ n</c>) or an FFT
    /// (<c>5·log₂ n</c>) on each of the four transforms: <c>c = Σ_{n ∈ M, N, H, W} (n + 5⌈log₂ n⌉) + 4</c> (crop/fold additions
    /// and the scaling). The plane's error satisfies <c>‖δy‖₂ ≤ c·u·g·‖x‖₂</c> with <c>g = scale·√(MN·HW)</c> the operator-norm
    /// bound of unscaled transforms.
    /// </summary>
    public static double NormConstant(int m, int n, int h, int w) =>
        new[] { m, n, h, w }.Sum(k => k + 5 * Math.Ceiling(Math.Log2(Math.Max(k, 1)))) + 4;
}
