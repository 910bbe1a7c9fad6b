using PoolingConformance.Core;
using PoolingConformance.Optimized;

namespace PoolingConformance.Benchmarks;

/// <summary>A labelled workload of issue 6 (float32): the problem, its layout and batch/channel counts.</summary>
public sealed record Workload(string Name, string Label, int N, int C, PoolDescriptor Descriptor, TensorLayout Layout)
{
    public override string ToString() => Name;

    static PoolDescriptor D(Reduction r, int h, int w, int k, int s, int p, PoolSemantics sem) =>
        new(r, [PoolGeometry.Explicit(h, k, s, 1, p, p, CeilRule.Floor), PoolGeometry.Explicit(w, k, s, 1, p, p, CeilRule.Floor)], sem);

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("W1", "max 1×64×112×112 k3 s2 p1 (ResNet pool1)", 1, 64, D(Reduction.Max, 112, 112, 3, 2, 1, PoolSemantics.Torch), TensorLayout.Nchw),
        new("W2", "max 1×64×224×224 k2 s2 (VGG)", 1, 64, D(Reduction.Max, 224, 224, 2, 2, 0, PoolSemantics.Torch), TensorLayout.Nchw),
        new("W3", "avg 1×256×56×56 k3 s1 p1 exclude pad", 1, 256, D(Reduction.Average, 56, 56, 3, 1, 1, PoolSemantics.Torch with { Divisor = DivisorPolicy.ExcludePad }), TensorLayout.Nchw),
        new("W5-NCHW", "max 32×64×56×56 k3 s2 p1, NCHW", 32, 64, D(Reduction.Max, 56, 56, 3, 2, 1, PoolSemantics.Torch), TensorLayout.Nchw),
        new("W5-NHWC", "max 32×64×56×56 k3 s2 p1, NHWC", 32, 64, D(Reduction.Max, 56, 56, 3, 2, 1, PoolSemantics.Torch), TensorLayout.Nhwc),
    ];
}
