using BenchmarkDotNet.Attributes;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Benchmarks;

/// <summary>
/// The exact running-sum path of stride-1 averages (<see cref="RunningSumDriver"/>) against the fixed-order float32 path on the
/// same problem: 1×64×56×56, kernel k, stride 1, padding k/2 (PyTorch count_include_pad), uniform [−1, 1) data (admitted by the
/// exactness rule), both layouts, one thread. The fixed-order plan is opted out of the running path
/// (<see cref="RunningSumDriver.OptOut"/>); the running one is called whatever <see cref="RunningSumDriver.MinWindowTaps"/> says,
/// so k3 shows where it loses. Setup checks that both give results within one float32 rounding of each other.
/// <c>dotnet run -c Release --project benchmarks/PoolingConformance.Benchmarks -- --filter *RunningSum*</c>; the ratio column
/// (Baseline = fixed order) is the figure to read.
/// </summary>
public class RunningSumBenchmarks
{
    [Params(3, 5, 7, 9, 13)]
    public int K { get; set; }

    [Params(TensorLayout.Nchw, TensorLayout.Nhwc)]
    public TensorLayout Layout { get; set; }

    const int N = 1, C = 64, H = 56, W = 56;
    float[] _x = [], _yFixed = [], _yRunning = [];
    PoolPlan _fixed = null!, _running = null!;
    KernelEntry _kernel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _x = new float[N * C * H * W];
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)(rng.NextDouble() * 2 - 1);
        var axes = new[] { PoolGeometry.Explicit(H, K, 1, 1, K / 2, K / 2, CeilRule.Floor), PoolGeometry.Explicit(W, K, 1, 1, K / 2, K / 2, CeilRule.Floor) };
        var desc = new PoolDescriptor(Reduction.Average, axes, PoolSemantics.Torch);
        _fixed = new PoolPlan(desc);
        RunningSumDriver.OptOut(_fixed);
        _running = new PoolPlan(desc);
        _kernel = Layout == TensorLayout.Nchw ? KernelRegistry.AvgPool2dNchw : KernelRegistry.AvgPool2dNhwc;
        _yFixed = new float[N * C * _fixed.OutputPlane];
        _yRunning = new float[_yFixed.Length];
        Fixed();
        Running();
        for (int i = 0; i < _yFixed.Length; i++)
            if (Math.Abs(_yFixed[i] - _yRunning[i]) > 1e-6f * (1 + Math.Abs(_yFixed[i])))
                throw new InvalidOperationException($"running and fixed-order results differ at {i}: {_yRunning[i]} vs {_yFixed[i]}");
    }

    [Benchmark(Baseline = true)]
    public void Fixed() => _kernel.Run(_fixed, N, C, _x, _yFixed, null, 1);

    [Benchmark]
    public void Running()
    {
        bool ran = Layout == TensorLayout.Nchw ? RunningSumDriver.Nchw(_running, N * C, _x, _yRunning, 1) : RunningSumDriver.Nhwc(_running, N, C, _x, _yRunning, 1);
        if (!ran) throw new InvalidOperationException("the input was not admitted to the running path");
    }
}
