using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// ONNX <c>MaxPool</c> (opsets 1, 8, 10, 11, 12, 22): <see cref="MaxPool"/> with <see cref="PoolSemantics.Onnx"/> (padding never
/// wins, ties first; NaN propagates with the first NaN's index — the spec is silent, the oracle's choice; windows made only
/// of padding are unspecified). <c>Indices</c> (opset ≥ 8) are flat over the whole N×C×spatial tensor, padding not
/// counted: <c>q·Π + h·W + w</c> for <c>storage_order = 0</c>, column-major inside the plane (<c>q·Π + h + w·H</c>) for 1.
/// </summary>
public sealed class OnnxMaxPool : PoolOp
{
    public override string Name => "onnx.MaxPool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("auto_pad", "string", "NOTSET", "NOTSET | SAME_UPPER | SAME_LOWER | VALID"), new("ceil_mode", "int", "0", "opset >= 10"),
        new("dilations", "int[]", "1s", "opset >= 10"), new("kernel_shape", "int[]", "required"), new("pads", "int[]", "0s"),
        new("storage_order", "int", "0", "opset >= 8"), new("strides", "int[]", "1s"), new("opset", "int", "22"),
    ];
    public override IReadOnlyList<string> Inputs => ["X"];
    public override IReadOnlyList<string> Outputs => ["Y", "Indices"];
    public override string ToleranceText => "exact (selection); Indices exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = OnnxOpset.Read(p);
        OnnxOpset.Since(p, "storage_order", 8, opset, Name);
        OnnxOpset.Since(p, "ceil_mode", 10, opset, Name);
        OnnxOpset.Since(p, "dilations", 10, opset, Name);
        var x = OnnxConvPool.X(Input(inputs, "X"), Name);
        RequireFloat(x, "X", DType.Float16, DType.Float32, DType.Float64, DType.UInt8, DType.Int8);
        int nd = x.Rank - 2;
        var attrs = OnnxConvPool.Read(p, nd, allowDilations: true, allowCeil: true);
        bool columnMajor = p.Int("storage_order", 0) switch
        {
            0 => false, 1 => true, var so => throw new InvalidParameterException("storage_order", $"storage_order must be 0 or 1, got {so}"),
        };
        p.EnsureAllUsed(Name);
        var axes = attrs.Axes(x.Shape[2..]);
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Onnx, PadField: "pads");
        var (v, i) = MaxPool.Compute(x, desc, "Y", "Indices");
        var r = new OpResult { Descriptor = desc.ToString() };
        r.Add(v);
        if (opset >= 8) r.Add(ToOnnxIndices(i, x.Shape[2..], columnMajor), byDefault: false);
        TorchLikeWindows(r, axes);
        return r;
    }

    /// <summary>Canonical per-plane row-major indices to ONNX's flat layout.</summary>
    public static Expectation ToOnnxIndices(Expectation canonical, int[] inputSpatial, bool columnMajor)
    {
        long plane = Tensor.ElementCount(inputSpatial);
        int perPlaneOut = (int)Tensor.ElementCount(canonical.Value.Shape[2..]);
        var rowStr = Windows.Strides(inputSpatial);
        var colStr = new int[inputSpatial.Length];
        int st = 1;
        for (int a = 0; a < inputSpatial.Length; a++) { colStr[a] = st; st *= inputSpatial[a]; }
        var data = new double[canonical.Value.Data.Length];
        for (int o = 0; o < data.Length; o++)
        {
            double idx = canonical.Value.Data[o];
            if (idx < 0) { data[o] = -1; continue; }
            long rem = (long)idx, inPlane = 0;
            for (int a = 0; a < inputSpatial.Length; a++)
            {
                long coord = rem / rowStr[a];
                rem %= rowStr[a];
                inPlane += coord * (columnMajor ? colStr[a] : rowStr[a]);
            }
            data[o] = (o / perPlaneOut) * plane + inPlane;
        }
        return new Expectation { Name = canonical.Name, Value = new Tensor(DType.Int64, canonical.Value.Shape, data), Unspecified = canonical.Unspecified, IsIndex = true };
    }

    internal static void TorchLikeWindows(OpResult r, Axis[] axes, Func<Window, string>? divisor = null)
    {
        r.Windows = Windows.Enumerate(axes);
        r.WindowInputShape = axes.Select(a => a.Length).ToArray();
        r.WindowOutputShape = axes.Select(a => a.Output).ToArray();
        r.DivisorText = divisor;
    }
}
