namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Fractional max pooling (Graham 2014) with PyTorch's interval rule, 2-D and 3-D (a 2-D problem is a depth-1 3-D one), planar.
/// Per (n, c) plane and axis, with that plane's sample <c>u</c>: <c>α = (I − k)/(O − 1)</c>, <c>start_i = trunc((i + u)·α) − trunc(u·α)</c>
/// for <c>i &lt; O − 1</c> and <c>start_{O−1} = I − k</c> — computed in float32, one operation at a time, as PyTorch's float kernel
/// (discrete decisions: parity) — and the window <c>[start, start + k)</c>. The max follows PyTorch's scan: from −∞ with the first
/// tap's index, a tap replaces on <c>v &gt; max</c> or NaN — so NaN propagates with the last NaN's index, ties and ±0 keep the
/// first — over the taps in row-major order. Exact; indices are flat in-plane <c>(t·H + h)·W + w</c>.
/// <para>Parallel over planes (each plane has its own start tables, built once per plane); the window scan is scalar: windows
/// are small (k ≤ a few taps per axis) and their starts differ from plane to plane, so there is no uniform vector axis.
/// Results do not depend on the thread count.</para>
/// </summary>
public sealed class FractionalMaxPoolKernel
{
    public const string KernelName = "FractionalMaxPool_F32_Nchw";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>The window starts along one axis for sample <paramref name="u"/> (float32 arithmetic).</summary>
    public static void Starts(float u, int input, int output, int kernel, int[] seq)
    {
        if (output > 1)
        {
            float alpha = (float)(input - kernel) / (float)(output - 1);
            int first = (int)(u * alpha);
            for (int i = 0; i < output - 1; i++) seq[i] = (int)((i + u) * alpha) - first;
        }
        seq[output - 1] = input - kernel;
    }

    /// <summary>
    /// x planes × D×H×W → y, indices planes × OD×OH×OW. <paramref name="samples"/> holds per plane one sample per axis in axis
    /// order (D, H, W; 2-D callers pass D = OD = k_D = 1 and any sample for it).
    /// </summary>
    public void Run(float[] x, int planes, int[] inSpatial, int[] outSpatial, int[] kernel, float[] samples, float[] y, long[] indices, int threads = 1)
    {
        int ld = inSpatial[0], lh = inSpatial[1], lw = inSpatial[2], od = outSpatial[0], oh = outSpatial[1], ow = outSpatial[2];
        int kd = kernel[0], kh = kernel[1], kw = kernel[2];
        for (int a = 0; a < 3; a++)
            if (outSpatial[a] < 1 || kernel[a] < 1 || outSpatial[a] + kernel[a] - 1 > inSpatial[a])
                throw new ArgumentException($"{Name}: output {outSpatial[a]} with kernel {kernel[a]} does not fit input {inSpatial[a]}");
        long inPlane = (long)ld * lh * lw, outPlane = (long)od * oh * ow;
        if (x.Length < planes * inPlane || y.Length < planes * outPlane || indices.Length < planes * outPlane || samples.Length < 3L * planes)
            throw new ArgumentException($"{Name}: buffers too small");
        void Plane(int q)
        {
            var sd = new int[od]; var sh = new int[oh]; var sw = new int[ow];
            Starts(samples[3 * q], ld, od, kd, sd);
            Starts(samples[3 * q + 1], lh, oh, kh, sh);
            Starts(samples[3 * q + 2], lw, ow, kw, sw);
            long xb = q * inPlane, yb = q * outPlane;
            var xs = x.AsSpan((int)xb, (int)inPlane);
            int o = 0;
            for (int a = 0; a < od; a++)
                for (int b = 0; b < oh; b++)
                    for (int c = 0; c < ow; c++, o++)
                    {
                        int first = (sd[a] * lh + sh[b]) * lw + sw[c];
                        float max = float.NegativeInfinity;
                        int idx = first;
                        for (int t = sd[a]; t < sd[a] + kd; t++)
                            for (int h = sh[b]; h < sh[b] + kh; h++)
                            {
                                int row = (t * lh + h) * lw;
                                for (int w = sw[c]; w < sw[c] + kw; w++)
                                {
                                    float v = xs[row + w];
                                    if (v > max || float.IsNaN(v)) { max = v; idx = row + w; }
                                }
                            }
                        y[yb + o] = max;
                        indices[yb + o] = idx;
                    }
        }
        if (threads <= 1 || planes <= 1) for (int q = 0; q < planes; q++) Plane(q);
        else Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, Plane);
    }
}
