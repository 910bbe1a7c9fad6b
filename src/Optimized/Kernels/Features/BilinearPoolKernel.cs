namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>
/// Bilinear pooling (Lin, RoyChowdhury, Maji 2015) of N samples: per sample the Gram matrix <c>Φ = A·Bᵀ</c> of its C_A×L and
/// C_B×L channel rows (L = H·W locations, contiguous in NCHW), <c>÷L</c> for the mean, row-major <c>i·C_B + j</c>, then the square
/// root and L2 of <see cref="FeatureNormalize"/>. Each <c>Φ_ij</c> is one float32 SIMD dot product along the locations
/// accumulated in double (<see cref="FeatureVector.DotWide"/>: exact products, double additions). Float32 accumulation would meet the
/// reference's <c>(L + 1)·u·Σ|a·b|</c> bound for normal inputs, but the products of subnormal inputs underflow to 0 in float32
/// while the root and L2 after them rescale the true values to order one — double keeps them. The symmetric case (no second input) computes <c>i ≤ j</c> and mirrors
/// (a dot product is symmetric bit for bit). Parallel over the rows (sample, i); the normalisation per sample in double.
/// </summary>
public sealed class BilinearPoolKernel
{
    public const string Id = "BilinearPool_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    /// <summary>
    /// Gram matrices <c>g[s, i, j] = Σ_l a[s, i, l]·b[s, j, l]</c> for N samples (float32 inputs, double accumulation). <paramref name="b"/> null: <c>b = a</c>.
    /// </summary>
    public static void Gram(float[] a, float[]? b, int batch, int ca, int cb, int l, double[] g, int threads)
    {
        bool sym = b is null;
        var bb = b ?? a;
        if (a.Length < (long)batch * ca * l || bb.Length < (long)batch * cb * l || g.Length < (long)batch * ca * cb)
            throw new ArgumentException("Gram: buffers too small");
        Parallel.For(0, batch * ca, FeatureVector.Options(threads), r =>
        {
            int s = r / ca, i = r % ca;
            var ai = a.AsSpan((s * ca + i) * l, l);
            int o = (s * ca + i) * cb;
            for (int j = sym ? i : 0; j < cb; j++) g[o + j] = FeatureVector.DotWide(ai, bb.AsSpan((s * cb + j) * l, l));
        });
        if (sym)
            for (int s = 0; s < batch; s++)
                for (int i = 0; i < ca; i++)
                    for (int j = 0; j < i; j++) g[(s * ca + i) * cb + j] = g[(s * ca + j) * cb + i];
    }

    /// <summary>Pools N×C_A×L (and N×C_B×L, or null for the symmetric case) into y N×(C_A·C_B).</summary>
    public void Run(float[] a, float[]? b, int batch, int ca, int cb, int l, bool mean, FeatureNorm nm, float[] y, int threads = 1)
    {
        if (b is null && ca != cb) throw new ArgumentException($"{Name}: the symmetric case has C_A = C_B");
        int len = ca * cb;
        var g = new double[(long)batch * len];
        Gram(a, b, batch, ca, cb, l, g, threads);
        double f = mean ? 1.0 / l : 1.0;
        Parallel.For(0, batch, FeatureVector.Options(threads), s =>
        {
            var v = new double[len];
            for (int k = 0; k < len; k++) v[k] = g[s * len + k] * f;
            FeatureNormalize.Apply(v, nm, y.AsSpan(s * len, len));
        });
    }
}
