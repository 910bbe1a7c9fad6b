using BenchmarkDotNet.Attributes;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Reference;

namespace PoolingConformance.Benchmarks;

/// <summary>
/// Reference (baseline) vs the registry's optimized kernel at 1 and 2 threads, per workload. The reference pools the
/// NCHW tensor in double (it is the oracle, not a competitor; for NHWC workloads its time is the NCHW problem's). Setup
/// checks the optimized output against the reference once, so a fast wrong kernel cannot be timed.
/// </summary>
public class PoolBenchmarks
{
    [ParamsSource(nameof(Workloads))]
    public Workload W { get; set; } = null!;

    public static IEnumerable<Workload> Workloads() => Workload.All;

    Tensor _x = null!;
    float[] _xf = null!, _y = null!;
    long[]? _idx;
    PoolPlan2d _plan = null!;
    KernelEntry _kernel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var d = W.Descriptor;
        int h = d.Axes[0].Length, w = d.Axes[1].Length;
        var rng = new Random(42);
        var data = new double[W.N * W.C * h * w];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        _x = new Tensor(DType.Float32, [W.N, W.C, h, w], data);
        _plan = new PoolPlan2d(d);
        _kernel = KernelRegistry.Find(d, W.Layout).Kernel ?? throw new InvalidOperationException($"no kernel for {W}");
        var input = W.Layout == TensorLayout.Nhwc ? PoolingConformance.Reference.Dialects.Layout.ToChannelsLast(_x) : _x;
        _xf = input.Data.Select(v => (float)v).ToArray();
        _y = new float[W.N * W.C * _plan.OH * _plan.OW];
        _idx = d.Reduction == Reduction.Max ? new long[_y.Length] : null;
        Verify();
    }

    void Verify()
    {
        _kernel.Run(_plan, W.N, W.C, _xf, _y, _idx, 2);
        var shape = W.Layout == TensorLayout.Nhwc ? new[] { W.N, _plan.OH, _plan.OW, W.C } : [W.N, W.C, _plan.OH, _plan.OW];
        var got = new Tensor(DType.Float32, shape, _y.Select(v => (double)v).ToArray());
        if (W.Layout == TensorLayout.Nhwc) got = PoolingConformance.Reference.Dialects.Layout.ToChannelsFirst(got);
        var exp = W.Descriptor.Reduction == Reduction.Max ? MaxPool.Compute(_x, W.Descriptor, "output", "indices").Values : AveragePool.Compute(_x, W.Descriptor, "output");
        var cmp = OutputComparer.Compare(exp, got, Tolerance.Derived);
        if (!cmp.Passed) throw new InvalidOperationException($"{_kernel.Name} on {W}: {cmp.Describe()}");
    }

    [Benchmark(Baseline = true)]
    public object ReferenceOracle() => W.Descriptor.Reduction == Reduction.Max
        ? MaxPool.Compute(_x, W.Descriptor, "output", "indices").Values
        : AveragePool.Compute(_x, W.Descriptor, "output");

    [Benchmark]
    public float Optimized_1Thread() { _kernel.Run(_plan, W.N, W.C, _xf, _y, _idx, 1); return _y[0]; }

    [Benchmark]
    public float Optimized_2Threads() { _kernel.Run(_plan, W.N, W.C, _xf, _y, _idx, 2); return _y[0]; }
}
