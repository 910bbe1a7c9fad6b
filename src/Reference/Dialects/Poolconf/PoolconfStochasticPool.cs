using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.stochastic_pool2d</c>: <see cref="StochasticPool"/> (Zeiler &amp; Fergus 2013, Caffe's sampling).
/// <c>training</c> false (default): <c>Σx²/Σx</c>, derived bound. <c>training</c> true: input <c>uniforms</c> (exactly
/// N×C×OH×OW, each in [0, 1)); output the selected tap (exact) and, with <c>return_indices</c>, its flat in-plane index.
/// <c>rule</c>: <c>ge</c> (Caffe, default) or <c>gt</c> (strict). <c>clamp_negative</c>: negative inputs become 0 (otherwise
/// refused, field <c>inputs.input</c>). <c>zero_window</c>: what the strict rule does with an all-zero window — <c>first</c>
/// (value 0 at the first tap, the same as <c>ge</c>) or <c>error</c>. Caffe has no padding; the generic form accepts it
/// (padded taps are skipped and carry no probability).
/// </summary>
public sealed class PoolconfStochasticPool : PoolOp
{
    public override string Name => "poolconf.stochastic_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("training", "bool", "false", "true: sample with input 'uniforms'; false: Σx²/Σx"),
        new("rule", "string", "\"ge\"", "ge: first C_i ≥ u·S (Caffe) | gt: first C_i > u·S (strict)"),
        new("clamp_negative", "bool", "false", "clamp negative inputs to 0 instead of refusing them"),
        new("zero_window", "string", "\"first\"", "strict rule on an all-zero window: first (value 0, first tap) | error"),
        new("return_indices", "bool", "false", "training only"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "uniforms"];
    public override IReadOnlyList<string> OptionalInputs => ["uniforms"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "training: exact (selection), indices exact; inference: derived (2n+4)·u·|y| + n·η/(2S) + (n+2)·η";
    public override string Summary => "Zeiler & Fergus 2013 stochastic pooling (explicit uniforms; Caffe's ≥ rule or strict)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        bool training = p.Bool("training", false);
        bool strict = p.String("rule", "ge", "ge", "gt") == "gt";
        bool clamp = p.Bool("clamp_negative", false);
        bool zeroError = p.String("zero_window", "first", "first", "error") == "error";
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        if (withIndices && !training) throw new InvalidParameterException("return_indices", "indices exist only in training mode (inference weights every tap)");
        var x0 = PoolconfParams.Input4d(inputs, Name);
        var data = (double[])x0.Data.Clone();
        for (int i = 0; i < data.Length; i++)
        {
            double xi = data[i];
            if (double.IsInfinity(xi)) throw InputErrors.Bad("input", $"input element {i} is {xi}; stochastic pooling needs finite activations (p = x/S is undefined)");
            if (xi < 0)
            {
                if (!clamp) throw InputErrors.Bad("input", $"input element {i} is {xi}; stochastic pooling needs non-negative activations (set clamp_negative to clamp them to 0)");
                data[i] = 0;
            }
        }
        var x = new Tensor(x0.DType, x0.Shape, data);
        var axes = PoolconfParams.Axes(x, g);
        var outShape = PoolconfParams.OutShape(x, axes);
        int planeOut = axes[0].Output * axes[1].Output;
        Expectation v, idx;
        if (training)
        {
            var u = PoolconfParams.Uniforms(inputs, outShape, Name);
            (v, idx) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var sel = StochasticPool.Train(x.Data, off, w.Taps, u.Data[q * planeOut + j], strict);
                if (sel is null)
                {
                    if (zeroError) throw new InvalidParameterException("zero_window", $"output cell {q * planeOut + j}: all-zero window under the strict rule selects nothing");
                    return new Cell(0, 0, w.Taps[0]);
                }
                return new Cell(sel.Value.Value, 0, sel.Value.Index);
            }, exact: true);
        }
        else
        {
            PoolconfParams.Unused(inputs, "uniforms", "in inference mode");
            (v, idx) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var (y, b) = StochasticPool.Infer(x.Data, off, w.Taps, x.DType);
                return new Cell(y, b);
            }, exact: false);
        }
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("StochasticPool", axes, $"training={training} rule={(strict ? "gt" : "ge")} clamp={clamp}") };
        r.Add(v);
        if (training) r.Add(idx, withIndices);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
