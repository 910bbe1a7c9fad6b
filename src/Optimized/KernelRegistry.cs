namespace PoolingConformance.Optimized;

/// <summary>
/// The one list of optimized kernels that the <c>optimized</c> backend, the conformance tests and the benchmarks
/// read (STYLE.md §2.6). Empty until the SIMD kernels land: this assembly is the scaffold they go into.
/// </summary>
public static class KernelRegistry
{
    public static IReadOnlyList<string> All { get; } = [];
}
