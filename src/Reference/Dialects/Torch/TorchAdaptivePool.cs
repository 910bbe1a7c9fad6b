using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.adaptive_max_pool1d/2d/3d(input, output_size, return_indices=False)</c> and
/// <c>torch.adaptive_avg_pool1d/2d/3d(input, output_size)</c>: <see cref="AdaptivePool"/> with PyTorch's integer bins;
/// a <c>None</c> entry of <c>output_size</c> keeps that input size.
/// </summary>
public sealed class TorchAdaptivePool(int nd, bool max) : PoolOp
{
    public override string Name => $"torch.adaptive_{(max ? "max" : "avg")}_pool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
        max ? [new("output_size", "int | (int|null)[]", "required"), new("return_indices", "bool", "false")]
            : [new("output_size", "int | (int|null)[]", "required")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => max ? ["output", "indices"] : ["output"];
    public override string ToleranceText => max ? "exact (selection); indices exact" : "derived: (n+2)·u·Σ|x|/n + 2·u_out·|y| + (n+2)·η";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var os = p.NullableIntTuple("output_size", nd) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        bool withIndices = max && p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        var spatial = x.Shape[2..];
        var outSpatial = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            outSpatial[a] = os[a] ?? spatial[a];
            if (outSpatial[a] < 1) throw new InvalidParameterException("output_size", $"output_size entries must be at least 1, got {outSpatial[a]}");
        }
        var r = new OpResult { Descriptor = $"Adaptive{(max ? "Max" : "Avg")} in={Tensor.ShapeText(spatial)} out={Tensor.ShapeText(outSpatial)}" };
        if (max)
        {
            var (v, i) = AdaptivePool.Max(x, outSpatial, PoolSemantics.Torch, "output", "indices");
            r.Add(Layout.TorchUnbatch(v, unbatched));
            r.Add(Layout.TorchUnbatch(i, unbatched), withIndices);
        }
        else r.Add(Layout.TorchUnbatch(AdaptivePool.Average(x, outSpatial, "output"), unbatched));
        r.Windows = AdaptivePool.Bins(spatial, outSpatial);
        r.WindowInputShape = spatial; r.WindowOutputShape = outSpatial;
        r.DivisorText = w => $"bin size {w.InBounds}";
        return r;
    }
}
