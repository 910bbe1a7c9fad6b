using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Fractional max pooling (Graham 2014) with PyTorch's interval rule, the random samples an explicit input.
/// Per axis (input <c>I</c>, output <c>O</c>, kernel <c>k</c>, sample <c>u</c>): <c>α = (I − k)/(O − 1)</c> and
/// <c>start_i = trunc((i + u)·α) − trunc(u·α)</c> for <c>i &lt; O − 1</c>, <c>start_{O−1} = I − k</c>; window <c>[start, start + k)</c>.
/// These are discrete decisions, so they are computed in parity mode (METHODS.md §0.7): in float32 for float16/float32
/// input (PyTorch's <c>scalar_t</c>/opmath), in double for float64. The max is <see cref="MaxPool.Reduce"/>.
/// </summary>
public static class FractionalMaxPool
{
    public static int[] Starts(double u, int input, int output, int kernel, DType dtype)
    {
        var seq = new int[output];
        if (output > 1)
        {
            if (dtype == DType.Float64)
            {
                double alpha = (double)(input - kernel) / (output - 1);
                for (int i = 0; i < output - 1; i++) seq[i] = (int)((i + u) * alpha) - (int)(u * alpha);
            }
            else
            {
                float uf = (float)u;
                float alpha = (float)(input - kernel) / (float)(output - 1);
                for (int i = 0; i < output - 1; i++) seq[i] = (int)((i + uf) * alpha) - (int)(uf * alpha);
            }
        }
        seq[output - 1] = input - kernel;
        return seq;
    }

    /// <summary>The windows of one (n, c) plane given its samples, one per axis in the order of the spatial axes.</summary>
    public static Window[] PlaneWindows(double[] samplesPerAxis, int[] inputSpatial, int[] outputSpatial, int[] kernel, DType dtype)
    {
        int nd = inputSpatial.Length;
        var starts = new int[nd][];
        for (int a = 0; a < nd; a++) starts[a] = Starts(samplesPerAxis[a], inputSpatial[a], outputSpatial[a], kernel[a], dtype);
        int total = (int)Tensor.ElementCount(outputSpatial);
        var ws = new Window[total];
        var o = new int[nd];
        for (int flat = 0; flat < total; flat++)
        {
            int rem = flat;
            for (int a = nd - 1; a >= 0; a--) { o[a] = rem % outputSpatial[a]; rem /= outputSpatial[a]; }
            ws[flat] = Windows.FromRanges(flat, o.Select((oi, a) => (starts[a][oi], starts[a][oi] + kernel[a])).ToArray(), inputSpatial);
        }
        return ws;
    }
}
