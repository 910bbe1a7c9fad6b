using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.avg_pool1d/2d/3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
/// divisor_override=None)</c> (1-D has no <c>divisor_override</c>): <see cref="AveragePool"/>. The include-pad divisor counts
/// the explicit padding but not the ceil overhang; <c>divisor_override</c> must be non-zero (negative values pass, as in
/// PyTorch); int64 input divides with truncation toward zero; 3-D requires the input to be at least the kernel size.
/// </summary>
public sealed class TorchAvgPool(int nd) : PoolOp
{
    public override string Name => $"torch.avg_pool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        TorchParams.KernelInfo, TorchParams.StrideInfo, TorchParams.PaddingInfo, TorchParams.CeilInfo,
        new("count_include_pad", "bool", "true"),
        .. nd > 1 ? new[] { new ParamInfo("divisor_override", "int | null", "null", "non-zero") } : [],
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: (n+2)·u·Σ|x|/|D| + 2·u_out·|y| + (n+2)·η; exact for int64";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var k = TorchParams.Kernel(p, nd);
        var s = TorchParams.Stride(p, nd, k);
        var pad = TorchParams.Padding(p, nd, k);
        bool ceil = p.Bool("ceil_mode", false);
        bool cip = p.Bool("count_include_pad", true);
        int? div = nd > 1 ? p.IntOrNull("divisor_override") : null;
        p.EnsureAllUsed(Name);
        if (div == 0) throw new InvalidParameterException("divisor_override", "divisor must be not zero");
        var input = Input(inputs, "input");
        RequireFloat(input, "input", DType.Float16, DType.Float32, DType.Float64, DType.Int64);
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        if (nd == 3)
            for (int a = 0; a < 3; a++)
                if (x.Shape[2 + a] < k[a])
                    throw InputErrors.Bad("input", $"input image {Tensor.ShapeText(x.Shape[2..])} smaller than kernel size {Tensor.ShapeText(k)} (avg_pool3d checks this)");
        var axes = TorchParams.Axes(x.Shape[2..], k, s, Enumerable.Repeat(1, nd).ToArray(), pad, ceil);
        var sem = PoolSemantics.Torch with { Divisor = div is not null ? DivisorPolicy.Override : cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad };
        var desc = new PoolDescriptor(Reduction.Average, axes, sem, DivisorOverride: div ?? 0);
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(Layout.TorchUnbatch(AveragePool.Compute(x, desc, "output"), unbatched));
        TorchParams.SetWindows(r, axes, w => $"divisor {AveragePool.Divisor(w, sem, div ?? 0)}");
        return r;
    }
}
