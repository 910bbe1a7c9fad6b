using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// Channels-last (NLC, NHWC, NDHWC) pooling: SIMD over channels, every window visited directly in scan order (slices front to
/// back, rows top to bottom, taps left to right), seeded by its first in-bounds tap. Sums are formed per window row, added
/// row by row into a slice sum, and slice sums added front to back — the order of <see cref="NchwDriver"/>, so both layouts
/// give bit-identical values and indices. Indices are per (n, c) plane, <c>(id·H + ih)·W + iw</c>, laid out like the output.
/// Parallel over (n, od, oh) output rows. Channel tails: a last vector overlapping the previous one when C ≥ the vector
/// width, the scalar tier otherwise.
/// </summary>
public static class NhwcDriver
{
    public static void Select<TOp>(PoolPlan p, int batch, int channels, float[] x, float[] y, long[]? indices, int threads) where TOp : ISelectOperator
    {
        if (indices is null && SlidingMax.For(p) is { ChannelsLast: true } sm) { SlidingMax.SelectNhwc<TOp>(p, sm, batch, channels, x, y, threads); return; }
        if (indices is null) Run(p, batch, channels, threads, (row, _) => SelectRowValues<TOp>(p, channels, x, row, y));
        else Run(p, batch, channels, threads, (row, yi) => SelectRow<TOp>(p, channels, x, row, y, indices, yi));
    }

    public static void Accumulate<TOp>(PoolPlan p, int batch, int channels, float[] x, float[] y, int threads) where TOp : IAccumulateOperator
    {
        if (RunningSumDriver.TryNhwc<TOp>(p, batch, channels, x, y, threads)) return;
        Run(p, batch, channels, threads, (row, _) => AccumulateRow<TOp>(p, channels, x, row, y));
    }

    static void Run(PoolPlan p, int batch, int channels, int threads, Action<int, int[]> row) =>
        Workers.For(batch * p.OD * p.OH, threads, () => new int[Math.Max(1, channels)], row);

    /// <summary>The window of one output row: image, first depth/row taps and counts.</summary>
    readonly record struct RowWindow(int N, int Od, int Oh, int D0, int CntD, int H0, int CntH);

    static RowWindow Locate(PoolPlan p, int row)
    {
        int oh = row % p.OH, t = row / p.OH, od = t % p.OD, n = t / p.OD;
        return new RowWindow(n, od, oh, p.FirstD[od], p.CountD[od], p.FirstH[oh], p.CountH[oh]);
    }

    static void SelectRow<TOp>(PoolPlan p, int C, float[] xa, int row, float[] ya, long[]? ia, int[] yiBuf) where TOp : ISelectOperator
    {
        var r = Locate(p, row);
        int OW = p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)r.N * p.InputPlane * C);
        ref int yi = ref MemoryMarshal.GetArrayDataReference(yiBuf);
        var g = new Geometry(C, p.LH, p.LW, r.D0, r.CntD, p.DilD, r.H0, r.CntH, p.DilH, p.DilW);
        var pf = RowPrefetch.For(p, C, row, r, xa.Length);
        var tier = Cascade.For(C);
        for (int ow = 0; ow < OW; ow++)
        {
            pf.Issue(ref MemoryMarshal.GetArrayDataReference(xa), ow);
            nint o = ((nint)row * OW + ow) * C;
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), o);
            int cntW = p.CountW[ow], iw0 = p.FirstW[ow];
            if (r.CntD == 0 || r.CntH == 0 || cntW == 0)
            {
                float v = EmptyValue(p, (r.Od * p.OH + r.Oh) * OW + ow);
                for (int c = 0; c < C; c++) { Unsafe.Add(ref y, c) = v; Unsafe.Add(ref yi, c) = -1; }
            }
            else switch (tier)
            {
                case Tier.V512: Window<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, g, iw0, cntW, ref y, ref yi); break;
                case Tier.V256: Window<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, g, iw0, cntW, ref y, ref yi); break;
                case Tier.V128: Window<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, g, iw0, cntW, ref y, ref yi); break;
                default: Window<TOp, Scalar, float, int, bool>(ref x, g, iw0, cntW, ref y, ref yi); break;
            }
            if (ia is not null)
            {
                ref long dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ia), o);
                for (int c = 0; c < C; c++) Unsafe.Add(ref dst, c) = Unsafe.Add(ref yi, c);
            }
        }
    }

    /// <summary>
    /// One output row of a max without indices: the same direct scan in scan order, but each tap costs one ordered max
    /// (<c>x &gt; acc ? x : acc</c>: ties and ±0 keep the earlier tap, as every select operator does) and one add into a NaN
    /// detector (the sum of the taps is NaN when one of them is; ∞ − ∞ also answers yes). A channel vector whose window had a
    /// NaN is scanned again with the operator's full rule. TensorFlow's first-tap rule (<see cref="NanIgnoringMaxOperator"/>)
    /// is exactly the ordered max seeded by the first tap, so it never needs the second scan. While the row's windows run, the
    /// input rows the next output row adds are prefetched, a slice per window (<see cref="RowPrefetch"/>, as in every row
    /// function here).
    /// </summary>
    static void SelectRowValues<TOp>(PoolPlan p, int C, float[] xa, int row, float[] ya) where TOp : ISelectOperator
    {
        var r = Locate(p, row);
        int OW = p.OW;
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(xa);
        ref float x = ref Unsafe.Add(ref x0, (nint)r.N * p.InputPlane * C);
        var g = new Geometry(C, p.LH, p.LW, r.D0, r.CntD, p.DilD, r.H0, r.CntH, p.DilH, p.DilW);
        var pf = RowPrefetch.For(p, C, row, r, xa.Length);
        var tier = Cascade.For(C);
        bool rescan = typeof(TOp) != typeof(NanIgnoringMaxOperator);
        for (int ow = 0; ow < OW; ow++)
        {
            pf.Issue(ref x0, ow);
            nint o = ((nint)row * OW + ow) * C;
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), o);
            int cntW = p.CountW[ow], iw0 = p.FirstW[ow];
            if (r.CntD == 0 || r.CntH == 0 || cntW == 0)
            {
                float v = EmptyValue(p, (r.Od * p.OH + r.Oh) * OW + ow);
                for (int c = 0; c < C; c++) Unsafe.Add(ref y, c) = v;
            }
            else switch (tier)
            {
                case Tier.V512: WindowValues<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, g, iw0, cntW, rescan, ref y); break;
                case Tier.V256: WindowValues<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, g, iw0, cntW, rescan, ref y); break;
                case Tier.V128: WindowValues<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, g, iw0, cntW, rescan, ref y); break;
                default: WindowValues<TOp, Scalar, float, int, bool>(ref x, g, iw0, cntW, rescan, ref y); break;
            }
        }
    }

    /// <summary>
    /// The prefetch of one output row: the input rows of output row <c>row + 1</c> that row <c>row</c> does not read (for a
    /// stride-2 3×3 window, the two rows below its window; for the last row of an image, the next image's first rows), split
    /// into <c>OW</c> slices of whole cache lines, slice <c>ow</c> issued before window <c>ow</c> — so the lines arrive while
    /// this row computes, and no burst of prefetches overflows the core's miss queue. Rows that are already read (overlapping
    /// windows) are not prefetched again. A hint: values never depend on it.
    /// </summary>
    readonly struct RowPrefetch
    {
        readonly nint _first;   // float offset of the first new row
        readonly int _rows, _rowStride, _slice, _rowFloats;

        RowPrefetch(nint first, int rows, int rowStride, int rowFloats, int outs)
        {
            _first = first; _rows = rows; _rowStride = rowStride; _rowFloats = rowFloats;
            _slice = Prefetch.SliceLength(rowFloats, outs);
        }

        /// <summary>The prefetch of output row <paramref name="row"/>, whose window is <paramref name="cur"/>.</summary>
        public static RowPrefetch For(PoolPlan p, int C, int row, RowWindow cur, long inputLength)
        {
            int rows = p.OD * p.OH;
            if (row + 1 >= rows * (inputLength / Math.Max(1L, (long)p.InputPlane * C)) || p.OW == 0) return default;
            var next = Locate(p, row + 1);
            if (next.CntH == 0 || next.CntD == 0) return default;
            // New rows of the next output row's first slice: those past the current window's last row (all when the image changes).
            int lastCur = cur.CntH == 0 ? -1 : cur.H0 + (cur.CntH - 1) * p.DilH;
            int a0 = 0;
            if (next.N == cur.N && next.D0 == cur.D0)
                while (a0 < next.CntH && next.H0 + a0 * p.DilH <= lastCur) a0++;
            if (a0 == next.CntH) return default;
            int rowFloats = p.LW * C;
            nint first = (((nint)next.N * p.LD + next.D0) * p.LH + next.H0 + a0 * p.DilH) * rowFloats;
            return new RowPrefetch(first, next.CntH - a0, p.DilH * rowFloats, rowFloats, p.OW);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Issue(ref float x, int ow)
        {
            if (_rows == 0) return;
            int lo = ow * _slice, hi = Math.Min(_rowFloats, lo + _slice);
            for (int a = 0; a < _rows; a++)
            {
                ref float r = ref Unsafe.Add(ref x, _first + (nint)a * _rowStride);
                for (int i = lo; i < hi; i += Prefetch.LineFloats) Prefetch.Line(ref Unsafe.Add(ref r, i));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WindowValues<TOp, TW, TV, TI, TM>(ref float x, Geometry g, int iw0, int cntW, bool rescan, ref float y)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count, C = g.C;
        nint tapStep = (nint)g.DilW * C, rowStep = (nint)g.DilH * g.W * C, sliceStep = (nint)g.DilD * g.H * g.W * C;
        nint first = ((nint)(g.D0 * g.H + g.H0) * g.W + iw0) * C;
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            ref float xc = ref Unsafe.Add(ref x, first + c);
            TV sum = TW.Zero;
            TV acc = WindowScan<OrderedMax, TW, TV, TI, TM>(ref xc, g, cntW, tapStep, rowStep, sliceStep, ref sum);
            if (rescan && TW.AnySet(TW.NoteNaN(TW.Zero, sum, sum)))
                acc = WindowScan<OperatorMax<TOp>, TW, TV, TI, TM>(ref xc, g, cntW, tapStep, rowStep, sliceStep, ref sum);
            TW.Store(acc, ref y, c);
        }
    }

    /// <summary>
    /// The window at <paramref name="xc"/> in scan order (slices, rows, taps), seeded by its first tap and combined by
    /// <typeparamref name="TR"/>; a rule that drops NaN (<see cref="IMaxRule.NotesNaN"/>) adds every tap to <paramref name="sum"/>,
    /// which is NaN when one of them is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV WindowScan<TR, TW, TV, TI, TM>(ref float xc, Geometry g, int cntW, nint tapStep, nint rowStep, nint sliceStep, ref TV sum)
        where TR : IMaxRule where TW : IWidth<TV, TI, TM>
    {
        TV acc = TW.Load(ref xc, 0);
        if (TR.NotesNaN) sum = TW.Add(sum, acc);
        for (int e = 0; e < g.CntD; e++)
            for (int a = 0; a < g.CntH; a++)
            {
                ref float xr = ref Unsafe.Add(ref xc, e * sliceStep + a * rowStep);
                for (int b = e == 0 && a == 0 ? 1 : 0; b < cntW; b++)
                {
                    TV v = TW.Load(ref xr, b * tapStep);
                    acc = TR.Max<TW, TV, TI, TM>(acc, v);
                    if (TR.NotesNaN) sum = TW.Add(sum, v);
                }
            }
        return acc;
    }

    static void AccumulateRow<TOp>(PoolPlan p, int C, float[] xa, int row, float[] ya) where TOp : IAccumulateOperator
    {
        var r = Locate(p, row);
        int OW = p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)r.N * p.InputPlane * C);
        var g = new Geometry(C, p.LH, p.LW, r.D0, r.CntD, p.DilD, r.H0, r.CntH, p.DilH, p.DilW);
        var pf = RowPrefetch.For(p, C, row, r, xa.Length);
        var tier = Cascade.For(C);
        for (int ow = 0; ow < OW; ow++)
        {
            pf.Issue(ref MemoryMarshal.GetArrayDataReference(xa), ow);
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), ((nint)row * OW + ow) * C);
            int cntW = p.CountW[ow], iw0 = p.FirstW[ow], cell = (r.Od * p.OH + r.Oh) * OW + ow;
            float f = p.FinalFactor![cell];
            if (r.CntD == 0 || r.CntH == 0 || cntW == 0 || (f == 0 && p.Reduction == Core.Reduction.Average))
            {
                float v = EmptyValue(p, cell);
                for (int c = 0; c < C; c++) Unsafe.Add(ref y, c) = v;
            }
            else switch (tier)
            {
                case Tier.V512: Window<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, g, iw0, cntW, f, ref y); break;
                case Tier.V256: Window<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, g, iw0, cntW, f, ref y); break;
                case Tier.V128: Window<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, g, iw0, cntW, f, ref y); break;
                default: Window<TOp, Scalar, float, int, bool>(ref x, g, iw0, cntW, f, ref y); break;
            }
        }
    }

    static float EmptyValue(PoolPlan p, int cell)
    {
        foreach (var (c, v) in p.Empty) if (c == cell) return v;
        return 0f;
    }

    /// <summary>The depth and row taps of one output row's windows, and the sizes that address the input.</summary>
    readonly record struct Geometry(int C, int H, int W, int D0, int CntD, int DilD, int H0, int CntH, int DilH, int DilW);

    static void Window<TOp, TW, TV, TI, TM>(ref float x, Geometry g, int iw0, int cntW, ref float y, ref int yi)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count, C = g.C;
        int first = (g.D0 * g.H + g.H0) * g.W + iw0;
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            TV acc = TW.Load(ref x, (nint)first * C + c);
            TI idx = TW.BroadcastI(first);
            for (int e = 0; e < g.CntD; e++)
                for (int a = 0; a < g.CntH; a++)
                {
                    int rowTap = ((g.D0 + e * g.DilD) * g.H + g.H0 + a * g.DilH) * g.W + iw0;
                    for (int b = e == 0 && a == 0 ? 1 : 0; b < cntW; b++)
                    {
                        int tap = rowTap + b * g.DilW;
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

    static void Window<TOp, TW, TV, TI, TM>(ref float x, Geometry g, int iw0, int cntW, float f, ref float y)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count, C = g.C;
        TV fv = TW.Broadcast(f);
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            TV acc = default!;
            for (int e = 0; e < g.CntD; e++)
            {
                TV sacc = default!;
                for (int a = 0; a < g.CntH; a++)
                {
                    nint rowBase = ((nint)((g.D0 + e * g.DilD) * g.H + g.H0 + a * g.DilH) * g.W + iw0) * C + c;
                    TV rs = TW.Term<TOp>(TW.Load(ref x, rowBase));
                    for (int b = 1; b < cntW; b++) rs = TW.Invoke<TOp>(rs, TW.Term<TOp>(TW.Load(ref x, rowBase + (nint)b * g.DilW * C)));
                    sacc = a == 0 ? rs : TW.Invoke<TOp>(sacc, rs);
                }
                acc = e == 0 ? sacc : TW.Invoke<TOp>(acc, sacc);
            }
            TW.Store(TW.Finalize<TOp>(acc, fv), ref y, c);
        }
    }
}
