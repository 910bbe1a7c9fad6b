using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Tf;

/// <summary>
/// TensorFlow <c>tf.image.crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear", extrapolation_value=0.0)</c>:
/// <see cref="CropAndResize"/>. <c>image</c> N×H×W×C; <c>boxes</c> num_boxes×4 float32 <c>[y1, x1, y2, x2]</c> normalized (flipped boxes
/// allowed; non-finite refused, as TensorFlow's InvalidArgument); <c>box_indices</c> int32/int64 in <c>[0, N)</c>; output float32
/// num_boxes×crop_h×crop_w×C, output name <c>output</c>.
/// </summary>
public sealed class TfCropAndResize : PoolOp
{
    public override string Name => "tf.image.crop_and_resize";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("crop_size", "[int, int]", "required"), new("method", "string", "bilinear", "bilinear | nearest"), new("extrapolation_value", "number", "0.0")];
    public override IReadOnlyList<string> Inputs => ["image", "boxes", "box_indices"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "bilinear: derived (three lerps + coordinate term); nearest: exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var crop = p.IntList("crop_size", 2) ?? throw new InvalidParameterException("crop_size", "'crop_size' is required");
        if (crop.Any(v => v <= 0)) throw new InvalidParameterException("crop_size", "crop_size must be positive");
        bool nearest = p.String("method", "bilinear", "bilinear", "nearest") == "nearest";
        double extra = p.Double("extrapolation_value", 0.0);
        p.EnsureAllUsed(Name);
        var image = Input(inputs, "image");
        RequireFloat(image, "image");
        if (image.Rank != 4 || image.Shape[1] == 0 || image.Shape[2] == 0) throw InputErrors.Bad("image", $"image must be a non-empty 4-D N×H×W×C tensor, got {Tensor.ShapeText(image.Shape)}");
        var boxes = Input(inputs, "boxes");
        if (boxes.DType != DType.Float32 || boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw InputErrors.Bad("boxes", $"boxes must be float32 of shape (num_boxes, 4), got {boxes}");
        if (boxes.Data.Any(v => !double.IsFinite(v))) throw InputErrors.Bad("boxes", "boxes must be finite");
        var bi = Input(inputs, "box_indices");
        if (bi.DType is not (DType.Int32 or DType.Int64) || bi.Rank != 1 || bi.Shape[0] != boxes.Shape[0])
            throw InputErrors.Bad("box_indices", $"box_indices must be int32/int64 of shape ({boxes.Shape[0]}), got {bi}");
        if (bi.Data.Any(v => v < 0 || v >= image.Shape[0])) throw InputErrors.Bad("box_indices", $"box_indices must lie in [0, {image.Shape[0]})");
        OutputLimit.Check("crop_size", Math.Max(boxes.Shape[0], 1), crop[0], crop[1], Math.Max(image.Shape[3], 1));
        var r = new OpResult { Descriptor = $"tf.image.crop_and_resize boxes={boxes.Shape[0]} crop={crop[0]}x{crop[1]} {(nearest ? "nearest" : "bilinear")}" };
        r.Add(CropAndResize.Compute(image, boxes.Data, bi.Data.Select(v => (int)v).ToArray(), crop[0], crop[1], nearest, extra, "output"));
        return r;
    }
}
