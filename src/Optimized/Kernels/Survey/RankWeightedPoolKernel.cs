namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Rank-based weighted pooling, RWP (Shi et al. 2016; METHODS.md §14): <c>y = Σ_k α(1 − α)^k·x_(k)</c> over the in-bounds taps
/// in rank order (<see cref="RankOrder"/>), weights not renormalized; terms of weight exactly 0 (α = 1, ranks ≥ 1) skipped, so
/// α = 1 is the max even beside infinite taps. Products and their sum in double (compensated), rounded once to float32 (the
/// weights <c>α(1 − α)^k</c> are double; a float32 sum would use most of the derived bound). NaN propagates; empty window 0.
/// Also the inference of rank-based stochastic pooling. Scalar per window (a sort per window); parallel over planes.
/// </summary>
public sealed class RankWeightedPoolKernel
{
    public string Name => "RankWeightedPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, double alpha, float[] y, int threads = 1)
    {
        int outPlane = g.OutPlane, kk = g.KernelTaps;
        if (y.Length < (long)batch * channels * outPlane) throw new ArgumentException($"{Name}: buffers too small");
        var weights = RankOrder.Weights(alpha, kk);
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var order = win.Order;
            y[o] = Cell(vals, order, n, weights);
        });
    }

    static float Cell(float[] vals, int[] order, int n, double[] weights)
    {
        if (n == 0) return 0;
        if (SurveyGeometry.FirstNaN(vals, n) >= 0) return float.NaN;
        RankOrder.ByRank(vals, n, order);
        double s = 0, comp = 0;
        for (int k = 0; k < n; k++)
        {
            double w = weights[k];
            if (w == 0) continue;
            SurveyGeometry.TwoSum(ref s, ref comp, w * vals[order[k]]);
        }
        return (float)SurveyGeometry.Total(s, comp);
    }
}
