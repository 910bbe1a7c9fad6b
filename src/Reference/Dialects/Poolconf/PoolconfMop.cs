using System.Text.Json;
using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.mop(input, codebook_ℓ, pca_mean_ℓ?, pca_matrix_ℓ?, levels, sqrt="signed", eps=0, l2_normalize=true,
/// norm_eps=1e-12)</c>: <see cref="Mop"/> per sample of N×C×H×W. <c>levels</c> is a list of objects
/// <c>{"window": w, "stride": t, "reduce": "avg"|"max"|"none", "vlad": true}</c> (stride defaults to the window, vlad to
/// true); level ℓ (0-based, at most 8) reads <c>codebook_ℓ</c> K×D when it has VLAD, and optionally PCA <c>pca_mean_ℓ</c>
/// (length of the descriptor) and <c>pca_matrix_ℓ</c> D×(descriptor length), both or neither. Each level's vector is
/// square-rooted and L2-normalized on its own, then the levels are concatenated in order (output N×Σ len_ℓ). The codebook's
/// second dimension must equal the (PCA-reduced) descriptor length, or the case is refused (<c>inputs.codebook_ℓ</c>).
/// Choices (METHODS.md §9, numbers from memory of the paper): the paper's final per-level PCA to 4096-d after the
/// normalization is not part of the operator (whether it renormalizes is unresolved — apply it outside); level 1 of the
/// paper is <c>{"window": H, "reduce": "avg"|"max", "vlad": false}</c>. Assignment is a discrete decision (TESTING.md §3.6):
/// where a window's two nearest codewords are closer than their distance bounds the level's elements are marked
/// unspecified (not compared) — suites redraw such cases. Tolerance: residual sums first order, then root (interval) and
/// L2 (<see cref="NormalizeSteps"/>) + 2·u_out·|y| + η.
/// </summary>
public sealed class PoolconfMop : PoolOp
{
    public const int MaxLevels = 8;
    public override string Name => "poolconf.mop";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("levels", "[{window, stride, reduce, vlad}]", "required", "per level: square window and stride (no padding), reduce avg|max|none, vlad true|false"),
        new("sqrt", "\"signed\" | \"unsigned\" | \"none\"", "\"signed\"", "per level, before L2"),
        new("eps", "float", "0", "added inside the square root"),
        new("l2_normalize", "bool", "true", "per level: v / max(‖v‖₂, norm_eps)"),
        new("norm_eps", "float", "1e-12", "floor of the L2 norm"),
    ];
    static readonly string[] Optional = Enumerable.Range(0, MaxLevels).SelectMany(i => new[] { $"codebook_{i}", $"pca_mean_{i}", $"pca_matrix_{i}" }).ToArray();
    public override IReadOnlyList<string> Inputs => ["input", .. Optional];
    public override IReadOnlyList<string> OptionalInputs => Optional;
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: descriptors and PCA (n + 2)·u·Σ|terms|, VLAD residual sums first order, root (interval), L2 (first order); ambiguous assignments unspecified";
    public override string Summary => "multi-scale orderless pooling (Gong et al. 2014): windows, PCA, hard VLAD, signed sqrt, L2";

    public static List<MopLevel> ReadLevels(ParamReader p)
    {
        var raw = p.Raw("levels") ?? throw new InvalidParameterException("levels", "'levels' is required");
        if (raw.ValueKind != JsonValueKind.Array || raw.GetArrayLength() == 0) throw new InvalidParameterException("levels", "'levels' must be a non-empty list of objects");
        if (raw.GetArrayLength() > MaxLevels) throw new InvalidParameterException("levels", $"at most {MaxLevels} levels");
        var list = new List<MopLevel>();
        int i = 0;
        foreach (var e in raw.EnumerateArray())
        {
            string f = $"levels[{i}]";
            if (e.ValueKind != JsonValueKind.Object) throw new InvalidParameterException(f, $"{f} must be an object");
            var lp = new ParamReader(e);
            int win, stride; string red; bool vlad;
            try
            {
                win = lp.RequiredInt("window");
                stride = lp.Int("stride", win);
                red = lp.String("reduce", "avg", "avg", "max", "none");
                vlad = lp.Bool("vlad", true);
                lp.EnsureAllUsed(f);
            }
            catch (InvalidParameterException ex) { throw new InvalidParameterException($"{f}.{ex.Field}", ex.Message); }
            if (win < 1) throw new InvalidParameterException($"{f}.window", "window must be ≥ 1");
            if (stride < 1) throw new InvalidParameterException($"{f}.stride", "stride must be ≥ 1");
            list.Add(new MopLevel(win, stride, red switch { "avg" => MopReduce.Avg, "max" => MopReduce.Max, _ => MopReduce.None }, vlad));
            i++;
        }
        return list;
    }

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var levels = ReadLevels(p);
        var nm = PoolconfBilinearPool.ReadNorm(p, allowReduce: false);
        p.EnsureAllUsed(Name);
        var x = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        int nb = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        double u = x.DType.UnitRoundoff();
        foreach (var name in inputs.Keys)
            if (name.Length > 2 && char.IsDigit(name[^1]) && name[^2] == '_' && int.Parse(name[^1..]) >= levels.Count)
                throw InputErrors.Bad(name, $"input '{name}' names a level beyond the {levels.Count} given");
        // Per level: descriptor length, PCA, codebook, validated before any arithmetic.
        var plan = new List<(MopLevel L, double[]? Mu, double[]? P, int Dim, double[]? Cb, int K)>();
        for (int li = 0; li < levels.Count; li++)
        {
            var lv = levels[li];
            if (lv.Window > h || lv.Window > w) throw new InvalidParameterException($"levels[{li}].window", $"window {lv.Window} does not fit the {h}×{w} map (no padding)");
            int len = lv.Reduce == MopReduce.None ? c * lv.Window * lv.Window : c;
            var mu = OptionalInput(inputs, $"pca_mean_{li}");
            var pm = OptionalInput(inputs, $"pca_matrix_{li}");
            if ((mu is null) != (pm is null)) throw InputErrors.Bad(mu is null ? $"pca_mean_{li}" : $"pca_matrix_{li}", $"level {li}: pca_mean_{li} and pca_matrix_{li} come together");
            int dim = len;
            if (pm is not null)
            {
                if (pm.Rank != 2 || pm.Shape[1] != len || pm.Shape[0] < 1) throw InputErrors.Bad($"pca_matrix_{li}", $"pca_matrix_{li} must be D×{len} (the level's descriptor length), got {Tensor.ShapeText(pm.Shape)}");
                dim = pm.Shape[0];
                NormalizeSteps.Shaped(pm, $"pca_matrix_{li}", dim, len);
                NormalizeSteps.Shaped(mu!, $"pca_mean_{li}", len);
            }
            var cbT = OptionalInput(inputs, $"codebook_{li}");
            int k = 0;
            if (lv.Vlad)
            {
                if (cbT is null) throw InputErrors.Bad($"codebook_{li}", $"level {li} has VLAD and needs input codebook_{li} (K×{dim})");
                if (cbT.Rank != 2 || cbT.Shape[0] < 1 || cbT.Shape[1] != dim)
                    throw InputErrors.Bad($"codebook_{li}", $"codebook_{li} must be K×{dim} (the level's {(pm is null ? "descriptor" : "PCA output")} dimension), got {Tensor.ShapeText(cbT.Shape)}");
                k = cbT.Shape[0];
                NormalizeSteps.Shaped(cbT, $"codebook_{li}", k, dim);
            }
            else if (cbT is not null) throw InputErrors.Bad($"codebook_{li}", $"level {li} has no VLAD; codebook_{li} is not used");
            plan.Add((lv, mu?.Data, pm?.Data, dim, cbT?.Data, k));
        }
        int total = plan.Sum(q => q.L.Vlad ? q.K * q.Dim : q.Dim);
        var y = new double[nb * total]; var dy = new double[y.Length];
        var unspecified = new bool[y.Length];
        bool anyUnspecified = false;
        for (int s = 0; s < nb; s++)
        {
            var xs = x.Data.AsSpan(s * c * h * w, c * h * w);
            int off = s * total;
            foreach (var (lv, mu, pm, dim, cb, k) in plan)
            {
                var ds = Mop.Descriptors(xs, c, h, w, lv, u);
                if (pm is not null) ds = ds.Select(d => Mop.Pca(d.D, d.Dd, mu!, pm, dim, u)).ToList();
                var res = lv.Vlad ? Mop.Vlad(ds, cb!, k, u) : Mop.Sum(ds, u);
                var (yl, dl) = PoolconfBilinearPool.Normalize(res.V, res.Dv, nm, u);
                yl.CopyTo(y, off); dl.CopyTo(dy, off);
                if (res.MinMargin <= 0)
                {
                    anyUnspecified = true;
                    for (int i = 0; i < yl.Length; i++) unspecified[off + i] = true;
                }
                off += yl.Length;
            }
        }
        var r = new OpResult { Descriptor = $"poolconf.mop {Tensor.ShapeText(x.Shape)} levels={string.Join(";", levels.Select(l => $"w{l.Window}s{l.Stride}{l.Reduce.ToString().ToLowerInvariant()}{(l.Vlad ? "+vlad" : "")}"))} {nm}" };
        var e = NormalizeSteps.Finish("output", x.DType, [nb, total], y, dy, h * w);
        r.Add(anyUnspecified ? new Expectation { Name = e.Name, Value = e.Value, Bound = e.Bound, Unspecified = unspecified } : e);
        return r;
    }
}
