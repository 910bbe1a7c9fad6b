using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>RoiAlign</c> (opsets 10, 16, 22): inputs X, rois (num_rois×4 <c>[x1, y1, x2, y2]</c>, X's dtype), batch_indices (int64);
/// attributes <c>coordinate_transformation_mode</c> (opset ≥ 16, default <c>half_pixel</c>; opset 10 behaves as
/// <c>output_half_pixel</c>), <c>mode</c> avg | max, <c>output_height</c>/<c>output_width</c> (1), <c>sampling_ratio</c> (0 = adaptive),
/// <c>spatial_scale</c> (1.0, a float32 attribute). half_pixel subtracts 0.5 with no minimum ROI size; output_half_pixel forces
/// the ROI to ≥ 1. <c>max</c> is ONNX's own: the largest weighted corner <c>max(w_i·v_i)</c> over the samples (the spec,
/// its reference and ONNX Runtime agree on it; it is not the largest interpolated value — see <c>poolconf.roi_align_max</c>).
/// An empty grid gives 0 (how ORT counts it is unresolved). Box arithmetic: the spec leaves its precision open; float16
/// boxes are computed in float32, as ONNX Runtime (which has no float16 kernel and casts) and the float32-computing
/// Python reference do — unlike torchvision, which computes in half.
/// </summary>
public sealed class OnnxRoiAlign : PoolOp
{
    /// <summary>The dtype of the box arithmetic: float32 for float16 boxes, else the boxes' dtype.</summary>
    internal static DType CoordinateType(DType boxes) => boxes == DType.Float16 ? DType.Float32 : boxes;

    public override string Name => "onnx.RoiAlign";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("coordinate_transformation_mode", "string", "half_pixel", "opset >= 16: half_pixel | output_half_pixel"), new("mode", "string", "avg", "avg | max"),
        new("output_height", "int", "1"), new("output_width", "int", "1"), new("sampling_ratio", "int", "0"), new("spatial_scale", "float", "1.0"),
        new("opset", "int", "22"),
    ];
    public override IReadOnlyList<string> Inputs => ["X", "rois", "batch_indices"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => "derived: (G+8)·u·Σ|w·v|/G + coordinate term + 2·u_out·|y|; max: the largest per-sample bound";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var (halfPixel, max, oh, ow, sr, scale) = OnnxRoiAlignParams.Read(p, Name);
        var x = Input(inputs, "X");
        RequireFloat(x, "X");
        if (x.Rank != 4) throw InputErrors.Bad("X", $"RoiAlign expects a 4-D X, got {Tensor.ShapeText(x.Shape)}");
        var rois = Input(inputs, "rois");
        if (rois.DType != x.DType) throw InputErrors.Bad("rois", $"rois must have X's dtype {x.DType.Name()}");
        var bi = Input(inputs, "batch_indices");
        if (bi.DType is not (DType.Int64 or DType.Int32)) throw InputErrors.Bad("batch_indices", "batch_indices must be int64");
        var list = RoiGeometry.Read(rois, x.Shape[0], "inputs.rois", bi, "inputs.batch_indices");
        var mode = new RoiAlignMode(halfPixel ? 0.5 : 0, !halfPixel, true, max ? RoiAlignReduce.OnnxWeightedCornerMax : RoiAlignReduce.Average);
        var r = new OpResult { Descriptor = $"onnx.RoiAlign K={list.Length} out={oh}x{ow} sampling_ratio={sr} {(halfPixel ? "half_pixel" : "output_half_pixel")} {(max ? "max" : "avg")}" };
        var coords = CoordinateType(rois.DType);
        r.Add(RoiAlign.Compute(x, list, oh, ow, scale, sr, mode, coords, "Y", boxField: "inputs.rois"));
        r.ExplainLines = () => RoiAlign.Describe(list, oh, ow, scale, sr, mode, x.Shape[2], x.Shape[3], coords);
        return r;
    }
}

/// <summary>
/// ONNX <c>MaxRoiPool</c> (opsets 1, 22): X, rois (num_rois×5 <c>[batch_id, x1, y1, x2, y2]</c>); <c>pooled_shape</c> (required),
/// <c>spatial_scale</c> (1.0, float32). No reference exists in ONNX; semantics of ONNX Runtime's <c>roi_pool.cc</c> = Fast R-CNN =
/// torchvision <c>roi_pool</c> (<see cref="RoiPool"/>): round half away from zero, inclusive end, empty bin 0, NaN never wins;
/// float16 boxes computed in float32 as for RoiAlign.
/// </summary>
public sealed class OnnxMaxRoiPool : PoolOp
{
    public override string Name => "onnx.MaxRoiPool";
    public override IReadOnlyList<ParamInfo> Params => [new("pooled_shape", "[int, int]", "required"), new("spatial_scale", "float", "1.0"), new("opset", "int", "22")];
    public override IReadOnlyList<string> Inputs => ["X", "rois"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => "exact (selection)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        OnnxOpset.Read(p);
        var ps = p.IntList("pooled_shape", 2) ?? throw new InvalidParameterException("pooled_shape", "'pooled_shape' is required");
        if (ps.Any(v => v <= 0)) throw new InvalidParameterException("pooled_shape", "pooled_shape must be positive");
        double scale = (float)p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "X");
        RequireFloat(x, "X");
        if (x.Rank != 4) throw InputErrors.Bad("X", $"MaxRoiPool expects a 4-D X, got {Tensor.ShapeText(x.Shape)}");
        var rois = Input(inputs, "rois");
        if (rois.DType != x.DType) throw InputErrors.Bad("rois", $"rois must have X's dtype {x.DType.Name()}");
        var list = RoiGeometry.Read(rois, x.Shape[0], "inputs.rois");
        var r = new OpResult { Descriptor = $"onnx.MaxRoiPool K={list.Length} out={ps[0]}x{ps[1]} scale={scale}" };
        var coords = OnnxRoiAlign.CoordinateType(rois.DType);
        r.Add(RoiPool.Compute(x, list, ps[0], ps[1], scale, coords, "Y"));
        r.ExplainLines = () => RoiPool.Describe(list, ps[0], ps[1], scale, x.Shape[2], x.Shape[3], coords);
        return r;
    }
}
