using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Bench;

/// <summary>What a benchmark workload computes.</summary>
public enum WorkloadKind
{
    /// <summary>Window pooling (max / average / Lp) described by <see cref="BenchWorkload.Descriptor"/>.</summary>
    Window,
    /// <summary>Average ROI align (torchvision <c>roi_align</c>): <see cref="BenchWorkload.Roi"/> gives boxes and bins.</summary>
    RoiAlign,
    /// <summary>YOLOv3 SPP: the input concatenated with stride-1 same-padded max pools of <see cref="BenchWorkload.SppKernels"/>.</summary>
    YoloSpp,
}

/// <summary>ROI align parameters of a workload: box count, output bins, sampling ratio, aligned flag, spatial scale.</summary>
public sealed record RoiAlignSpec(int Boxes, int PooledH, int PooledW, int SamplingRatio, bool Aligned, double SpatialScale);

/// <summary>
/// One float32 workload of issue 6 (W1–W8), shared by <c>poolconf bench</c>, the BenchmarkDotNet project, the CI performance
/// gate and the GPU device check, so every tool times the same problems. Inputs are filled from <see cref="Seed"/>.
/// </summary>
public sealed record BenchWorkload(string Name, string Label, WorkloadKind Kind, int N, int C, int H, int W, TensorLayout Layout,
    PoolDescriptor? Descriptor = null, RoiAlignSpec? Roi = null, int[]? SppKernels = null, int Seed = 42)
{
    public override string ToString() => Name;

    /// <summary>Input elements (N·C·H·W).</summary>
    public long InputElements => (long)N * C * H * W;

    static PoolDescriptor D2(Reduction r, int h, int w, int k, int s, int p, PoolSemantics sem, double pNorm = 2) =>
        new(r, [PoolGeometry.Explicit(h, k, s, 1, p, p, CeilRule.Floor), PoolGeometry.Explicit(w, k, s, 1, p, p, CeilRule.Floor)], sem, pNorm);

    static BenchWorkload Pool(string name, string label, int n, int c, int h, int w, PoolDescriptor d, TensorLayout layout = TensorLayout.Nchw) =>
        new(name, label, WorkloadKind.Window, n, c, h, w, layout, d);

    /// <summary>The workloads of issue 6, W5 in both layouts.</summary>
    public static IReadOnlyList<BenchWorkload> All { get; } =
    [
        Pool("W1", "max 1×64×112×112 k3 s2 p1 (ResNet pool1)", 1, 64, 112, 112, D2(Reduction.Max, 112, 112, 3, 2, 1, PoolSemantics.Torch)),
        Pool("W2", "max 1×64×224×224 k2 s2 (VGG)", 1, 64, 224, 224, D2(Reduction.Max, 224, 224, 2, 2, 0, PoolSemantics.Torch)),
        Pool("W3", "avg 1×256×56×56 k3 s1 p1 exclude pad", 1, 256, 56, 56,
            D2(Reduction.Average, 56, 56, 3, 1, 1, PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad })),
        Pool("W4", "global avg 8×2048×7×7", 8, 2048, 7, 7, D2(Reduction.Average, 7, 7, 7, 7, 0, PoolSemantics.Torch)),
        Pool("W5-NCHW", "max 32×64×56×56 k3 s2 p1, NCHW", 32, 64, 56, 56, D2(Reduction.Max, 56, 56, 3, 2, 1, PoolSemantics.Torch)),
        Pool("W5-NHWC", "max 32×64×56×56 k3 s2 p1, NHWC", 32, 64, 56, 56, D2(Reduction.Max, 56, 56, 3, 2, 1, PoolSemantics.Torch), TensorLayout.Nhwc),
        new("W6", "roi_align 1×256×50×50, 512 boxes, 7×7, sampling 2, aligned, scale 1/16", WorkloadKind.RoiAlign, 1, 256, 50, 50,
            TensorLayout.Nchw, Roi: new RoiAlignSpec(512, 7, 7, 2, true, 1.0 / 16)),
        Pool("W7", "lp p=2 k3 s2 1×64×112×112", 1, 64, 112, 112, D2(Reduction.Lp, 112, 112, 3, 2, 0, PoolSemantics.Torch, 2)),
        new("W8", "YOLOv3 SPP max 5/9/13 s1 same, 1×512×20×20", WorkloadKind.YoloSpp, 1, 512, 20, 20, TensorLayout.Nchw, SppKernels: [5, 9, 13]),
    ];

    /// <summary>The workload named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static BenchWorkload? Find(string name) => All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase));
}
