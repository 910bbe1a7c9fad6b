using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.mixed_pool2d</c>: <see cref="MixedPool"/>, <c>y = a·max + (1 − a)·avg</c> over each window. <c>mode</c>:
/// <list type="bullet">
/// <item><c>lambda</c> (default; Yu et al. 2014, training): input <c>lambda</c>, exactly 0 or 1, broadcastable (NumPy rules) to
/// N×C×OH×OW — one λ per layer (shape [] or [1]), per map ([N, C, 1, 1]) or per cell; the caller picks the granularity.</item>
/// <item><c>fixed</c> (Yu, test time): <c>fixed_lambda</c> 0 or 1 for every cell.</item>
/// <item><c>expectation</c> (Yu, test time): <c>p</c> ∈ [0, 1], the training frequency of max: <c>p·max + (1 − p)·avg</c>.</item>
/// <item><c>majority</c> (Yu's "pooling history", [memory] in the catalog): <c>count_max</c>, <c>count_avg</c> ≥ 0; max when
/// <c>count_max ≥ count_avg</c> (ties → max, a project choice).</item>
/// <item><c>alpha</c> (Lee et al. 2016, mixed max-average): fixed <c>alpha</c> ∈ [0, 1].</item>
/// </list>
/// Tolerance: exact where the max is selected (λ = 1, a = 1), the average's bound where the average is, and the linear
/// combination of both plus the mixing roundings otherwise (TESTING.md §3.3).
/// </summary>
public sealed class PoolconfMixedPool : PoolOp
{
    public override string Name => "poolconf.mixed_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("mode", "string", "\"lambda\"", "lambda (input, Yu 2014 training) | fixed | expectation | majority (Yu test time) | alpha (Lee 2016)"),
        new("fixed_lambda", "int", "required in mode fixed", "0 (average) or 1 (max)"),
        new("p", "number", "required in mode expectation", "in [0, 1]: p·max + (1−p)·avg"),
        new("count_max", "int", "required in mode majority", "≥ 0; max when count_max ≥ count_avg (ties → max)"),
        new("count_avg", "int", "required in mode majority", "≥ 0"),
        new("alpha", "number", "required in mode alpha", "in [0, 1]: alpha·max + (1−alpha)·avg"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "lambda"];
    public override IReadOnlyList<string> OptionalInputs => ["lambda"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: exact where max is selected; (1−a)·avg bound + 3u·(a|max| + (1−a)|avg|) + 2u|y| otherwise";
    public override string Summary => "Yu et al. 2014 mixed pooling (explicit 0/1 lambda) and Lee et al. 2016 mixed max-average pooling";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
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
                a = MixedPool.Majority(cm, ca);
                break;
        }
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        var outShape = PoolconfParams.OutShape(x, axes);
        Func<int, double> lambdaAt = _ => a;
        if (mode == "lambda")
        {
            var lam = inputs.TryGetValue("lambda", out var l) ? l : throw InputErrors.Bad("lambda", "input 'lambda' (0/1, broadcastable to N×C×OH×OW) is required in mode 'lambda'");
            var map = PoolconfParams.Broadcast(lam, outShape, "lambda");
            for (int i = 0; i < lam.Data.Length; i++)
                if (lam.Data[i] is not (0.0 or 1.0)) throw InputErrors.Bad("lambda", $"input 'lambda' element {i} is {lam.Data[i]}; lambda must be exactly 0 or 1");
            lambdaAt = o => lam.Data[map(o)];
        }
        else PoolconfParams.Unused(inputs, "lambda", $"in mode '{mode}'");
        int planeOut = axes[0].Output * axes[1].Output;
        var (v, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
        {
            var s = CombinedPool.Window(x.Data, off, w.Taps, x.DType);
            var (y, b) = MixedPool.Mix(s, lambdaAt(q * planeOut + j), x.DType);
            return new Cell(y, b);
        }, exact: false);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("MixedPool", axes, mode == "lambda" ? "a=lambda(input)" : $"mode={mode} a={a}") };
        r.Add(v);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }

    static double Fraction(ParamReader p, string name)
    {
        double v = p.DoubleOrNull(name) ?? throw new InvalidParameterException(name, $"'{name}' is required");
        if (!(v >= 0 && v <= 1)) throw new InvalidParameterException(name, $"'{name}' must lie in [0, 1], got {v}");
        return v;
    }
}
