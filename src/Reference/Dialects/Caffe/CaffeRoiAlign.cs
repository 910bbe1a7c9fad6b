using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Caffe;

/// <summary>
/// Caffe2 / Detectron (v1) <c>RoIAlign</c> (<c>caffe2/operators/roi_align_op.cc</c>): params <c>spatial_scale</c> (1.0),
/// <c>pooled_h</c>, <c>pooled_w</c> (1), <c>sampling_ratio</c> (−1 = adaptive); inputs X (N×C×H×W) and rois (R×5, or R×4 meaning batch
/// 0). No half-pixel offset, no rounding, ROI sides clamped to ≥ 1, divisor <c>G_h·G_w</c>; sampling as torchvision
/// <c>aligned=False</c>.
/// </summary>
public sealed class CaffeRoiAlign : PoolOp
{
    public override string Name => "caffe.roi_align";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("spatial_scale", "number", "1.0"), new("pooled_h", "int", "1"), new("pooled_w", "int", "1"), new("sampling_ratio", "int", "-1")];
    public override IReadOnlyList<string> Inputs => ["X", "rois"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => "derived: ROI Align bound (TESTING.md §3.4)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        double scale = p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        int ph = p.Int("pooled_h", 1), pw = p.Int("pooled_w", 1), sr = p.Int("sampling_ratio", -1);
        if (ph <= 0) throw new InvalidParameterException("pooled_h", "pooled_h must be positive");
        if (pw <= 0) throw new InvalidParameterException("pooled_w", "pooled_w must be positive");
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "X");
        RequireFloat(x, "X");
        if (x.Rank != 4) throw InputErrors.Bad("X", $"{Name} expects a 4-D X, got {Tensor.ShapeText(x.Shape)}");
        var rois = Input(inputs, "rois");
        if (rois.DType != x.DType) throw InputErrors.Bad("rois", $"rois must have X's dtype {x.DType.Name()}");
        var list = RoiGeometry.Read(rois, x.Shape[0], "inputs.rois", allowFour: true);
        var r = new OpResult { Descriptor = $"caffe.roi_align K={list.Length} out={ph}x{pw} sampling_ratio={sr}" };
        var mode = new RoiAlignMode(0, true, false, RoiAlignReduce.Average);
        r.Add(RoiAlign.Compute(x, list, ph, pw, scale, sr, mode, rois.DType, "Y", boxField: "inputs.rois"));
        r.ExplainLines = () => RoiAlign.Describe(list, ph, pw, scale, sr, mode, x.Shape[2], x.Shape[3], rois.DType);
        return r;
    }
}
