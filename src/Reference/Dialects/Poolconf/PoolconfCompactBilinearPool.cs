using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.compact_bilinear_pool(input, h1, s1, h2, s2 | w1, w2, method="tensor_sketch", output_dim, reduce="sum",
/// sqrt="signed", eps=0, l2_normalize=true, norm_eps=1e-12)</c>: <see cref="CompactBilinearPool"/> per sample of N×C×H×W,
/// output N×d. Tensor Sketch: <c>h1, h2</c> int64 of length C in [0, d), <c>s1, s2</c> of length C in {−1, +1} (any dtype);
/// <c>output_dim</c> = d required. Random Maclaurin: <c>w1, w2</c> d×C in {−1, +1}; d is their row count (<c>output_dim</c>,
/// if given, must agree). The pooled sketch goes through the same root and L2 as <c>poolconf.bilinear_pool</c> (the paper;
/// ronghanghu's layer leaves them to the caller: set <c>sqrt="none"</c>, <c>l2_normalize=false</c>). The reference is
/// FFT-free; tolerance per <see cref="CompactBilinearPool"/> (it admits an FFT of length d), then root and L2.
/// </summary>
public sealed class PoolconfCompactBilinearPool : PoolOp
{
    public override string Name => "poolconf.compact_bilinear_pool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("method", "\"tensor_sketch\" | \"random_maclaurin\"", "\"tensor_sketch\"", "TS: inputs h1, s1, h2, s2; RM: inputs w1, w2"),
        new("output_dim", "int | null", "null", "d; required for tensor_sketch, the rows of w1 for random_maclaurin"),
        .. PoolconfBilinearPool.NormParams,
    ];
    public override IReadOnlyList<string> Inputs => ["input", "h1", "s1", "h2", "s2", "w1", "w2"];
    public override IReadOnlyList<string> OptionalInputs => ["h1", "s1", "h2", "s2", "w1", "w2"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: TS (2C + L + 2 + 10⌈log₂d⌉)·u·Σ‖x_l‖₁² (admits an FFT), RM (2C + L + 4)·u·Σ‖x_l‖₁²/√d; then root and L2";
    public override string Summary => "compact bilinear pooling (Gao et al. 2016), explicit hashes/signs or ±1 matrices";

    static int[] Ints(Tensor t, string name, int len, Func<double, bool> ok, string what)
    {
        if (t.Rank != 1 || t.Shape[0] != len) throw InputErrors.Bad(name, $"input '{name}' must have shape [{len}], got {Tensor.ShapeText(t.Shape)}");
        foreach (var v in t.Data) if (!ok(v)) throw InputErrors.Bad(name, $"input '{name}' holds {v}; {what}");
        return t.Data.Select(v => (int)v).ToArray();
    }

    static double[] Signs(Tensor t, string name, int d, int c)
    {
        if (t.Rank != 2 || t.Shape[0] != d || t.Shape[1] != c) throw InputErrors.Bad(name, $"input '{name}' must be d×C = [{d},{c}], got {Tensor.ShapeText(t.Shape)}");
        if (t.Data.Any(v => v != 1 && v != -1)) throw InputErrors.Bad(name, $"input '{name}' must hold only −1 and +1");
        return t.Data;
    }

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        bool ts = p.String("method", "tensor_sketch", "tensor_sketch", "random_maclaurin") == "tensor_sketch";
        int? dim = p.IntOrNull("output_dim");
        var nm = PoolconfBilinearPool.ReadNorm(p);
        p.EnsureAllUsed(Name);
        var x = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        int nb = x.Shape[0], c = x.Shape[1], l = x.Shape[2] * x.Shape[3];
        foreach (var unused in ts ? new[] { "w1", "w2" } : ["h1", "s1", "h2", "s2"])
            if (inputs.ContainsKey(unused)) throw InputErrors.Bad(unused, $"input '{unused}' is not used by method {(ts ? "tensor_sketch" : "random_maclaurin")}");
        int d;
        int[] h1 = [], s1 = [], h2 = [], s2 = []; double[] w1 = [], w2 = [];
        if (ts)
        {
            d = dim ?? throw new InvalidParameterException("output_dim", "'output_dim' is required for tensor_sketch");
            if (d < 1) throw new InvalidParameterException("output_dim", "'output_dim' must be ≥ 1");
            bool IsHash(double v) => v == Math.Floor(v) && v >= 0 && v < d;
            bool IsSign(double v) => v is 1 or -1;
            h1 = Ints(Input(inputs, "h1"), "h1", c, IsHash, $"hashes must be integers in [0, {d})");
            h2 = Ints(Input(inputs, "h2"), "h2", c, IsHash, $"hashes must be integers in [0, {d})");
            s1 = Ints(Input(inputs, "s1"), "s1", c, IsSign, "signs must be −1 or +1");
            s2 = Ints(Input(inputs, "s2"), "s2", c, IsSign, "signs must be −1 or +1");
        }
        else
        {
            var t1 = Input(inputs, "w1");
            d = t1.Rank == 2 ? t1.Shape[0] : throw InputErrors.Bad("w1", $"input 'w1' must be d×C, got {Tensor.ShapeText(t1.Shape)}");
            if (dim is { } dd && dd != d) throw new InvalidParameterException("output_dim", $"'output_dim' {dd} differs from w1's {d} rows");
            if (d < 1) throw InputErrors.Bad("w1", "input 'w1' must have at least one row");
            w1 = Signs(t1, "w1", d, c);
            w2 = Signs(Input(inputs, "w2"), "w2", d, c);
        }
        double u = x.DType.UnitRoundoff();
        var y = new double[nb * d]; var dy = new double[y.Length];
        for (int s = 0; s < nb; s++)
        {
            var xs = x.Data.AsSpan(s * c * l, c * l).ToArray();
            var (z, dz) = ts ? CompactBilinearPool.TensorSketch(xs, c, l, h1, s1, h2, s2, d, u) : CompactBilinearPool.RandomMaclaurin(xs, c, l, w1, w2, d, u);
            if (nm.Mean) for (int k = 0; k < d; k++) { z[k] /= l; dz[k] = dz[k] / l + 2 * u * Math.Abs(z[k]); }
            var (ys, ds) = PoolconfBilinearPool.Normalize(z, dz, nm, u);
            ys.CopyTo(y, s * d); ds.CopyTo(dy, s * d);
        }
        var r = new OpResult { Descriptor = $"poolconf.compact_bilinear_pool {Tensor.ShapeText(x.Shape)} {(ts ? "tensor_sketch" : "random_maclaurin")} d={d} {nm}" };
        r.Add(NormalizeSteps.Finish("output", x.DType, [nb, d], y, dy, l));
        return r;
    }
}
