using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Optimized;

// The registry's kernels for ROI/SPP variants, fractional max pooling, onnx.MaxUnpool.
public static partial class KernelRegistry
{
    /// <summary>Spatial pyramid pooling (<c>poolconf.spp</c>, <c>caffe.spp</c>): each level on the planar window / adaptive kernels.</summary>
    public static SpatialPyramidKernel SpatialPyramidNchw { get; } = new();

    /// <summary>TensorFlow crop_and_resize (channels-last, bilinear in double / nearest).</summary>
    public static CropAndResizeKernel CropAndResizeNhwc { get; } = new();
    /// <summary>Position-sensitive ROI average pooling and ROI Align (torchvision ps_roi_pool / ps_roi_align).</summary>
    public static PsRoiPoolKernel PsRoiPoolNchw { get; } = new();
    public static PsRoiAlignKernel PsRoiAlignNchw { get; } = new();

    /// <summary>ONNX MaxUnpool (scatter over the inferred shape, placed at the start of a larger output_shape).</summary>
    public static OnnxMaxUnpoolKernel OnnxMaxUnpoolNchw { get; } = new();

    /// <summary>Fractional max pooling 2-D / 3-D (PyTorch's interval rule, the samples an input), with indices.</summary>
    public static FractionalMaxPoolKernel FractionalMaxPoolNchw { get; } = new();

    /// <summary>The float64 path of window pooling (scalar double over the planner's geometry).</summary>
    public static WindowFloat64Kernel WindowFloat64 { get; } = new();

    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    // (Names is initialized in the main file, possibly before this file's properties: names, not instances.)
    static string[] RegionKernelNames() => [SpatialPyramidKernel.KernelName, CropAndResizeKernel.KernelName, PsRoiPoolKernel.KernelName, PsRoiAlignKernel.KernelName, OnnxMaxUnpoolKernel.KernelName, FractionalMaxPoolKernel.KernelName, WindowFloat64Kernel.KernelName];
}
