namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>The even-cut Nyquist rule of spectral pooling (METHODS.md §13).</summary>
public enum SpectralNyquist
{
    /// <summary>Per axis, the real part of the cropped inverse DFT (the Nyquist bin's conjugate pair averaged).</summary>
    Hermitian,
    /// <summary>scipy.signal.resample: the dropped <c>+H/2</c> bin folded into the kept <c>−H/2</c> bin.</summary>
    Fold,
}

/// <summary>Scaling of the spectral crop: mean-preserving <c>1/(MN)</c>, orthonormal <c>1/√(MN·HW)</c>, or numpy backward <c>1/(HW)</c>.</summary>
public enum SpectralNorm { Mean, Ortho, Backward }

/// <summary>
/// Spectral pooling (Rippel, Snoek, Adams 2015) of N×C planes M×N → H×W. The crop of the kept frequencies is linear and
/// separable, so per axis it is one real matrix: <c>A[o, i] = Re Σ_t Σ_{p ∈ src(t)} e^{−2πi·p·i/M}·e^{2πi·t·o/H}</c>, the kept
/// signed frequencies <c>f = −⌊H/2⌋ … ⌈H/2⌉ − 1</c> at DFT index <c>t = f mod H</c> taken from <c>p = f mod M</c> (plus, for the fold rule on
/// an even axis strictly cut, <c>p = H/2</c> added to the <c>−H/2</c> bin). The matrices are built once per case in double (twiddles from the
/// exactly reduced index <c>(j·k) mod n</c>), the scale folded into the row matrix, and rounded to float32; the plane is then
/// <c>y = A_H · (x · A_Wᵀ)</c> in float32: the inner pass a SIMD dot product along the contiguous row of <c>x</c>, the outer an
/// <c>axpy</c> along output rows. That is a direct DFT of the kept frequencies only (O(MN·W + MW·H) per plane), cheaper than an
/// FFT for the small cuts pooling makes. Error: each output is a sum of <c>M·N</c> products of entries rounded once, so it errs by at most
/// about <c>(M + N + 2)·u·scale·‖row A_H‖₂‖row A_W‖₂‖x‖₂ ≤ (M + N + 2)·u·g·‖x‖₂</c>, inside the reference's norm-wise bound
/// <c>c·u·g·‖x‖₂</c> (<c>c = Σ(n + 5⌈log₂ n⌉) + 4</c> over M, N, H, W) — float32 accumulation suffices. A plane holding NaN or ±∞ is NaN everywhere,
/// as the reference defines it. Parallel over planes; the bits do not depend on the thread count.
/// </summary>
public sealed class SpectralPoolKernel
{
    public const string Id = "SpectralPool2d_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    /// <summary>The kept DFT sources of each of the <paramref name="h"/> output bins of an axis of length <paramref name="m"/>.</summary>
    static int[][] Kept(int m, int h, SpectralNyquist rule)
    {
        var kept = new int[h][];
        for (int t = 0; t < h; t++)
        {
            int f = t < (h + 1) / 2 ? t : t - h;          // signed frequency of bin t
            int p = ((f % m) + m) % m;
            bool fold = rule == SpectralNyquist.Fold && h % 2 == 0 && h < m && t == h / 2;
            kept[t] = fold ? [p, h / 2] : [p];
        }
        return kept;
    }

    /// <summary>The unscaled real h×m matrix of one axis, in double.</summary>
    public static double[] AxisMatrix(int m, int h, SpectralNyquist rule)
    {
        var kept = Kept(m, h, rule);
        var a = new double[h * m];
        for (int o = 0; o < h; o++)
            for (int i = 0; i < m; i++)
            {
                double s = 0;
                for (int t = 0; t < h; t++)
                {
                    // Re(e^{−iα}·e^{iβ}) = cos α·cos β + sin α·sin β, α = 2π·p·i/M, β = 2π·t·o/H (indices reduced exactly first).
                    double b = 2.0 * ((long)t * o % h) / h;
                    double cb = double.CosPi(b), sb = double.SinPi(b);
                    foreach (int p in kept[t])
                    {
                        double al = 2.0 * ((long)p * i % m) / m;
                        s += double.CosPi(al) * cb + double.SinPi(al) * sb;
                    }
                }
                a[o * m + i] = s;
            }
        return a;
    }

    public static double Scale(int m, int n, int h, int w, SpectralNorm norm) => norm switch
    {
        SpectralNorm.Mean => 1.0 / ((double)m * n),
        SpectralNorm.Ortho => 1.0 / Math.Sqrt((double)m * n * h * w),
        _ => 1.0 / ((double)h * w),
    };

    /// <summary>Pools <paramref name="planes"/> row-major M×N planes of <paramref name="x"/> into H×W planes of <paramref name="y"/>.</summary>
    public void Run(float[] x, int planes, int m, int n, int h, int w, SpectralNyquist rule, SpectralNorm norm, float[] y, int threads = 1)
    {
        if (m < 1 || n < 1 || h < 1 || w < 1 || h > m || w > n) throw new ArgumentException($"{Name}: cannot pool {m}×{n} to {h}×{w}");
        if (x.Length < (long)planes * m * n || y.Length < (long)planes * h * w) throw new ArgumentException($"{Name}: buffers too small");
        double scale = Scale(m, n, h, w, norm);
        var ahD = AxisMatrix(m, h, rule);
        var awD = AxisMatrix(n, w, rule);
        var ah = new float[ahD.Length];
        var aw = new float[awD.Length];
        for (int i = 0; i < ah.Length; i++) ah[i] = (float)(scale * ahD[i]);
        for (int i = 0; i < aw.Length; i++) aw[i] = (float)awD[i];
        int inPlane = m * n, outPlane = h * w;
        Parallel.For(0, planes, FeatureVector.Options(threads), () => new float[m * w], (q, _, tmp) =>
        {
            var xs = x.AsSpan(q * inPlane, inPlane);
            var ys = y.AsSpan(q * outPlane, outPlane);
            if (!AllFinite(xs)) { ys.Fill(float.NaN); return tmp; }
            for (int a = 0; a < m; a++)                       // tmp = x · A_Wᵀ (M×W)
            {
                var row = xs.Slice(a * n, n);
                for (int b = 0; b < w; b++) tmp[a * w + b] = FeatureVector.Dot(row, aw.AsSpan(b * n, n));
            }
            ys.Clear();
            for (int o = 0; o < h; o++)                       // y = (scale·A_H) · tmp (H×W)
            {
                var yr = ys.Slice(o * w, w);
                for (int i = 0; i < m; i++) FeatureVector.Axpy(ah[o * m + i], tmp.AsSpan(i * w, w), yr);
            }
            return tmp;
        }, _ => { });
    }

    static bool AllFinite(ReadOnlySpan<float> v)
    {
        foreach (var e in v) if (!float.IsFinite(e)) return false;
        return true;
    }
}
