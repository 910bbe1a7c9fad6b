using BenchmarkDotNet.Attributes;
using PoolingConformance.Adapters;
using PoolingConformance.Cli.Bench;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Benchmarks;

/// <summary>
/// The workloads of issue 6 (<see cref="BenchWorkload.All"/>, W1–W8, W5 in both layouts) on the same backends as
/// <c>poolconf bench</c>: the reference oracle (baseline), the registry's optimized kernels at 1 and 2 threads and ONNX
/// Runtime at 1 and 2 intra-op threads. Setup prepares each through its <see cref="IBenchBackend"/> and checks every output
/// against the oracle (<see cref="BenchOracle.Check"/>, verify's tolerance) once, so a fast wrong backend is never timed. A
/// backend that does not serve a workload throws <see cref="NotSupportedException"/> with its reason, which BenchmarkDotNet
/// reports for that cell instead of a time.
/// </summary>
public class PoolBenchmarks
{
    [ParamsSource(nameof(Workloads))]
    public BenchWorkload W { get; set; } = null!;

    public static IEnumerable<BenchWorkload> Workloads() => BenchWorkload.All;

    readonly Dictionary<string, IPreparedBench> _ready = [];
    readonly Dictionary<string, string> _why = [];

    [GlobalSetup]
    public void Setup()
    {
        var expected = BenchOracle.Compute(W, BenchOracle.Input(W), BenchOracle.Boxes(W));
        foreach (var (key, backend, threads) in new (string, IBenchBackend, int)[]
        {
            ("reference", new ReferenceBench(), 1), ("optimized/1", new OptimizedBench(), 1), ("optimized/2", new OptimizedBench(), 2),
            ("onnxruntime/1", new OnnxRuntimeBench(), 1), ("onnxruntime/2", new OnnxRuntimeBench(), 2),
        })
        {
            if (backend.Unsupported(W) is { } why) { _why[key] = why; continue; }
            var p = backend.Prepare(W, threads);
            if (p is IBenchOutput o && BenchOracle.Check(W, expected, o.ReadOutput()) is { } bad)
                throw new InvalidOperationException($"{key} on {W.Name}: output differs from the oracle: {bad}");
            _ready[key] = p;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _ready.Values) p.Dispose();
        _ready.Clear();
    }

    void Run(string key)
    {
        if (!_ready.TryGetValue(key, out var p)) throw new NotSupportedException($"{key} on {W.Name}: {_why.GetValueOrDefault(key, "not prepared")}");
        p.Run();
    }

    [Benchmark(Baseline = true)] public void Reference() => Run("reference");
    [Benchmark] public void Optimized_1Thread() => Run("optimized/1");
    [Benchmark] public void Optimized_2Threads() => Run("optimized/2");
    [Benchmark] public void OnnxRuntime_1Thread() => Run("onnxruntime/1");
    [Benchmark] public void OnnxRuntime_2Threads() => Run("onnxruntime/2");
}
