using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>MaxUnpool</c> (opsets 9, 11, 22): inputs X, I (int64, flat over the whole N×C×spatial tensor in the
/// <b>inferred</b> layout <c>(X_i − 1)·s_i − (pb_i + pe_i) + k_i</c>) and an optional <c>output_shape</c>. The scatter fills the
/// inferred shape; a larger <c>output_shape</c> then pads at the end of every axis (the result sits in the top-left corner),
/// as the spec and its node test <c>test_maxunpool_export_with_output_shape</c> do (onnx/onnx#2398), unlike PyTorch.
/// </summary>
public sealed class OnnxMaxUnpool : PoolOp
{
    public override string Name => "onnx.MaxUnpool";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("kernel_shape", "int[]", "required"), new("pads", "int[]", "0s"), new("strides", "int[]", "1s"), new("opset", "int", "22")];
    public override IReadOnlyList<string> Inputs => ["X", "I", "output_shape"];
    public override IReadOnlyList<string> OptionalInputs => ["output_shape"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var u = OnnxMaxUnpoolParams.Read(p, inputs, Name, checkX: x => RequireFloat(x, "X"));
        var flat = MaxUnpool.Scatter(u.Input.Data, inputs["I"].Data, 1, u.InferredTotal, "inputs.I");
        var result = new Tensor(u.Input.DType, u.InferredShape, flat);
        if (u.OutputShape is { } want) result = PadAtEnd(result, want);
        var r = new OpResult { Descriptor = $"OnnxMaxUnpool inferred={Tensor.ShapeText(u.InferredShape)} out={Tensor.ShapeText(result.Shape)}" };
        r.Add(new Expectation { Name = "output", Value = result });
        return r;
    }

    static Tensor PadAtEnd(Tensor t, int[] shape)
    {
        var outData = new double[Tensor.ElementCount(shape)];
        var outStr = Windows.Strides(shape);
        for (int i = 0; i < t.Data.Length; i++)
        {
            var c = t.Unravel(i);
            long o = 0;
            for (int a = 0; a < c.Length; a++) o += (long)c[a] * outStr[a];
            outData[o] = t.Data[i];
        }
        return new Tensor(t.DType, shape, outData);
    }
}
