using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.edge_aware_pyramid_pool(input, edge, levels=[1,2,3,6], beta=1, upsample="nearest")</c>: the project-defined
/// <see cref="EdgeAwarePyramidPool"/> on N×C×H×W with an edge map N×1×H×W (shared by the channels), values in [0, 1].
/// <c>upsample="nearest"</c>: output N×C·(1 + #levels)×H×W, the concatenation <c>[F, level₁, level₂, …]</c> along channels
/// (PSPNet order, the input first); <c>upsample="none"</c>: output N×C×Σn², the bins of each level row-major, levels in
/// order. PSPNet upsamples bilinearly; nearest is chosen here because it keeps each output equal to one bin value (the
/// bilinear variant is not provided). Tolerance: per bin <c>(2m + 21)·u·Σω|F|/Σω + 2·u_out·|y| + η</c>; the copied input
/// channels get only the output-rounding term <c>2·u_out·|y|</c>.
/// </summary>
public sealed class PoolconfEdgeAwarePyramidPool : PoolOp
{
    public override string Name => "poolconf.edge_aware_pyramid_pool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("levels", "[int]", "[1, 2, 3, 6]", "bins per axis of each pyramid level, each ≥ 1"),
        new("beta", "float", "1", "edge sensitivity β ≥ 0; weights exp(−β·E)"),
        new("upsample", "\"nearest\" | \"none\"", "\"nearest\"", "nearest: [F, levels…] at H×W; none: the bins, N×C×Σn²"),
    ];
    public override IReadOnlyList<string> Inputs => ["input", "edge"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: (2m + 2·9 + 3)·u·Σω|F|/Σω per bin of m taps + 2·u_out·|y| + η; copied input: output rounding only";
    public override string Summary => "edge-weighted pyramid average pooling (project definition; source unresolved)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var levels = p.IntList("levels") ?? [1, 2, 3, 6];
        double beta = p.Double("beta", 1);
        bool up = p.String("upsample", "nearest", "nearest", "none") == "nearest";
        p.EnsureAllUsed(Name);
        if (levels.Length == 0 || levels.Any(l => l < 1)) throw new InvalidParameterException("levels", "'levels' must be a non-empty list of integers ≥ 1");
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new InvalidParameterException("beta", "'beta' must be a finite number ≥ 0");
        var x = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        int nb = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], plane = h * w;
        // Every level's bins are materialized (nb·C·Σl² values) whether or not they are upsampled: refused past the limit.
        OutputLimit.Check("levels", nb, c, levels.Sum(l => (long)l * l));
        var e = NormalizeSteps.Shaped(Input(inputs, "edge"), "edge", nb, 1, h, w);
        if (e.Data.Any(v => !(v >= 0 && v <= 1))) throw InputErrors.Bad("edge", "edge values must lie in [0, 1]");
        double u = x.DType.UnitRoundoff();
        int sumSq = levels.Sum(l => l * l);
        int[] shape = up ? [nb, c * (1 + levels.Length), h, w] : [nb, c, sumSq];
        var y = new double[Tensor.ElementCount(shape)]; var dy = new double[y.Length];
        for (int s = 0; s < nb; s++)
            for (int ch = 0; ch < c; ch++)
            {
                var f = x.Data.AsSpan((s * c + ch) * plane, plane);
                var em = e.Data.AsSpan(s * plane, plane);
                if (up) f.CopyTo(y.AsSpan((s * c * (1 + levels.Length) + ch) * plane));
                int off = 0;
                for (int li = 0; li < levels.Length; li++)
                {
                    int n = levels[li];
                    var (yl, dl) = EdgeAwarePyramidPool.Level(f, em, h, w, n, beta, u);
                    if (up)
                    {
                        int o = (s * c * (1 + levels.Length) + (1 + li) * c + ch) * plane;
                        for (int a = 0; a < h; a++)
                            for (int b = 0; b < w; b++)
                            {
                                int bin = (int)((long)a * n / h) * n + (int)((long)b * n / w);
                                y[o + a * w + b] = yl[bin]; dy[o + a * w + b] = dl[bin];
                            }
                    }
                    else
                    {
                        int o = (s * c + ch) * sumSq + off;
                        yl.CopyTo(y, o); dl.CopyTo(dy, o);
                    }
                    off += n * n;
                }
            }
        var r = new OpResult { Descriptor = $"poolconf.edge_aware_pyramid_pool {Tensor.ShapeText(x.Shape)} levels={Tensor.ShapeText(levels)} beta={beta} upsample={(up ? "nearest" : "none")}" };
        r.Add(NormalizeSteps.Finish("output", x.DType, shape, y, dy, plane));
        return r;
    }
}
