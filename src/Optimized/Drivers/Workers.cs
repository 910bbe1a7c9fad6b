namespace PoolingConformance.Optimized.Drivers;

/// <summary>The loop of the drivers whose items need a scratch buffer: serial, or parallel with one buffer per worker.</summary>
static class Workers
{
    /// <summary>
    /// Runs <paramref name="body"/>(i, scratch) for every <c>i &lt; count</c>: in order on this thread with one scratch when
    /// <paramref name="threads"/> ≤ 1 (or one item), else over at most <paramref name="threads"/> workers, each with its own
    /// scratch from <paramref name="newScratch"/>. Every item is computed by the same code whatever the thread count, so a body
    /// whose result does not depend on what an earlier item left in the scratch gives the same bits at every thread count.
    /// </summary>
    public static void For<TS>(int count, int threads, Func<TS> newScratch, Action<int, TS> body)
    {
        if (threads <= 1 || count <= 1)
        {
            var s = newScratch();
            for (int i = 0; i < count; i++) body(i, s);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, newScratch,
            (i, _, s) => { body(i, s); return s; }, _ => { });
    }
}
