using PoolingConformance.Core;
using PoolingConformance.Optimized.Kernels.Survey;

namespace PoolingConformance.Optimized;

// the survey's window methods (mixed, gated, combined, median, rank-based, stochastic, weighted): the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] SurveyWindowOps() =>
        ["poolconf.mixed_pool2d", "poolconf.median_pool2d", "poolconf.combined_pool2d", "poolconf.rank_avg_pool2d", "poolconf.stochastic_pool2d",
         "poolconf.rank_stochastic_pool2d", "poolconf.rank_weighted_pool2d", "poolconf.weighted_pool2d", "poolconf.gated_pool2d"];

    /// <summary>
    /// The survey's <c>poolconf.*_pool2d</c> window methods, read as the reference's <c>Poolconf</c> front-ends read them (same
    /// fields, defaults, order of checks and refusals), run on the survey kernels of <see cref="KernelRegistry"/>.
    /// </summary>
    static Dictionary<string, Tensor> RunSurveyWindow(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => c.Op switch
    {
        "poolconf.mixed_pool2d" => RunMixed(c.Op, p, inputs, threads),
        "poolconf.gated_pool2d" => RunGated(c.Op, p, inputs, threads),
        "poolconf.combined_pool2d" => RunCombined(c.Op, p, inputs, threads),
        "poolconf.median_pool2d" => RunMedian(c.Op, p, inputs, threads),
        "poolconf.rank_avg_pool2d" => RunRankAvg(c.Op, p, inputs, threads),
        "poolconf.rank_weighted_pool2d" => RunRankWeighted(c.Op, p, inputs, threads),
        "poolconf.rank_stochastic_pool2d" => RunRankStochastic(c.Op, p, inputs, threads),
        "poolconf.stochastic_pool2d" => RunStochastic(c.Op, p, inputs, threads),
        "poolconf.weighted_pool2d" => RunWeighted(c.Op, p, inputs, threads),
        _ => throw new NotServed($"{c.Op} is not served"),
    };

    // ---------------------------------------------------------------- shared front-end (as the reference's PoolconfParams)

    readonly record struct SurveyParams(int[] K, int[] S, int[] Pad, int[] D, bool Ceil);

    /// <summary><c>kernel_size</c>, <c>stride</c> (default the kernel), <c>padding</c> (≥ 0, symmetric), <c>dilation</c>, <c>ceil_mode</c>.</summary>
    static SurveyParams SurveyGeometryParams(ParamReader p)
    {
        var k = p.IntTuple("kernel_size", 2) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        if (k.Length == 0) throw new InvalidParameterException("kernel_size", "'kernel_size' must not be empty");
        foreach (var v in k) if (v <= 0) throw new InvalidParameterException("kernel_size", $"kernel size should be greater than zero, got {v}");
        var s = p.IntTuple("stride", 2);
        if (s is null || s.Length == 0) s = k;
        else foreach (var v in s) if (v <= 0) throw new InvalidParameterException("stride", $"stride should be greater than zero, got {v}");
        var pad = p.IntTuple("padding", 2) ?? new int[2];
        if (pad.Length == 0) pad = new int[2];
        foreach (var v in pad) if (v < 0) throw new InvalidParameterException("padding", $"padding must be non-negative, got {v}");
        var d = p.IntTuple("dilation", 2) ?? [1, 1];
        if (d.Length == 0) throw new InvalidParameterException("dilation", "'dilation' must be an int or a list of 1 or 2 ints, got an empty list");
        foreach (var v in d) if (v <= 0) throw new InvalidParameterException("dilation", $"dilation should be greater than zero, got {v}");
        bool ceil = p.Bool("ceil_mode", false);
        return new SurveyParams(k, s, pad, d, ceil);
    }

    static InvalidParameterException BadInput(string name, string message) => new($"inputs.{name}", message);

    /// <summary>The N×C×H×W input: float dtype, non-zero C, H, W (float64 is not served).</summary>
    static Tensor SurveyInput(IReadOnlyDictionary<string, Tensor> inputs, string op, string name = "input")
    {
        var x = inputs.TryGetValue(name, out var t) ? t : throw BadInput(name, $"input '{name}' is required by {op}");
        if (!x.DType.IsFloat()) throw BadInput(name, $"input '{name}' has dtype {x.DType.Name()}; allowed: float16, float32, float64");
        if (x.Rank != 4) throw BadInput(name, $"{op} expects an N×C×H×W input, got shape {Tensor.ShapeText(x.Shape)}");
        if (x.Shape.Skip(1).Any(v => v == 0)) throw BadInput(name, $"{op} expects non-zero C, H, W, got shape {Tensor.ShapeText(x.Shape)}");
        return x;
    }

    static SurveyGeometry SurveyAxes(Tensor x, SurveyParams g)
    {
        var rule = g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor;
        return new SurveyGeometry(PoolGeometry.Explicit(x.Shape[2], g.K[0], g.S[0], g.D[0], g.Pad[0], g.Pad[0], rule),
                                  PoolGeometry.Explicit(x.Shape[3], g.K[1], g.S[1], g.D[1], g.Pad[1], g.Pad[1], rule));
    }

    static int[] SurveyOutShape(Tensor x, SurveyGeometry g) => [x.Shape[0], x.Shape[1], g.H.Output, g.W.Output];

    /// <summary>
    /// The element count of an output (or broadcast map) of <paramref name="shape"/>, refused (field <c>padding</c>) past
    /// <see cref="OutputLimit.MaxElements"/>: without padding a window output is no larger than the input (ceil mode adds one row and
    /// column), so only padding makes it grow past what was read — where an int plane size would overflow or the allocation fail.
    /// </summary>
    static long SurveyElements(int[] shape) => OutputLimit.Check("padding", [.. shape.Select(v => (long)v)]);

    /// <summary>A zeroed output buffer for <paramref name="shape"/>, after the <see cref="SurveyElements"/> check.</summary>
    static float[] SurveyBuffer(int[] shape) => new float[SurveyElements(shape)];

    /// <summary>A values-only survey op's output: a buffer of <paramref name="outShape"/> filled by <paramref name="kernel"/>, rounded to the input's dtype.</summary>
    static Dictionary<string, Tensor> SurveyOutput(Tensor input, int[] outShape, Action<float[]> kernel)
    {
        var y = SurveyBuffer(outShape);
        kernel(y);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y) };
    }

    /// <summary>NumPy broadcast of <paramref name="t"/> (rank ≤ that of <paramref name="shape"/>, dims right-aligned, 1 or equal): the source element of every flat element.</summary>
    static int[] SurveyBroadcast(Tensor t, int[] shape, string name)
    {
        int r = shape.Length;
        string bad = $"input '{name}' of shape {Tensor.ShapeText(t.Shape)} does not broadcast to {Tensor.ShapeText(shape)}";
        if (t.Rank > r) throw BadInput(name, bad);
        var dims = new int[r];
        for (int a = 0; a < r; a++) dims[a] = a < r - t.Rank ? 1 : t.Shape[a - (r - t.Rank)];
        for (int a = 0; a < r; a++) if (dims[a] != 1 && dims[a] != shape[a]) throw BadInput(name, $"{bad} (axis {a})");
        var srcStride = new int[r];
        for (int a = r - 1, st = 1; a >= 0; a--) { srcStride[a] = dims[a] == 1 ? 0 : st; st *= dims[a]; }
        var map = new int[SurveyElements(shape)];
        long total = map.Length;
        for (int flat = 0; flat < total; flat++)
        {
            int src = 0, rem = flat;
            for (int a = r - 1; a >= 0; a--) { int i = rem % shape[a]; rem /= shape[a]; src += i * srcStride[a]; }
            map[flat] = src;
        }
        return map;
    }

    /// <summary>One uniform per output cell: exactly the output shape, float, each in [0, 1), used at its exact value.</summary>
    static double[] SurveyUniforms(IReadOnlyDictionary<string, Tensor> inputs, int[] outShape, string op, string name = "uniforms")
    {
        var u = inputs.TryGetValue(name, out var t) ? t : throw BadInput(name, $"input '{name}' (one uniform in [0,1) per output cell) is required by {op} in training mode");
        if (!u.DType.IsFloat()) throw BadInput(name, $"input '{name}' must be a float tensor, got {u.DType.Name()}");
        if (!u.Shape.SequenceEqual(outShape))
            throw BadInput(name, $"input '{name}' must have the output shape {Tensor.ShapeText(outShape)} (one uniform per output cell), got {Tensor.ShapeText(u.Shape)}");
        for (int i = 0; i < u.Data.Length; i++)
            if (!(u.Data[i] >= 0 && u.Data[i] < 1)) throw BadInput(name, $"input '{name}' element {i} is {u.Data[i]}; uniforms must lie in [0, 1)");
        return u.Data;
    }

    static void SurveyUnused(IReadOnlyDictionary<string, Tensor> inputs, string name, string why)
    {
        if (inputs.ContainsKey(name)) throw BadInput(name, $"input '{name}' is not used {why}");
    }

    static double Fraction(ParamReader p, string name)
    {
        double v = p.DoubleOrNull(name) ?? throw new InvalidParameterException(name, $"'{name}' is required");
        if (!(v >= 0 && v <= 1)) throw new InvalidParameterException(name, $"'{name}' must lie in [0, 1], got {v}");
        return v;
    }

    static double RankAlpha(ParamReader p)
    {
        double a = p.DoubleOrNull("alpha") ?? throw new InvalidParameterException("alpha", "'alpha' is required");
        if (!(a > 0 && a <= 1)) throw new InvalidParameterException("alpha", $"'alpha' must lie in (0, 1], got {a}");
        return a;
    }

    // ---------------------------------------------------------------- the ops

    static Dictionary<string, Tensor> RunMixed(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        string mode = p.String("mode", "lambda", "lambda", "fixed", "expectation", "majority", "alpha");
        double a = 0;
        switch (mode)
        {
            case "fixed":
                int fl = p.RequiredInt("fixed_lambda");
                if (fl is not (0 or 1)) throw new InvalidParameterException("fixed_lambda", $"'fixed_lambda' must be 0 or 1, got {fl}");
                a = fl;
                break;
            case "expectation": a = Fraction(p, "p"); break;
            case "alpha": a = Fraction(p, "alpha"); break;
            case "majority":
                int cm = p.RequiredInt("count_max"), ca = p.RequiredInt("count_avg");
                if (cm < 0) throw new InvalidParameterException("count_max", $"'count_max' must be ≥ 0, got {cm}");
                if (ca < 0) throw new InvalidParameterException("count_avg", $"'count_avg' must be ≥ 0, got {ca}");
                a = cm >= ca ? 1 : 0; // ties → max (the project's choice)
                break;
        }
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var outShape = SurveyOutShape(input, g);
        double[] mix = [a];
        if (mode == "lambda")
        {
            var lam = inputs.TryGetValue("lambda", out var l) ? l : throw BadInput("lambda", "input 'lambda' (0/1, broadcastable to N×C×OH×OW) is required in mode 'lambda'");
            var map = SurveyBroadcast(lam, outShape, "lambda");
            for (int i = 0; i < lam.Data.Length; i++)
                if (lam.Data[i] is not (0.0 or 1.0)) throw BadInput("lambda", $"input 'lambda' element {i} is {lam.Data[i]}; lambda must be exactly 0 or 1");
            mix = new double[map.Length];
            for (int i = 0; i < mix.Length; i++) mix[i] = lam.Data[map[i]];
            if (mix.Length == 1) mix = [mix[0]];
        }
        else SurveyUnused(inputs, "lambda", $"in mode '{mode}'");
        var x = Float32(input, "input");
        return SurveyOutput(input, outShape, y => { if (y.Length > 0) KernelRegistry.MixedPool2d.Run(x, outShape[0], outShape[1], g, mix.Length == 0 ? [0] : mix, y, threads); });
    }

    static Dictionary<string, Tensor> RunGated(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        string border = p.String("border", "zero_fill", "zero_fill", "forbid");
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        int kk = gp.K[0] * gp.K[1], c = input.Shape[1];
        var omega = inputs.TryGetValue("omega", out var om) ? om : throw BadInput("omega", $"input 'omega' is required by {op}");
        if (!omega.DType.IsFloat()) throw BadInput("omega", $"input 'omega' has dtype {omega.DType.Name()}; allowed: float16, float32, float64");
        bool perChannel;
        if (omega.Shape.SequenceEqual(new[] { gp.K[0], gp.K[1] })) perChannel = false;
        else if (omega.Shape.SequenceEqual(new[] { c, gp.K[0], gp.K[1] })) perChannel = true;
        else throw BadInput("omega", $"input 'omega' must have shape [{gp.K[0]},{gp.K[1]}] or [{c},{gp.K[0]},{gp.K[1]}], got {Tensor.ShapeText(omega.Shape)}");
        foreach (var v in omega.Data) if (!double.IsFinite(v)) throw BadInput("omega", $"input 'omega' must be finite, got {v}");
        if (border == "forbid")
            for (int r = 0; r < g.H.Output; r++)
                for (int col = 0; col < g.W.Output; col++)
                    if (g.Count(r, col) != kk) throw new InvalidParameterException("border", "border 'forbid' needs every window full: use no padding and no ceil-mode overhang");
        var x = Float32(input, "input");
        var outShape = SurveyOutShape(input, g);
        var y = SurveyBuffer(outShape);
        var gate = new float[y.Length];
        if (y.Length > 0) KernelRegistry.GatedPool2d.Run(x, outShape[0], c, g, omega.Data, perChannel, y, gate, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y), ["gate"] = Output(input.DType, outShape, gate) };
    }

    static Dictionary<string, Tensor> RunCombined(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        var mode = p.String("mode", "cat_avg_max", "cat_avg_max", "cat_max_avg", "add", "mean") switch
        {
            "cat_max_avg" => CombinedMode.CatMaxAvg, "add" => CombinedMode.Add, "mean" => CombinedMode.Mean, _ => CombinedMode.CatAvgMax,
        };
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var x = Float32(input, "input");
        var outShape = SurveyOutShape(input, g);
        SurveyElements([.. outShape, mode is CombinedMode.CatAvgMax or CombinedMode.CatMaxAvg ? 2 : 1]);
        if (mode is CombinedMode.CatAvgMax or CombinedMode.CatMaxAvg) outShape[1] *= 2;
        return SurveyOutput(input, outShape, y => { if (y.Length > 0) KernelRegistry.CombinedPool2d.Run(x, input.Shape[0], input.Shape[1], g, mode, y, threads); });
    }

    static Dictionary<string, Tensor> RunMedian(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        var even = p.String("even", "lower", "lower", "upper", "mean") switch { "upper" => MedianEven.Upper, "mean" => MedianEven.Mean, _ => MedianEven.Lower };
        bool ignore = p.String("nan", "propagate", "propagate", "ignore") == "ignore";
        p.Bool("return_indices", false); // indices are always produced; run writes the outputs the case asks for
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var x = Float32(input, "input");
        var outShape = SurveyOutShape(input, g);
        var y = SurveyBuffer(outShape);
        var idx = new long[y.Length];
        KernelRegistry.MedianPool2d.Run(x, outShape[0], outShape[1], g, even, ignore, y, idx, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y), ["indices"] = Indices(outShape, idx) };
    }

    static Dictionary<string, Tensor> RunRankAvg(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        int t = p.RequiredInt("t");
        if (t <= 0) throw new InvalidParameterException("t", $"'t' must be ≥ 1, got {t}");
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var x = Float32(input, "input");
        var outShape = SurveyOutShape(input, g);
        return SurveyOutput(input, outShape, y => KernelRegistry.RankAvgPool2d.Run(x, outShape[0], outShape[1], g, t, y, threads));
    }

    static Dictionary<string, Tensor> RunRankWeighted(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        double alpha = RankAlpha(p);
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var x = Float32(input, "input");
        var outShape = SurveyOutShape(input, g);
        return SurveyOutput(input, outShape, y => KernelRegistry.RankWeightedPool2d.Run(x, outShape[0], outShape[1], g, alpha, y, threads));
    }

    static Dictionary<string, Tensor> RunRankStochastic(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        double alpha = RankAlpha(p);
        bool training = p.Bool("training", false);
        var rem = p.String("remainder", "renormalize", "renormalize", "last_rank", "error") switch
        {
            "last_rank" => RankRemainder.LastRank, "error" => RankRemainder.Error, _ => RankRemainder.Renormalize,
        };
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(op);
        if (withIndices && !training) throw new InvalidParameterException("return_indices", "indices exist only in training mode");
        var input = SurveyInput(inputs, op);
        var g = SurveyAxes(input, gp);
        var outShape = SurveyOutShape(input, g);
        if (training)
        {
            var u = SurveyUniforms(inputs, outShape, op);
            var x = Float32(input, "input");
            var y = SurveyBuffer(outShape);
            var idx = new long[y.Length];
            KernelRegistry.RankStochasticPool2d.Run(x, outShape[0], outShape[1], g, alpha, rem, u, y, idx, threads);
            return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y), ["indices"] = Indices(outShape, idx) };
        }
        SurveyUnused(inputs, "uniforms", "in inference mode");
        return SurveyOutput(input, outShape, y => KernelRegistry.RankWeightedPool2d.Run(Float32(input, "input"), outShape[0], outShape[1], g, alpha, y, threads));
    }

    static Dictionary<string, Tensor> RunStochastic(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        bool training = p.Bool("training", false);
        bool strict = p.String("rule", "ge", "ge", "gt") == "gt";
        bool clamp = p.Bool("clamp_negative", false);
        bool zeroError = p.String("zero_window", "first", "first", "error") == "error";
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(op);
        if (withIndices && !training) throw new InvalidParameterException("return_indices", "indices exist only in training mode (inference weights every tap)");
        var input = SurveyInput(inputs, op);
        var data = input.Data;
        for (int i = 0; i < data.Length; i++)
        {
            double xi = data[i];
            if (double.IsInfinity(xi)) throw BadInput("input", $"input element {i} is {xi}; stochastic pooling needs finite activations (p = x/S is undefined)");
            if (xi < 0 && !clamp) throw BadInput("input", $"input element {i} is {xi}; stochastic pooling needs non-negative activations (set clamp_negative to clamp them to 0)");
        }
        var g = SurveyAxes(input, gp);
        var outShape = SurveyOutShape(input, g);
        if (training)
        {
            var u = SurveyUniforms(inputs, outShape, op);
            var x = Clamped(Float32(input, "input"));
            var y = SurveyBuffer(outShape);
            var idx = new long[y.Length];
            KernelRegistry.StochasticPool2d.Train(x, outShape[0], outShape[1], g, strict, zeroError, u, y, idx, threads);
            return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y), ["indices"] = Indices(outShape, idx) };
        }
        SurveyUnused(inputs, "uniforms", "in inference mode");
        return SurveyOutput(input, outShape, y => KernelRegistry.StochasticPool2d.Infer(Clamped(Float32(input, "input")), outShape[0], outShape[1], g, y, threads));
    }

    /// <summary>Negative activations clamped to +0 (the others were refused unless <c>clamp_negative</c>).</summary>
    static float[] Clamped(float[] x)
    {
        for (int i = 0; i < x.Length; i++) if (x[i] < 0) x[i] = 0;
        return x;
    }

    static Dictionary<string, Tensor> RunWeighted(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var gp = SurveyGeometryParams(p);
        bool zeroAverage = p.String("zero_weight", "zero", "zero", "average") == "average";
        p.EnsureAllUsed(op);
        var input = SurveyInput(inputs, op);
        var w = inputs.TryGetValue("weight", out var wt) ? wt : throw BadInput("weight", $"input 'weight' is required by {op}");
        if (!w.DType.IsFloat()) throw BadInput("weight", $"input 'weight' has dtype {w.DType.Name()}; allowed: float16, float32, float64");
        if (w.Rank != 4) throw BadInput("weight", $"input 'weight' must be 4-D and broadcastable to {Tensor.ShapeText(input.Shape)}, got {Tensor.ShapeText(w.Shape)}");
        var map = SurveyBroadcast(w, input.Shape, "weight");
        for (int i = 0; i < w.Data.Length; i++)
            if (!(w.Data[i] >= 0 && double.IsFinite(w.Data[i]))) throw BadInput("weight", $"input 'weight' element {i} is {w.Data[i]}; weights must be finite and ≥ 0");
        var g = SurveyAxes(input, gp);
        var x = Float32(input, "input");
        var wf = Float32(w, "weight");
        var weight = new float[map.Length];
        for (int i = 0; i < weight.Length; i++) weight[i] = wf[map[i]];
        var outShape = SurveyOutShape(input, g);
        return SurveyOutput(input, outShape, y => KernelRegistry.WeightedPool2d.Run(x, weight, outShape[0], outShape[1], g, zeroAverage, y, threads));
    }
}
