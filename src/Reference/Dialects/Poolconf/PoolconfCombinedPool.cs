using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.combined_pool2d</c>: <see cref="CombinedPool"/>. <c>mode</c>: <c>cat_avg_max</c> (default; timm
/// <c>catavgmax</c>, output N×2C×OH×OW with the averages in channels 0..C−1), <c>cat_max_avg</c> (fastai
/// <c>AdaptiveConcatPool2d</c>, max first), <c>add</c> (avg + max), <c>mean</c> (timm <c>avgmax</c>, 0.5·(avg + max)).
/// The max half is exact; the average half and the sums get the derived bound.
/// </summary>
public sealed class PoolconfCombinedPool : PoolOp
{
    public override string Name => "poolconf.combined_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        .. PoolconfParams.Geometry,
        new("mode", "string", "\"cat_avg_max\"", "cat_avg_max (timm) | cat_max_avg (fastai) | add | mean (timm avgmax)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "max half exact; average half and add/mean derived: (n+2)·u·Σ|x|/n + 2u|y| (+ one rounding for add/mean)";
    public override string Summary => "combined max + average pooling: timm catavgmax / avgmax, fastai AdaptiveConcatPool2d";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var g = PoolconfParams.Read(p);
        string mode = p.String("mode", "cat_avg_max", "cat_avg_max", "cat_max_avg", "add", "mean");
        p.EnsureAllUsed(Name);
        var x = PoolconfParams.Input4d(inputs, Name);
        var axes = PoolconfParams.Axes(x, g);
        var t = x.DType;
        Expectation result;
        if (mode is "add" or "mean")
        {
            (result, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var s = CombinedPool.Window(x.Data, off, w.Taps, t);
                var (y, b) = mode == "add" ? CombinedPool.Add(s, t) : CombinedPool.Mean(s, t);
                return new Cell(y, b);
            }, exact: false);
        }
        else
        {
            var (avg, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) =>
            {
                var s = CombinedPool.Window(x.Data, off, w.Taps, t);
                return new Cell(s.Avg, s.AvgBound(t));
            }, exact: false);
            var (max, _) = PoolconfLoop.Run(x, axes, (q, j, w, off) => new Cell(CombinedPool.Window(x.Data, off, w.Taps, t).Max, 0), exact: false);
            result = mode == "cat_avg_max" ? Concat(avg, max) : Concat(max, avg);
        }
        var r = new OpResult { Descriptor = PoolconfParams.Descriptor("CombinedPool", axes, $"mode={mode} avg=ExcludePad") };
        r.Add(result);
        PoolconfParams.SetWindows(r, axes);
        return r;
    }

    /// <summary>Channel concatenation of two N×C×OH×OW expectations (values and bounds).</summary>
    static Expectation Concat(Expectation a, Expectation b)
    {
        int n = a.Value.Shape[0], c = a.Value.Shape[1], plane = a.Value.Shape[2] * a.Value.Shape[3];
        var vals = new double[2 * a.Value.Data.Length];
        var bound = new double[vals.Length];
        for (int i = 0; i < n; i++)
            for (int half = 0; half < 2; half++)
            {
                var src = half == 0 ? a : b;
                Array.Copy(src.Value.Data, i * c * plane, vals, (2 * i + half) * c * plane, c * plane);
                Array.Copy(src.Bound!, i * c * plane, bound, (2 * i + half) * c * plane, c * plane);
            }
        return new Expectation { Name = "output", Value = new Tensor(a.Value.DType, [n, 2 * c, a.Value.Shape[2], a.Value.Shape[3]], vals), Bound = bound };
    }
}
