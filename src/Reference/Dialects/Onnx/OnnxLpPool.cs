using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>LpPool</c> (opsets 1, 2, 11, 18, 22): the norm <c>(Σ_{i∈R}|x_i|^p)^{1/p}</c> over the in-bounds taps (zero padding
/// adds nothing), per the spec's wording — not the Python reference's PyTorch-style ceil inflation (DIALECTS.md §10.2).
/// <c>p</c>: a float (default 2.0) in opset 1, an integer (default 2) from opset 2; <c>p ≤ 0</c> is refused.
/// <c>ceil_mode</c> and <c>dilations</c> from opset 18.
/// </summary>
public sealed class OnnxLpPool : PoolOp
{
    public override string Name => "onnx.LpPool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("auto_pad", "string", "NOTSET"), new("ceil_mode", "int", "0", "opset >= 18"), new("dilations", "int[]", "1s", "opset >= 18"),
        new("kernel_shape", "int[]", "required"), new("p", "int (float in opset 1)", "2"), new("pads", "int[]", "0s"),
        new("strides", "int[]", "1s"), new("opset", "int", "22"),
    ];
    public override IReadOnlyList<string> Inputs => ["X"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => "derived: Lp bound (TESTING.md §3.3, Abs mode)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = OnnxOpset.Read(p);
        OnnxOpset.Since(p, "ceil_mode", 18, opset, Name);
        OnnxOpset.Since(p, "dilations", 18, opset, Name);
        var x = OnnxConvPool.X(Input(inputs, "X"), Name);
        RequireFloat(x, "X");
        var attrs = OnnxConvPool.Read(p, x.Rank - 2, allowDilations: true, allowCeil: true);
        double pv = ReadP(p, opset);
        p.EnsureAllUsed(Name);
        var axes = attrs.Axes(x.Shape[2..]);
        var desc = new PoolDescriptor(Reduction.Lp, axes, PoolSemantics.Onnx, P: pv, PadField: "pads");
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(LpPool.Compute(x, desc, "Y"));
        OnnxMaxPool.TorchLikeWindows(r, axes);
        return r;
    }

    internal static double ReadP(ParamReader p, int opset)
    {
        double pv = opset >= 2 ? p.Int("p", 2) : p.Double("p", 2.0);
        if (!(pv > 0) || double.IsInfinity(pv)) throw new InvalidParameterException("p", $"p must be positive, got {pv}");
        return pv;
    }
}
