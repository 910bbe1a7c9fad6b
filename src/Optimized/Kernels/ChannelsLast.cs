using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Layout changes between planar (N×C×P) and channels-last (N×P×C) buffers, P pixels per plane, blocked 16×16 so both sides
/// are read and written in cache-line runs. The ROI kernels compute channels-last (SIMD over channels) and use these for
/// planar inputs and outputs.
/// </summary>
public static class ChannelsLast
{
    const int Tile = 16;

    /// <summary><paramref name="dst"/>[n, p, c] = <paramref name="src"/>[n, c, p].</summary>
    public static void FromPlanar(float[] src, long srcStart, float[] dst, long dstStart, int n, int c, int pixels, int threads)
    {
        int tiles = (pixels + Tile - 1) / Tile;
        void Rows(int r)
        {
            int b = r / tiles, p0 = r % tiles * Tile, p1 = Math.Min(pixels, p0 + Tile);
            long sb = srcStart + (long)b * c * pixels, db = dstStart + (long)b * c * pixels;
            if (sb + (long)c * pixels > src.Length || db + (long)c * pixels > dst.Length) throw new ArgumentOutOfRangeException(nameof(n));
            ref float s0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), (nint)sb);
            ref float d0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), (nint)db);
            for (int c0 = 0; c0 < c; c0 += Tile)
            {
                int c1 = Math.Min(c, c0 + Tile);
                for (int p = p0; p < p1; p++)
                    for (int ch = c0; ch < c1; ch++) Unsafe.Add(ref d0, (nint)p * c + ch) = Unsafe.Add(ref s0, (nint)ch * pixels + p);
            }
        }
        int total = n * tiles;
        if (threads <= 1 || total <= 1) for (int r = 0; r < total; r++) Rows(r);
        else Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = threads }, Rows);
    }

    /// <summary><paramref name="dst"/>[c, p] = <paramref name="src"/>[p, c] for one image of <paramref name="pixels"/> × <paramref name="c"/>.</summary>
    public static void ToPlanar(float[] src, long srcStart, float[] dst, long dstStart, int c, int pixels)
    {
        if (srcStart + (long)c * pixels > src.Length || dstStart + (long)c * pixels > dst.Length) throw new ArgumentOutOfRangeException(nameof(pixels));
        ref float s0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), (nint)srcStart);
        ref float d0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), (nint)dstStart);
        for (int p0 = 0; p0 < pixels; p0 += Tile)
        {
            int p1 = Math.Min(pixels, p0 + Tile);
            for (int c0 = 0; c0 < c; c0 += Tile)
            {
                int c1 = Math.Min(c, c0 + Tile);
                for (int ch = c0; ch < c1; ch++)
                    for (int p = p0; p < p1; p++) Unsafe.Add(ref d0, (nint)ch * pixels + p) = Unsafe.Add(ref s0, (nint)p * c + ch);
            }
        }
    }
}
