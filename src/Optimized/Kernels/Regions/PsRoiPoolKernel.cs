using System.Numerics;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Position-sensitive ROI average pooling (R-FCN; torchvision <c>ps_roi_pool</c>): bins of <see cref="RoiGeometry.FastRcnnBins"/>
/// (box arithmetic in the boxes' dtype, corners rounded half away from zero, exclusive end, clipped to <c>[0, H − 1]</c>); output
/// channel <c>co</c> of bin <c>(i, j)</c> is the mean of input channel <c>(co·PH + i)·PW + j</c> over the bin, 0 for an empty bin.
/// <para>Layout: the planar input is transposed once per call to channels-last with the channels regrouped bin-major
/// (<see cref="GroupByBin"/>: position <c>b·C_out + co</c> holds input channel <c>co·PH·PW + b</c>), so a bin's C_out channels are
/// contiguous and each tap is one vector add. The sum accumulates in double (<see cref="Vector{T}"/> lanes, float loads widened),
/// taps row by row, and the mean is rounded once to float32: far inside the average bound, and no float32 overflow of
/// the running sum. Parallel over ROIs; results do not depend on the thread count.</para>
/// </summary>
public sealed class PsRoiPoolKernel
{
    public const string KernelName = "PsRoiPool_F32_Nchw";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>
    /// Planar x N×C×HW → channels-last, channels regrouped bin-major: <c>g[(n·HW + p)·C + b·C_out + co] = x[(n·C + co·B + b)·HW + p]</c>
    /// with <c>B = C / C_out</c> bins.
    /// </summary>
    public static float[] GroupByBin(float[] x, int batch, int channels, int plane, int bins, int threads)
    {
        int cOut = channels / bins;
        var g = new float[(long)batch * channels * plane];
        Parallel.For(0, batch * channels, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, q =>
        {
            int n = q / channels, cin = q % channels, co = cin / bins, b = cin % bins;
            long src = (long)q * plane, dst = (long)n * plane * channels + (long)b * cOut + co;
            for (int p = 0; p < plane; p++) g[dst + (long)p * channels] = x[src + p];
        });
        return g;
    }

    /// <summary>x N×C×H×W (planar), C a multiple of PH·PW → y K×(C/(PH·PW))×PH×PW.</summary>
    public void Run(float[] x, int batch, int channels, int h, int w, Roi[] rois, int ph, int pw, double scale, DType coordType, float[] y, int threads = 1)
    {
        int bins = ph * pw, cOut = channels / bins;
        if (cOut * bins != channels) throw new ArgumentException($"{Name}: {channels} channels are not a multiple of {ph}×{pw}");
        if (x.Length < (long)batch * channels * h * w || y.Length < (long)rois.Length * channels) throw new ArgumentException($"{Name}: buffers too small");
        foreach (var r in rois) if (r.Batch < 0 || r.Batch >= batch) throw new ArgumentException($"{Name}: batch index {r.Batch} outside [0, {batch})");
        var g = GroupByBin(x, batch, channels, h * w, bins, threads);
        void One(int k, double[] acc)
        {
            var r = rois[k];
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, h - 1, inclusiveEnd: false, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, w - 1, inclusiveEnd: false, coordType);
            long img = (long)r.Batch * h * w;
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                {
                    var (hs, he) = hb[i];
                    var (ws, we) = wb[j];
                    int b = i * pw + j;
                    long o = (long)k * channels + b; // y[((k·C_out + co)·PH + i)·PW + j] = o + co·B
                    if (he <= hs || we <= ws) { for (int co = 0; co < cOut; co++) y[o + (long)co * bins] = 0; continue; }
                    Array.Clear(acc, 0, cOut);
                    for (int yy = hs; yy < he; yy++)
                        for (int xx = ws; xx < we; xx++) AddWidened(g, ((img + (long)yy * w + xx) * channels) + (long)b * cOut, acc, cOut);
                    double count = (double)(he - hs) * (we - ws);
                    for (int co = 0; co < cOut; co++) y[o + (long)co * bins] = (float)(acc[co] / count);
                }
        }
        Workers.For(rois.Length, threads, () => new double[cOut], One);
    }

    /// <summary><c>acc[c] += src[o + c]</c> for <c>c &lt; n</c>, float widened to double.</summary>
    internal static void AddWidened(float[] src, long o, double[] acc, int n) => AddScaledWidened(src, o, 1.0, acc, n);

    /// <summary><c>acc[c] += s·src[o + c]</c> for <c>c &lt; n</c>, in double.</summary>
    internal static void AddScaledWidened(float[] src, long o, double s, double[] acc, int n)
    {
        int c = 0, vf = Vector<float>.Count, vd = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && n >= vf)
        {
            var sv = new Vector<double>(s);
            var xs = src.AsSpan();
            var a = acc.AsSpan();
            for (; c <= n - vf; c += vf)
            {
                Vector.Widen(new Vector<float>(xs.Slice((int)(o + c), vf)), out var lo, out var hi);
                (new Vector<double>(a.Slice(c, vd)) + sv * lo).CopyTo(a.Slice(c, vd));
                (new Vector<double>(a.Slice(c + vd, vd)) + sv * hi).CopyTo(a.Slice(c + vd, vd));
            }
        }
        for (; c < n; c++) acc[c] += s * src[o + c];
    }
}
