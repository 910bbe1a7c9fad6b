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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(ref float at)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref at));
    }
}
