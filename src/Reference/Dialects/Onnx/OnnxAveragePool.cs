using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>AveragePool</c> (opsets 1, 7, 10, 11, 19, 22): <see cref="AveragePool"/>. <c>count_include_pad</c> (opset ≥ 7,
/// default 0): 0 divides by the in-bounds taps, 1 by the tap positions inside <c>[−pb, L + pe)</c> (dilated positions with
/// dilation; the ceil overhang not counted, as PyTorch and ONNX PR #6650). Before opset 7 padding is excluded.
/// <c>ceil_mode</c> from opset 10, <c>dilations</c> from 19. A window with no in-bounds tap under count_include_pad = 0 is
/// unspecified (the spec is silent; the Python reference returns NaN).
/// </summary>
public sealed class OnnxAveragePool : PoolOp
{
    public override string Name => "onnx.AveragePool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("auto_pad", "string", "NOTSET"), new("ceil_mode", "int", "0", "opset >= 10"), new("count_include_pad", "int", "0", "opset >= 7"),
        new("dilations", "int[]", "1s", "opset >= 19"), new("kernel_shape", "int[]", "required"), new("pads", "int[]", "0s"),
        new("strides", "int[]", "1s"), new("opset", "int", "22"),
    ];
    public override IReadOnlyList<string> Inputs => ["X"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => "derived: (n+2)·u·Σ|x|/D + 2·u_out·|y| + (n+2)·η";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = OnnxOpset.Read(p);
        OnnxOpset.Since(p, "count_include_pad", 7, opset, Name);
        OnnxOpset.Since(p, "ceil_mode", 10, opset, Name);
        OnnxOpset.Since(p, "dilations", 19, opset, Name);
        var x = OnnxConvPool.X(Input(inputs, "X"), Name);
        RequireFloat(x, "X");
        var attrs = OnnxConvPool.Read(p, x.Rank - 2, allowDilations: true, allowCeil: true);
        bool cip = p.Flag01("count_include_pad", false);
        p.EnsureAllUsed(Name);
        var axes = attrs.Axes(x.Shape[2..]);
        var sem = PoolSemantics.Onnx with { Divisor = cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad };
        var desc = new PoolDescriptor(Reduction.Average, axes, sem, PadField: "pads");
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(AveragePool.Compute(x, desc, "Y"));
        OnnxMaxPool.TorchLikeWindows(r, axes, w => $"divisor {AveragePool.Divisor(w, sem, 0)}");
        return r;
    }
}
