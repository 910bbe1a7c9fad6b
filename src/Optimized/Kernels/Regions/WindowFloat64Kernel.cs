using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// The float64 path of window pooling (max, average, Lp; fixed windows and adaptive bins; 1-D to 3-D; planar or channels-last):
/// a straightforward double kernel over the same <see cref="WindowPlan"/> geometry as the float32 kernels — per output cell the
/// in-bounds taps <c>D.Start[od] + i·D.Step</c> (likewise H, W), d outermost, w innermost — following the plan's kernel contract
/// exactly, in double: max with the plan's NaN mode (start from −∞ or the dtype's lowest, −DBL_MAX for float64; first-tap seeding
/// for TensorFlow's argmax rule), first in-bounds tap's index unless replaced, empty windows give the empty value and −1; average
/// <c>Σ / divisor</c> (divisor 0: the empty value); Lp <c>(Σ|x|^p · scale)^{1/p}</c> with <c>x·x</c> and a square root for p = 2 and
/// the scale <c>Πk / padded count</c> recomputed in double (the float32 plans round it to float32). Selections are exact; sums
/// accumulate in double, within the float64 bounds. With <c>truncate</c> (PyTorch's int64 average) the mean is truncated toward
/// zero, exact while the window sums stay below 2^53.
/// <para>Scalar, parallel over (n, c) planes (each plane written by one thread; results do not depend on the thread count): this
/// path serves the float64 cases of the suite for correctness, not speed.</para>
/// </summary>
public sealed class WindowFloat64Kernel
{
    public const string KernelName = "Window_F64_Scalar";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>
    /// x in the plan's layout (N×C×in or N×in×C) → y in the same layout (N×C×out or N×out×C); indices (max, may be null) N×C×out,
    /// canonical in-plane, −1 for an empty window. <paramref name="truncate"/>: integer averages (C++ division toward zero).
    /// </summary>
    public void Run(WindowPlan wp, double[] x, double[] y, long[]? indices, int threads = 1, bool truncate = false)
    {
        long planes = (long)wp.N * wp.C, inPlane = wp.InPlane, outPlane = wp.OutPlane;
        if (x.Length < planes * inPlane || y.Length < planes * outPlane || (indices is not null && indices.Length < planes * outPlane))
            throw new ArgumentException($"{Name}: buffers too small");
        var sem = wp.Semantics;
        static double Wide(float v) => v == -float.MaxValue ? -double.MaxValue : v; // TensorFlow's lowest() is the dtype's
        double initial = Wide(sem.MaxInitial), emptyMax = Wide(sem.EmptyMax), emptyAvg = sem.EmptyAverage;
        double p = wp.P;
        double[]? scale = null;
        if (wp.Reduction == Reduction.Lp && wp.LpScale is not null)
        {
            scale = new double[outPlane];
            double full = (double)wp.D.Kernel * wp.H.Kernel * wp.W.Kernel;
            int cell = 0;
            for (int od = 0; od < wp.D.Output; od++)
                for (int oh = 0; oh < wp.H.Output; oh++)
                    for (int ow = 0; ow < wp.W.Output; ow++, cell++)
                    {
                        double padded = (double)wp.D.Padded[od] * wp.H.Padded[oh] * wp.W.Padded[ow];
                        scale[cell] = padded == 0 ? 1 : full / padded;
                    }
        }
        int C = wp.C;
        bool cl = wp.ChannelsLast;
        var (D, H, W) = (wp.D, wp.H, wp.W);
        void Plane(int q)
        {
            int n = q / C, c = q % C;
            // Element (plane q, in-plane t) of the input / output in the plan's layout.
            long xb = cl ? (long)n * inPlane * C + c : q * inPlane, xs = cl ? C : 1;
            long yb = cl ? (long)n * outPlane * C + c : q * outPlane, ys = cl ? C : 1;
            int cell = 0;
            for (int od = 0; od < D.Output; od++)
                for (int oh = 0; oh < H.Output; oh++)
                    for (int ow = 0; ow < W.Output; ow++, cell++)
                    {
                        bool empty = D.Count[od] == 0 || H.Count[oh] == 0 || W.Count[ow] == 0;
                        double r;
                        long idx = -1;
                        switch (wp.Reduction)
                        {
                            case Reduction.Max:
                                if (empty) { r = emptyMax; break; }
                                r = initial;
                                bool seeded = sem.Nan != NanMode.FirstTapOnly;
                                for (int i = 0; i < D.Count[od]; i++)
                                    for (int j = 0; j < H.Count[oh]; j++)
                                    {
                                        int row = ((D.Start[od] + i * D.Step) * H.Length + H.Start[oh] + j * H.Step) * W.Length;
                                        for (int k = 0; k < W.Count[ow]; k++)
                                        {
                                            int t = row + W.Start[ow] + k * W.Step;
                                            double v = x[xb + t * xs];
                                            if (idx < 0) idx = t;
                                            if (!seeded) { r = v; seeded = true; continue; }
                                            bool replace = sem.Nan switch
                                            {
                                                NanMode.PropagateLast => v > r || double.IsNaN(v),
                                                NanMode.PropagateFirst => v > r || (double.IsNaN(v) && !double.IsNaN(r)),
                                                NanMode.FirstTapOnly => r < v,
                                                _ => v > r,
                                            };
                                            if (replace) { r = v; idx = t; }
                                        }
                                    }
                                break;
                            default:
                                double sum = 0;
                                for (int i = 0; i < D.Count[od]; i++)
                                    for (int j = 0; j < H.Count[oh]; j++)
                                    {
                                        int row = ((D.Start[od] + i * D.Step) * H.Length + H.Start[oh] + j * H.Step) * W.Length;
                                        for (int k = 0; k < W.Count[ow]; k++)
                                        {
                                            double v = x[xb + (row + W.Start[ow] + k * W.Step) * xs];
                                            sum += wp.Reduction == Reduction.Average ? v
                                                : p == 2 ? v * v
                                                : p == 1 ? (wp.Semantics.LpRaw ? v : Math.Abs(v))
                                                : Math.Pow(wp.Semantics.LpRaw ? v : Math.Abs(v), p);
                                        }
                                    }
                                if (wp.Reduction == Reduction.Average)
                                {
                                    double div = wp.Divisor![cell];
                                    r = div == 0 ? emptyAvg : truncate ? Math.Truncate(sum / div) : sum / div;
                                }
                                else if (empty) r = 0;
                                else
                                {
                                    double z = scale is null ? sum : sum * scale[cell];
                                    r = p == 1 ? z : p == 2 ? Math.Sqrt(z) : Math.Pow(z, 1 / p);
                                }
                                break;
                        }
                        y[yb + cell * ys] = r;
                        if (indices is not null) indices[q * outPlane + cell] = idx;
                    }
        }
        if (threads <= 1 || planes <= 1) for (int q = 0; q < planes; q++) Plane(q);
        else Parallel.For(0, (int)planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, Plane);
    }
}
