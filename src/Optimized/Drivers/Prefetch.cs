using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// Software prefetch of input the kernel will read a little later. A hint only: a prefetch never faults (an address past the
/// end of the array, or of a moved one, is simply not fetched) and changes no value, so every result stays what it is without it.
/// It pays on inputs streamed from DRAM (W5: 26 MB), where the hardware prefetcher alone kept one core at a third of copy speed;
/// a no-op where SSE is not available.
/// </summary>
static class Prefetch
{
    /// <summary>Floats in a 64-byte cache line.</summary>
    public const int LineFloats = 16;

    /// <summary>
    /// How far ahead of its proportional position a planar kernel prefetches: 4 KiB. Measured on the stride-2 max (interleaved,
    /// chrt, 21 samples, distances 0 / 1 / 2 / 4 / 8 KiB): W5-NCHW 1.45–1.54 → 1.26–1.34 ms, W1 0.125–0.132 → 0.112–0.122 ms,
    /// W2 0.62–0.86 → 0.47–0.49 ms at 4 KiB; 2 and 8 KiB within noise of it, 1 KiB about half the gain. Tried and left out
    /// where it measured no gain (0.93–1.06×): the separable row pass (W7, a 3×3 stride-2 average) and the fused 3×3 sum (W3).
    /// </summary>
    public const int PlanarAhead = 1024;

    /// <summary>Floats of a plane of <paramref name="plane"/> floats that each of <paramref name="steps"/> steps prefetches (whole lines).</summary>
    public static int SliceLength(int plane, int steps) =>
        (int)Math.Min(int.MaxValue / 2, ((long)plane + (long)Math.Max(1, steps) * LineFloats - 1) / ((long)Math.Max(1, steps) * LineFloats) * LineFloats);

    /// <summary>
    /// Step <paramref name="step"/> of a planar kernel's walk over a plane at <paramref name="plane"/> prefetches its slice of the
    /// plane <see cref="PlanarAhead"/> floats ahead: the reads of the next few steps, and past the bottom the next plane's first
    /// rows (planes are contiguous and a thread takes them in order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Slice(ref float plane, int step, int slice, int planeLength)
    {
        long lo = (long)step * slice, hi = Math.Min(planeLength, lo + slice);
        for (long i = lo + PlanarAhead; i < hi + PlanarAhead; i += LineFloats) Line(ref Unsafe.Add(ref plane, (nint)i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(ref float at)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref at));
    }
}
