using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.weighted_pool2d</c>: <see cref="WeightedPool"/>, <c>Σ w·x / Σ w</c> per window with input <c>weight</c> at the
/// input positions — shape N×C×H×W or broadcastable to it (e.g. [1, 1, H, W], [N, 1, H, W]); every weight finite and ≥ 0
/// (field <c>inputs.weight</c>). <c>zero_weight</c>: <c>zero</c> (default, the catalog's <c>Σw = 0 → 0</c>) or <c>average</c>.
/// The entropy-weighted variant (Zhu et al. 2019) is not provided: its weight formula is [unresolved] (METHODS.md §15a).
/// </summary>
public sealed class PoolconfWeightedPool : PoolOp
{
    public override string Name => "poolconf.weighted_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
        [.. PoolconfParams.Geometry, new("zero_weight", "string", "\"zero\"", "window with Σw = 0: zero (→ 0) | average (→ plain average)")];
    public override IReadOnlyList<string> Inputs => ["input", "weight"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: (n+1)·u·Σ|w·x|/Σw + (n+3)·u·|y| + (n+2)·η";
    public override string Summary => "weighted average pooling with explicit non-negative weights (entropy weights of Zhu et al. 2019 unresolved, not built)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        var zero = p.String("zero_weight", "zero", "zero", "average") == "average" ? ZeroWeight.Average : ZeroWeight.Zero;
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var w = Input(inputs, "weight");
        RequireFloat(w, "weight");
        if (w.Rank != 4) throw InputErrors.Bad("weight", $"input 'weight' must be 4-D and broadcastable to {Tensor.ShapeText(x.Shape)}, got {Tensor.ShapeText(w.Shape)}");
        var map = PoolconfParams.Broadcast(w, x.Shape, "weight");
        for (int i = 0; i < w.Data.Length; i++)
            if (!(w.Data[i] >= 0 && double.IsFinite(w.Data[i]))) throw InputErrors.Bad("weight", $"input 'weight' element {i} is {w.Data[i]}; weights must be finite and ≥ 0");
        var axes = PoolconfParams.Axes(x, g);
        int planeIn = x.Shape[2] * x.Shape[3];
        var (v, _) = PoolconfLoop.Run(x, axes, (q, j, win, off) =>
        {
            var (y, b) = WeightedPool.Reduce(x.Data, off, w.Data, tap => map(q * planeIn + tap), win.Taps, zero, x.DType);
            return new Cell(y, b);
        }, exact: false);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("WeightedPool", axes, $"zero_weight={zero}") };
        r.Add(v);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
