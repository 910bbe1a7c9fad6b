using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>
/// Edge-aware pyramid pooling (the project's definition, METHODS.md §15b) of N×C×H×W with an edge map N×1×H×W: per level
/// <c>n</c> and adaptive bin <c>b</c> (<see cref="PoolGeometry.AdaptiveBin"/> per axis), <c>y_b = Σ ω_i·F_i / Σ ω_i</c>,
/// <c>ω_i = exp(−β·E_i)</c>. The weights are computed once per sample (in double, rounded once to float32: one rounding where the
/// reference's bound allows <c>9·u</c>), the denominators once per sample and level in float32 (shared by the channels: m − 1 roundings
/// of positive terms, as the bound allows); each numerator is a SIMD dot product of the float32 weight and feature rows along every bin
/// row (the contiguous axis) accumulated in double (<see cref="FeatureVector.DotWide"/>), and the quotient is rounded once. Float32
/// numerators would meet the relative bound <c>(2m + 21)·u·Σω|F|/Σω</c> for normal inputs, but with subnormal features each float32
/// product rounds to the subnormal grid (±η/2) and the division by a small <c>Σω</c> (β = 4: weights down to e⁻⁴) magnifies that past
/// the bound's absolute term; exact products and one final rounding keep every bin within half an η of its rounded value. Output <c>nearest</c>: N×C·(1 + #levels)×H×W, the input copied first, then each level upsampled
/// by <c>(⌊h·n/H⌋, ⌊w·n/W⌋)</c>; <c>none</c>: N×C×Σn², the bins row-major, levels in order. Parallel over (n, c) planes.
/// </summary>
public sealed class EdgeAwarePyramidKernel
{
    public const string Id = "EdgeAwarePyramidPool_F32_Nchw";
    public string Name => Id;
    public override string ToString() => Name;

    /// <summary>Output elements per (n, c) plane's share: <c>(1 + #levels)·H·W</c> (nearest) or <c>Σn²</c> (none), per channel.</summary>
    public static long OutputElements(int batch, int channels, int h, int w, int[] levels, bool upsample) =>
        upsample ? (long)batch * channels * (1 + levels.Length) * h * w : (long)batch * channels * levels.Sum(l => l * l);

    public void Run(float[] x, float[] edge, int batch, int channels, int h, int w, int[] levels, double beta, bool upsample, float[] y, int threads = 1)
    {
        int plane = h * w;
        if (levels.Length == 0 || levels.Any(l => l < 1)) throw new ArgumentException($"{Name}: levels must be ≥ 1");
        if (x.Length < (long)batch * channels * plane || edge.Length < (long)batch * plane || y.Length < OutputElements(batch, channels, h, w, levels, upsample))
            throw new ArgumentException($"{Name}: buffers too small");
        var omega = new float[(long)batch * plane];
        for (long i = 0; i < omega.Length; i++) omega[i] = (float)Math.Exp(-beta * edge[i]);
        // Per level, the bins' row and column ranges, and per sample the bins' denominators.
        var rows = levels.Select(n => Enumerable.Range(0, n).Select(i => PoolGeometry.AdaptiveBin(i, h, n)).ToArray()).ToArray();
        var cols = levels.Select(n => Enumerable.Range(0, n).Select(i => PoolGeometry.AdaptiveBin(i, w, n)).ToArray()).ToArray();
        int sumSq = levels.Sum(l => l * l);
        var den = new float[batch * sumSq];
        for (int s = 0; s < batch; s++)
        {
            int off = 0;
            for (int li = 0; li < levels.Length; li++)
            {
                int n = levels[li];
                for (int bi = 0; bi < n; bi++)
                    for (int bj = 0; bj < n; bj++)
                    {
                        var (h0, h1) = rows[li][bi];
                        var (w0, w1) = cols[li][bj];
                        float d = 0;
                        for (int a = h0; a < h1; a++)
                            for (int b = w0; b < w1; b++) d += omega[(long)s * plane + a * w + b];
                        den[s * sumSq + off + bi * n + bj] = d;
                    }
                off += n * n;
            }
        }
        int blocks = 1 + levels.Length;
        Parallel.For(0, batch * channels, FeatureVector.Options(threads), () => new float[sumSq], (q, _, bins) =>
        {
            int s = q / channels, ch = q % channels;
            var f = x.AsSpan(q * plane, plane);
            var om = omega.AsSpan(s * plane, plane);
            int off = 0;
            for (int li = 0; li < levels.Length; li++)
            {
                int n = levels[li];
                for (int bi = 0; bi < n; bi++)
                {
                    var (h0, h1) = rows[li][bi];
                    for (int bj = 0; bj < n; bj++)
                    {
                        var (w0, w1) = cols[li][bj];
                        double num = 0;
                        for (int a = h0; a < h1; a++) num += FeatureVector.DotWide(om.Slice(a * w + w0, w1 - w0), f.Slice(a * w + w0, w1 - w0));
                        bins[off + bi * n + bj] = (float)(num / den[s * sumSq + off + bi * n + bj]);
                    }
                }
                off += n * n;
            }
            if (!upsample) { bins.AsSpan().CopyTo(y.AsSpan(q * sumSq, sumSq)); return bins; }
            f.CopyTo(y.AsSpan((s * channels * blocks + ch) * plane, plane));
            off = 0;
            for (int li = 0; li < levels.Length; li++)
            {
                int n = levels[li];
                var yo = y.AsSpan((s * channels * blocks + (1 + li) * channels + ch) * plane, plane);
                for (int a = 0; a < h; a++)
                {
                    int rowBin = off + (int)((long)a * n / h) * n;
                    for (int b = 0; b < w; b++) yo[a * w + b] = bins[rowBin + (int)((long)b * n / w)];
                }
                off += n * n;
            }
            return bins;
        }, _ => { });
    }
}
