namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>How <see cref="CombinedPoolKernel"/> combines the window max and average.</summary>
public enum CombinedMode { CatAvgMax, CatMaxAvg, Add, Mean }

/// <summary>
/// Combined max + average pooling (METHODS.md §8b: timm <c>catavgmax</c> / <c>avgmax</c>, fastai <c>AdaptiveConcatPool2d</c>)
/// over one window geometry. The max and the ExcludePad average come from the registry's SIMD window kernels (float32, the
/// average within its derived bound). <c>CatAvgMax</c> / <c>CatMaxAvg</c> write N×2C×OH×OW (the two halves per batch item,
/// average or max first); <c>Add</c> = <c>avg + max</c> and <c>Mean</c> = <c>0.5·(avg + max)</c> are formed in double and rounded
/// once, N×C×OH×OW.
/// </summary>
public sealed class CombinedPoolKernel
{
    public string Name => "CombinedPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, CombinedMode mode, float[] y, int threads = 1)
    {
        var (max, avg) = g.MaxAndAverage(x, batch, channels, threads);
        int plane = channels * g.OutPlane;
        bool cat = mode is CombinedMode.CatAvgMax or CombinedMode.CatMaxAvg;
        if (y.Length < (long)batch * plane * (cat ? 2 : 1)) throw new ArgumentException($"{Name}: buffers too small");
        if (cat)
        {
            var (first, second) = mode == CombinedMode.CatAvgMax ? (avg, max) : (max, avg);
            for (int n = 0; n < batch; n++)
            {
                Array.Copy(first, (long)n * plane, y, 2L * n * plane, plane);
                Array.Copy(second, (long)n * plane, y, (2L * n + 1) * plane, plane);
            }
            return;
        }
        for (long i = 0; i < max.Length; i++)
        {
            double s = (double)avg[i] + max[i];
            y[i] = (float)(mode == CombinedMode.Add ? s : 0.5 * s);
        }
    }
}
