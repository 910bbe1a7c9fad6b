using PoolingConformance.Optimized.Kernels.Features;

namespace PoolingConformance.Optimized;

// The registry's kernels for the survey's feature-level methods (spectral, bilinear, compact bilinear, NetVLAD, MOP, edge-aware pyramid).
public static partial class KernelRegistry
{
    /// <summary>Spectral pooling by a direct DFT of the kept frequencies (separable real crop matrices), planar.</summary>
    public static SpectralPoolKernel SpectralPool { get; } = new();
    /// <summary>Bilinear pooling: the per-sample Gram matrix of channel rows, square root and L2.</summary>
    public static BilinearPoolKernel BilinearPool { get; } = new();

    /// <summary>Edge-aware pyramid pooling: exp-weighted adaptive bin averages, input and nearest-upsampled levels concatenated.</summary>
    public static EdgeAwarePyramidKernel EdgeAwarePyramid { get; } = new();
    /// <summary>NetVLAD: soft assignment and residual sums (float32 SIMD products), intra and global L2.</summary>
    public static NetVladKernel NetVlad { get; } = new();
    /// <summary>Compact bilinear pooling: Tensor Sketch through the Gram matrix, or Random Maclaurin projections.</summary>
    public static CompactBilinearKernel CompactBilinear { get; } = new();
    /// <summary>Multi-scale orderless pooling: window descriptors, PCA, hard VLAD, per-level root and L2.</summary>
    public static MopKernel Mop { get; } = new();

    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    static string[] FeatureKernelNames() => [SpectralPoolKernel.Id, BilinearPoolKernel.Id, EdgeAwarePyramidKernel.Id, NetVladKernel.Id, CompactBilinearKernel.Id, MopKernel.Id];
}
