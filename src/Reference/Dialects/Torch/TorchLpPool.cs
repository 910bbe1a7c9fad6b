using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.lp_pool1d/2d/3d(input, norm_type, kernel_size, stride=None, ceil_mode=False)</c>, PyTorch's own formula
/// <c>(sign(S)·relu(|S|)·Πk)^{1/p}</c> with <c>S = avg_pool(x^p, k, s, 0, ceil_mode)</c>: terms <c>x^p</c> (not <c>|x|^p</c>) and
/// ceil-mode partial windows inflated by <c>Πk/|R|</c> (<see cref="LpPool"/> with Raw and TorchInflated). <c>norm_type ≤ 0</c> is
/// refused (PyTorch divides by zero at 0). <c>lp_pool3d</c> follows the PyTorch 2.2+ documentation.
/// </summary>
public sealed class TorchLpPool(int nd) : PoolOp
{
    public override string Name => $"torch.lp_pool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("norm_type", "number", "required", "p > 0"), TorchParams.KernelInfo, TorchParams.StrideInfo, TorchParams.CeilInfo];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: interval propagation of (n−1+c_pow)·u·Σ|x^p| through the 1/p root, + (c_root·u + 2·u_out)·|y|";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        double norm = p.Has("norm_type") ? p.Double("norm_type", 0) : throw new InvalidParameterException("norm_type", "'norm_type' is required");
        var k = TorchParams.Kernel(p, nd);
        var s = TorchParams.Stride(p, nd, k);
        bool ceil = p.Bool("ceil_mode", false);
        p.EnsureAllUsed(Name);
        if (!(norm > 0) || double.IsInfinity(norm)) throw new InvalidParameterException("norm_type", $"norm_type must be a finite positive number, got {norm}");
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        var axes = TorchParams.Axes(x.Shape[2..], k, s, Enumerable.Repeat(1, nd).ToArray(), new int[nd], ceil);
        var desc = new PoolDescriptor(Reduction.Lp, axes, PoolSemantics.Torch, P: norm);
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(Layout.TorchUnbatch(LpPool.Compute(x, desc, "output"), unbatched));
        TorchParams.SetWindows(r, axes, w => $"inflation Πk/|R| = {w.FullKernel}/{w.Padded}");
        return r;
    }
}
