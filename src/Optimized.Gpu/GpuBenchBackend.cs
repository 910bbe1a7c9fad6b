using PoolingConformance.Core;
using PoolingConformance.Optimized.Bench;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// The GPU in <c>poolconf bench</c>: every workload of <see cref="BenchWorkload.All"/>. <see cref="Prepare"/> fills the input from the
/// workload's seed, uploads it once, compiles the kernel, runs it once and checks sampled planes against a host computation in
/// double from the project's window enumeration (<see cref="Windows.Enumerate"/>) or ROI geometry (<see cref="RoiGeometry"/>);
/// <see cref="IPreparedBench.Run"/> is one launch plus a device synchronize. Max pools time values only (no index buffer).
/// Register with <c>GpuBenchBackend.Create(cpuAccelerator: false)</c> as <c>gpu</c> (throws <see cref="NoDeviceException"/> without a
/// CUDA device) and <c>Create(true)</c> as <c>gpu:cpu</c>.
/// </summary>
public sealed class GpuBenchBackend : IBenchBackend, IDisposable
{
    readonly GpuRuntime _rt;

    GpuBenchBackend(GpuRuntime rt, string name) { _rt = rt; Name = name; }

    /// <summary>The factory the CLI calls. <paramref name="cpuAccelerator"/>: ILGPU's CPU accelerator instead of a CUDA device.</summary>
    public static GpuBenchBackend Create(bool cpuAccelerator) => new(GpuRuntime.Create(cpuAccelerator), cpuAccelerator ? "gpu:cpu" : "gpu");

    public string Name { get; }

    /// <summary>The device the backend runs on (for the bench's JSON).</summary>
    public string Device => _rt.DeviceName;

    public string? Unsupported(BenchWorkload workload) => workload.Kind switch
    {
        WorkloadKind.Window when workload.Descriptor is null => "window workload without a descriptor",
        WorkloadKind.RoiAlign when workload.Roi is null => "ROI workload without its spec",
        WorkloadKind.YoloSpp when workload.SppKernels is null => "SPP workload without kernels",
        _ => null,
    };

    /// <summary>The workload's input as every bench backend fills it (<see cref="BenchWorkload.CreateInput"/>, in its layout).</summary>
    public static float[] Input(BenchWorkload w) => w.CreateInput();

    /// <summary>The ROI workload's boxes as every bench backend reads them (<see cref="BenchWorkload.CreateBoxes"/>: K rows
    /// <c>[batch, x1, y1, x2, y2]</c>, float32 corners).</summary>
    public static Roi[] Boxes(BenchWorkload w) => w.CreateRois() ?? throw new InvalidOperationException($"{w.Name} has no boxes");

    public IPreparedBench Prepare(BenchWorkload w, int threads)
    {
        if (Unsupported(w) is { } why) throw new NotSupportedException(why);
        var x = Input(w);
        switch (w.Kind)
        {
            case WorkloadKind.Window:
            {
                bool nhwc = w.Layout == TensorLayout.Nhwc;
                var plan = CasePlanner.FromDescriptor(w.Descriptor!, w.N, w.C, x, nhwc, w.Name);
                var p = new GpuWindow.Prepared(_rt, plan, x, nhwc, withIndices: false);
                try
                {
                    p.Launch(); p.Synchronize();
                    BenchCheck.Window(w, plan, x, p.Download().Y);
                }
                catch { p.Dispose(); throw; }
                return new Timed(p.Launch, p.Synchronize, p.Bytes, p, () => p.Download().Y);
            }
            case WorkloadKind.RoiAlign:
            {
                var s = w.Roi!;
                var rois = Boxes(w);
                var p = GpuOtherOps.PrepareRoiAlign(_rt, x, w.C, w.H, w.W, rois, s.PooledH, s.PooledW, s.SpatialScale, s.SamplingRatio,
                    s.Aligned ? 0.5 : 0, !s.Aligned, DType.Float32);
                try
                {
                    p.Launch(); p.Synchronize();
                    BenchCheck.RoiAlign(w, rois, x, p.Download());
                }
                catch { p.Dispose(); throw; }
                return new Timed(p.Launch, p.Synchronize, p.Bytes, p, p.Download);
            }
            default:
            {
                GpuOtherOps.SppBlock[] blocks = [new(null), .. w.SppKernels!.Select(k => new GpuOtherOps.SppBlock(GpuOtherOps.SamePool(w.H, w.W, k)))];
                var p = new GpuOtherOps.PreparedSpp(_rt, blocks, w.N, w.C, w.H, w.W, x);
                try
                {
                    p.Launch(); p.Synchronize();
                    BenchCheck.Spp(w, blocks, x, p.Download());
                }
                catch { p.Dispose(); throw; }
                return new Timed(p.Launch, p.Synchronize, p.Bytes, p, p.Download);
            }
        }
    }

    /// <summary>A prepared launch; <see cref="ReadOutput"/> downloads the last run's output so <c>poolconf bench</c> checks it
    /// against the oracle under verify's tolerance objects, beside <see cref="BenchCheck"/>'s sampled planes.</summary>
    sealed class Timed(Action launch, Action sync, long bytes, IDisposable owner, Func<float[]> download) : IPreparedBench, IBenchOutput
    {
        public long Bytes => bytes;
        public float[] ReadOutput() => download();
        public void Run() { launch(); sync(); }
        public void Dispose() => owner.Dispose();
    }

    public void Dispose() => _rt.Dispose();
}

/// <summary>
/// The bench's output check: sampled planes (first, middle, last) recomputed on the host in double from the project's window
/// enumeration or ROI geometry; max must match exactly, accumulations within <c>(n + 8)·u·Σ|terms|/|D| + 4·u·|y|</c> (a float32
/// accumulation bound with slack). A mismatch throws, so a fast wrong kernel is never timed.
/// </summary>
public static class BenchCheck
{
    const double U = 1.0 / (1 << 24);

    static int[] SamplePlanes(int planes) => new[] { 0, planes / 2, planes - 1 }.Distinct().Where(q => q >= 0).ToArray();

    public static void Window(BenchWorkload w, WindowPlan plan, float[] x, float[] y)
    {
        var d = w.Descriptor!;
        var windows = Windows.Enumerate(d.Axes);
        int planes = w.N * w.C, inPlane = plan.InPlane, outPlane = plan.OutPlane;
        bool nhwc = plan.ChannelsLast;
        foreach (int q in SamplePlanes(planes))
        {
            int n = q / w.C, c = q % w.C;
            double X(int t) => nhwc ? x[((long)n * inPlane + t) * w.C + c] : x[(long)q * inPlane + t];
            for (int j = 0; j < outPlane; j++)
            {
                float got = nhwc ? y[((long)n * outPlane + j) * w.C + c] : y[(long)q * outPlane + j];
                var win = windows[j];
                double exp, bound = 0;
                switch (d.Reduction)
                {
                    case Reduction.Max:
                        exp = win.Taps.Length == 0 ? double.NegativeInfinity : win.Taps.Max(t => X(t));
                        break;
                    case Reduction.Average:
                    {
                        double div = d.Semantics.Divisor switch
                        {
                            DivisorPolicy.IncludePad => win.Padded, DivisorPolicy.ExcludePad => win.InBounds,
                            DivisorPolicy.FullKernel => win.FullKernel, _ => d.DivisorOverride,
                        };
                        exp = win.Taps.Sum(t => X(t)) / div;
                        bound = (win.Taps.Length + 8) * U * win.Taps.Sum(t => Math.Abs(X(t))) / Math.Abs(div) + 4 * U * Math.Abs(exp);
                        break;
                    }
                    default:
                    {
                        double scale = d.Semantics.LpCeil == CeilInflation.TorchInflated ? (double)win.FullKernel / win.Padded : 1;
                        double s = win.Taps.Sum(t => Math.Pow(d.Semantics.LpSign == LpSignMode.Abs ? Math.Abs(X(t)) : X(t), d.P));
                        exp = Math.Pow(s * scale, 1 / d.P);
                        bound = (win.Taps.Length + 16) * U * Math.Abs(exp) + 1e-30;
                        break;
                    }
                }
                if (!(Math.Abs(got - exp) <= bound) && !(double.IsNaN(got) && double.IsNaN(exp)) && got != exp)
                    throw new InvalidOperationException($"{w.Name}: plane {q} cell {j}: GPU {got}, host {exp} (bound {bound})");
            }
        }
    }

    public static void RoiAlign(BenchWorkload w, Roi[] rois, float[] x, float[] y)
    {
        var s = w.Roi!;
        double offset = s.Aligned ? 0.5 : 0;
        foreach (int k in SamplePlanes(rois.Length))
            foreach (int c in SamplePlanes(w.C))
            {
                var r = rois[k];
                var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, s.SpatialScale, offset, !s.Aligned, s.PooledH, s.SamplingRatio, DType.Float32);
                var ax = RoiGeometry.AlignGrid(r.X1, r.X2, s.SpatialScale, offset, !s.Aligned, s.PooledW, s.SamplingRatio, DType.Float32);
                double count = Math.Max(ay.Grid * ax.Grid, 1);
                long plane = ((long)r.Batch * w.C + c) * w.H * w.W;
                for (int i = 0; i < s.PooledH; i++)
                    for (int j = 0; j < s.PooledW; j++)
                    {
                        double sum = 0, abs = 0;
                        foreach (var yy in ay.Samples[i])
                            foreach (var xx in ax.Samples[j])
                            {
                                var (v, a) = Bilinear(x, plane, w.H, w.W, yy, xx);
                                sum += v; abs += a;
                            }
                        double exp = sum / count;
                        double bound = (ay.SampleCount * ax.SampleCount + 8) * U * abs / count + 4 * U * Math.Abs(exp);
                        float got = y[((k * w.C + c) * s.PooledH + i) * s.PooledW + j];
                        if (!(Math.Abs(got - exp) <= bound))
                            throw new InvalidOperationException($"{w.Name}: roi {k} channel {c} bin ({i},{j}): GPU {got}, host {exp} (bound {bound})");
                    }
            }
    }

    /// <summary>Host bilinear sample (independent of the kernel's code path): value and Σ|w·v|.</summary>
    static (double Value, double Abs) Bilinear(float[] x, long plane, int h, int w, double yy, double xx)
    {
        if (yy < -1.0 || yy > h || xx < -1.0 || xx > w) return (0, 0);
        yy = Math.Max(yy, 0); xx = Math.Max(xx, 0);
        int y0 = Math.Min((int)Math.Floor(yy), h - 1), x0 = Math.Min((int)Math.Floor(xx), w - 1);
        if (y0 == h - 1) yy = y0;
        if (x0 == w - 1) xx = x0;
        int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
        double ly = yy - y0, lx = xx - x0;
        double[] wts = [(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx];
        double[] vs = [x[plane + y0 * w + x0], x[plane + y0 * w + x1], x[plane + y1 * w + x0], x[plane + y1 * w + x1]];
        double v = 0, a = 0;
        for (int i = 0; i < 4; i++) { v += wts[i] * vs[i]; a += Math.Abs(wts[i] * vs[i]); }
        return (v, a);
    }

    public static void Spp(BenchWorkload w, GpuOtherOps.SppBlock[] blocks, float[] x, float[] y)
    {
        int plane = w.H * w.W, cOut = w.C * blocks.Length;
        foreach (int q in SamplePlanes(w.N * w.C))
        {
            int n = q / w.C, c = q % w.C;
            for (int b = 0; b < blocks.Length; b++)
            {
                var ws = blocks[b].Pool is { } d ? Windows.Enumerate(d.Axes) : null;
                for (int j = 0; j < plane; j++)
                {
                    double exp = ws is null ? x[(long)q * plane + j] : ws[j].Taps.Max(t => (double)x[(long)q * plane + t]);
                    float got = y[((long)n * cOut + b * w.C + c) * plane + j];
                    if (got != exp) throw new InvalidOperationException($"{w.Name}: block {b} plane {q} cell {j}: GPU {got}, host {exp}");
                }
            }
        }
    }
}
