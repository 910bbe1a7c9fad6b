using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.rank_avg_pool2d</c>: <see cref="RankAvgPool"/> (RAP, Shi et al. 2016; prototxt <c>RANKAVE</c> +
/// <c>select_num</c>). Parameter <c>t</c> ≥ 1 (required): the number of top-ranked taps averaged, divided by
/// <c>min(|R|, t)</c> (the official code).
/// </summary>
public sealed class PoolconfRankAvgPool : PoolOp
{
    public override string Name => "poolconf.rank_avg_pool2d";
    public override IReadOnlyList<ParamInfo> Params => [.. PoolconfParams.Geometry, new("t", "int", "required", "≥ 1; code's select_num; divisor min(|R|, t)")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: average bound over the min(|R|, t) selected taps";
    public override string Summary => "Shi, Ye, Wu 2016 rank-based average pooling (RAP)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        int t = p.RequiredInt("t");
        if (t <= 0) throw new InvalidParameterException("t", $"'t' must be ≥ 1, got {t}");
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        var (v, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
        {
            var (y, b) = RankAvgPool.Reduce(x.Data, off, w.Taps, t, x.DType);
            return new Cell(y, b);
        }, exact: false);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("RankAvgPool", axes, $"t={t}") };
        r.Add(v);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
