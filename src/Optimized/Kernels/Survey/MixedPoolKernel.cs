namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// Mixed pooling (Yu et al. 2014) and mixed max-average pooling (Lee et al. 2016), <c>y = a·max + (1 − a)·avg</c> per window
/// (METHODS.md §2a/§2b). The max and the ExcludePad average come from the registry's SIMD window kernels (float32; the average
/// within its derived bound); the mix is formed in double from them and rounded once. <c>a = 1</c> and <c>a = 0</c> are
/// selections of the max / the average (never <c>0·∞</c>). Planar N×C×H×W → N×C×OH×OW; <c>a</c> per output cell, or one
/// value for all (<c>a</c> of length 1).
/// </summary>
public sealed class MixedPoolKernel
{
    public string Name => "MixedPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, double[] a, float[] y, int threads = 1)
    {
        var (max, avg) = g.MaxAndAverage(x, batch, channels, threads);
        long outN = max.Length;
        if (y.Length < outN || (a.Length != 1 && a.Length < outN)) throw new ArgumentException($"{Name}: buffers too small");
        bool one = a.Length == 1;
        for (long i = 0; i < outN; i++) y[i] = Mix(max[i], avg[i], one ? a[0] : a[i]);
    }

    /// <summary>One cell's mix: the max or the average as selections at <c>a = 1</c> / <c>a = 0</c>, otherwise rounded once from double.</summary>
    public static float Mix(float max, float avg, double a) =>
        a == 1 ? max : a == 0 ? avg : (float)(a * max + (1 - a) * avg);
}
