using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// NHWC (channels-last) 2-D pooling: SIMD over channels, every window visited directly in scan order (rows top to bottom,
/// taps left to right), seeded by its first in-bounds tap. Sums are formed per window row, then added row by row — the
/// order of <see cref="NchwDriver"/>, so both layouts give bit-identical values and indices. Indices are per (n, c) plane,
/// <c>ih·W + iw</c>, laid out N×OH×OW×C. Parallel over (n, oh) output rows. Channel tails: a last vector overlapping the
/// previous one when C ≥ the vector width, the scalar tier otherwise.
/// </summary>
public static class NhwcDriver
{
    public static void Select<TOp>(PoolPlan2d p, int batch, int channels, float[] x, float[] y, long[]? indices, int threads) where TOp : ISelectOperator =>
        Run(p, batch, channels, threads, (row, yi) => SelectRow<TOp>(p, channels, x, row, y, indices, yi));

    public static void Accumulate<TOp>(PoolPlan2d p, int batch, int channels, float[] x, float[] y, int threads) where TOp : IAccumulateOperator =>
        Run(p, batch, channels, threads, (row, _) => AccumulateRow<TOp>(p, channels, x, row, y));

    static void Run(PoolPlan2d p, int batch, int channels, int threads, Action<int, int[]> row)
    {
        int rows = batch * p.OH;
        if (threads <= 1 || rows <= 1)
        {
            var s = new int[Math.Max(1, channels)];
            for (int r = 0; r < rows; r++) row(r, s);
            return;
        }
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new int[Math.Max(1, channels)],
            (r, _, s) => { row(r, s); return s; }, _ => { });
    }

    static void SelectRow<TOp>(PoolPlan2d p, int C, float[] xa, int row, float[] ya, long[]? ia, int[] yiBuf) where TOp : ISelectOperator
    {
        int n = row / p.OH, oh = row % p.OH, H = p.H.Length, W = p.W.Length, OW = p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)n * H * W * C);
        ref int yi = ref MemoryMarshal.GetArrayDataReference(yiBuf);
        int cntH = p.CountH[oh], ih0 = p.FirstH[oh], dH = p.H.Dilation, dW = p.W.Dilation;
        var tier = Cascade.For(C);
        for (int ow = 0; ow < OW; ow++)
        {
            nint o = ((nint)row * OW + ow) * C;
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), o);
            int cntW = p.CountW[ow], iw0 = p.FirstW[ow];
            if (cntH == 0 || cntW == 0)
            {
                float v = EmptyValue(p, oh, ow);
                for (int c = 0; c < C; c++) { Unsafe.Add(ref y, c) = v; Unsafe.Add(ref yi, c) = -1; }
            }
            else switch (tier)
            {
                case Tier.V512: Window<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, ref y, ref yi); break;
                case Tier.V256: Window<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, ref y, ref yi); break;
                case Tier.V128: Window<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, ref y, ref yi); break;
                default: Window<TOp, Scalar, float, int, bool>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, ref y, ref yi); break;
            }
            if (ia is not null)
            {
                ref long dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ia), o);
                for (int c = 0; c < C; c++) Unsafe.Add(ref dst, c) = Unsafe.Add(ref yi, c);
            }
        }
    }

    static void AccumulateRow<TOp>(PoolPlan2d p, int C, float[] xa, int row, float[] ya) where TOp : IAccumulateOperator
    {
        int n = row / p.OH, oh = row % p.OH, H = p.H.Length, W = p.W.Length, OW = p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)n * H * W * C);
        int cntH = p.CountH[oh], ih0 = p.FirstH[oh], dH = p.H.Dilation, dW = p.W.Dilation;
        var tier = Cascade.For(C);
        for (int ow = 0; ow < OW; ow++)
        {
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), ((nint)row * OW + ow) * C);
            int cntW = p.CountW[ow], iw0 = p.FirstW[ow];
            float div = p.Divisor![oh * OW + ow];
            if (cntH == 0 || cntW == 0 || div == 0)
            {
                float v = EmptyValue(p, oh, ow);
                for (int c = 0; c < C; c++) Unsafe.Add(ref y, c) = v;
            }
            else switch (tier)
            {
                case Tier.V512: Window<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, div, ref y); break;
                case Tier.V256: Window<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, div, ref y); break;
                case Tier.V128: Window<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, div, ref y); break;
                default: Window<TOp, Scalar, float, int, bool>(ref x, C, W, ih0, cntH, dH, iw0, cntW, dW, div, ref y); break;
            }
        }
    }

    static float EmptyValue(PoolPlan2d p, int oh, int ow)
    {
        int cell = oh * p.OW + ow;
        foreach (var (c, v) in p.Empty) if (c == cell) return v;
        return 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Next(ref int j, int n, int len)
    {
        if (j + n <= len) return true;
        if (j >= len) return false;
        j = len - n;
        return true;
    }

    static void Window<TOp, TW, TV, TI, TM>(ref float x, int C, int W, int ih0, int cntH, int dH, int iw0, int cntW, int dW, ref float y, ref int yi)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int c = 0; Next(ref c, n, C); c += n)
        {
            TV acc = TW.Load(ref x, ((nint)ih0 * W + iw0) * C + c);
            TI idx = TW.BroadcastI(ih0 * W + iw0);
            for (int a = 0; a < cntH; a++)
            {
                int ih = ih0 + a * dH;
                for (int b = a == 0 ? 1 : 0; b < cntW; b++)
                {
                    int tap = ih * W + iw0 + b * dW;
                    TV v = TW.Load(ref x, (nint)tap * C + c);
                    TM mk = TW.Replaces<TOp>(v, acc);
                    acc = TW.Select(mk, v, acc);
                    idx = TW.SelectI(mk, TW.BroadcastI(tap), idx);
                }
            }
            TW.Store(acc, ref y, c);
            TW.StoreI(idx, ref yi, c);
        }
    }

    static void Window<TOp, TW, TV, TI, TM>(ref float x, int C, int W, int ih0, int cntH, int dH, int iw0, int cntW, int dW, float div, ref float y)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        TV dv = TW.Broadcast(div);
        for (int c = 0; Next(ref c, n, C); c += n)
        {
            TV acc = default!;
            for (int a = 0; a < cntH; a++)
            {
                nint rowBase = ((nint)(ih0 + a * dH) * W + iw0) * C + c;
                TV rs = TW.Load(ref x, rowBase);
                for (int b = 1; b < cntW; b++) rs = TW.Invoke<TOp>(rs, TW.Load(ref x, rowBase + (nint)b * dW * C));
                acc = a == 0 ? rs : TW.Invoke<TOp>(acc, rs);
            }
            TW.Store(TW.Finalize<TOp>(acc, dv), ref y, c);
        }
    }
}
