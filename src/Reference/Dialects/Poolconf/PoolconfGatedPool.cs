using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.gated_pool2d</c>: <see cref="GatedPool"/>, <c>y = σ(ωᵀx)·max + (1 − σ(ωᵀx))·avg</c> (Lee et al. 2016). Input
/// <c>omega</c>: the gating mask, shape [kH, kW] (one per layer) or [C, kH, kW] (one per channel), row-major over the kernel
/// positions. <c>border</c>: <c>zero_fill</c> (default; taps outside the input contribute 0 to ωᵀx) or <c>forbid</c> (padding
/// and ceil-mode overhang refused: every window is full). Optional output <c>gate</c>: σ(ωᵀx) per cell.
/// Tolerance: the gate's error (dot product and a sigmoid of 4 ulp, doubled) times |max − avg|, plus the mixed bound.
/// </summary>
public sealed class PoolconfGatedPool : PoolOp
{
    public override string Name => "poolconf.gated_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("border", "string", "\"zero_fill\"", "zero_fill (out-of-range taps add 0 to ωᵀx) | forbid (every window must be full)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "omega"];
    public override IReadOnlyList<string> Outputs => ["output", "gate"];
    public override string ToleranceText => "derived: (¼(n+1)u·Σ|ω·x| + 8u·g)·|max−avg| + (1−g)·avg bound + 3u·(g|max| + (1−g)|avg|) + 2u|y|";
    public override string Summary => "Lee et al. 2016 gated max-average pooling (explicit gating mask omega)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        string border = p.String("border", "zero_fill", "zero_fill", "forbid");
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        int kk = g.K[0] * g.K[1], c = x.Shape[1];
        var omega = Input(inputs, "omega");
        RequireFloat(omega, "omega");
        bool perChannel;
        if (omega.Shape.SequenceEqual(new[] { g.K[0], g.K[1] })) perChannel = false;
        else if (omega.Shape.SequenceEqual(new[] { c, g.K[0], g.K[1] })) perChannel = true;
        else throw InputErrors.Bad("omega", $"input 'omega' must have shape [{g.K[0]},{g.K[1]}] or [{c},{g.K[0]},{g.K[1]}], got {Tensor.ShapeText(omega.Shape)}");
        foreach (var v in omega.Data) if (!double.IsFinite(v)) throw InputErrors.Bad("omega", $"input 'omega' must be finite, got {v}");
        if (border == "forbid")
        {
            foreach (var w in Windows.Enumerate(axes))
                if (w.InBounds != kk) throw new InvalidParameterException("border", "border 'forbid' needs every window full: use no padding and no ceil-mode overhang");
        }
        int ow = axes[1].Output;
        var gates = new double[x.Shape[0] * c * axes[0].Output * ow];
        var gateBounds = new double[gates.Length];
        double u = x.DType.UnitRoundoff();
        int planeOut = axes[0].Output * ow;
        var (v2, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
        {
            var s = CombinedPool.Window(x.Data, off, w.Taps, x.DType);
            var (dot, absDot) = GatedPool.Gate(x.Data, off, axes, j / ow, j % ow, omega.Data, perChannel ? (q % c) * kk : 0);
            var (y, b, gate) = GatedPool.Mix(s, dot, absDot, kk, x.DType);
            gates[q * planeOut + j] = gate;
            double gb = 0.25 * (kk + 1) * u * absDot + 10 * u * gate;
            gateBounds[q * planeOut + j] = double.IsFinite(gb) ? gb : 0;
            return new Cell(y, b);
        }, exact: false);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("GatedPool", axes, $"omega={(perChannel ? "per-channel" : "per-layer")} border={border}") };
        r.Add(v2);
        r.Add(new Expectation
        {
            Name = "gate", Value = new Tensor(x.DType, v2.Value.Shape, gates.Select(gv => x.DType.Round(gv)).ToArray()),
            Bound = gateBounds,
        }, byDefault: false);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
