using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.median_pool2d</c>: <see cref="MedianPool"/> over the in-bounds taps. <c>even</c>: <c>lower</c> (default,
/// <c>torch.median</c>), <c>upper</c>, <c>mean</c> (NumPy/SciPy). <c>nan</c>: <c>propagate</c> (default, <c>torch.median</c>)
/// or <c>ignore</c> (<c>torch.nanmedian</c>). Index: the first tap holding the selected value (for <c>mean</c>, the lower
/// middle). Exact for <c>lower</c>/<c>upper</c> (a selection); <c>mean</c> rounds once.
/// </summary>
public sealed class PoolconfMedianPool : PoolOp
{
    public override string Name => "poolconf.median_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("even", "string", "\"lower\"", "even-sized window: lower (torch.median) | upper | mean (numpy)"),
        new("nan", "string", "\"propagate\"", "propagate (torch.median) | ignore (torch.nanmedian)"),
        new("return_indices", "bool", "false"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "exact (selection) for lower/upper; mean: 2·u·|y| + η; indices exact";
    public override string Summary => "median pooling (no canonical paper; torch.median / numpy.median even-count rules)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        var even = p.String("even", "lower", "lower", "upper", "mean") switch { "upper" => EvenMedian.Upper, "mean" => EvenMedian.Mean, _ => EvenMedian.Lower };
        bool ignore = p.String("nan", "propagate", "propagate", "ignore") == "ignore";
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        double u = x.DType.UnitRoundoff(), eta = x.DType.SmallestSubnormal();
        var (v, idx) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
        {
            var (y, i) = MedianPool.Reduce(x.Data, off, w.Taps, even, ignore);
            return new Cell(y, even == EvenMedian.Mean && double.IsFinite(y) ? 2 * u * Math.Abs(y) + eta : 0, i);
        }, exact: even != EvenMedian.Mean);
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("MedianPool", axes, $"even={even} nan={(ignore ? "ignore" : "propagate")}") };
        r.Add(v);
        r.Add(idx, withIndices);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }
}
