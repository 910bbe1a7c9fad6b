namespace PoolingConformance.Core.Onnx;

/// <summary>
/// <c>onnx.MaxUnpool</c> (opset ≥ 9; X of N, C and 1–3 non-empty spatial axes; kernel_shape, strides, pads; I int64 of X's
/// shape, flat over the inferred output; optional <c>output_shape</c> input), with the materialization limit
/// (<see cref="OutputLimit.MaxElements"/>). One reader for the oracle and the optimized and GPU backends, so they refuse the same
/// cases with the same fields, in the same order (a GPU copy had once computed the inferred size in int, unguarded).
/// </summary>
/// <param name="Input">X as given.</param>
/// <param name="InferredShape">N, C and the inferred spatial sizes.</param>
/// <param name="InferredTotal">Elements of the inferred shape: the range of every index.</param>
/// <param name="Indices">I as int64, each checked to lie in [0, InferredTotal).</param>
/// <param name="OutputShape">The requested output shape (the result sits at the start of each axis), or null.</param>
public sealed record OnnxMaxUnpoolParams(Tensor Input, int[] InferredShape, long InferredTotal, long[] Indices, int[]? OutputShape)
{
    /// <summary>
    /// Reads the case. <paramref name="checkX"/> checks X's dtype where the caller does (right after its shape);
    /// <paramref name="outputShapeUnsupported"/>, when given, is thrown for an <c>output_shape</c> input (right after I's checks).
    /// </summary>
    public static OnnxMaxUnpoolParams Read(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, string op,
        Action<Tensor>? checkX = null, Func<Exception>? outputShapeUnsupported = null)
    {
        const long limit = OutputLimit.MaxElements;
        int opset = OnnxOpset.Read(p);
        if (opset < 9) throw new InvalidParameterException("opset", $"MaxUnpool exists from opset 9, case opset {opset}");
        var input = Required(inputs, "X", op);
        if (input.Rank is < 3 or > 5) throw new InvalidParameterException("inputs.X", $"{op} expects X of rank 3 to 5 (N, C, 1 to 3 spatial axes), got shape {Tensor.ShapeText(input.Shape)}");
        if (input.Shape.Skip(2).Any(v => v == 0)) throw new InvalidParameterException("inputs.X", $"{op} expects non-empty spatial axes, got shape {Tensor.ShapeText(input.Shape)}");
        checkX?.Invoke(input);
        int nd = input.Rank - 2;
        var k = p.IntList("kernel_shape") ?? throw new InvalidParameterException("kernel_shape", "'kernel_shape' is required");
        if (k.Length != nd || k.Any(v => v <= 0)) throw new InvalidParameterException("kernel_shape", $"kernel_shape must be {nd} positive ints");
        var s = p.IntList("strides") ?? Enumerable.Repeat(1, nd).ToArray();
        if (s.Length != nd || s.Any(v => v <= 0)) throw new InvalidParameterException("strides", $"strides must be {nd} positive ints");
        var pads = p.IntList("pads") ?? new int[2 * nd];
        if (pads.Length != 2 * nd || pads.Any(v => v < 0)) throw new InvalidParameterException("pads", $"pads must be {2 * nd} non-negative ints");
        p.EnsureAllUsed(op);
        var ind = Required(inputs, "I", op);
        if (ind.DType != DType.Int64) throw new InvalidParameterException("inputs.I", $"I must be int64, got {ind.DType.Name()}");
        if (!ind.Shape.SequenceEqual(input.Shape)) throw new InvalidParameterException("inputs.I", $"I shape {Tensor.ShapeText(ind.Shape)} must equal X shape {Tensor.ShapeText(input.Shape)}");
        if (outputShapeUnsupported is not null && inputs.ContainsKey("output_shape")) throw outputShapeUnsupported();
        var inferred = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            long inf = (long)(input.Shape[2 + a] - 1) * s[a] - ((long)pads[a] + pads[nd + a]) + k[a];
            if (inf > limit) throw new InvalidParameterException("strides", $"inferred output size {inf} on axis {a} is more than the {limit} elements the oracle materializes");
            inferred[a] = (int)inf;
            if (inferred[a] < 1) throw new InvalidParameterException("pads", $"inferred output size {inferred[a]} on axis {a} is below 1");
        }
        int[] inferredShape = [input.Shape[0], input.Shape[1], .. inferred];
        long total = inferredShape.Aggregate(1L, (n, v) => Math.Min(n * v, limit + 1));
        if (total > limit)
            throw new InvalidParameterException("strides", $"the unpooled output would hold 1 × {total} elements, more than the {limit} the oracle materializes");
        var idx = new long[ind.Data.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            double v = ind.Data[i];
            if (!(v >= 0 && v < total))
                throw new InvalidParameterException("inputs.I", $"Found an invalid max index: {v} (plane size {total}) at element {i}");
            idx[i] = (long)v;
        }
        int[]? outShape = null;
        if (inputs.TryGetValue("output_shape", out var os))
        {
            if (os.DType != DType.Int64 || os.Rank != 1 || os.Shape[0] != input.Rank)
                throw new InvalidParameterException("inputs.output_shape", $"output_shape must be an int64 vector of {input.Rank} entries");
            // Entries are checked before the cast: an out-of-range int64 would wrap and overflow the element count.
            if (os.Data.Any(v => v < 0 || v > int.MaxValue))
                throw new InvalidParameterException("inputs.output_shape", $"output_shape {Tensor.ShapeText(os.Data.Select(v => (int)Math.Clamp(v, int.MinValue, int.MaxValue)).ToArray())} has an entry outside [0, {int.MaxValue}]");
            var want = os.Data.Select(v => (int)v).ToArray();
            if (want[0] != input.Shape[0] || want[1] != input.Shape[1]) throw new InvalidParameterException("inputs.output_shape", "output_shape must keep N and C");
            for (int a = 0; a < nd; a++)
                if (want[2 + a] < inferred[a]) throw new InvalidParameterException("inputs.output_shape", $"output_shape {want[2 + a]} on spatial axis {a} is smaller than the inferred {inferred[a]}");
            if (want.Aggregate(1L, (n, v) => Math.Min(n * v, limit + 1)) > limit)
                throw new InvalidParameterException("inputs.output_shape", $"output_shape {Tensor.ShapeText(want)} asks for more than {limit} elements");
            outShape = want;
        }
        return new OnnxMaxUnpoolParams(input, inferredShape, total, idx, outShape);
    }

    static Tensor Required(IReadOnlyDictionary<string, Tensor> inputs, string name, string op) =>
        inputs.TryGetValue(name, out var t) ? t : throw new InvalidParameterException($"inputs.{name}", $"input '{name}' is required by {op}");
}
