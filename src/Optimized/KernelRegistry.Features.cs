using PoolingConformance.Optimized.Kernels.Features;

namespace PoolingConformance.Optimized;

// The registry's kernels for the survey's feature-level methods (spectral, bilinear, compact bilinear, NetVLAD, MOP, edge-aware pyramid).
public static partial class KernelRegistry
{
    /// <summary>Spectral pooling by a direct DFT of the kept frequencies (separable real crop matrices), planar.</summary>
    public static SpectralPoolKernel SpectralPool { get; } = new();
    /// <summary>Bilinear pooling: the per-sample Gram matrix of channel rows, square root and L2.</summary>
    public static BilinearPoolKernel BilinearPool { get; } = new();

    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    static string[] FeatureKernelNames() => [SpectralPoolKernel.Id, BilinearPoolKernel.Id];
}
