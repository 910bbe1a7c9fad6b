namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Rank-based average pooling, RAP (Shi, Ye, Wu 2016; METHODS.md §14): the mean of the <c>t</c> top-ranked in-bounds taps,
/// divided by <c>min(|R|, t)</c> as the official code does. Ranks by <see cref="RankOrder"/>; the selected taps are summed in rank
/// order in double (compensated) and divided once, then rounded to float32 (double accumulation: a float32 sum of the
/// selected taps would spend most of the average's derived bound). NaN in the window propagates; empty window 0. Scalar per
/// window (a sort per window); parallel over planes.
/// </summary>
public sealed class RankAvgPoolKernel
{
    public string Name => "RankAvgPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, int t, float[] y, int threads = 1)
    {
        int outPlane = g.OutPlane;
        if (y.Length < (long)batch * channels * outPlane) throw new ArgumentException($"{Name}: buffers too small");
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var order = win.Order;
            y[o] = Cell(vals, order, n, t);
        });
    }

    static float Cell(float[] vals, int[] order, int n, int t)
    {
        if (n == 0) return 0;
        if (SurveyGeometry.FirstNaN(vals, n) >= 0) return float.NaN;
        RankOrder.ByRank(vals, n, order);
        int m = Math.Min(n, t);
        double s = 0, comp = 0;
        for (int k = 0; k < m; k++) SurveyGeometry.TwoSum(ref s, ref comp, vals[order[k]]);
        return (float)(SurveyGeometry.Total(s, comp) / m);
    }
}
