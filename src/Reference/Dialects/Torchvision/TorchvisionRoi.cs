using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torchvision;

/// <summary>
/// torchvision 0.14 <c>ops.roi_pool</c>, <c>roi_align</c>, <c>ps_roi_pool</c>, <c>ps_roi_align</c> and the paper-correct
/// <c>poolconf.roi_align_max</c>: inputs <c>input</c> (N×C×H×W) and <c>boxes</c> (K×5 <c>[batch_index, x1, y1, x2, y2]</c>, the
/// input's dtype, batch column integer and in range, coordinates finite); output <c>output</c>. Box arithmetic happens in the
/// boxes' dtype, as the C++ kernels do, because those discrete decisions change the result (CONTRACT.md §6).
/// <list type="bullet">
/// <item><c>roi_pool(output_size, spatial_scale=1.0)</c>: <see cref="RoiPool"/> (round half away from zero, inclusive end).</item>
/// <item><c>roi_align(output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False)</c>: <see cref="RoiAlign"/> average;
/// <c>aligned</c> subtracts 0.5 and drops the ROI ≥ 1 clamp; divisor <c>max(G_h·G_w, 1)</c>.</item>
/// <item><c>ps_roi_pool(output_size, spatial_scale=1.0)</c>: <see cref="PsRoiPool"/>; C must be a multiple of PH·PW.</item>
/// <item><c>ps_roi_align(output_size, spatial_scale=1.0, sampling_ratio=-1)</c>: always −0.5, no ROI clamp, divisor
/// <c>G_h·G_w</c> unclamped (a degenerate box with adaptive sampling gives NaN).</item>
/// <item><c>poolconf.roi_align_max</c> (same parameters as roi_align): the largest interpolated sample of each bin — the
/// divergence partner of <c>onnx.RoiAlign</c> max, which takes the largest weighted corner.</item>
/// </list>
/// </summary>
public sealed class TorchvisionRoi(string kind) : PoolOp
{
    public override string Name => kind == "roi_align_max" ? "poolconf.roi_align_max" : $"torchvision.{kind}";
    bool Pool => kind is "roi_pool" or "ps_roi_pool";
    bool Ps => kind.StartsWith("ps_");
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("output_size", "int | [int, int]", "required"), new("spatial_scale", "number", "1.0"),
        .. Pool ? Array.Empty<ParamInfo>() : [new ParamInfo("sampling_ratio", "int", "-1", "<= 0: adaptive ceil(roi/bin)")],
        .. Pool || Ps ? Array.Empty<ParamInfo>() : [new ParamInfo("aligned", "bool", "false")],
    ];
    public override IReadOnlyList<string> Inputs => ["input", "boxes"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => kind == "roi_pool" ? "exact (selection)" :
        kind == "ps_roi_pool" ? "derived: average bound" : "derived: (G+8)·u·Σ|w·v|/G + coordinate term + 2·u_out·|y| (TESTING.md §3.4)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
        double scale = p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", $"spatial_scale must be a finite positive number, got {scale}");
        int sr = Pool ? 0 : p.Int("sampling_ratio", -1);
        bool aligned = !Pool && !Ps && p.Bool("aligned", false);
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        if (x.Rank != 4) throw InputErrors.Bad("input", $"{Name} expects a 4-D N×C×H×W input, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[2] == 0 || x.Shape[3] == 0) throw InputErrors.Bad("input", "the feature map must not be empty");
        var boxes = Input(inputs, "boxes");
        if (boxes.DType != x.DType) throw InputErrors.Bad("boxes", $"boxes must have the input's dtype {x.DType.Name()}, got {boxes.DType.Name()}");
        if (Ps && x.Shape[1] % (os[0] * os[1]) != 0)
            throw InputErrors.Bad("input", $"{Name}: the channel count {x.Shape[1]} must be a multiple of output_size[0]·output_size[1] = {os[0] * os[1]}");
        var rois = RoiGeometry.Read(boxes, x.Shape[0], "inputs.boxes");
        var e = kind switch
        {
            "roi_pool" => RoiPool.Compute(x, rois, os[0], os[1], scale, boxes.DType, "output"),
            "ps_roi_pool" => PsRoiPool.Compute(x, rois, os[0], os[1], scale, boxes.DType, "output"),
            "ps_roi_align" => RoiAlign.Compute(x, rois, os[0], os[1], scale, sr, new RoiAlignMode(0.5, false, false, RoiAlignReduce.Average), boxes.DType, "output", positionSensitive: true),
            "roi_align_max" => RoiAlign.Compute(x, rois, os[0], os[1], scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.InterpolatedMax), boxes.DType, "output"),
            _ => RoiAlign.Compute(x, rois, os[0], os[1], scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.Average), boxes.DType, "output"),
        };
        var r = new OpResult { Descriptor = $"{Name} K={rois.Length} out={os[0]}x{os[1]} scale={scale}{(Pool ? "" : $" sampling_ratio={sr}")}{(aligned ? " aligned" : "")}" };
        r.Add(e);
        int h = x.Shape[2], w = x.Shape[3];
        r.ExplainLines = kind switch
        {
            "roi_pool" => () => RoiPool.Describe(rois, os[0], os[1], scale, h, w, boxes.DType),
            "ps_roi_pool" => () => RoiPool.Describe(rois, os[0], os[1], scale, h, w, boxes.DType, inclusiveEnd: false),
            "ps_roi_align" => () => RoiAlign.Describe(rois, os[0], os[1], scale, sr, new RoiAlignMode(0.5, false, false, RoiAlignReduce.Average), h, w, boxes.DType),
            _ => () => RoiAlign.Describe(rois, os[0], os[1], scale, sr, new RoiAlignMode(aligned ? 0.5 : 0, !aligned, true, RoiAlignReduce.Average), h, w, boxes.DType),
        };
        return r;
    }
}
