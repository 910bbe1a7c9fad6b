namespace PoolingConformance.Reference;

/// <summary>
/// The rank of each tap of a window as in the official rank-based pooling code (shizenglin's Caffe fork, METHODS.md §14):
/// 0-based <c>k_i = #{j : x_j &gt; x_i} + #{j : x_j = x_i, pos(j) &lt; pos(i)}</c> — larger values rank first, ties go to the
/// earlier scan position, −0 equals +0; the ranks are a permutation of <c>0..n−1</c>. Shared by RAP, RWP and RSP.
/// NaN windows never reach it (the ops propagate NaN first).
/// </summary>
public static class RankOrder
{
    /// <summary>Tap positions (indices into <paramref name="taps"/>) in rank order: element <c>k</c> is the tap of rank <c>k</c>.</summary>
    public static int[] ByRank(double[] x, int offset, int[] taps)
    {
        var order = Enumerable.Range(0, taps.Length).ToArray();
        // A stable sort by descending value keeps equal values in scan order: exactly the code's tie rule.
        return order.OrderByDescending(i => x[offset + taps[i]]).ToArray();
    }

    /// <summary>The 0-based rank of every tap position.</summary>
    public static int[] Ranks(double[] x, int offset, int[] taps)
    {
        var by = ByRank(x, offset, taps);
        var rank = new int[taps.Length];
        for (int k = 0; k < by.Length; k++) rank[by[k]] = k;
        return rank;
    }

    /// <summary>The first NaN tap of the window, or −1.</summary>
    public static int FirstNaN(double[] x, int offset, int[] taps)
    {
        foreach (var t in taps) if (double.IsNaN(x[offset + t])) return t;
        return -1;
    }

    /// <summary>RWP/RSP weight of 0-based rank <c>k</c>: <c>α(1 − α)^k</c> (<c>0^0 = 1</c>, so α = 1 weights the top rank only).</summary>
    public static double Weight(double alpha, int k) => alpha * Math.Pow(1 - alpha, k);
}
