namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>
/// NetVLAD (Arandjelović et al. 2016) of N samples, each D×L (channels-first: the L = H·W descriptors are columns, each channel a
/// contiguous row), with K clusters: (0) optional <c>x_i ← x_i / max(‖x_i‖₂, eps)</c>; (1) soft assignment
/// <c>a_k(x_i) = softmax_k(w_kᵀx_i + b_k)</c>; (2) residuals <c>V(k, j) = Σ_i a_ki·x_ij − c_kj·Σ_i a_ki</c>; (3) intra-normalisation of each
/// row <c>V(k, :)</c>; (4) k-major flatten; (5) global L2. The two O(K·D·L) products run in float32 SIMD along the locations: the
/// logits as K rows of <c>axpy</c> (<c>logit_k += w_kj·x_j</c>, D + 1 roundings, as the reference's bound assumes), the residuals as
/// SIMD dot products of the float32 assignment and channel rows accumulated in double (<see cref="FeatureVector.DotWide"/>: the
/// rearranged form <c>Σ a·x − c·Σ a</c> then errs far inside the reference's <c>(L + 3)·u·Σ a(|x| + |c|)</c>, and tiny residuals keep
/// their digits through the two normalisations that rescale them to order one). The O(D·L + K·L + K·D) steps — descriptor norms, the softmax (max subtracted; a NaN
/// logit makes the descriptor's assignments NaN) and both normalisations — run in double and round once, because their bounds
/// (<c>(D/2 + 3)·u</c> for the input norm) leave no room for a float32 sum of squares. Parallel over samples, then over clusters.
/// </summary>
public sealed class NetVladKernel
{
    public const string Id = "NetVlad_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    /// <summary>x N×D×L, w K×D, b K, c K×D → y N×(K·D).</summary>
    public void Run(float[] x, int batch, int d, int l, float[] w, float[] b, float[] c, int k, bool normalizeInput, double eps, float[] y, int threads = 1)
    {
        if (x.Length < (long)batch * d * l || w.Length < k * d || b.Length < k || c.Length < k * d || y.Length < (long)batch * k * d)
            throw new ArgumentException($"{Name}: buffers too small");
        var opts = FeatureVector.Options(threads);
        for (int s = 0; s < batch; s++)
        {
            var xs = x.AsSpan(s * d * l, d * l);
            // (0) descriptor norms in double, the normalised descriptors rounded once.
            var xn = new float[d * l];
            if (normalizeInput)
            {
                var sq = new double[l];
                for (int j = 0; j < d; j++)
                    for (int i = 0; i < l; i++) { double v = xs[j * l + i]; sq[i] += v * v; }
                for (int i = 0; i < l; i++) sq[i] = Math.Max(Math.Sqrt(sq[i]), eps);
                for (int j = 0; j < d; j++)
                    for (int i = 0; i < l; i++) xn[j * l + i] = (float)(xs[j * l + i] / sq[i]);
            }
            else xs.CopyTo(xn);
            // (1) logits K×L in float32, softmax over k per location in double.
            var logit = new float[k * l];
            Parallel.For(0, k, opts, q =>
            {
                var row = logit.AsSpan(q * l, l);
                row.Fill(b[q]);
                for (int j = 0; j < d; j++) FeatureVector.Axpy(w[q * d + j], xn.AsSpan(j * l, l), row);
            });
            var assign = new float[k * l];
            var e = new double[k];
            for (int i = 0; i < l; i++)
            {
                double mx = double.NegativeInfinity;
                bool nan = false;
                for (int q = 0; q < k; q++) { double v = logit[q * l + i]; nan |= double.IsNaN(v); if (v > mx) mx = v; }
                if (nan) { for (int q = 0; q < k; q++) assign[q * l + i] = float.NaN; continue; }
                double sum = 0;
                for (int q = 0; q < k; q++) { e[q] = Math.Exp(logit[q * l + i] - mx); sum += e[q]; }
                for (int q = 0; q < k; q++) assign[q * l + i] = (float)(e[q] / sum);
            }
            // (2)-(3) residual rows, each intra-normalised in double.
            var vlad = new double[k * d];
            Parallel.For(0, k, opts, q =>
            {
                var aq = assign.AsSpan(q * l, l);
                double sa = 0;
                foreach (var t in aq) sa += t;
                for (int j = 0; j < d; j++) vlad[q * d + j] = FeatureVector.DotWide(aq, xn.AsSpan(j * l, l)) - c[q * d + j] * sa;
                FeatureNormalize.L2(vlad.AsSpan(q * d, d), eps);
            });
            // (5) global L2, rounded once.
            FeatureNormalize.L2(vlad, eps);
            for (int t = 0; t < k * d; t++) y[s * k * d + t] = (float)vlad[t];
        }
    }
}
