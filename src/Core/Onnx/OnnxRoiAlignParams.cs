namespace PoolingConformance.Core.Onnx;

/// <summary>
/// The attributes of <c>onnx.RoiAlign</c> (opset 10..24, the coordinate mode from opset 16, avg or max, output size, sampling
/// ratio, spatial scale rounded to float32 as ONNX's attribute is). One reader for the oracle and the optimized and GPU
/// backends, so they refuse the same cases with the same fields.
/// </summary>
public sealed record OnnxRoiAlignParams(bool HalfPixel, bool Max, int OutputHeight, int OutputWidth, int SamplingRatio, double SpatialScale)
{
    /// <summary>The sampling-grid offset: 0.5 in half_pixel mode, 0 in output_half_pixel mode.</summary>
    public double Offset => HalfPixel ? 0.5 : 0;

    /// <summary>Reads every attribute and refuses unknown ones (<see cref="ParamReader.EnsureAllUsed"/>).</summary>
    public static OnnxRoiAlignParams Read(ParamReader p, string op)
    {
        int opset = OnnxOpset.Read(p);
        if (opset < 10) throw new InvalidParameterException("opset", $"RoiAlign exists from opset 10, case opset {opset}");
        OnnxOpset.Since(p, "coordinate_transformation_mode", 16, opset, op);
        bool halfPixel = p.String("coordinate_transformation_mode", opset >= 16 ? "half_pixel" : "output_half_pixel", "half_pixel", "output_half_pixel") == "half_pixel";
        bool max = p.String("mode", "avg", "avg", "max") == "max";
        int oh = p.Int("output_height", 1), ow = p.Int("output_width", 1);
        if (oh <= 0) throw new InvalidParameterException("output_height", "output_height must be positive");
        if (ow <= 0) throw new InvalidParameterException("output_width", "output_width must be positive");
        int sr = p.Int("sampling_ratio", 0);
        if (sr < 0) throw new InvalidParameterException("sampling_ratio", "sampling_ratio must be >= 0");
        double scale = (float)p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        p.EnsureAllUsed(op);
        return new OnnxRoiAlignParams(halfPixel, max, oh, ow, sr, scale);
    }
}
