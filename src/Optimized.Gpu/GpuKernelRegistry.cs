namespace PoolingConformance.Optimized.Gpu;

/// <summary>One GPU kernel as the registry lists it: name, what it computes, layouts, dtype and accumulation, and the rule that makes it deterministic.</summary>
public sealed record GpuKernelEntry(string Name, string Computes, string Layouts, string Determinism)
{
    public string DType => "float32";
    public string Accumulation => "float32 sums; Lp powers/roots and ROI bilinear weights in double, rounded once";
    public override string ToString() => Name;
}

/// <summary>The one list of GPU kernels that the <c>gpu</c> backend, the conformance tests and the bench read.</summary>
public static class GpuKernelRegistry
{
    const string Gather = "one thread per output element, gathering in scan order: no atomics, results independent of the launch shape";

    public static GpuKernelEntry MaxWindow { get; } = new("MaxWindow_F32", "max (+ index) over planned window tables, 1-D/2-D/3-D, fixed, adaptive and global; NaN modes", "NCHW, NHWC", Gather);
    public static GpuKernelEntry AverageWindow { get; } = new("AvgWindow_F32", "average with the planned per-cell divisor", "NCHW, NHWC", Gather);
    public static GpuKernelEntry LpWindow { get; } = new("LpWindow_F32", "Lp (|x|^p or x^p, PyTorch ceil inflation)", "NCHW, NHWC", Gather);
    public static GpuKernelEntry MaxUnpool { get; } = new("MaxUnpool_F32", "torch max_unpool1d/2d/3d and onnx.MaxUnpool", "NCHW",
        "one thread per output cell scans its plane's indices: the LAST input position (row-major scan order) naming the cell wins, as a sequential scatter does");
    public static GpuKernelEntry RoiAlign { get; } = new("RoiAlignAvg_F32", "torchvision roi_align (avg; fixed or adaptive sampling; aligned)", "NCHW", Gather);
    public static GpuKernelEntry RoiPool { get; } = new("RoiPool_F32", "torchvision roi_pool, onnx.MaxRoiPool (max + argmax)", "NCHW", Gather);
    public static GpuKernelEntry ChannelConcat { get; } = new("ChannelConcat_F32", "YOLO SPP family: window max pools concatenated on channels", "NCHW", Gather);

    public static IReadOnlyList<GpuKernelEntry> All { get; } = [MaxWindow, AverageWindow, LpWindow, MaxUnpool, RoiAlign, RoiPool, ChannelConcat];
}
