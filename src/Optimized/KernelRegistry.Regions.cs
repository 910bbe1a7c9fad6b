namespace PoolingConformance.Optimized;

// The registry's kernels for ROI/SPP variants, fractional max pooling, onnx.MaxUnpool.
public static partial class KernelRegistry
{
    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    static string[] RegionKernelNames() => [];
}
