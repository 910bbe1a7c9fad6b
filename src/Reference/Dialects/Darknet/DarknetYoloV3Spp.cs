using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Darknet;

/// <summary>
/// The SPP block of darknet's <c>cfg/yolov3-spp.cfg</c> (METHODS.md §6): <c>[maxpool] size=5/9/13 stride=1</c> on the same input X,
/// joined by <c>[route] layers=-1,-3,-5,-6</c>, so the channel order is <c>[mp13, mp9, mp5, X]</c> (4C channels, spatial size
/// kept). Each pool is <see cref="DarknetMaxPool"/> with its default padding <c>size − 1</c> (offset −(size−1)/2): −FLT_MAX start,
/// strict <c>&gt;</c>, NaN never wins, out-of-bounds taps skipped. <c>sizes</c> (default [5, 9, 13]) generalises the cfg: the
/// pools are concatenated largest-listed-last first, <c>[mp_{sizes[m−1]}, …, mp_{sizes[0]}, X]</c>.
/// </summary>
public sealed class DarknetYoloV3Spp : PoolOp
{
    public override string Name => "darknet.yolov3_spp";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("sizes", "int[]", "[5, 9, 13]", "maxpool sizes (stride 1, padding size-1); output [mp_last, …, mp_first, input]")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "exact (selection)";
    public override string Summary => "yolov3-spp.cfg SPP block: cat[mp13, mp9, mp5, x]";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var sizes = p.IntList("sizes") ?? [5, 9, 13];
        if (sizes.Length == 0) throw new InvalidParameterException("sizes", "'sizes' must not be empty");
        foreach (var s in sizes) if (s < 1) throw new InvalidParameterException("sizes", $"every maxpool size must be at least 1, got {s}");
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        var blocks = new List<Tensor>();
        var windows = new List<Window>();
        foreach (var s in Enumerable.Reverse(sizes))
        {
            var axes = DarknetMaxPool.Axes(x, s, 1, s - 1);
            blocks.Add(DarknetMaxPool.Compute(x, axes, "output", "indices").Values.Value);
            windows.AddRange(Windows.Enumerate(axes).Select(w => w with { Output = windows.Count + w.Output }));
        }
        blocks.Add(x);
        var r = new OpResult { Descriptor = $"DarknetYoloV3Spp sizes=[{string.Join(",", sizes)}] order=[{string.Join(",", Enumerable.Reverse(sizes).Select(s => $"mp{s}"))},x] in={Tensor.ShapeText(x.Shape[2..])}" };
        r.Add(new Expectation { Name = "output", Value = ChannelConcat.Concat(blocks) });
        r.Windows = windows;
        r.WindowInputShape = x.Shape[2..];
        r.WindowOutputShape = [windows.Count];
        return r;
    }
}
