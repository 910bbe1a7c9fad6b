using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.rank_stochastic_pool2d</c>: <see cref="RankStochasticPool"/> (RSP, Shi et al. 2016; prototxt
/// <c>RANKSTOCHASTIC</c> + <c>p_a</c>). <c>alpha</c> ∈ (0, 1] (required). <c>training</c> true: input <c>uniforms</c>
/// (N×C×OH×OW in [0, 1)), spatial-order cumulative sampling; <c>remainder</c> <c>renormalize</c> (default) |
/// <c>last_rank</c> | <c>error</c>; optional <c>indices</c>. <c>training</c> false: RWP.
/// </summary>
public sealed class PoolconfRankStochasticPool : PoolOp
{
    public override string Name => "poolconf.rank_stochastic_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("alpha", "number", "required", "in (0, 1]; code's p_a (the CPU code's shadowing p_a = 0.5 is not reproduced)"),
        new("training", "bool", "false", "true: sample with input 'uniforms'; false: RWP"),
        new("remainder", "string", "\"renormalize\"", "mass (1−α)^n: renormalize | last_rank | error (the code leaves the cell stale)"),
        new("return_indices", "bool", "false", "training only"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "uniforms"];
    public override IReadOnlyList<string> OptionalInputs => ["uniforms"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "training: exact (selection), indices exact; inference: RWP's derived bound";
    public override string Summary => "Shi, Ye, Wu 2016 rank-based stochastic pooling (RSP, explicit uniforms)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        double alpha = PoolconfRankWeightedPool.Alpha(p);
        bool training = p.Bool("training", false);
        var rem = p.String("remainder", "renormalize", "renormalize", "last_rank", "error") switch
        {
            "last_rank" => RspRemainder.LastRank, "error" => RspRemainder.Error, _ => RspRemainder.Renormalize,
        };
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        if (withIndices && !training) throw new InvalidParameterException("return_indices", "indices exist only in training mode");
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        int planeOut = axes[0].Output * axes[1].Output;
        Expectation v, idx;
        if (training)
        {
            var u = PoolconfParams.Uniforms(inputs, PoolconfParams.OutShape(x, axes), Name);
            (v, idx) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var (y, i) = RankStochasticPool.Train(x.Data, off, w.Taps, alpha, u.Data[q * planeOut + j], rem);
                return new Cell(y, 0, i);
            }, exact: true);
        }
        else
        {
            PoolconfParams.Unused(inputs, "uniforms", "in inference mode");
            (v, idx) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var (y, b) = RankWeightedPool.Reduce(x.Data, off, w.Taps, alpha, x.DType);
                return new Cell(y, b);
            }, exact: false);
        }
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("RankStochasticPool", axes, $"alpha={alpha} training={training} remainder={rem}") };
        r.Add(v);
        if (training) r.Add(idx, withIndices);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
