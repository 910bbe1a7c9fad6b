using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.netvlad(input, weight, bias, centers, normalize_input=true, eps=1e-12)</c>: <see cref="NetVlad"/> per sample of
/// a 4-D N×D×H×W input (descriptors are the H·W locations, channels-first), <c>weight</c> K×D, <c>bias</c> K, <c>centers</c>
/// K×D, all explicit (the 1×1 conv and the k-means centroids are inputs; the public repositories' initialisations differ —
/// lyakaap and Nanne's vladv2 use <c>b = −α‖c‖</c>, Nanne's default <c>w = α·c/‖c‖</c> without bias — so none is built in;
/// <see cref="NetVlad.PaperInit"/> builds the paper's <c>w = 2αc, b = −α‖c‖²</c>). Output N×(K·D), k-major. <c>eps</c> is
/// used by the input, intra and global normalizations alike (F.normalize's 1e−12). Tolerance: assignments relative
/// <c>(K + 8 + 3)·u + 2·δlogit</c> (TESTING.md §3.5), propagated through the residual sums (§3.3) and both normalizations
/// to first order (<see cref="NormalizeSteps.L2"/>), plus <c>2·u_out·|y| + η</c>.
/// </summary>
public sealed class PoolconfNetVlad : PoolOp
{
    public override string Name => "poolconf.netvlad";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("normalize_input", "bool", "true", "L2-normalize each descriptor over channels first"),
        new("eps", "float", "1e-12", "floor of every L2 norm (input, intra, global): x / max(‖x‖, eps)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "weight", "bias", "centers"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: softmax (K + 11)·u + 2·δlogit relative, through the residual sums (N + 3)·u and both L2 normalizations (first order)";
    public override string Summary => "NetVLAD (Arandjelović et al. 2016), explicit weight/bias/centers";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        bool ni = p.Bool("normalize_input", true);
        double eps = p.Double("eps", 1e-12);
        p.EnsureAllUsed(Name);
        if (!(eps > 0) || double.IsInfinity(eps)) throw new InvalidParameterException("eps", "'eps' must be a finite positive number");
        var x = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        int nb = x.Shape[0], d = x.Shape[1], n = x.Shape[2] * x.Shape[3];
        var c = Input(inputs, "centers");
        if (c.Rank != 2 || c.Shape[1] != d || c.Shape[0] < 1) throw InputErrors.Bad("centers", $"centers must be K×D with D = {d} (the input's channels), got {Tensor.ShapeText(c.Shape)}");
        int k = c.Shape[0];
        var w = NormalizeSteps.Shaped(Input(inputs, "weight"), "weight", k, d);
        var b = NormalizeSteps.Shaped(Input(inputs, "bias"), "bias", k);
        NormalizeSteps.Shaped(c, "centers", k, d);
        double u = x.DType.UnitRoundoff();
        var y = new double[nb * k * d]; var dy = new double[y.Length];
        for (int s = 0; s < nb; s++)
        {
            var (ys, ds) = NetVlad.Apply(x.Data.AsSpan(s * d * n, d * n).ToArray(), d, n, w.Data, b.Data, c.Data, k, ni, eps, u);
            ys.CopyTo(y, s * k * d); ds.CopyTo(dy, s * k * d);
        }
        var r = new OpResult { Descriptor = $"poolconf.netvlad {Tensor.ShapeText(x.Shape)} K={k} normalize_input={ni.ToString().ToLowerInvariant()}" };
        r.Add(NormalizeSteps.Finish("output", x.DType, [nb, k * d], y, dy, n));
        return r;
    }
}
