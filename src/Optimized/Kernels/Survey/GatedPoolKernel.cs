using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Gated max-average pooling (Lee et al. 2016, METHODS.md §2c): <c>y = σ(ωᵀx)·max + (1 − σ(ωᵀx))·avg</c>. The max and the
/// ExcludePad average come from the registry's SIMD window kernels; the gate <c>ωᵀx</c> runs over the kernel positions in
/// row-major order with zero-filled out-of-range taps (a zero-padded conv gate), accumulated in double with compensation
/// (scalar per cell: the products do not share a vector axis across windows of different borders), σ in double, the mix in
/// double, each output rounded once. <c>omega</c>: <c>k_h·k_w</c> weights per layer, or per channel
/// (<c>perChannel</c>, C·k_h·k_w). Writes the gate σ(ωᵀx) of every cell to <c>gate</c>.
/// </summary>
public sealed class GatedPoolKernel
{
    public string Name => "GatedPool2d_F32_Nchw";
    public override string ToString() => Name;

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, double[] omega, bool perChannel, float[] y, float[] gate, int threads = 1)
    {
        var (max, avg) = g.MaxAndAverage(x, batch, channels, threads);
        int outPlane = g.OutPlane, inPlane = g.InPlane, ow = g.W.Output, oh = g.H.Output, kw = g.AxisW.Kernel, kk = g.KernelTaps;
        int width = g.W.Length, hs = g.H.Step, ws = g.W.Step;
        if (y.Length < max.Length || gate.Length < max.Length) throw new ArgumentException($"{Name}: buffers too small");
        SurveyGeometry.ForPlanes(batch * channels, threads, q =>
        {
            long inBase = (long)q * inPlane, outBase = (long)q * outPlane;
            int wBase = perChannel ? (q % channels) * kk : 0;
            for (int r = 0; r < oh; r++)
            {
                int hc = g.H.Count[r], h0 = g.H.Start[r], m0 = g.FirstKernelH[r];
                for (int c = 0; c < ow; c++)
                {
                    int wc = g.W.Count[c], w0 = g.W.Start[c], n0 = g.FirstKernelW[c];
                    double s = 0, comp = 0;
                    for (int a = 0; a < hc; a++)
                    {
                        long row = inBase + (long)(h0 + a * hs) * width + w0;
                        int wrow = wBase + (m0 + a) * kw + n0;
                        for (int b = 0; b < wc; b++) SurveyGeometry.TwoSum(ref s, ref comp, omega[wrow + b] * (double)x[row + b * ws]);
                    }
                    double gv = Sigmoid(SurveyGeometry.Total(s, comp));
                    long o = outBase + (long)r * ow + c;
                    y[o] = (float)(gv * max[o] + (1 - gv) * avg[o]);
                    gate[o] = (float)gv;
                }
            }
        });
    }
}
