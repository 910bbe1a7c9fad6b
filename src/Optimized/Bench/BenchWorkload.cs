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

    /// <summary>Output spatial size of a window workload along axis <paramref name="a"/> (0 = H, 1 = W).</summary>
    int Out(int a) => Descriptor!.Axes[a].Output;

    /// <summary>
    /// The output shape in the workload's layout: window pooling N×C×OH×OW (NHWC: N×OH×OW×C); ROI align K×C×PH×PW; YOLO SPP
    /// N×(1 + kernels)·C×H×W with channel blocks in the order <c>[x, mp_k1, mp_k2, …]</c> (ultralytics SPP's
    /// <c>cat([x] + [m(x) for m in self.m], 1)</c>; darknet's YOLOv3 route lists the same blocks in reverse, same cost).
    /// </summary>
    public int[] OutputShape => Kind switch
    {
        WorkloadKind.Window => Layout == TensorLayout.Nhwc ? [N, Out(0), Out(1), C] : [N, C, Out(0), Out(1)],
        WorkloadKind.RoiAlign => [Roi!.Boxes, C, Roi.PooledH, Roi.PooledW],
        _ => [N, C * (1 + SppKernels!.Length), H, W],
    };

    /// <summary>The input shape in the workload's layout (N×C×H×W, or N×H×W×C for NHWC).</summary>
    public int[] InputShape => Layout == TensorLayout.Nhwc ? [N, H, W, C] : [N, C, H, W];

    /// <summary>Output elements.</summary>
    public long OutputElements => OutputShape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Bytes of the inputs (float32 features, plus the K×5 float32 box rows of ROI align).</summary>
    public long InputBytes => 4 * (InputElements + (Roi is null ? 0 : 5L * Roi.Boxes));

    /// <summary>Bytes of the float32 output.</summary>
    public long OutputBytes => 4 * OutputElements;

    /// <summary>The least traffic of one run: every input byte read once and every output byte written once (GB/s figures).</summary>
    public long MinBytes => InputBytes + OutputBytes;

    /// <summary>
    /// Element <paramref name="i"/> of the fill stream seeded by <paramref name="seed"/> (stream s of a workload uses
    /// <c>Seed + s</c>): SplitMix64 advanced <c>i + 1</c> times, its top 24 bits mapped onto <c>[−1, 1)</c> in steps of 2⁻²³ — exact in float32, so every tool
    /// (C#, NumPy) that reimplements the five lines gets the same bits.
    /// </summary>
    public static float Uniform(ulong seed, long i)
    {
        ulong z = seed + (ulong)(i + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (float)((z >> 40) * (1.0 / (1 << 23)) - 1.0);
    }

    /// <summary>
    /// The input tensor in the workload's layout, float32 values uniform in [−1, 1) from <see cref="Seed"/> (stream 0, indexed
    /// by the NCHW flat position, so the NCHW and NHWC forms of a problem hold the same values at the same (n, c, h, w)).
    /// </summary>
    public float[] CreateInput()
    {
        var x = new float[InputElements];
        long plane = (long)H * W;
        for (long i = 0; i < x.Length; i++)
        {
            float v = Uniform((ulong)Seed, i);
            if (Layout == TensorLayout.Nchw) { x[i] = v; continue; }
            long n = i / (C * plane), c = i / plane % C, hw = i % plane;
            x[(n * plane + hw) * C + c] = v;
        }
        return x;
    }

    /// <summary>
    /// ROI align boxes, K rows of <c>[batch, x1, y1, x2, y2]</c> (torchvision's layout) in input-image coordinates (the feature
    /// map divided by the spatial scale): corners from stream 1 of <see cref="Seed"/>, quarter-pixel steps, sides 32 px to half
    /// the image, inside the image; batch = k mod N. Null for other kinds.
    /// </summary>
    public float[]? CreateBoxes()
    {
        if (Roi is null) return null;
        double imgW = W / Roi.SpatialScale, imgH = H / Roi.SpatialScale;
        var b = new float[5L * Roi.Boxes];
        static double Quarter(double v) => Math.Floor(v * 4) / 4;
        for (int k = 0; k < Roi.Boxes; k++)
        {
            double u0 = (Uniform((ulong)Seed + 1, 4L * k) + 1) / 2, u1 = (Uniform((ulong)Seed + 1, 4L * k + 1) + 1) / 2;
            double u2 = (Uniform((ulong)Seed + 1, 4L * k + 2) + 1) / 2, u3 = (Uniform((ulong)Seed + 1, 4L * k + 3) + 1) / 2;
            double bw = 32 + u2 * (imgW / 2 - 32), bh = 32 + u3 * (imgH / 2 - 32);
            double x1 = Quarter(u0 * (imgW - bw)), y1 = Quarter(u1 * (imgH - bh));
            b[5 * k] = k % N;
            b[5 * k + 1] = (float)x1; b[5 * k + 2] = (float)y1;
            b[5 * k + 3] = (float)Quarter(x1 + bw); b[5 * k + 4] = (float)Quarter(y1 + bh);
        }
        return b;
    }

    /// <summary>The boxes of <see cref="CreateBoxes"/> as <see cref="Core.Roi"/> values (batch index, float32 corners), or null.</summary>
    public Roi[]? CreateRois()
    {
        if (CreateBoxes() is not { } b) return null;
        var rois = new Roi[b.Length / 5];
        for (int k = 0; k < rois.Length; k++) rois[k] = new Roi((int)b[5 * k], b[5 * k + 1], b[5 * k + 2], b[5 * k + 3], b[5 * k + 4]);
        return rois;
    }

    /// <summary>The workload named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static BenchWorkload? Find(string name) => All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase));
}
