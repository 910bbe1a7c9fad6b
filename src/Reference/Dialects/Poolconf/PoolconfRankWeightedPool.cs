using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.rank_weighted_pool2d</c>: <see cref="RankWeightedPool"/> (RWP, Shi et al. 2016; prototxt <c>RANKWEIGHTING</c>
/// + <c>p_a</c>). Parameter <c>alpha</c> ∈ (0, 1] (required); weights <c>α(1 − α)^k</c> by 0-based rank, not renormalized.
/// </summary>
public sealed class PoolconfRankWeightedPool : PoolOp
{
    public override string Name => "poolconf.rank_weighted_pool2d";
    public override IReadOnlyList<ParamInfo> Params => [.. PoolconfParams.Geometry, new("alpha", "number", "required", "in (0, 1]; code's p_a")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: (2n+2)·u·Σ|w_i x_i| + 2u|y| + (n+2)·η";
    public override string Summary => "Shi, Ye, Wu 2016 rank-based weighted pooling (RWP)";

    internal static double Alpha(ParamReader p)
    {
        double a = p.DoubleOrNull("alpha") ?? throw new InvalidParameterException("alpha", "'alpha' is required");
        if (!(a > 0 && a <= 1)) throw new InvalidParameterException("alpha", $"'alpha' must lie in (0, 1], got {a}");
        return a;
    }

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        double alpha = Alpha(p);
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        var (v, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
        {
            var (y, b) = RankWeightedPool.Reduce(x.Data, off, w.Taps, alpha, x.DType);
            return new Cell(y, b);
        }, exact: false);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("RankWeightedPool", axes, $"alpha={alpha}") };
        r.Add(v);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
