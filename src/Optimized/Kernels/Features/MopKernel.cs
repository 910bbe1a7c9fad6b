namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>Reduction of one MOP window to a descriptor.</summary>
public enum MopWindowReduce { Avg, Max, None }

/// <summary>
/// One MOP level as the kernel runs it: square window and stride (no padding), the window reduction, optional PCA
/// (<paramref name="PcaMean"/> of the descriptor length, <paramref name="PcaMatrix"/> Dim×length), and for VLAD a K×Dim codebook.
/// </summary>
public sealed record MopLevelSpec(int Window, int Stride, MopWindowReduce Reduce, float[]? PcaMean, float[]? PcaMatrix, int Dim, float[]? Codebook, int K)
{
    public bool Vlad => Codebook is not null;
    /// <summary>Length of the level's output vector: K·Dim with VLAD, Dim without.</summary>
    public int Length => Vlad ? K * Dim : Dim;
}

/// <summary>
/// Multi-scale orderless pooling (Gong, Wang, Guo, Lazebnik 2014) of N samples of C×H×W. Per level: the windows row-major at
/// the stride, each reduced to a descriptor (average or max per channel — NaN propagates — or the window flattened channel,
/// row, column), optional PCA <c>z = P(d − μ)</c> (float32 SIMD dot products), then hard VLAD against the codebook (squared
/// distances as float32 dot products of the residual with itself; the lowest k wins ties; a NaN distance assigns to cluster 0, as
/// the reference does) summing residuals <c>z − c_k*</c> per cluster in window order, or, without VLAD, the sum of the descriptors.
/// Each level's vector goes through the square root and L2 of <see cref="FeatureNormalize"/> on its own; levels are concatenated.
/// Every step accumulates in float32 within the reference's first-order bounds (window sums <c>(w² + 2)·u</c>, PCA <c>(C + 2)·u</c>,
/// distances <c>(D + 2)·u</c>); assignments whose two nearest codewords lie within those bounds are unspecified in the reference.
/// Descriptor work per window is small and strided, so it is scalar; parallel over (sample, level).
/// </summary>
public sealed class MopKernel
{
    public const string Id = "Mop_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    public static int Count(int len, int window, int stride) => (len - window) / stride + 1;

    public void Run(float[] x, int batch, int c, int h, int w, IReadOnlyList<MopLevelSpec> levels, FeatureNorm nm, float[] y, int threads = 1)
    {
        int total = levels.Sum(l => l.Length);
        if (x.Length < (long)batch * c * h * w || y.Length < (long)batch * total) throw new ArgumentException($"{Name}: buffers too small");
        var offsets = new int[levels.Count];
        for (int i = 1; i < levels.Count; i++) offsets[i] = offsets[i - 1] + levels[i - 1].Length;
        Parallel.For(0, batch * levels.Count, FeatureVector.Options(threads), r =>
        {
            int s = r / levels.Count, li = r % levels.Count;
            var lv = levels[li];
            var v = Level(x.AsSpan(s * c * h * w, c * h * w), c, h, w, lv);
            var vd = new double[v.Length];
            for (int i = 0; i < v.Length; i++) vd[i] = v[i];
            FeatureNormalize.Apply(vd, nm, y.AsSpan(s * total + offsets[li], lv.Length));
        });
    }

    static float[] Level(ReadOnlySpan<float> x, int c, int h, int w, MopLevelSpec lv)
    {
        int k = lv.Window, nh = Count(h, k, lv.Stride), nw = Count(w, k, lv.Stride);
        int len = lv.Reduce == MopWindowReduce.None ? c * k * k : c;
        var desc = new float[len];
        var diff = lv.PcaMatrix is null ? null : new float[len];
        var z = lv.PcaMatrix is null ? desc : new float[lv.Dim];
        var res = new float[lv.Dim];
        var v = new float[lv.Length];
        float area = k * k;
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nw; j++)
            {
                int h0 = i * lv.Stride, w0 = j * lv.Stride;
                Descriptor(x, c, h, w, h0, w0, k, lv.Reduce, area, desc);
                if (lv.PcaMatrix is { } pm)
                {
                    for (int q = 0; q < len; q++) diff![q] = desc[q] - lv.PcaMean![q];
                    for (int t = 0; t < lv.Dim; t++) z[t] = FeatureVector.Dot(pm.AsSpan(t * len, len), diff);
                }
                if (lv.Codebook is not { } cb) { for (int t = 0; t < lv.Dim; t++) v[t] += z[t]; continue; }
                int best = 0;
                float bestDist = float.PositiveInfinity;
                bool nan = false;
                for (int q = 0; q < lv.K; q++)
                {
                    for (int t = 0; t < lv.Dim; t++) res[t] = z[t] - cb[q * lv.Dim + t];
                    float dist = FeatureVector.Dot(res, res);
                    nan |= float.IsNaN(dist);
                    if (q == 0 || dist < bestDist) { best = q; bestDist = dist; }
                }
                if (nan) best = 0;
                for (int t = 0; t < lv.Dim; t++) v[best * lv.Dim + t] += z[t] - cb[best * lv.Dim + t];
            }
        return v;
    }

    static void Descriptor(ReadOnlySpan<float> x, int c, int h, int w, int h0, int w0, int k, MopWindowReduce reduce, float area, float[] d)
    {
        for (int ch = 0; ch < c; ch++)
        {
            var p = x.Slice(ch * h * w, h * w);
            if (reduce == MopWindowReduce.None)
            {
                for (int a = 0; a < k; a++) p.Slice((h0 + a) * w + w0, k).CopyTo(d.AsSpan((ch * k + a) * k, k));
                continue;
            }
            float s = 0, mx = float.NegativeInfinity;
            bool nan = false;
            for (int a = 0; a < k; a++)
                foreach (var t in p.Slice((h0 + a) * w + w0, k)) { s += t; nan |= float.IsNaN(t); if (t > mx) mx = t; }
            d[ch] = reduce == MopWindowReduce.Avg ? s / area : nan ? float.NaN : mx;
        }
    }
}
