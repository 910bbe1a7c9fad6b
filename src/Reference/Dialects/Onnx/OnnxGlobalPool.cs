using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>GlobalMaxPool</c>, <c>GlobalAveragePool</c> (opsets 1, 22) and <c>GlobalLpPool</c> (1, 2, 22; <c>p</c> float in opset 1,
/// int from 2): one window of the whole spatial extent per (n, c); output N×C×1×…×1, the rank kept.
/// </summary>
public sealed class OnnxGlobalPool(Reduction reduction) : PoolOp
{
    public override string Name => reduction switch
    {
        Reduction.Max => "onnx.GlobalMaxPool", Reduction.Average => "onnx.GlobalAveragePool", _ => "onnx.GlobalLpPool",
    };
    public override IReadOnlyList<ParamInfo> Params => reduction == Reduction.Lp
        ? [new("p", "int (float in opset 1)", "2"), new("opset", "int", "22")] : [new("opset", "int", "22")];
    public override IReadOnlyList<string> Inputs => ["X"];
    public override IReadOnlyList<string> Outputs => ["Y"];
    public override string ToleranceText => reduction == Reduction.Max ? "exact (selection)" : "derived (TESTING.md §3.3)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = OnnxOpset.Read(p);
        double pv = reduction == Reduction.Lp ? OnnxLpPool.ReadP(p, opset) : 2;
        p.EnsureAllUsed(Name);
        var x = OnnxConvPool.X(Input(inputs, "X"), Name);
        RequireFloat(x, "X");
        var spatial = x.Shape[2..];
        var axes = spatial.Select(l => new Axis(l, l, 1, 1, 0, 0, 1)).ToArray();
        var desc = new PoolDescriptor(reduction, axes, PoolSemantics.Onnx, P: pv);
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(reduction switch
        {
            Reduction.Max => MaxPool.Compute(x, desc, "Y", "Indices").Values,
            Reduction.Average => AveragePool.Compute(x, desc, "Y"),
            _ => LpPool.Compute(x, desc, "Y"),
        });
        OnnxMaxPool.TorchLikeWindows(r, axes);
        return r;
    }
}
