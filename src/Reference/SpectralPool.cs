using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>How the real output is obtained when an even output size cuts the spectrum below the input size (METHODS.md §13).</summary>
public enum NyquistRule
{
    /// <summary>(A) <c>x̂ = Re(IDFT_{H×W}(Y))</c> of the plain crop: the Hermitian projection of the 2-D spectrum.</summary>
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
/// <c>x̂[a, b] = scale · Re Σ_{t,r} Y[t, r]·e^{2πi(ta/H + rb/W)}</c>. Twiddles use the exactly reduced index
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

    /// <summary>Pools one row-major M×N plane to H×W.</summary>
    public static double[] Plane(ReadOnlySpan<double> x, int m, int n, int h, int w, NyquistRule rule, SpectralScale scale)
    {
        var rs = Sources(m, h, rule);
        var cs = Sources(n, w, rule);
        var colIdx = cs.SelectMany(c => c).Distinct().ToArray();
        var rowIdx = rs.SelectMany(c => c).Distinct().ToArray();
        // Along W: T[a, q] = Σ_b x[a, b]·e^{−2πi·qb/N} for every needed q.
        var tRe = new Dictionary<int, double[]>(); var tIm = new Dictionary<int, double[]>();
        foreach (var q in colIdx)
        {
            var re = new double[m]; var im = new double[m];
            for (int a = 0; a < m; a++)
                for (int b = 0; b < n; b++)
                {
                    var (c, s) = Cis((long)q * b, n, -1);
                    re[a] += x[a * n + b] * c; im[a] += x[a * n + b] * s;
                }
            tRe[q] = re; tIm[q] = im;
        }
        // Along H: X[p, q] = Σ_a T[a, q]·e^{−2πi·pa/M}; then the crop (and fold) into Y[t, r].
        var yRe = new double[h * w]; var yIm = new double[h * w];
        var xRe = new Dictionary<(int, int), double>(); var xIm = new Dictionary<(int, int), double>();
        foreach (var p in rowIdx)
            foreach (var q in colIdx)
            {
                double re = 0, im = 0;
                for (int a = 0; a < m; a++)
                {
                    var (c, s) = Cis((long)p * a, m, -1);
                    re += tRe[q][a] * c - tIm[q][a] * s; im += tRe[q][a] * s + tIm[q][a] * c;
                }
                xRe[(p, q)] = re; xIm[(p, q)] = im;
            }
        for (int t = 0; t < h; t++)
            for (int r = 0; r < w; r++)
                foreach (var p in rs[t])
                    foreach (var q in cs[r])
                    {
                        yRe[t * w + r] += xRe[(p, q)]; yIm[t * w + r] += xIm[(p, q)];
                    }
        // Inverse: x̂[a, b] = scale·Re Σ_t Σ_r Y[t, r]·e^{2πi(ta/H + rb/W)}, along W then H.
        double sc = Scale(m, n, h, w, scale);
        var outv = new double[h * w];
        var uRe = new double[h * w]; var uIm = new double[h * w]; // U[t, b] = Σ_r Y[t, r] e^{2πi rb/W}
        for (int t = 0; t < h; t++)
            for (int b = 0; b < w; b++)
                for (int r = 0; r < w; r++)
                {
                    var (c, s) = Cis((long)r * b, w, 1);
                    uRe[t * w + b] += yRe[t * w + r] * c - yIm[t * w + r] * s;
                    uIm[t * w + b] += yRe[t * w + r] * s + yIm[t * w + r] * c;
                }
        for (int a = 0; a < h; a++)
            for (int b = 0; b < w; b++)
            {
                double re = 0;
                for (int t = 0; t < h; t++)
                {
                    var (c, s) = Cis((long)t * a, h, 1);
                    re += uRe[t * w + b] * c - uIm[t * w + b] * s;
                }
                outv[a * w + b] = sc * re;
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
