using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torchvision;

/// <summary>
/// torchvision 0.14 <c>ops.MultiScaleRoIAlign</c> as <c>torchvision.multiscale_roi_align</c>: inputs <c>x0</c> … <c>x4</c> (the feature maps,
/// finest first), <c>boxes</c> (K×5 <c>[batch_index, x1, y1, x2, y2]</c> in image coordinates) and <c>image_shapes</c> (B×2 int64, each
/// image's (H, W)); params <c>output_size</c>, <c>sampling_ratio</c> (required), <c>canonical_scale</c> (224), <c>canonical_level</c> (4).
/// <list type="bullet">
/// <item>Original size = the elementwise max of <c>image_shapes</c>; the scale of a map is <c>2^round(log2(feat_H / orig_H))</c> — the
/// height ratio only, <c>torch.round</c> half to even (<c>poolers.py</c> <c>_infer_scale</c>).</item>
/// <item><c>k_min = −log2(scale_first)</c>, <c>k_max = −log2(scale_last)</c>; level of a box (FPN Eq. 1):
/// <c>floor(canonical_level + log2(sqrt(area)/canonical_scale) + 1e−6)</c> clamped to <c>[k_min, k_max]</c>, minus <c>k_min</c>;
/// <c>area = (x2 − x1)·(y2 − y1)</c> — computed in the boxes' dtype (parity mode).</item>
/// <item>Each box is pooled by <c>roi_align(level map, box, output_size, spatial_scale=scale, sampling_ratio)</c>, <c>aligned=False</c>;
/// a single map calls roi_align directly.</item>
/// </list>
/// </summary>
public sealed class TorchvisionMultiScaleRoiAlign : PoolOp
{
    const int MaxLevels = 5;
    public override string Name => "torchvision.multiscale_roi_align";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("output_size", "int | [int, int]", "required"), new("sampling_ratio", "int", "required"),
        new("canonical_scale", "int", "224"), new("canonical_level", "int", "4"),
    ];
    public override IReadOnlyList<string> Inputs => [.. Enumerable.Range(0, MaxLevels).Select(i => $"x{i}"), "boxes", "image_shapes"];
    public override IReadOnlyList<string> OptionalInputs => [.. Enumerable.Range(1, MaxLevels - 1).Select(i => $"x{i}")];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: ROI Align bound (TESTING.md §3.4) of the box's level";

    /// <summary><c>torch.round</c>: halves to even.</summary>
    static double RoundHalfEven(double v) => Math.Round(v, MidpointRounding.ToEven);

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
        int sr = p.IntOrNull("sampling_ratio") ?? throw new InvalidParameterException("sampling_ratio", "'sampling_ratio' is required");
        int canonicalScale = p.Int("canonical_scale", 224), canonicalLevel = p.Int("canonical_level", 4);
        if (canonicalScale <= 0) throw new InvalidParameterException("canonical_scale", "canonical_scale must be positive");
        p.EnsureAllUsed(Name);
        var maps = new List<Tensor>();
        for (int i = 0; i < MaxLevels; i++)
        {
            if (!inputs.TryGetValue($"x{i}", out var m)) break;
            RequireFloat(m, $"x{i}");
            if (m.Rank != 4 || m.Shape[2] == 0 || m.Shape[3] == 0) throw InputErrors.Bad($"x{i}", $"x{i} must be a non-empty N×C×H×W map, got {Tensor.ShapeText(m.Shape)}");
            if (maps.Count > 0 && (m.Shape[0] != maps[0].Shape[0] || m.Shape[1] != maps[0].Shape[1] || m.DType != maps[0].DType))
                throw InputErrors.Bad($"x{i}", "every feature map must have x0's batch, channel count and dtype");
            maps.Add(m);
        }
        if (maps.Count == 0) throw InputErrors.Bad("x0", "at least one feature map x0 is required");
        if (inputs.Keys.Any(k => k.StartsWith('x') && int.TryParse(k[1..], out var j) && j >= maps.Count))
            throw InputErrors.Bad("x0", "feature maps must be x0, x1, … without gaps");
        var boxes = Input(inputs, "boxes");
        if (boxes.DType != maps[0].DType) throw InputErrors.Bad("boxes", $"boxes must have the maps' dtype {maps[0].DType.Name()}");
        var shapes = Input(inputs, "image_shapes");
        if (shapes.DType is not (DType.Int64 or DType.Int32) || shapes.Rank != 2 || shapes.Shape[1] != 2 || shapes.Shape[0] == 0)
            throw InputErrors.Bad("image_shapes", $"image_shapes must be an int64 (B, 2) tensor of (H, W), got {shapes}");
        var rois = RoiGeometry.Read(boxes, maps[0].Shape[0], "inputs.boxes");
        var t = boxes.DType;
        double R(double v) => t.Round(v);
        double origH = 0;
        for (int b = 0; b < shapes.Shape[0]; b++) origH = Math.Max(origH, shapes.Data[2 * b]);
        if (origH <= 0) throw InputErrors.Bad("image_shapes", "image heights must be positive");
        var scales = maps.Select(m => Math.Pow(2, RoundHalfEven(Math.Log2((double)(float)((double)m.Shape[2] / origH))))).ToArray();
        // The output K×C×PH×PW (and one box's C×PH×PW): refused past 2^28 elements, where an int size would overflow.
        OutputLimit.Check("output_size", Math.Max(rois.Length, 1), maps[0].Shape[1], os[0], os[1]);
        var result = new double[rois.Length * maps[0].Shape[1] * os[0] * os[1]];
        var bound = new double[result.Length];
        int per = maps[0].Shape[1] * os[0] * os[1];
        int[] levels = new int[rois.Length];
        if (maps.Count > 1)
        {
            int kMin = (int)-Math.Log2(scales[0]), kMax = (int)-Math.Log2(scales[^1]);
            for (int k = 0; k < rois.Length; k++)
            {
                var r = rois[k];
                double area = R(R(r.X2 - r.X1) * R(r.Y2 - r.Y1));
                double s = R(Math.Sqrt(area));
                double lvl = Math.Floor(R(R(canonicalLevel + R(Math.Log2(R(s / canonicalScale)))) + R(1e-6)));
                if (double.IsNaN(lvl)) lvl = kMin;
                levels[k] = (int)Math.Clamp(lvl, kMin, kMax) - kMin;
            }
        }
        var mode = new RoiAlignMode(0, true, true, RoiAlignReduce.Average);
        for (int k = 0; k < rois.Length; k++)
        {
            var e = RoiAlign.Compute(maps[levels[k]], [rois[k]], os[0], os[1], scales[levels[k]], sr, mode, t, "output");
            Array.Copy(e.Value.Data, 0, result, k * per, per);
            Array.Copy(e.Bound!, 0, bound, k * per, per);
        }
        var res = new OpResult { Descriptor = $"{Name} levels={maps.Count} scales=[{string.Join(", ", scales)}] box levels=[{string.Join(", ", levels)}] out={os[0]}x{os[1]}" };
        res.Add(new Expectation { Name = "output", Value = new Tensor(maps[0].DType, [rois.Length, maps[0].Shape[1], os[0], os[1]], result), Bound = bound });
        res.ExplainLines = () => rois.Select((r, k) => $"box {k}: level {levels[k]} (scale {scales[levels[k]]})");
        return res;
    }
}
