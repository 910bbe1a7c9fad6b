namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>
/// Compact bilinear pooling (Gao, Beijbom, Zhang, Darrell 2016) of N samples of C×L (channels-first), the random projections
/// explicit, then the optional ÷L and the square root and L2 of <see cref="FeatureNormalize"/>.
/// <para>Tensor Sketch: the count sketches commute with the sum over locations, so <c>z_k = Σ_{(h1(i) + h2(j)) mod d = k}
/// s1(i)·s2(j)·G_ij</c> with <c>G = Σ_l x_l x_lᵀ</c>, the C×C Gram matrix of the channel rows (float32 SIMD dot products along the
/// locations accumulated in double, <see cref="BilinearPoolKernel.Gram"/>); the C² signed terms are scattered into the d bins in double —
/// no FFT at all, well inside the reference's bound, which admits one.</para>
/// <para>Random Maclaurin: <c>P = W1·X</c> and <c>Q = W2·X</c> (d×L, float32 <c>axpy</c> of channel rows with ±1 weights, exact
/// products), then <c>z_k = (1/√d)·Σ_l P_kl·Q_kl</c> (the products and their sum in double, <see cref="FeatureVector.DotWide"/>, so products of
/// subnormal inputs survive to the L2 normalisation): about <c>2C·u·Σ_l ‖x_l‖₁²/√d</c>, inside the reference's
/// <c>(2C + L + 4)·u·Σ_l ‖x_l‖₁²/√d</c>.</para>
/// Parallel over Gram rows (tensor sketch) or sketch rows (random Maclaurin); the bits do not depend on the thread count.
/// </summary>
public sealed class CompactBilinearKernel
{
    public const string Id = "CompactBilinearPool_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    /// <summary>Tensor Sketch: x N×C×L, hashes in [0, d), signs ±1 → y N×d.</summary>
    public void RunTensorSketch(float[] x, int batch, int c, int l, int[] h1, int[] s1, int[] h2, int[] s2, int d, bool mean, FeatureNorm nm, float[] y, int threads = 1)
    {
        if (y.Length < (long)batch * d) throw new ArgumentException($"{Name}: buffers too small");
        var g = new double[(long)batch * c * c];
        BilinearPoolKernel.Gram(x, null, batch, c, c, l, g, threads);
        Parallel.For(0, batch, FeatureVector.Options(threads), s =>
        {
            var z = new double[d];
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++) z[(h1[i] + h2[j]) % d] += s1[i] * s2[j] * g[((long)s * c + i) * c + j];
            Finish(z, l, mean, nm, y.AsSpan(s * d, d));
        });
    }

    /// <summary>Random Maclaurin: x N×C×L, w1 and w2 d×C of ±1 → y N×d.</summary>
    public void RunRandomMaclaurin(float[] x, int batch, int c, int l, float[] w1, float[] w2, int d, bool mean, FeatureNorm nm, float[] y, int threads = 1)
    {
        if (y.Length < (long)batch * d || w1.Length < d * c || w2.Length < d * c) throw new ArgumentException($"{Name}: buffers too small");
        double f = 1 / Math.Sqrt(d);
        var raw = new double[(long)batch * d];
        Parallel.For(0, batch * d, FeatureVector.Options(threads), () => (new float[l], new float[l]), (r, _, pq) =>
        {
            int s = r / d, k = r % d;
            var (p, q) = pq;
            Array.Clear(p); Array.Clear(q);
            for (int i = 0; i < c; i++)
            {
                var xi = x.AsSpan((s * c + i) * l, l);
                FeatureVector.Axpy(w1[k * c + i], xi, p);
                FeatureVector.Axpy(w2[k * c + i], xi, q);
            }
            raw[r] = FeatureVector.DotWide(p, q);
            return pq;
        }, _ => { });
        for (int s = 0; s < batch; s++)
        {
            var z = new double[d];
            for (int k = 0; k < d; k++) z[k] = f * raw[s * d + k];
            Finish(z, l, mean, nm, y.AsSpan(s * d, d));
        }
    }

    static void Finish(double[] z, int l, bool mean, FeatureNorm nm, Span<float> y)
    {
        if (mean) for (int k = 0; k < z.Length; k++) z[k] /= l;
        FeatureNormalize.Apply(z, nm, y);
    }
}
