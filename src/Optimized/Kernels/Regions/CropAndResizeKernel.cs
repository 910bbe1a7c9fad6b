using System.Numerics;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// TensorFlow <c>image.crop_and_resize</c> (channels-last image N×H×W×C, normalized boxes <c>[y1, x1, y2, x2]</c>, output
/// K×crop_h×crop_w×C). Per box, the source row of crop row <c>y</c> is <c>y1·(H − 1) + y·((y2 − y1)·(H − 1)/(crop_h − 1))</c>
/// (<c>0.5·(y1 + y2)·(H − 1)</c> for one row), columns alike, computed in float32 one operation at a time as TensorFlow's kernel
/// does (these coordinates are discrete decisions: parity, METHODS.md §0.7); a row or column outside <c>[0, H − 1]</c> gives the
/// extrapolation value. Nearest: the pixel at <c>round</c> (halves away from zero), a copy — exact. Bilinear: the three lerps
/// <c>top = tl + (tr − tl)·xl</c>, <c>bottom = bl + (br − bl)·xl</c>, <c>top + (bottom − top)·yl</c> in double (so no intermediate
/// overflows where the reference's does not), rounded once to float32.
/// <para>Parallel over boxes; SIMD over the channel axis (<see cref="Vector{T}"/> float loads widened to double lanes, narrowed back),
/// a scalar tail. Results do not depend on the thread count.</para>
/// </summary>
public sealed class CropAndResizeKernel
{
    public const string KernelName = "CropAndResize_F32_Nhwc";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>The source coordinate of crop index <paramref name="i"/> along an axis of input length <paramref name="len"/>, in float32.</summary>
    public static float Coordinate(float a, float b, int i, int crop, int len)
    {
        if (crop > 1)
        {
            float scale = (b - a) * (len - 1) / (crop - 1);
            float start = a * (len - 1), step = i * scale;
            return start + step;
        }
        float mid = 0.5f * (a + b);
        return mid * (len - 1);
    }

    /// <summary>image N×H×W×C; boxes K×4 (float32 values); boxIndex K entries in [0, N); y K×cropH×cropW×C.</summary>
    public void Run(float[] image, int batch, int h, int w, int c, float[] boxes, int[] boxIndex, int cropH, int cropW, bool nearest,
        float extrapolation, float[] y, int threads = 1)
    {
        int k = boxIndex.Length;
        if (boxes.Length < 4 * k || image.Length < (long)batch * h * w * c || y.Length < (long)k * cropH * cropW * c)
            throw new ArgumentException($"{Name}: buffers too small");
        if (cropH < 1 || cropW < 1) throw new ArgumentException($"{Name}: crop size {cropH}×{cropW}");
        foreach (var b in boxIndex) if (b < 0 || b >= batch) throw new ArgumentException($"{Name}: box index {b} outside [0, {batch})");
        void Box(int q)
        {
            float y1 = boxes[4 * q], x1 = boxes[4 * q + 1], y2 = boxes[4 * q + 2], x2 = boxes[4 * q + 3];
            long img = (long)boxIndex[q] * h * w * c;
            var xs = new float[cropW];
            for (int xx = 0; xx < cropW; xx++) xs[xx] = Coordinate(x1, x2, xx, cropW, w);
            for (int yy = 0; yy < cropH; yy++)
            {
                float iny = Coordinate(y1, y2, yy, cropH, h);
                long row = ((long)q * cropH + yy) * cropW * c;
                if (!(iny >= 0 && iny <= h - 1)) { y.AsSpan((int)row, cropW * c).Fill(extrapolation); continue; }
                for (int xx = 0; xx < cropW; xx++)
                {
                    float inx = xs[xx];
                    long o = row + (long)xx * c;
                    if (!(inx >= 0 && inx <= w - 1)) { y.AsSpan((int)o, c).Fill(extrapolation); continue; }
                    if (nearest)
                    {
                        int ry = (int)MathF.Round(iny, MidpointRounding.AwayFromZero), rx = (int)MathF.Round(inx, MidpointRounding.AwayFromZero);
                        Array.Copy(image, img + ((long)ry * w + rx) * c, y, o, c);
                        continue;
                    }
                    int ty = (int)MathF.Floor(iny), by = (int)MathF.Ceiling(iny), lx = (int)MathF.Floor(inx), rx2 = (int)MathF.Ceiling(inx);
                    double yl = iny - ty, xl = inx - lx;
                    Lerp(image, img + ((long)ty * w + lx) * c, img + ((long)ty * w + rx2) * c, img + ((long)by * w + lx) * c,
                        img + ((long)by * w + rx2) * c, c, xl, yl, y, o);
                }
            }
        }
        if (threads <= 1 || k <= 1) for (int q = 0; q < k; q++) Box(q);
        else Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = threads }, Box);
    }

    static void Lerp(float[] x, long tl, long tr, long bl, long br, int c, double xl, double yl, float[] y, long o)
    {
        int i = 0, n = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && c >= n)
        {
            var vx = new Vector<double>(xl);
            var vy = new Vector<double>(yl);
            var sx = x.AsSpan();
            for (; i <= c - n; i += n)
            {
                Vector.Widen(new Vector<float>(sx.Slice((int)(tl + i), n)), out var tl0, out var tl1);
                Vector.Widen(new Vector<float>(sx.Slice((int)(tr + i), n)), out var tr0, out var tr1);
                Vector.Widen(new Vector<float>(sx.Slice((int)(bl + i), n)), out var bl0, out var bl1);
                Vector.Widen(new Vector<float>(sx.Slice((int)(br + i), n)), out var br0, out var br1);
                var top0 = tl0 + (tr0 - tl0) * vx; var top1 = tl1 + (tr1 - tl1) * vx;
                var bot0 = bl0 + (br0 - bl0) * vx; var bot1 = bl1 + (br1 - bl1) * vx;
                Vector.Narrow(top0 + (bot0 - top0) * vy, top1 + (bot1 - top1) * vy).CopyTo(y.AsSpan((int)(o + i), n));
            }
        }
        for (; i < c; i++)
        {
            double a = x[tl + i], b = x[tr + i], d = x[bl + i], e = x[br + i];
            double top = a + (b - a) * xl, bottom = d + (e - d) * xl;
            y[o + i] = (float)(top + (bottom - top) * yl);
        }
    }
}
