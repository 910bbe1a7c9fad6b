using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Position-sensitive ROI Align (torchvision <c>ps_roi_align</c>): the sample grid of <see cref="RoiGeometry.AlignGrid"/> with offset
/// 0.5 and no minimum ROI size (box arithmetic in the boxes' dtype); per sample the bilinear rule of ROI Align (zero outside
/// <c>[−1, H] × [−1, W]</c>, clamp at 0, collapse to the last row / column) with weights <c>hy·hx</c>, <c>hy·lx</c>, <c>ly·hx</c>,
/// <c>ly·lx</c> in double; output channel <c>co</c> of bin <c>(i, j)</c> reads input channel <c>(co·PH + i)·PW + j</c> and is the sum
/// of its samples over the raw grid product <c>G_h·G_w</c> (unclamped: a degenerate box with adaptive sampling gives 0/0 = NaN,
/// as torchvision).
/// <para>The planar input is regrouped once per call (<see cref="PsRoiPoolKernel.GroupByBin"/>) so that a bin's output channels
/// are contiguous: each corner of each sample is one vector multiply-add over them. Accumulation in double (float loads widened
/// to <see cref="System.Numerics.Vector{T}"/> double lanes), rounded once to float32 — inside the ROI Align bound with a wide
/// margin and without float32 overflow of intermediate products. Parallel over ROIs; results do not depend on the thread count.</para>
/// </summary>
public sealed class PsRoiAlignKernel
{
    public const string KernelName = "PsRoiAlign_F32_Nchw";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>One axis sample: the two neighbouring rows (columns) and their weights; <c>Valid</c> false outside the cutoff.</summary>
    readonly record struct Tap(int Lo, int Hi, double WLo, double WHi, bool Valid);

    static Tap Locate(double v, int n)
    {
        if (v < -1.0 || v > n) return new Tap(0, 0, 0, 0, false);
        if (v <= 0) v = 0;
        int lo = (int)v, hi;
        if (lo >= n - 1) { hi = lo = n - 1; v = lo; } else hi = lo + 1;
        double l = v - lo;
        return new Tap(lo, hi, 1 - l, l, true);
    }

    /// <summary>x N×C×H×W (planar), C a multiple of PH·PW → y K×(C/(PH·PW))×PH×PW.</summary>
    public void Run(float[] x, int batch, int channels, int h, int w, Roi[] rois, int ph, int pw, double scale, int samplingRatio, DType coordType,
        float[] y, int threads = 1)
    {
        int bins = ph * pw, cOut = channels / bins;
        if (cOut * bins != channels) throw new ArgumentException($"{Name}: {channels} channels are not a multiple of {ph}×{pw}");
        if (x.Length < (long)batch * channels * h * w || y.Length < (long)rois.Length * channels) throw new ArgumentException($"{Name}: buffers too small");
        foreach (var r in rois) if (r.Batch < 0 || r.Batch >= batch) throw new ArgumentException($"{Name}: batch index {r.Batch} outside [0, {batch})");
        var g = PsRoiPoolKernel.GroupByBin(x, batch, channels, h * w, bins, threads);
        void One(int k, double[] acc)
        {
            var r = rois[k];
            var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, scale, 0.5, false, ph, samplingRatio, coordType);
            var ax = RoiGeometry.AlignGrid(r.X1, r.X2, scale, 0.5, false, pw, samplingRatio, coordType);
            // The divisor is the grids' int product, as torchvision's C++ (and the reference) compute it: a huge inverted box
            // saturates a grid to int.MinValue, the product wraps (to 0 for an even other grid) and the empty sum gives 0/0 = NaN.
            double count = unchecked(ay.Grid * ax.Grid);
            var ty = ay.Samples.Select(s => s.Select(v => Locate(v, h)).ToArray()).ToArray();
            var tx = ax.Samples.Select(s => s.Select(v => Locate(v, w)).ToArray()).ToArray();
            long img = (long)r.Batch * h * w;
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                {
                    int b = i * pw + j;
                    long boff = (long)b * cOut;
                    Array.Clear(acc, 0, cOut);
                    foreach (var a in ty[i])
                    {
                        if (!a.Valid) continue;
                        foreach (var c in tx[j])
                        {
                            if (!c.Valid) continue;
                            PsRoiPoolKernel.AddScaledWidened(g, (img + (long)a.Lo * w + c.Lo) * channels + boff, a.WLo * c.WLo, acc, cOut);
                            PsRoiPoolKernel.AddScaledWidened(g, (img + (long)a.Lo * w + c.Hi) * channels + boff, a.WLo * c.WHi, acc, cOut);
                            PsRoiPoolKernel.AddScaledWidened(g, (img + (long)a.Hi * w + c.Lo) * channels + boff, a.WHi * c.WLo, acc, cOut);
                            PsRoiPoolKernel.AddScaledWidened(g, (img + (long)a.Hi * w + c.Hi) * channels + boff, a.WHi * c.WHi, acc, cOut);
                        }
                    }
                    long o = (long)k * channels + b; // y[((k·C_out + co)·PH + i)·PW + j] = o + co·B
                    for (int co = 0; co < cOut; co++) y[o + (long)co * bins] = (float)(acc[co] / count);
                }
        }
        Workers.For(rois.Length, threads, () => new double[cOut], One);
    }
}
