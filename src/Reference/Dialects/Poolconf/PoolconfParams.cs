using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// The 2-D window geometry shared by the generic <c>poolconf.*_pool2d</c> ops (METHODS.md §0.2): PyTorch-like names
/// <c>kernel_size</c>, <c>stride</c> (default the kernel), <c>padding</c> (symmetric, any value ≥ 0: out-of-range taps are
/// skipped, never padded with a value), <c>dilation</c>, <c>ceil_mode</c> (PyTorch/ONNX ceil rule with the last-window
/// correction). Input is N×C×H×W. A window with no in-bounds tap (only reachable with dilation and padding) follows
/// METHODS.md §0.5: value 0, index −1. Randomness and gating inputs are explicit tensors, validated here.
/// </summary>
internal static class PoolconfParams
{
    public static readonly ParamInfo KernelInfo = new("kernel_size", "int | int[2]", "required");
    public static readonly ParamInfo StrideInfo = new("stride", "int | int[2] | null", "null (= kernel_size)");
    public static readonly ParamInfo PaddingInfo = new("padding", "int | int[2]", "0", "symmetric, ≥ 0; padded taps are skipped (no value)");
    public static readonly ParamInfo DilationInfo = new("dilation", "int | int[2]", "1");
    public static readonly ParamInfo CeilInfo = new("ceil_mode", "bool", "false", "PyTorch/ONNX ceil rule (last window starts inside input or begin padding)");
    public static IReadOnlyList<ParamInfo> Geometry => [KernelInfo, StrideInfo, PaddingInfo, DilationInfo, CeilInfo];

    /// <summary>Reads the geometry parameters (call before <see cref="ParamReader.EnsureAllUsed"/>).</summary>
    public static (int[] K, int[] S, int[] Pad, int[] D, bool Ceil) Read(ParamReader p)
    {
        var k = Torch.TorchParams.Kernel(p, 2);
        var s = Torch.TorchParams.Stride(p, 2, k);
        var pad = p.IntTuple("padding", 2) ?? new int[2];
        if (pad.Length == 0) pad = new int[2];
        foreach (var v in pad) if (v < 0) throw new InvalidParameterException("padding", $"padding must be non-negative, got {v}");
        var d = Torch.TorchParams.Dilation(p, 2);
        if (d.Length == 0) throw new InvalidParameterException("dilation", "'dilation' must be an int or a list of 1 or 2 ints, got an empty list");
        bool ceil = p.Bool("ceil_mode", false);
        return (k, s, pad, d, ceil);
    }

    /// <summary>The N×C×H×W input, float dtype, non-empty channel and spatial sizes.</summary>
    public static Tensor Input4d(IReadOnlyDictionary<string, Tensor> inputs, string op, string name = "input")
    {
        var x = inputs.TryGetValue(name, out var t) ? t : throw InputErrors.Bad(name, $"input '{name}' is required by {op}");
        if (!x.DType.IsFloat()) throw InputErrors.Bad(name, $"input '{name}' has dtype {x.DType.Name()}; allowed: float16, float32, float64");
        if (x.Rank != 4) throw InputErrors.Bad(name, $"{op} expects an N×C×H×W input, got shape {Tensor.ShapeText(x.Shape)}");
        if (x.Shape.Skip(1).Any(v => v == 0)) throw InputErrors.Bad(name, $"{op} expects non-zero C, H, W, got shape {Tensor.ShapeText(x.Shape)}");
        return x;
    }

    /// <summary>The two window axes; an output past <see cref="OutputLimit.MaxElements"/> is refused naming <c>padding</c>.</summary>
    public static Axis[] Axes(Tensor x, (int[] K, int[] S, int[] Pad, int[] D, bool Ceil) g)
    {
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
            axes[a] = PoolGeometry.Explicit(x.Shape[2 + a], g.K[a], g.S[a], g.D[a], g.Pad[a], g.Pad[a], g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
        // Without padding a window output is no larger than the input (ceil mode adds one row and column), so only padding can
        // make it grow past what was read: refused naming padding past the oracle's limit, before any buffer is sized.
        OutputLimit.Check("padding", x.Shape[0], x.Shape[1], axes[0].Output, axes[1].Output);
        return axes;
    }

    public static int[] OutShape(Tensor x, Axis[] axes) => [x.Shape[0], x.Shape[1], axes[0].Output, axes[1].Output];

    public static string Descriptor(string op, Axis[] axes, string extra) =>
        $"{op} ax0[{axes[0]}] ax1[{axes[1]}] {extra}".TrimEnd();

    /// <summary>Fills an <see cref="OpResult"/>'s window description for <c>explain</c>.</summary>
    public static void SetWindows(OpResult r, Axis[] axes) => Torch.TorchParams.SetWindows(r, axes);

    /// <summary>
    /// NumPy-style broadcast of <paramref name="t"/> (rank ≤ 4, dims right-aligned, each 1 or equal) to <paramref name="shape"/>:
    /// returns the source element index of every flat element of <paramref name="shape"/>.
    /// </summary>
    public static Func<int, int> Broadcast(Tensor t, int[] shape, string name)
    {
        int r = shape.Length;
        if (t.Rank > r) throw InputErrors.Bad(name, $"input '{name}' of shape {Tensor.ShapeText(t.Shape)} does not broadcast to {Tensor.ShapeText(shape)}");
        var dims = new int[r];
        for (int a = 0; a < r; a++) dims[a] = a < r - t.Rank ? 1 : t.Shape[a - (r - t.Rank)];
        for (int a = 0; a < r; a++)
            if (dims[a] != 1 && dims[a] != shape[a])
                throw InputErrors.Bad(name, $"input '{name}' of shape {Tensor.ShapeText(t.Shape)} does not broadcast to {Tensor.ShapeText(shape)} (axis {a})");
        var srcStr = Windows.Strides(dims);
        return flat =>
        {
            int src = 0, rem = flat;
            for (int a = r - 1; a >= 0; a--)
            {
                int i = rem % shape[a]; rem /= shape[a];
                if (dims[a] != 1) src += i * srcStr[a];
            }
            return src;
        };
    }

    /// <summary>
    /// One uniform per output cell: exactly N×C×OH×OW, every value finite in [0, 1) (METHODS.md §0.8). A float input is
    /// used at its exact value (the largest float32 below 1 is 0.99999994).
    /// </summary>
    public static Tensor Uniforms(IReadOnlyDictionary<string, Tensor> inputs, int[] outShape, string op, string name = "uniforms")
    {
        var u = inputs.TryGetValue(name, out var t) ? t : throw InputErrors.Bad(name, $"input '{name}' (one uniform in [0,1) per output cell) is required by {op} in training mode");
        if (!u.DType.IsFloat()) throw InputErrors.Bad(name, $"input '{name}' must be a float tensor, got {u.DType.Name()}");
        if (!u.Shape.SequenceEqual(outShape))
            throw InputErrors.Bad(name, $"input '{name}' must have the output shape {Tensor.ShapeText(outShape)} (one uniform per output cell), got {Tensor.ShapeText(u.Shape)}");
        for (int i = 0; i < u.Data.Length; i++)
            if (!(u.Data[i] >= 0 && u.Data[i] < 1))
                throw InputErrors.Bad(name, $"input '{name}' element {i} is {u.Data[i]}; uniforms must lie in [0, 1)");
        return u;
    }

    /// <summary>Refuses an input that is present although the mode does not read it (a silently ignored tensor hides a case error).</summary>
    public static void Unused(IReadOnlyDictionary<string, Tensor> inputs, string name, string why)
    {
        if (inputs.ContainsKey(name)) throw InputErrors.Bad(name, $"input '{name}' is not used {why}");
    }
}

/// <summary>One output cell's result: value in float64, its derived bound (0 = exact), and the selected tap (−1 when none).</summary>
internal readonly record struct Cell(double Value, double Bound, long Index = -1);

/// <summary>The per-window loop of the <c>poolconf.*_pool2d</c> front-ends: every (n, c) plane × every window, in output order.</summary>
internal static class PoolconfLoop
{
    /// <summary>
    /// Evaluates <paramref name="cell"/> for plane <c>q</c> (= n·C + c), output cell <c>j</c> and its window; returns the value
    /// output rounded to the input dtype (with the per-element bound, or none when <paramref name="exact"/>) and the indices.
    /// </summary>
    public static (Expectation Values, Expectation Indices) Run(Tensor x, Axis[] axes, Func<int, int, Window, int, Cell> cell, bool exact,
        string valueName = "output", string indexName = "indices")
    {
        var windows = Windows.Enumerate(axes);
        int planes = x.Shape[0] * x.Shape[1];
        int planeIn = x.Shape[2] * x.Shape[3];
        int planeOut = axes[0].Output * axes[1].Output;
        var vals = new double[planes * planeOut];
        var bound = new double[vals.Length];
        var idx = new double[vals.Length];
        bool[]? idxUnspec = null;
        for (int q = 0; q < planes; q++)
            for (int j = 0; j < planeOut; j++)
            {
                int o = q * planeOut + j;
                var c = cell(q, j, windows[j], q * planeIn);
                vals[o] = x.DType.Round(c.Value);
                bound[o] = c.Bound;
                idx[o] = c.Index;
                if (c.Index < 0) (idxUnspec ??= new bool[vals.Length])[o] = true;
            }
        int[] shape = PoolconfParams.OutShape(x, axes);
        return (new Expectation { Name = valueName, Value = new Tensor(x.DType, shape, vals), Bound = exact ? null : bound },
                new Expectation { Name = indexName, Value = new Tensor(DType.Int64, shape, idx), Unspecified = idxUnspec, IsIndex = true });
    }
}
