namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Weighted pooling (METHODS.md §15a): <c>y = Σ w_i·x_i / Σ w_i</c> over the in-bounds taps with explicit non-negative, finite
/// weights at the input positions (<c>weight</c>: N×C×H×W, already broadcast by the caller). Taps of weight 0 are
/// skipped (an infinite tap of weight 0 adds nothing); the numerator and the denominator are accumulated in double with
/// compensation and divided once, rounded to float32 (double: the products <c>w·x</c> of two float32 values are exact there).
/// <c>Σw = 0</c>: 0, or the plain average of the window (<c>zeroAverage</c>). NaN in a weighted tap propagates.
/// Empty window 0. Scalar per window (the weights vary per tap); parallel over planes.
/// </summary>
public sealed class WeightedPoolKernel
{
    public string Name => "WeightedPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, float[] weight, int batch, int channels, SurveyGeometry g, bool zeroAverage, float[] y, int threads = 1)
    {
        int outPlane = g.OutPlane, inPlane = g.InPlane;
        long inN = (long)batch * channels * inPlane;
        if (y.Length < (long)batch * channels * outPlane || x.Length < inN || weight.Length < inN) throw new ArgumentException($"{Name}: buffers too small");
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var ws = win.Extra;
            var taps = win.Taps;
            for (int i = 0; i < n; i++) ws[i] = weight[win.InBase + taps[i]]; // the weights at the gathered taps
            double num = 0, numC = 0, den = 0, denC = 0;
            for (int i = 0; i < n; i++)
            {
                double wi = ws[i];
                if (wi == 0) continue;
                SurveyGeometry.TwoSum(ref num, ref numC, wi * vals[i]);
                SurveyGeometry.TwoSum(ref den, ref denC, wi);
            }
            double dn = den + denC;
            float v;
            if (n == 0) v = 0;
            else if (dn == 0)
            {
                if (!zeroAverage) v = 0;
                else
                {
                    double s = 0, sc = 0;
                    for (int i = 0; i < n; i++) SurveyGeometry.TwoSum(ref s, ref sc, vals[i]);
                    v = (float)(SurveyGeometry.Total(s, sc) / n);
                }
            }
            else v = (float)(SurveyGeometry.Total(num, numC) / dn);
            y[o] = v;
        });
    }
}
