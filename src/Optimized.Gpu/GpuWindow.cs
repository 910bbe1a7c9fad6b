using ILGPU;
using ILGPU.Runtime;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// Runs a <see cref="WindowPlan"/> with the window kernels: uploads the input, the per-axis tables and the per-cell divisors or
/// Lp scales, launches one thread per output element and downloads values and (max) canonical indices.
/// </summary>
public static class GpuWindow
{
    /// <summary>The kernel arguments of a plan, in the given layout.</summary>
    public static WindowArgs Args(WindowPlan p, bool channelsLast)
    {
        if (p.OutputElements > int.MaxValue) throw new NotServedException($"{p.OutputElements} output elements (one launch holds at most 2^31 − 1)");
        if ((long)p.N * p.C * p.InPlane > int.MaxValue * 4L) throw new NotServedException("input larger than 2^33 elements");
        var s = p.Semantics;
        double invP = 1 / p.P;
        static bool IsInt(double v) => v == Math.Floor(v) && !double.IsInfinity(v);
        static bool IsOdd(double v) => IsInt(v) && Math.Abs(v % 2) == 1;
        return new WindowArgs
        {
            N = p.N, C = p.C, ID = p.D.Length, IH = p.H.Length, IW = p.W.Length, OD = p.D.Output, OH = p.H.Output, OW = p.W.Output,
            StepD = p.D.Step, StepH = p.H.Step, StepW = p.W.Step,
            OffD = 0, OffH = 2 * p.D.Output, OffW = 2 * (p.D.Output + p.H.Output),
            ChannelsLast = channelsLast ? 1 : 0,
            NanMode = (int)s.Nan, MaxInitial = s.MaxInitial, EmptyMax = s.EmptyMax, EmptyAverage = s.EmptyAverage,
            LpRaw = s.LpRaw ? 1 : 0, HasScale = p.LpScale is null ? 0 : 1,
            PKind = p.P == 1 ? 1 : p.P == 2 ? 2 : 0, P = p.P, InvP = invP,
            PInt = IsInt(p.P) ? 1 : 0, POddInt = IsOdd(p.P) ? 1 : 0, InvPInt = IsInt(invP) ? 1 : 0, InvPOddInt = IsOdd(invP) ? 1 : 0,
            WriteIndex = p.Reduction == Reduction.Max ? 1 : 0,
            YC = p.C, YOff = 0,
        };
    }

    /// <summary>The per-axis tables as one buffer: for D, H, W in turn, the starts then the counts.</summary>
    public static int[] Tables(WindowPlan p) =>
        [.. p.D.Start, .. p.D.Count, .. p.H.Start, .. p.H.Count, .. p.W.Start, .. p.W.Count];

    /// <summary>Runs the plan on its own input and layout.</summary>
    public static (float[] Y, long[]? Indices) Run(GpuRuntime rt, WindowPlan p) => Run(rt, p, p.X, p.ChannelsLast);

    /// <summary>Runs the plan's problem on <paramref name="x"/> laid out as <paramref name="channelsLast"/> says (values come back in that layout; indices N×C×out).</summary>
    public static (float[] Y, long[]? Indices) Run(GpuRuntime rt, WindowPlan p, float[] x, bool channelsLast)
    {
        using var prepared = new Prepared(rt, p, x, channelsLast);
        prepared.Launch();
        prepared.Synchronize();
        return prepared.Download();
    }

    /// <summary>A plan uploaded once: <see cref="Launch"/> and <see cref="Synchronize"/> as often as wanted (the bench's timed work).</summary>
    public sealed class Prepared : IDisposable
    {
        readonly GpuRuntime _rt;
        readonly WindowArgs _args;
        readonly MemoryBuffer1D<float, Stride1D.Dense> _x, _cell, _y;
        readonly MemoryBuffer1D<int, Stride1D.Dense> _tables;
        readonly MemoryBuffer1D<long, Stride1D.Dense> _idx;
        readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs> _kernel;
        readonly int _extent;
        public WindowPlan Plan { get; }

        /// <summary>Uploads the plan; <c>withIndices</c> (max only) writes the index buffer too (false for the bench, which times values only).</summary>
        public Prepared(GpuRuntime rt, WindowPlan p, float[] x, bool channelsLast, bool withIndices = true)
        {
            _rt = rt; Plan = p;
            _args = Args(p, channelsLast);
            if (!withIndices) _args.WriteIndex = 0;
            _extent = (int)p.OutputElements;
            var acc = rt.Accelerator;
            _x = acc.Allocate1D(x);
            _tables = acc.Allocate1D(Tables(p));
            _cell = acc.Allocate1D(p.Divisor ?? p.LpScale ?? [1f]);
            _y = acc.Allocate1D<float>(Math.Max(1, _extent));
            _idx = acc.Allocate1D<long>(p.Reduction == Reduction.Max ? Math.Max(1, _extent) : 1);
            _kernel = p.Reduction switch { Reduction.Max => rt.MaxKernel, Reduction.Average => rt.AverageKernel, _ => rt.LpKernel };
        }

        /// <summary>Bytes a launch must move at least: the input once, the values (and indices) once.</summary>
        public long Bytes => _x.Length * 4L + (long)_extent * (4 + (_args.WriteIndex != 0 ? 8 : 0));

        public void Launch()
        {
            if (_extent > 0) _kernel(_extent, _x.View, _tables.View, _cell.View, _y.View, _idx.View, _args);
        }

        public void Synchronize() => _rt.Accelerator.Synchronize();

        public (float[] Y, long[]? Indices) Download()
        {
            var y = _extent == 0 ? [] : _y.GetAsArray1D();
            long[]? idx = Plan.Reduction == Reduction.Max && _extent > 0 ? _idx.GetAsArray1D() : null;
            return (y.Length > _extent ? y[.._extent] : y, idx);
        }

        public void Dispose()
        {
            _x.Dispose(); _tables.Dispose(); _cell.Dispose(); _y.Dispose(); _idx.Dispose();
        }
    }
}
