using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Ultralytics;

/// <summary>
/// The pooling core of ultralytics' <c>SPP</c> (YOLOv5 <c>models/common.py</c>, <c>ultralytics/nn/modules/block.py</c>; METHODS.md §6):
/// <c>cat([x] + [m(x) for m in self.m], 1)</c> with <c>m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)</c> for each
/// <c>k</c> of the kernel list (default <c>(5, 9, 13)</c>): order <c>[x, mp5, mp9, mp13]</c>, (1 + len(k))·C channels, spatial size
/// kept. The 1×1 convolutions <c>cv1</c>/<c>cv2</c> around it are not pooling and not part of the op.
/// <para>PyTorch semantics (<see cref="PoolSemantics.Torch"/>): NaN propagates, ties and ±0 keep the first, out-of-bounds taps are
/// skipped. An even <c>k</c> would give H + 1 rows and make <c>torch.cat</c> fail: refused, naming <c>k</c>.</para>
/// </summary>
public sealed class UltralyticsSpp : PoolOp
{
    public override string Name => "ultralytics.spp";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("k", "int[]", "[5, 9, 13]", "odd kernel sizes, MaxPool2d(k, stride=1, padding=k//2); output [x, mp_k1, mp_k2, …]")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "exact (selection)";
    public override string Summary => "YOLOv5/ultralytics SPP core: cat[x, mp5, mp9, mp13]";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var ks = p.IntList("k") ?? [5, 9, 13];
        if (ks.Length == 0) throw new InvalidParameterException("k", "'k' must not be empty");
        foreach (var k in ks) RequireOddKernel(k);
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        var blocks = new List<Tensor> { x };
        var windows = new List<Window>();
        foreach (var k in ks)
        {
            var desc = SamePool(x, k);
            blocks.Add(MaxPool.Compute(x, desc, "output", "indices").Values.Value);
            windows.AddRange(Windows.Enumerate(desc.Axes).Select(w => w with { Output = windows.Count + w.Output }));
        }
        var r = new OpResult { Descriptor = $"UltralyticsSpp k=[{string.Join(",", ks)}] order=[x,{string.Join(",", ks.Select(k => $"mp{k}"))}] in={Tensor.ShapeText(x.Shape[2..])}" };
        r.Add(new Expectation { Name = "output", Value = ChannelConcat.Concat(blocks) });
        r.Windows = windows;
        r.WindowInputShape = x.Shape[2..];
        r.WindowOutputShape = [windows.Count];
        return r;
    }

    /// <summary><c>nn.MaxPool2d(k, stride=1, padding=k // 2)</c> over an N×C×H×W input, with PyTorch's semantics.</summary>
    public static PoolDescriptor SamePool(Tensor x, int k) => new(Reduction.Max,
        [PoolGeometry.Explicit(x.Shape[2], k, 1, 1, k / 2, k / 2, CeilRule.Floor, "k"), PoolGeometry.Explicit(x.Shape[3], k, 1, 1, k / 2, k / 2, CeilRule.Floor, "k")],
        PoolSemantics.Torch);

    public static void RequireOddKernel(int k, string field = "k")
    {
        if (k < 1) throw new InvalidParameterException(field, $"kernel size must be at least 1, got {k}");
        if (k % 2 == 0)
            throw new InvalidParameterException(field, $"kernel size {k} is even: MaxPool2d({k}, 1, {k / 2}) gives H + 1 rows and the concatenation with x fails");
    }
}
