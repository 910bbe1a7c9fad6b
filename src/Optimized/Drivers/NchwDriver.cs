using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// NCHW (planar) 2-D pooling, separable: a row pass reduces the <c>kw</c> taps of every window column of every input row
/// (SIMD over consecutive window starts, contiguous loads), then a column pass reduces the <c>kh</c> row results of every
/// output row (SIMD over output columns). Both passes visit taps in scan order seeded by the first in-bounds tap, so the
/// selection rule gives the full scan's value and index and the sum order is "rows left to right, then rows top to bottom"
/// — the same order as <see cref="NhwcDriver"/>. Parallel over (n, c) planes; each plane is computed by the same code
/// whatever the thread count. Tails: a last vector overlapping the previous one (pure recomputation, separate buffers).
/// </summary>
public static class NchwDriver
{
    sealed class Scratch(PoolPlan2d p)
    {
        public readonly float[] T = new float[p.H.Length * p.OW];
        public readonly int[] Ti = new int[p.H.Length * p.OW];
        public readonly float[] R = new float[Math.Max(1, p.W.Length)];
        public readonly int[] Ri = new int[Math.Max(1, p.W.Length)];
        public readonly int[] Yi = new int[Math.Max(1, p.OH * p.OW)];
    }

    public static void Select<TOp>(PoolPlan2d p, int planes, float[] x, float[] y, long[]? indices, int threads) where TOp : ISelectOperator =>
        Run(p, planes, threads, (q, s) => SelectPlane<TOp>(p, x, q, y, indices, s));

    public static void Accumulate<TOp>(PoolPlan2d p, int planes, float[] x, float[] y, int threads) where TOp : IAccumulateOperator =>
        Run(p, planes, threads, (q, s) => AccumulatePlane<TOp>(p, x, q, y, s));

    static void Run(PoolPlan2d p, int planes, int threads, Action<int, Scratch> plane)
    {
        if (threads <= 1 || planes <= 1)
        {
            var s = new Scratch(p);
            for (int q = 0; q < planes; q++) plane(q, s);
            return;
        }
        Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new Scratch(p),
            (q, _, s) => { plane(q, s); return s; }, _ => { });
    }

    static void SelectPlane<TOp>(PoolPlan2d p, float[] xa, int q, float[] ya, long[]? ia, Scratch s) where TOp : ISelectOperator
    {
        int H = p.H.Length, W = p.W.Length, OW = p.OW, OH = p.OH;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * H * W);
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        ref int ti = ref MemoryMarshal.GetArrayDataReference(s.Ti);
        for (int ih = 0; ih < H; ih++)
            RowSelect<TOp>(p, ref Unsafe.Add(ref x, ih * W), ref Unsafe.Add(ref t, ih * OW), ref Unsafe.Add(ref ti, ih * OW), s);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * OH * OW);
        ref int yi = ref MemoryMarshal.GetArrayDataReference(s.Yi);
        int dH = p.H.Dilation;
        for (int oh = 0; oh < OH; oh++)
        {
            int cnt = p.CountH[oh];
            if (cnt == 0) continue; // empty row: filled below
            ref float yrow = ref Unsafe.Add(ref y, oh * OW);
            ref int yirow = ref Unsafe.Add(ref yi, oh * OW);
            switch (Cascade.For(OW))
            {
                case Tier.V512: ColSelect<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, ref ti, OW, W, p.FirstH[oh], cnt, dH, ref yrow, ref yirow); break;
                case Tier.V256: ColSelect<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, ref ti, OW, W, p.FirstH[oh], cnt, dH, ref yrow, ref yirow); break;
                case Tier.V128: ColSelect<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, ref ti, OW, W, p.FirstH[oh], cnt, dH, ref yrow, ref yirow); break;
                default: ColSelect<TOp, Scalar, float, int, bool>(ref t, ref ti, OW, W, p.FirstH[oh], cnt, dH, ref yrow, ref yirow); break;
            }
        }
        foreach (var (cell, v) in p.Empty) { Unsafe.Add(ref y, cell) = v; Unsafe.Add(ref yi, cell) = -1; }
        if (ia is not null)
        {
            ref long dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ia), (nint)q * OH * OW);
            for (int i = 0; i < OH * OW; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref yi, i);
        }
    }

    static void AccumulatePlane<TOp>(PoolPlan2d p, float[] xa, int q, float[] ya, Scratch s) where TOp : IAccumulateOperator
    {
        int H = p.H.Length, W = p.W.Length, OW = p.OW, OH = p.OH;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * H * W);
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        for (int ih = 0; ih < H; ih++)
            RowAccumulate<TOp>(p, ref Unsafe.Add(ref x, ih * W), ref Unsafe.Add(ref t, ih * OW), s);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * OH * OW);
        ref float div = ref MemoryMarshal.GetArrayDataReference(p.Divisor!);
        int dH = p.H.Dilation;
        for (int oh = 0; oh < OH; oh++)
        {
            int cnt = p.CountH[oh];
            if (cnt == 0) continue;
            ref float yrow = ref Unsafe.Add(ref y, oh * OW);
            ref float drow = ref Unsafe.Add(ref div, oh * OW);
            switch (Cascade.For(OW))
            {
                case Tier.V512: ColAccumulate<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, OW, p.FirstH[oh], cnt, dH, ref drow, ref yrow); break;
                case Tier.V256: ColAccumulate<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, OW, p.FirstH[oh], cnt, dH, ref drow, ref yrow); break;
                case Tier.V128: ColAccumulate<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, OW, p.FirstH[oh], cnt, dH, ref drow, ref yrow); break;
                default: ColAccumulate<TOp, Scalar, float, int, bool>(ref t, OW, p.FirstH[oh], cnt, dH, ref drow, ref yrow); break;
            }
        }
        foreach (var (cell, v) in p.Empty) Unsafe.Add(ref y, cell) = v;
    }

    // ---- row pass: one input row → one row of OW window-column results (value, column index) ----

    static void RowSelect<TOp>(PoolPlan2d p, ref float x, ref float trow, ref int tirow, Scratch s) where TOp : ISelectOperator
    {
        int k = p.W.Kernel, d = p.W.Dilation, lo = p.InteriorLo, hi = p.InteriorHi;
        if (hi > lo)
        {
            int j0 = p.FirstW[lo], len = p.FirstW[hi - 1] - j0 + 1;
            bool direct = hi - lo == len; // stride 1: window starts are the output columns
            ref float r = ref direct ? ref Unsafe.Add(ref trow, lo) : ref MemoryMarshal.GetArrayDataReference(s.R);
            ref int ri = ref direct ? ref Unsafe.Add(ref tirow, lo) : ref MemoryMarshal.GetArrayDataReference(s.Ri);
            ref float xs = ref Unsafe.Add(ref x, j0);
            switch (Cascade.For(len))
            {
                case Tier.V512: RowSelect<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xs, j0, len, k, d, ref r, ref ri); break;
                case Tier.V256: RowSelect<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xs, j0, len, k, d, ref r, ref ri); break;
                case Tier.V128: RowSelect<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xs, j0, len, k, d, ref r, ref ri); break;
                default: RowSelect<TOp, Scalar, float, int, bool>(ref xs, j0, len, k, d, ref r, ref ri); break;
            }
            if (!direct)
                for (int ow = lo; ow < hi; ow++)
                {
                    int j = p.FirstW[ow] - j0;
                    Unsafe.Add(ref trow, ow) = Unsafe.Add(ref r, j);
                    Unsafe.Add(ref tirow, ow) = Unsafe.Add(ref ri, j);
                }
        }
        for (int ow = 0; ow < p.OW; ow++)
        {
            if (ow == lo && hi > lo) { ow = hi - 1; continue; }
            int cnt = p.CountW[ow], c0 = p.FirstW[ow];
            float acc = cnt > 0 ? Unsafe.Add(ref x, c0) : float.NegativeInfinity;
            int idx = cnt > 0 ? c0 : 0;
            for (int m = 1; m < cnt; m++)
            {
                int c = c0 + m * d;
                float v = Unsafe.Add(ref x, c);
                if (TOp.Replaces(v, acc)) { acc = v; idx = c; }
            }
            Unsafe.Add(ref trow, ow) = acc;
            Unsafe.Add(ref tirow, ow) = idx;
        }
    }

    static void RowAccumulate<TOp>(PoolPlan2d p, ref float x, ref float trow, Scratch s) where TOp : IAccumulateOperator
    {
        int k = p.W.Kernel, d = p.W.Dilation, lo = p.InteriorLo, hi = p.InteriorHi;
        if (hi > lo)
        {
            int j0 = p.FirstW[lo], len = p.FirstW[hi - 1] - j0 + 1;
            bool direct = hi - lo == len;
            ref float r = ref direct ? ref Unsafe.Add(ref trow, lo) : ref MemoryMarshal.GetArrayDataReference(s.R);
            ref float xs = ref Unsafe.Add(ref x, j0);
            switch (Cascade.For(len))
            {
                case Tier.V512: RowAccumulate<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xs, len, k, d, ref r); break;
                case Tier.V256: RowAccumulate<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xs, len, k, d, ref r); break;
                case Tier.V128: RowAccumulate<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xs, len, k, d, ref r); break;
                default: RowAccumulate<TOp, Scalar, float, int, bool>(ref xs, len, k, d, ref r); break;
            }
            if (!direct)
                for (int ow = lo; ow < hi; ow++) Unsafe.Add(ref trow, ow) = Unsafe.Add(ref r, p.FirstW[ow] - j0);
        }
        for (int ow = 0; ow < p.OW; ow++)
        {
            if (ow == lo && hi > lo) { ow = hi - 1; continue; }
            int cnt = p.CountW[ow], c0 = p.FirstW[ow];
            float acc = cnt > 0 ? Unsafe.Add(ref x, c0) : 0f;
            for (int m = 1; m < cnt; m++) acc = TOp.Invoke(acc, Unsafe.Add(ref x, c0 + m * d));
            Unsafe.Add(ref trow, ow) = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Next(ref int j, int n, int len)
    {
        if (j + n <= len) return true;
        if (j >= len) return false;
        j = len - n; // overlapping last vector (len ≥ n by the cascade)
        return true;
    }

    static void RowSelect<TOp, TW, TV, TI, TM>(ref float x, int j0, int len, int k, int d, ref float r, ref int ri)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            TV acc = TW.Load(ref x, j);
            TI idx = TW.Iota(j0 + j);
            for (int m = 1; m < k; m++)
            {
                int o = j + m * d;
                TV v = TW.Load(ref x, o);
                TM mk = TW.Replaces<TOp>(v, acc);
                acc = TW.Select(mk, v, acc);
                idx = TW.SelectI(mk, TW.Iota(j0 + o), idx);
            }
            TW.Store(acc, ref r, j);
            TW.StoreI(idx, ref ri, j);
        }
    }

    static void RowAccumulate<TOp, TW, TV, TI, TM>(ref float x, int len, int k, int d, ref float r)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            TV acc = TW.Load(ref x, j);
            for (int m = 1; m < k; m++) acc = TW.Invoke<TOp>(acc, TW.Load(ref x, j + m * d));
            TW.Store(acc, ref r, j);
        }
    }

    // ---- column pass: the cnt row results of one output row, SIMD over output columns ----

    static void ColSelect<TOp, TW, TV, TI, TM>(ref float t, ref int ti, int OW, int W, int ih0, int cnt, int dH, ref float y, ref int yi)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, OW); j += n)
        {
            int ih = ih0;
            TV acc = TW.Load(ref t, ih * OW + j);
            TI idx = TW.AddI(TW.LoadI(ref ti, ih * OW + j), TW.BroadcastI(ih * W));
            for (int m = 1; m < cnt; m++)
            {
                ih += dH;
                TV v = TW.Load(ref t, ih * OW + j);
                TM mk = TW.Replaces<TOp>(v, acc);
                acc = TW.Select(mk, v, acc);
                idx = TW.SelectI(mk, TW.AddI(TW.LoadI(ref ti, ih * OW + j), TW.BroadcastI(ih * W)), idx);
            }
            TW.Store(acc, ref y, j);
            TW.StoreI(idx, ref yi, j);
        }
    }

    static void ColAccumulate<TOp, TW, TV, TI, TM>(ref float t, int OW, int ih0, int cnt, int dH, ref float div, ref float y)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, OW); j += n)
        {
            int ih = ih0;
            TV acc = TW.Load(ref t, ih * OW + j);
            for (int m = 1; m < cnt; m++) { ih += dH; acc = TW.Invoke<TOp>(acc, TW.Load(ref t, ih * OW + j)); }
            TW.Store(TW.Finalize<TOp>(acc, TW.Load(ref div, j)), ref y, j);
        }
    }
}
