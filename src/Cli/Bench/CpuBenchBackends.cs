using System.Numerics;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Bench;
using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Cli.Bench;

/// <summary>
/// <c>reference</c>: the oracle itself computing the workload's float64 answer (<see cref="BenchOracle.Compute"/>) — the
/// baseline every speed-up is measured against, not a competitor. Single-threaded by design; NHWC workloads are pooled as
/// the same NCHW problem.
/// </summary>
public sealed class ReferenceBench : IBenchBackend
{
    public string Name => "reference";

    public string? Unsupported(BenchWorkload workload) => null;

    public IPreparedBench Prepare(BenchWorkload w, int threads)
    {
        var p = new Prepared(w, BenchOracle.Input(w), BenchOracle.Boxes(w));
        p.Run();
        return p;
    }

    sealed class Prepared(BenchWorkload w, Tensor x, Tensor? boxes) : IPreparedBench
    {
        public Expectation? Last { get; private set; }
        public long Bytes => w.MinBytes;
        public void Run() => Last = BenchOracle.Compute(w, x, boxes);
        public void Dispose() => Last = null;
    }
}

/// <summary>
/// <c>optimized</c>: the kernels of <see cref="KernelRegistry"/> — the same entries <c>poolconf run --backend optimized</c> and
/// the conformance tests use. Window workloads run the kernel the registry finds for the descriptor and layout (values only,
/// no indices: the peers are timed without them too); YOLO SPP runs the separable SPP kernel (<see cref="KernelRegistry.SppNchw"/>,
/// PyTorch's NaN rule, blocks input, 5, 9, 13); ROI align runs <see cref="KernelRegistry.RoiAlignNchw"/> with torchvision's
/// <c>aligned=True</c> (offset 0.5) over the workload's float32 boxes.
/// </summary>
public sealed class OptimizedBench : IBenchBackend
{
    public string Name => "optimized";

    public string? Unsupported(BenchWorkload w) => w.Kind switch
    {
        WorkloadKind.Window => KernelRegistry.Find(w.Descriptor!, w.Layout).Why,
        WorkloadKind.RoiAlign => w.Layout != TensorLayout.Nchw ? "ROI align is timed in NCHW only" : null,
        _ => w.Layout != TensorLayout.Nchw ? "SPP is timed in NCHW only" : SppKernel.Unsupported([0, .. w.SppKernels!]),
    };

    public IPreparedBench Prepare(BenchWorkload w, int threads)
    {
        if (Unsupported(w) is { } why) throw new NotSupportedException(why);
        IPreparedBench p = w.Kind switch
        {
            WorkloadKind.Window => new Window(w, threads),
            WorkloadKind.RoiAlign => new RoiAlign(w, threads),
            _ => new Spp(w, threads),
        };
        p.Run();
        return p;
    }

    sealed class Window : IPreparedBench, IBenchOutput
    {
        readonly BenchWorkload _w;
        readonly KernelEntry _kernel;
        readonly PoolPlan2d _plan;
        readonly float[] _x, _y;
        readonly int _threads;

        public Window(BenchWorkload w, int threads)
        {
            _w = w; _threads = threads;
            _kernel = KernelRegistry.Find(w.Descriptor!, w.Layout).Kernel!;
            _plan = new PoolPlan2d(w.Descriptor!);
            _x = w.CreateInput();
            _y = new float[w.OutputElements];
        }

        public long Bytes => _w.MinBytes;
        public void Run() => _kernel.Run(_plan, _w.N, _w.C, _x, _y, null, _threads);
        public float[] ReadOutput() => _y;
        public void Dispose() { }
    }

    sealed class Spp(BenchWorkload w, int threads) : IPreparedBench, IBenchOutput
    {
        readonly int[] _blocks = [0, .. w.SppKernels!];
        readonly float[] _x = w.CreateInput(), _y = new float[w.OutputElements];

        public long Bytes => w.MinBytes;
        public void Run() => KernelRegistry.SppNchw.Run(SppMax.Torch, _blocks, w.N, w.C, w.H, w.W, _x, _y, threads);
        public float[] ReadOutput() => _y;
        public void Dispose() { }
    }

    sealed class RoiAlign : IPreparedBench, IBenchOutput
    {
        readonly BenchWorkload _w;
        readonly RoiAlignSpec _s;
        readonly Roi[] _rois;
        readonly float[] _x, _y;
        readonly int _threads;

        public RoiAlign(BenchWorkload w, int threads)
        {
            _w = w; _s = w.Roi!; _threads = threads;
            _rois = w.CreateRois()!;
            _x = w.CreateInput();
            _y = new float[w.OutputElements];
        }

        public long Bytes => _w.MinBytes;
        public void Run() => KernelRegistry.RoiAlignNchw.Run(_x, _w.N, _w.C, _w.H, _w.W, _rois, _s.PooledH, _s.PooledW, _s.SpatialScale,
            _s.SamplingRatio, _s.Aligned ? 0.5 : 0, !_s.Aligned, DType.Float32, _y, _threads);
        public float[] ReadOutput() => _y;
        public void Dispose() { }
    }
}

/// <summary>
/// <c>copy</c>: the memory-bandwidth bound of a workload — the time to read as many bytes as its inputs hold and write as many
/// as its output holds, with the runtime's vectorized copy (<see cref="Span{T}.CopyTo"/>, i.e. <c>Buffer.Memmove</c>). When
/// the output is the smaller, the first <c>|output|</c> bytes of the input are copied to the output and the rest of the input
/// is read by a vector max (so every input byte is read once); when it is the larger (ROI align, SPP), the input is copied
/// repeatedly until the output is full (the re-reads hit the cache, as a pooling kernel's do). With <c>threads</c> > 1 the
/// ranges are split into equal contiguous shares. A backend at ratio 1.0 against it moves its bytes as fast as a copy.
/// </summary>
public sealed class CopyBench : IBenchBackend
{
    public string Name => "copy";

    public string? Unsupported(BenchWorkload workload) => null;

    public IPreparedBench Prepare(BenchWorkload w, int threads)
    {
        var p = new Prepared(new float[w.InputBytes / 4], new float[w.OutputBytes / 4], Math.Max(1, threads), w.MinBytes);
        p.Run();
        return p;
    }

    sealed class Prepared : IPreparedBench
    {
        readonly float[] _src, _dst;
        readonly int _threads;
        readonly float[] _sink;
        readonly Action<int> _share;

        public Prepared(float[] src, float[] dst, int threads, long bytes)
        {
            _src = src; _dst = dst; _threads = threads; Bytes = bytes;
            for (int i = 0; i < src.Length; i++) src[i] = i & 1023;
            _sink = new float[threads];
            _share = Share;
        }

        public long Bytes { get; }

        public void Run()
        {
            if (_threads == 1) Share(0);
            else Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, _share);
        }

        (long Lo, long Hi) Part(long length, int i) => (length * i / _threads, length * (i + 1) / _threads);

        void Share(int i)
        {
            long inN = _src.Length, outN = _dst.Length;
            var (lo, hi) = Part(outN, i);
            if (outN <= inN)
            {
                _src.AsSpan((int)lo, (int)(hi - lo)).CopyTo(_dst.AsSpan((int)lo));
                var (rlo, rhi) = Part(inN - outN, i);
                _sink[i] = ReadMax(_src.AsSpan((int)(outN + rlo), (int)(rhi - rlo)));
                return;
            }
            for (long at = lo; at < hi;)
            {
                long from = at % inN, len = Math.Min(hi - at, inN - from);
                _src.AsSpan((int)from, (int)len).CopyTo(_dst.AsSpan((int)at));
                at += len;
            }
        }

        static float ReadMax(ReadOnlySpan<float> s)
        {
            var acc = new Vector<float>(float.MinValue);
            int i = 0, vw = Vector<float>.Count;
            for (; i + vw <= s.Length; i += vw) acc = Vector.Max(acc, new Vector<float>(s[i..]));
            float m = float.MinValue;
            for (int j = 0; j < vw; j++) m = Math.Max(m, acc[j]);
            for (; i < s.Length; i++) m = Math.Max(m, s[i]);
            return m;
        }

        public void Dispose() { }
    }
}
