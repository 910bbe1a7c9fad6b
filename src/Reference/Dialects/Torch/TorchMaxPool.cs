using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.max_pool1d/2d/3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)</c>:
/// <see cref="MaxPool"/> with <see cref="PoolSemantics.Torch"/> — NaN propagates and reports the last NaN, ties and ±0 keep the
/// first, an all −∞ window gives −∞ at its first in-bounds tap. Indices int64, flat per (n, c) plane.
/// </summary>
public sealed class TorchMaxPool(int nd) : PoolOp
{
    public override string Name => $"torch.max_pool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
        [TorchParams.KernelInfo, TorchParams.StrideInfo, TorchParams.PaddingInfo, TorchParams.DilationInfo, TorchParams.CeilInfo,
         new("return_indices", "bool", "false")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "exact (selection); indices exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var k = TorchParams.Kernel(p, nd);
        var s = TorchParams.Stride(p, nd, k);
        var pad = TorchParams.Padding(p, nd, k);
        var d = TorchParams.Dilation(p, nd);
        bool ceil = p.Bool("ceil_mode", false);
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        var axes = TorchParams.Axes(x.Shape[2..], k, s, d, pad, ceil);
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Torch);
        var (v, i) = MaxPool.Compute(x, desc, "output", "indices");
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(Layout.TorchUnbatch(v, unbatched));
        r.Add(Layout.TorchUnbatch(i, unbatched), withIndices);
        TorchParams.SetWindows(r, axes);
        return r;
    }
}
