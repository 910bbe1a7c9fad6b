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
/// row, column), optional PCA <c>z = P(d − μ)</c>, then hard VLAD against the codebook (squared distances; the lowest k wins ties;
/// a NaN distance assigns to cluster 0, as the reference does) summing residuals <c>z − c_k*</c> per cluster in window order, or,
/// without VLAD, the sum of the descriptors. Each level's vector goes through the square root and L2 of
/// <see cref="FeatureNormalize"/> on its own; levels are concatenated.
/// <para>Accumulates in double (inputs float32, widened on read): the level vectors are rescaled to order one by the root and L2,
/// so a float32 window average of subnormal inputs — rounded to the subnormal grid, a relative error near 10⁻³ — fails the
/// reference's first-order bounds, whose absolute term <c>η</c> is only added after the normalisation; and double distances make the
/// hard assignments agree with the reference's wherever its margin declares them decided. The op is small (descriptors of a few
/// channels, codebooks of a few words) and its window reads are strided, so the kernel is scalar; parallel over (sample, level).</para>
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
            FeatureNormalize.Apply(v, nm, y.AsSpan(s * total + offsets[li], lv.Length));
        });
    }

    static double[] Level(ReadOnlySpan<float> x, int c, int h, int w, MopLevelSpec lv)
    {
        int k = lv.Window, nh = Count(h, k, lv.Stride), nw = Count(w, k, lv.Stride);
        int len = lv.Reduce == MopWindowReduce.None ? c * k * k : c;
        var desc = new double[len];
        var z = lv.PcaMatrix is null ? desc : new double[lv.Dim];
        var v = new double[lv.Length];
        double area = k * k;
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nw; j++)
            {
                Descriptor(x, c, h, w, i * lv.Stride, j * lv.Stride, k, lv.Reduce, area, desc);
                if (lv.PcaMatrix is { } pm)
                {
                    var mu = lv.PcaMean!;
                    for (int t = 0; t < lv.Dim; t++)
                    {
                        double s = 0;
                        for (int q = 0; q < len; q++) s += pm[t * len + q] * (desc[q] - mu[q]);
                        z[t] = s;
                    }
                }
                if (lv.Codebook is not { } cb) { for (int t = 0; t < lv.Dim; t++) v[t] += z[t]; continue; }
                int best = 0;
                double bestDist = double.PositiveInfinity;
                bool nan = false;
                for (int q = 0; q < lv.K; q++)
                {
                    double dist = 0;
                    for (int t = 0; t < lv.Dim; t++) { double r = z[t] - cb[q * lv.Dim + t]; dist += r * r; }
                    nan |= double.IsNaN(dist);
                    if (q == 0 || dist < bestDist) { best = q; bestDist = dist; }
                }
                if (nan) best = 0;
                for (int t = 0; t < lv.Dim; t++) v[best * lv.Dim + t] += z[t] - cb[best * lv.Dim + t];
            }
        return v;
    }

    static void Descriptor(ReadOnlySpan<float> x, int c, int h, int w, int h0, int w0, int k, MopWindowReduce reduce, double area, double[] d)
    {
        for (int ch = 0; ch < c; ch++)
        {
            var p = x.Slice(ch * h * w, h * w);
            if (reduce == MopWindowReduce.None)
            {
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) d[(ch * k + a) * k + b] = p[(h0 + a) * w + w0 + b];
                continue;
            }
            double s = 0, mx = double.NegativeInfinity;
            bool nan = false;
            for (int a = 0; a < k; a++)
                foreach (var t in p.Slice((h0 + a) * w + w0, k)) { s += t; nan |= float.IsNaN(t); if (t > mx) mx = t; }
            d[ch] = reduce == MopWindowReduce.Avg ? s / area : nan ? double.NaN : mx;
        }
    }
}
