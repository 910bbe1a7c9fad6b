using PoolingConformance.Core;

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

    /// <summary>The largest output a case may ask for through <c>output_shape</c> (2^28 elements, 2 GiB of doubles).</summary>
    const long MaxOutputElements = MaxUnpool.MaxOutputElements;

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = OnnxConvPool.Opset(p);
        if (opset < 9) throw new InvalidParameterException("opset", $"MaxUnpool exists from opset 9, case opset {opset}");
        var x = OnnxConvPool.X(Input(inputs, "X"), Name);
        RequireFloat(x, "X");
        int nd = x.Rank - 2;
        var k = p.IntList("kernel_shape") ?? throw new InvalidParameterException("kernel_shape", "'kernel_shape' is required");
        if (k.Length != nd || k.Any(v => v <= 0)) throw new InvalidParameterException("kernel_shape", $"kernel_shape must be {nd} positive ints");
        var s = p.IntList("strides") ?? Enumerable.Repeat(1, nd).ToArray();
        if (s.Length != nd || s.Any(v => v <= 0)) throw new InvalidParameterException("strides", $"strides must be {nd} positive ints");
        var pads = p.IntList("pads") ?? new int[2 * nd];
        if (pads.Length != 2 * nd || pads.Any(v => v < 0)) throw new InvalidParameterException("pads", $"pads must be {2 * nd} non-negative ints");
        p.EnsureAllUsed(Name);
        var ind = Input(inputs, "I");
        if (ind.DType != DType.Int64) throw InputErrors.Bad("I", $"I must be int64, got {ind.DType.Name()}");
        if (!ind.Shape.SequenceEqual(x.Shape)) throw InputErrors.Bad("I", $"I shape {Tensor.ShapeText(ind.Shape)} must equal X shape {Tensor.ShapeText(x.Shape)}");
        var inferred = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            long inf = (long)(x.Shape[2 + a] - 1) * s[a] - ((long)pads[a] + pads[nd + a]) + k[a];
            if (inf > MaxUnpool.MaxOutputElements)
                throw new InvalidParameterException("strides", $"inferred output size {inf} on axis {a} is more than the {MaxUnpool.MaxOutputElements} elements the oracle materializes");
            inferred[a] = (int)inf;
            if (inferred[a] < 1) throw new InvalidParameterException("pads", $"inferred output size {inferred[a]} on axis {a} is below 1");
        }
        int[] inferredShape = [x.Shape[0], x.Shape[1], .. inferred];
        MaxUnpool.CheckOutputSize(1, inferredShape.Aggregate(1L, (n, v) => Math.Min(n * v, MaxOutputElements + 1)), "strides");
        var flat = MaxUnpool.Scatter(x.Data, ind.Data, 1, Tensor.ElementCount(inferredShape), "inputs.I");
        var result = new Tensor(x.DType, inferredShape, flat);
        if (OptionalInput(inputs, "output_shape") is { } os)
        {
            if (os.DType != DType.Int64 || os.Rank != 1 || os.Shape[0] != x.Rank)
                throw InputErrors.Bad("output_shape", $"output_shape must be an int64 vector of {x.Rank} entries");
            // Entries are checked before the cast: an out-of-range int64 would wrap and overflow the element count.
            if (os.Data.Any(v => v < 0 || v > int.MaxValue))
                throw InputErrors.Bad("output_shape", $"output_shape {Tensor.ShapeText(os.Data.Select(v => (int)Math.Clamp(v, int.MinValue, int.MaxValue)).ToArray())} has an entry outside [0, {int.MaxValue}]");
            var want = os.Data.Select(v => (int)v).ToArray();
            if (want[0] != x.Shape[0] || want[1] != x.Shape[1])
                throw InputErrors.Bad("output_shape", "output_shape must keep N and C");
            for (int a = 0; a < nd; a++)
                if (want[2 + a] < inferred[a]) throw InputErrors.Bad("output_shape", $"output_shape {want[2 + a]} on spatial axis {a} is smaller than the inferred {inferred[a]}");
            if (want.Aggregate(1L, (n, v) => Math.Min(n * v, MaxOutputElements + 1)) > MaxOutputElements)
                throw InputErrors.Bad("output_shape", $"output_shape {Tensor.ShapeText(want)} asks for more than {MaxOutputElements} elements");
            result = PadAtEnd(result, want);
        }
        var r = new OpResult { Descriptor = $"OnnxMaxUnpool inferred={Tensor.ShapeText(inferredShape)} out={Tensor.ShapeText(result.Shape)}" };
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
