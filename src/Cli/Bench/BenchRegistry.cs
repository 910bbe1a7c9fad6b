using PoolingConformance.Adapters;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Cli.Bench;

/// <summary>A backend as <c>poolconf bench</c> knows it: its name, how to create it, whether <c>--threads</c> applies to it.</summary>
public sealed record BenchBackendInfo(string Name, Func<IBenchBackend> Factory, bool Threaded, string Description);

/// <summary>
/// The one list of backends <c>poolconf bench</c> and the CI performance gate look up by name. A factory runs only when its
/// backend is selected, so a backend in another assembly (the GPU one) is loaded only when asked for.
/// </summary>
public sealed class BenchRegistry
{
    readonly List<BenchBackendInfo> _all = [];

    public IReadOnlyList<BenchBackendInfo> All => _all;

    /// <summary>Registers a backend; <paramref name="threaded"/> false runs it once per workload whatever <c>--threads</c> says.</summary>
    public BenchRegistry Add(string name, Func<IBenchBackend> factory, bool threaded = true, string description = "")
    {
        if (Find(name) is not null) throw new ArgumentException($"bench backend '{name}' registered twice");
        _all.Add(new BenchBackendInfo(name, factory, threaded, description));
        return this;
    }

    public BenchBackendInfo? Find(string name) => _all.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.Ordinal));

    /// <summary>The backends of this build, in the order tables list them.</summary>
    public static BenchRegistry Default() => new BenchRegistry()
        .Add("reference", () => new ReferenceBench(), threaded: false, "the oracle in float64 (the baseline)")
        .Add("optimized", () => new OptimizedBench(), threaded: true, "src/Optimized KernelRegistry kernels")
        .Add("onnxruntime", () => new OnnxRuntimeBench(), threaded: true, "ONNX Runtime CPU provider, intra-op threads = --threads")
        .Add("copy", () => new CopyBench(), threaded: true, "memory-bandwidth bound: a copy of the same bytes")
        // GPU backends (src/Optimized.Gpu): the factory's body is compiled only when the backend is selected, so a CPU-only
        // bench never loads ILGPU. Without a CUDA device `gpu` reports "backend unavailable" with the reason.
        .Add("gpu", () => Optimized.Gpu.GpuBenchBackend.Create(cpuAccelerator: false), threaded: false, "ILGPU kernels on the CUDA device")
        .Add("gpu:cpu", () => Optimized.Gpu.GpuBenchBackend.Create(cpuAccelerator: true), threaded: false, "ILGPU kernels on its CPU accelerator");
}
