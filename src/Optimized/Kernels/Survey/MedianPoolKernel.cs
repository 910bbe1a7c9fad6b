namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>Which middle element an even-sized window returns (METHODS.md §8a).</summary>
public enum MedianEven { Lower, Upper, Mean }

/// <summary>
/// Median pooling (METHODS.md §8a) over the in-bounds taps (padding skipped). Each window is gathered in scan order, its
/// non-NaN values sorted ascending (stable insertion sort up to 64 values, an introsort beyond; −0 and +0 equal), and the order statistic
/// of rank <c>(n+1)/2</c> (odd <c>n</c>) or the lower / upper middle / their mean (even <c>n</c>) selected; the value and the
/// index reported are those of the <b>first tap in scan order equal</b> to the selected value, so they always agree (<c>Mean</c>:
/// the lower middle's index, the mean <c>(a + b)/2</c> in double rounded once). NaN: <c>propagate</c> — the first NaN tap wins
/// (value NaN, its index); <c>ignore</c> — NaN taps are dropped, an all-NaN window is NaN at the first tap. Empty window: 0,
/// index −1. Scalar per window (a sort has no vector axis across windows of different sizes); parallel over planes.
/// </summary>
public sealed class MedianPoolKernel
{
    public string Name => "MedianPool2d_F32_Nchw";
    public override string ToString() => Name;

    public void Run(float[] x, int batch, int channels, SurveyGeometry g, MedianEven even, bool ignoreNan, float[] y, long[] indices, int threads = 1)
    {
        int outPlane = g.OutPlane;
        if (y.Length < (long)batch * channels * outPlane || indices.Length < (long)batch * channels * outPlane) throw new ArgumentException($"{Name}: buffers too small");
        g.ForEachWindow(x, batch * channels, threads, (o, n, win) =>
        {
            var vals = win.Values;
            var taps = win.Taps;
            var sorted = win.Extra;
            (y[o], indices[o]) = Cell(vals, taps, sorted, n, even, ignoreNan);
        });
    }

    static (float Value, long Index) Cell(float[] vals, int[] taps, float[] sorted, int n, MedianEven even, bool ignoreNan)
    {
        if (n == 0) return (0, -1);
        int m = 0;
        bool large = n > RankOrder.InsertionLimit;
        for (int i = 0; i < n; i++)
        {
            float v = vals[i];
            if (float.IsNaN(v))
            {
                if (!ignoreNan) return (float.NaN, taps[i]);
                continue;
            }
            if (large) { sorted[m++] = v; continue; }
            // Insertion into the sorted prefix, ascending and stable (an equal value goes after the ones already there), as the
            // reference's stable sort orders it: the two middles of Mean keep their signs of zero.
            int j = m - 1;
            while (j >= 0 && sorted[j] > v) { sorted[j + 1] = sorted[j]; j--; }
            sorted[j + 1] = v;
            m++;
        }
        // Large windows: an introsort. Only the values at the middle ranks are read, and equal values differ at most in the
        // sign of zero, which moves a Mean of two zeros between −0 and +0 (equal under every tolerance).
        if (large) Array.Sort(sorted, 0, m);
        if (m == 0) return (float.NaN, taps[0]);
        int lo = (m - 1) / 2, hi = m / 2;
        float target = (m % 2 == 1 || even != MedianEven.Upper) ? sorted[lo] : sorted[hi];
        int k = 0;
        while (vals[k] != target) k++; // the first tap equal to the selected value (NaN never equals it)
        if (m % 2 == 1 || even != MedianEven.Mean) return (vals[k], taps[k]);
        double a = sorted[lo], b = sorted[hi], mean = (a + b) / 2;
        return ((float)mean, taps[k]);
    }
}
