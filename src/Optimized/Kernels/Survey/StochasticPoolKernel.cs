using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Stochastic pooling (Zeiler &amp; Fergus 2013; sampling as BVLC/caffe <c>StoPoolForwardTrain/Test</c>; METHODS.md §4) over
/// non-negative, finite activations (the caller validates or clamps them). Training: <c>S = Σx</c> and the cumulative sums
/// <c>C_i</c> in scan order, both compensated in double (exact for these windows, as the definition's exact decision),
/// threshold <c>u·S</c>; the first tap with <c>C_i ≥ u·S</c> (or <c>&gt;</c> under the strict rule) is selected, value exact and
/// its flat in-plane index; an all-zero window under the strict rule selects nothing: the first tap (value 0), or a refusal
/// (field <c>zero_window</c>). Inference: <c>Σx²/Σx</c> with both sums compensated in double, divided and rounded once
/// (<c>S = 0</c> → 0). NaN: value NaN at the first NaN tap (inference: NaN). Empty window 0, index −1. Scalar per window (a
/// sequential cumulative scan); parallel over planes.
/// </summary>
public sealed class StochasticPoolKernel
{
    public string Name => "StochasticPool2d_F32_Nchw";
    public override string ToString() => Name;

    /// <summary>Training: <paramref name="uniforms"/> one per output cell.</summary>
    public void Train(float[] x, int batch, int channels, SurveyGeometry g, bool strict, bool zeroWindowError, double[] uniforms,
        float[] y, long[] indices, int threads = 1)
    {
        int outPlane = g.OutPlane;
        long outN = (long)batch * channels * outPlane;
        if (y.Length < outN || indices.Length < outN || uniforms.Length < outN) throw new ArgumentException($"{Name}: buffers too small");
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var taps = win.Taps;
            if (n == 0) { y[o] = 0; indices[o] = -1; return; }
            int nan = SurveyGeometry.FirstNaN(vals, n);
            if (nan >= 0) { y[o] = float.NaN; indices[o] = taps[nan]; return; }
            double s = 0, sc = 0;
            for (int i = 0; i < n; i++) SurveyGeometry.TwoSum(ref s, ref sc, vals[i]);
            double thres = uniforms[o] * SurveyGeometry.Total(s, sc);
            double cs = 0, cc = 0;
            int sel = -1;
            for (int i = 0; i < n; i++)
            {
                SurveyGeometry.TwoSum(ref cs, ref cc, vals[i]);
                double cum = cs + cc;
                if (strict ? cum > thres : cum >= thres) { sel = i; break; }
            }
            if (sel < 0)
            {
                if (zeroWindowError) throw new InvalidParameterException("zero_window", $"output cell {o}: all-zero window under the strict rule selects nothing");
                y[o] = 0; indices[o] = taps[0];
                return;
            }
            y[o] = vals[sel];
            indices[o] = taps[sel];
        });
    }

    /// <summary>Inference (probabilistic weighting) <c>Σx²/Σx</c>.</summary>
    public void Infer(float[] x, int batch, int channels, SurveyGeometry g, float[] y, int threads = 1)
    {
        int outPlane = g.OutPlane;
        if (y.Length < (long)batch * channels * outPlane) throw new ArgumentException($"{Name}: buffers too small");
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var taps = win.Taps;
            double s = 0, sc = 0, sq = 0, qc = 0;
            for (int i = 0; i < n; i++)
            {
                double v = vals[i];
                SurveyGeometry.TwoSum(ref s, ref sc, v);
                SurveyGeometry.TwoSum(ref sq, ref qc, v * v);
            }
            double sum = SurveyGeometry.Total(s, sc);
            y[o] = n == 0 || sum == 0 ? 0f : double.IsNaN(sum) ? float.NaN : (float)((sq + qc) / sum);
        });
    }
}
