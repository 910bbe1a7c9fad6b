using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>What rank-based stochastic pooling does with the weights' remainder <c>(1 − α)^n</c> (METHODS.md §14).</summary>
public enum RankRemainder { Renormalize, LastRank, Error }

/// <summary>
/// Rank-based stochastic pooling, RSP, training (Shi et al. 2016; official <c>RankStoPoolForwardTrain</c>; METHODS.md §14): one
/// explicit uniform <c>u</c> per output cell; the window is scanned in <b>spatial</b> (scan) order accumulating the probability
/// <c>α(1 − α)^{rank}</c> of each tap (<see cref="RankOrder"/>), and the first tap whose cumulative sum is <c>≥ u</c> is selected
/// (value exact, flat in-plane index). The remainder <c>(1 − α)^n</c>: <c>Renormalize</c> compares with
/// <c>u·(1 − (1 − α)^n)</c>, <c>LastRank</c> adds it to the last rank's weight, <c>Error</c> refuses a cell where <c>u</c> exceeds
/// the total (field <c>inputs.uniforms</c>). The decision is taken in double on the same weights and the same sum order as
/// the definition, so selections agree exactly. NaN: value NaN at the first NaN tap; empty window 0, index −1. Inference is
/// <see cref="RankWeightedPoolKernel"/>. Scalar per window (a sort and a sequential scan); parallel over planes.
/// </summary>
public sealed class RankStochasticPoolKernel
{
    public string Name => "RankStochasticPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, double alpha, RankRemainder remainder, double[] uniforms,
        float[] y, long[] indices, int threads = 1)
    {
        int outPlane = g.OutPlane, kk = g.KernelTaps;
        long outN = (long)batch * channels * outPlane;
        if (y.Length < outN || indices.Length < outN || uniforms.Length < outN) throw new ArgumentException($"{Name}: buffers too small");
        var weights = RankOrder.Weights(alpha, kk);
        var rems = RankOrder.Remainders(alpha, kk);
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var taps = win.Taps;
            var order = win.Order;
            var p = win.Weights;
            if (n == 0) { y[o] = 0; indices[o] = -1; return; }
            int nan = SurveyGeometry.FirstNaN(vals, n);
            if (nan >= 0) { y[o] = float.NaN; indices[o] = taps[nan]; return; }
            RankOrder.ByRank(vals, n, order);
            for (int k = 0; k < n; k++) p[order[k]] = weights[k];
            double u = uniforms[o], rem = rems[n], thres = u;
            if (remainder == RankRemainder.Renormalize) thres = u * (1 - rem);
            else if (remainder == RankRemainder.LastRank) p[order[n - 1]] += rem;
            double cum = 0;
            int sel = -1;
            for (int i = 0; i < n; i++)
            {
                cum += p[i];
                if (cum >= thres) { sel = i; break; }
            }
            if (sel < 0)
                throw new InvalidParameterException("inputs.uniforms",
                    $"u = {u} exceeds the rank weights' total {cum} (remainder (1−α)^n = {rem}) at output cell {o}; the official code leaves this cell stale (remainder = 'error')");
            y[o] = vals[sel];
            indices[o] = taps[sel];
        });
    }
}
