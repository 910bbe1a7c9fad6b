using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.max_unpool1d/2d/3d(input, indices, kernel_size, stride=None, padding=0, output_size=None)</c>:
/// <see cref="MaxUnpool"/> per (n, c) plane. Default size per axis <c>(h − 1)·s + k − 2p</c>; an explicit <c>output_size</c>
/// (nd or nd + 2 entries, the last nd used) must lie strictly inside <c>(default − s, default + s)</c>. Indices are int64,
/// same shape as the input, flat per plane in the output-size layout; the last write wins on duplicates.
/// </summary>
public sealed class TorchMaxUnpool(int nd) : PoolOp
{
    public override string Name => $"torch.max_unpool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
        [TorchParams.KernelInfo, TorchParams.StrideInfo, new("padding", "int | int[]", "0"), new("output_size", "int[] | null", "null")];
    public override IReadOnlyList<string> Inputs => ["input", "indices"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "exact (every output is an input or 0)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var k = TorchParams.Kernel(p, nd);
        var s = TorchParams.Stride(p, nd, k);
        var pad = p.IntTuple("padding", nd) ?? new int[nd];
        if (pad.Length == 0) pad = new int[nd];
        if (pad.Any(v => v < 0)) throw new InvalidParameterException("padding", "padding must be non-negative");
        var osRaw = p.IntList("output_size");
        p.EnsureAllUsed(Name);
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        var indices = Input(inputs, "indices");
        if (indices.DType != DType.Int64) throw InputErrors.Bad("indices", $"indices must be int64, got {indices.DType.Name()}");
        if (!indices.Shape.SequenceEqual(input.Shape))
            throw InputErrors.Bad("indices", $"indices shape {Tensor.ShapeText(indices.Shape)} must equal the input shape {Tensor.ShapeText(input.Shape)}");
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        var spatial = x.Shape[2..];
        var outSpatial = PoolGeometry.TorchUnpoolOutput(spatial, k, s, pad, osRaw);
        long plane = outSpatial.Aggregate(1L, (n, v) => Math.Min(n * v, OutputLimit.MaxElements + 1));
        int planes = x.Shape[0] * x.Shape[1];
        MaxUnpool.CheckOutputSize(planes, plane, osRaw is null ? "stride" : "output_size");
        var outData = MaxUnpool.Scatter(x.Data, indices.Data, planes, plane, "inputs.indices");
        int[] shape = unbatched ? [x.Shape[1], .. outSpatial] : [x.Shape[0], x.Shape[1], .. outSpatial];
        var r = new OpResult { Descriptor = $"MaxUnpool in={Tensor.ShapeText(spatial)} out={Tensor.ShapeText(outSpatial)}" };
        r.Add(new Expectation { Name = "output", Value = new Tensor(input.DType, shape, outData) });
        return r;
    }
}
