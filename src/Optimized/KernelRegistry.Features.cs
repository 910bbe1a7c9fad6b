namespace PoolingConformance.Optimized;

// The registry's kernels for the survey's feature-level methods (spectral, bilinear, compact bilinear, NetVLAD, MOP, edge-aware pyramid).
public static partial class KernelRegistry
{
    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    static string[] FeatureKernelNames() => [];
}
