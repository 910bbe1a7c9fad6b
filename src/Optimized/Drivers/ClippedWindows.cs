namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// The shape the fast paths ask of an axis: every window is one unclipped window moved along by the stride and clipped to the
/// axis. The paths that find it (the stride-2 max, the fused 3×3 sum, the sliding max) then compute the clipped taps from
/// <c>s0</c> alone, with padding cells standing in for the taps outside.
/// </summary>
static class ClippedWindows
{
    /// <summary>
    /// Whether window <c>o &lt; outs</c> of an axis of <paramref name="len"/> cells, given by its first in-bounds tap
    /// <paramref name="first"/>[o] and its tap count <paramref name="count"/>[o], is <c>[s0 + stride·o, s0 + stride·o + k) ∩ [0, len)</c>
    /// for every o (an empty intersection: count 0).
    /// </summary>
    public static bool Match(int[] first, int[] count, int outs, int len, int s0, int stride, int k)
    {
        for (int o = 0; o < outs; o++)
        {
            long lo = (long)s0 + (long)stride * o;
            long a = Math.Max(0, lo), b = Math.Min(len, lo + k);
            if (b > a ? first[o] != a || count[o] != b - a : count[o] != 0) return false;
        }
        return true;
    }
}
