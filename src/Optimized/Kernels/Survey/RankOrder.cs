namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// The rank order of the rank-based methods (Shi et al. 2016, official code; METHODS.md §14): 0-based rank
/// <c>k_i = #{j : x_j &gt; x_i} + #{j : x_j = x_i, j &lt; i}</c> — larger values first, ties to the earlier scan position, −0 equal
/// to +0. Computed by a stable descending insertion sort of the window's positions (up to 64 taps, no allocation; larger windows
/// by an introsort whose comparison breaks ties by position, the same order);
/// windows holding NaN never reach it (the ops propagate NaN first). Also the weights <c>α(1 − α)^k</c> and remainders
/// <c>(1 − α)^n</c> as tables, computed by the same double expressions as the definition so the sums see the same terms.
/// </summary>
public static class RankOrder
{
    /// <summary>Windows up to this many taps are sorted by insertion (no allocation); larger ones by an introsort with a position tie-break.</summary>
    public const int InsertionLimit = 64;

    /// <summary>Fills <paramref name="order"/>[k] with the position (0..n−1) of the tap of rank k.</summary>
    public static void ByRank(float[] vals, int n, Span<int> order)
    {
        if (n > InsertionLimit)
        {
            // Large windows: an O(n log n) sort; the position tie-break keeps it the same order as the stable insertion sort.
            // A struct comparer: no closure or delegate allocated per window (the lambda it replaces captured vals).
            for (int i = 0; i < n; i++) order[i] = i;
            order[..n].Sort(new Descending(vals));
            return;
        }
        for (int i = 0; i < n; i++)
        {
            float v = vals[i];
            int j = i - 1;
            while (j >= 0 && vals[order[j]] < v) { order[j + 1] = order[j]; j--; }
            order[j + 1] = i;
        }
    }

    /// <summary>Positions by value descending, ties by position ascending (−0 equal to +0; NaN never reaches it).</summary>
    readonly struct Descending(float[] vals) : IComparer<int>
    {
        public int Compare(int a, int b) => vals[a] > vals[b] ? -1 : vals[a] < vals[b] ? 1 : a.CompareTo(b);
    }

    /// <summary><c>α(1 − α)^k</c> for k = 0..count−1.</summary>
    public static double[] Weights(double alpha, int count)
    {
        var w = new double[count];
        for (int k = 0; k < count; k++) w[k] = alpha * Math.Pow(1 - alpha, k);
        return w;
    }

    /// <summary><c>(1 − α)^n</c> for n = 0..count.</summary>
    public static double[] Remainders(double alpha, int count)
    {
        var r = new double[count + 1];
        for (int n = 0; n <= count; n++) r[n] = Math.Pow(1 - alpha, n);
        return r;
    }
}
