using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// NCHW / NCDHW / NCL (planar) pooling, separable: a row pass reduces the <c>kw</c> taps of every window column of every input
/// row (SIMD over consecutive window starts, contiguous loads), then a column pass reduces the <c>kh</c> row results of every
/// output row (SIMD over output columns), and for 3-D a depth pass reduces the <c>kd</c> slice results of every output slice
/// (SIMD over the OH·OW cells of a slice). Every pass visits taps in scan order seeded by the first in-bounds tap, so the
/// selection rule gives the full scan's value and index and the sum order is "taps of a row left to right, rows top to
/// bottom, slices front to back" — the order of <see cref="NhwcDriver"/>. Accumulations map each tap through the operator's
/// <c>Term</c> once, in the row pass. Parallel over (n, c) planes; each plane is computed by the same code whatever the thread
/// count. Tails: a last vector overlapping the previous one (pure recomputation, separate buffers).
/// </summary>
public static class NchwDriver
{
    /// <summary>
    /// Per-thread buffers of one plan, each allocated when a path first uses it and kept by the thread for its next call with
    /// the same plan (<see cref="For"/>): a call used to allocate and zero them all (25 KB for W3, whose fused path uses none of
    /// them), and in a process with a large heap that garbage streamed through the cache — W3 ran at half speed in
    /// <c>poolconf bench</c>. Every path writes what it reads, so a reused buffer gives the same bits (the thread-count tests
    /// run one plan twice on one thread).
    /// </summary>
    sealed class Scratch(PoolPlan p)
    {
        float[]? _t, _v, _r, _s;
        int[]? _ti, _ri, _yi, _si;
        // Row results of the plane; the stride-2 path needs them only for a plane with a NaN or a row with a ±0 result.
        public float[] T => _t ??= new float[Math.Max(1, p.LH * p.OW)];
        // The stride-2 path's column maxima of a block of output rows, each row padded with −∞ (Stride2Rows.NewColumnBuffer).
        public float[] V => _v ??= p.Stride2 is { } g ? g.NewColumnBuffer() : [0f];
        public int[] Ti => _ti ??= new int[Math.Max(1, p.LH * p.OW)];
        public float[] R => _r ??= new float[Math.Max(1, p.LW)];
        public int[] Ri => _ri ??= new int[Math.Max(1, p.LW)];
        public int[] Yi => _yi ??= new int[Math.Max(1, p.OutputPlane)];
        // 3-D: the 2-D result of every input depth slice (values and in-slice indices), reduced over depth afterwards.
        public float[] S => _s ??= new float[p.SingleSlice ? 1 : p.LD * p.OH * p.OW];
        public int[] Si => _si ??= new int[p.SingleSlice ? 1 : p.LD * p.OH * p.OW];

        [ThreadStatic] static Scratch? t_last;

        /// <summary>This thread's buffers for <paramref name="plan"/>: the ones of its last call when that was the same plan.</summary>
        public static Scratch For(PoolPlan plan)
        {
            var s = t_last;
            if (s is null || !ReferenceEquals(s.Plan, plan)) t_last = s = new Scratch(plan);
            return s;
        }

        PoolPlan Plan => p;
    }

    /// <summary>Whether a max over <paramref name="p"/> without indices takes the stride-2 values-only path (for tests and reports).</summary>
    public static bool TakesStride2ValuesPath(PoolPlan p) => p.Stride2 is not null;

    /// <summary>Whether that path runs each output row in one pass (<see cref="Stride2Rows.OnePass"/>; for tests and reports).</summary>
    public static bool TakesStride2OnePass(PoolPlan p) => p.Stride2 is { OnePass: true };

    /// <summary>Whether an accumulation over <paramref name="p"/> takes the fused 3×3 stride-1 path (for tests and reports).</summary>
    public static bool TakesFused3x3Path(PoolPlan p) => p.Fused3x3 is not null;

    public static void Select<TOp>(PoolPlan p, int planes, float[] x, float[] y, long[]? indices, int threads) where TOp : ISelectOperator
    {
        if (indices is null && SlidingMax.For(p) is { Planar: true } sm) { SlidingMax.SelectNchw<TOp>(p, sm, planes, x, y, threads); return; }
        if (indices is null && p.Stride2 is Stride2Rows g)
        {
            Run(p, planes, threads, (q, s) => Stride2ColumnsFirstTier<TOp>(p, g, x, q, y, s));
            return;
        }
        Run(p, planes, threads, (q, s) => SelectPlane<TOp>(p, x, q, y, indices, s));
    }

    public static void Accumulate<TOp>(PoolPlan p, int planes, float[] x, float[] y, int threads) where TOp : IAccumulateOperator
    {
        if (RunningSumDriver.TryNchw<TOp>(p, planes, x, y, threads)) return;
        Run(p, planes, threads, (q, s) => AccumulatePlane<TOp>(p, x, q, y, s));
    }

    static void Run(PoolPlan p, int planes, int threads, Action<int, Scratch> plane)
    {
        if (threads <= 1 || planes <= 1)
        {
            var s = Scratch.For(p);
            for (int q = 0; q < planes; q++) plane(q, s);
            return;
        }
        Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => Scratch.For(p),
            (q, _, s) => { plane(q, s); return s; }, _ => { });
    }

    static void SelectPlane<TOp>(PoolPlan p, float[] xa, int q, float[] ya, long[]? ia, Scratch s) where TOp : ISelectOperator
    {
        int slice = p.LH * p.LW, cells = p.OH * p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        ref int yi = ref MemoryMarshal.GetArrayDataReference(s.Yi);
        if (p.SingleSlice) SelectSlice<TOp>(p, ref x, ref y, ref yi, s);
        else
        {
            ref float sv = ref MemoryMarshal.GetArrayDataReference(s.S);
            ref int si = ref MemoryMarshal.GetArrayDataReference(s.Si);
            for (int id = 0; id < p.LD; id++)
                SelectSlice<TOp>(p, ref Unsafe.Add(ref x, id * slice), ref Unsafe.Add(ref sv, id * cells), ref Unsafe.Add(ref si, id * cells), s);
            for (int od = 0; od < p.OD; od++)
            {
                int cnt = p.CountD[od];
                if (cnt == 0) continue;
                ref float yrow = ref Unsafe.Add(ref y, od * cells);
                ref int yirow = ref Unsafe.Add(ref yi, od * cells);
                ColSelectTier<TOp>(ref sv, ref si, cells, slice, p.FirstD[od], cnt, p.DilD, ref yrow, ref yirow);
            }
        }
        foreach (var (cell, v) in p.Empty) { Unsafe.Add(ref y, cell) = v; Unsafe.Add(ref yi, cell) = -1; }
        if (ia is not null)
        {
            ref long dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ia), (nint)q * p.OutputPlane);
            for (int i = 0; i < p.OutputPlane; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref yi, i);
        }
    }

    /// <summary>One H×W slice → OH×OW values and in-slice indices (rows with no in-bounds tap are left for the empty fill).</summary>
    static void SelectSlice<TOp>(PoolPlan p, ref float x, ref float y, ref int yi, Scratch s) where TOp : ISelectOperator
    {
        int H = p.LH, W = p.LW, OW = p.OW, OH = p.OH;
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        ref int ti = ref MemoryMarshal.GetArrayDataReference(s.Ti);
        for (int ih = 0; ih < H; ih++)
            RowSelect<TOp>(p, ref Unsafe.Add(ref x, ih * W), ref Unsafe.Add(ref t, ih * OW), ref Unsafe.Add(ref ti, ih * OW), s);
        for (int oh = 0; oh < OH; oh++)
        {
            int cnt = p.CountH[oh];
            if (cnt == 0) continue;
            ColSelectTier<TOp>(ref t, ref ti, OW, W, p.FirstH[oh], cnt, p.DilH, ref Unsafe.Add(ref y, oh * OW), ref Unsafe.Add(ref yi, oh * OW));
        }
    }

    static void ColSelectTier<TOp>(ref float t, ref int ti, int len, int stride, int first, int cnt, int dil, ref float y, ref int yi) where TOp : ISelectOperator
    {
        switch (Cascade.For(len))
        {
            case Tier.V512: ColSelect<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, ref ti, len, stride, first, cnt, dil, ref y, ref yi); break;
            case Tier.V256: ColSelect<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, ref ti, len, stride, first, cnt, dil, ref y, ref yi); break;
            case Tier.V128: ColSelect<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, ref ti, len, stride, first, cnt, dil, ref y, ref yi); break;
            default: ColSelect<TOp, Scalar, float, int, bool>(ref t, ref ti, len, stride, first, cnt, dil, ref y, ref yi); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AccumulatePlane<TOp>(PoolPlan p, float[] xa, int q, float[] ya, Scratch s) where TOp : IAccumulateOperator
    {
        int slice = p.LH * p.LW, cells = p.OH * p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        ref float f = ref MemoryMarshal.GetArrayDataReference(p.FinalFactor!);
        if (p.Fused3x3 is { } g3) Fused3x3Plane<TOp>(p, g3, ref x, ref y, ref f);
        else if (p.SingleSlice) AccumulateSlice<TOp>(p, ref x, ref y, ref f, true, s);
        else
        {
            ref float sv = ref MemoryMarshal.GetArrayDataReference(s.S);
            for (int id = 0; id < p.LD; id++)
                AccumulateSlice<TOp>(p, ref Unsafe.Add(ref x, id * slice), ref Unsafe.Add(ref sv, id * cells), ref f, false, s);
            for (int od = 0; od < p.OD; od++)
            {
                int cnt = p.CountD[od];
                if (cnt == 0) continue;
                ColAccumulateTier<TOp>(ref sv, cells, p.FirstD[od], cnt, p.DilD, ref Unsafe.Add(ref f, od * cells), true, ref Unsafe.Add(ref y, od * cells));
            }
        }
        foreach (var (cell, v) in p.Empty) Unsafe.Add(ref y, cell) = v;
    }

    /// <summary>
    /// Geometry of the fused 3×3 stride-1 accumulation (W3, Inception's pools): 2-D, every window <c>[S0 + o, S0 + o + 3)</c> clipped
    /// to the input on both axes (dilation 1), S0 = −1 (padding 1) or 0, at most one clipped column past the right edge, output
    /// rows of at least two Vector512. Only in the Vector512 tier (its lane rotation builds the edge vectors); every other case
    /// takes the separable row and column passes, which this path equals bit for bit.
    /// </summary>
    internal sealed class Fused3x3Geometry
    {
        public required int RowStart0 { get; init; }
        public required int ColStart0 { get; init; }
        /// <summary>The last strip's third tap vector ends one column past the row (filled with −0).</summary>
        public required bool RightOvershoot { get; init; }

        public static Fused3x3Geometry? For(PoolPlan p)
        {
            if (!Vector512.IsHardwareAccelerated || !p.SingleSlice || p.KernelW != 3 || p.DilW != 1 || p.DilH != 1 || p.Empty.Length > 0) return null;
            int n = Vector512<float>.Count;
            if (p.OW < 2 * n || p.LW < n + 2) return null;
            int? cs = Start(p.FirstW, p.CountW, p.OW, p.LW), rs = Start(p.FirstH, p.CountH, p.OH, p.LH);
            if (cs is not (-1 or 0) || rs is not (-1 or 0)) return null;
            int lastTap = cs.Value + p.OW - 1 + 2; // the rightmost tap column of the last window, unclipped
            if (lastTap > p.LW) return null;      // at most one column of right padding
            return new Fused3x3Geometry { RowStart0 = rs.Value, ColStart0 = cs.Value, RightOvershoot = lastTap == p.LW };
        }

        /// <summary>S0 when every window of an axis is <c>[S0 + o, S0 + o + 3) ∩ [0, len)</c>, else null.</summary>
        static int? Start(int[] first, int[] count, int outs, int len)
        {
            int o3 = Array.IndexOf(count, 3);
            if (o3 < 0) return null;
            int s0 = first[o3] - o3;
            return ClippedWindows.Match(first, count, outs, len, s0, 1, 3) ? s0 : null;
        }
    }

    /// <summary>
    /// A 3×3 stride-1 accumulation in one pass over the plane, strip by strip of 16 output columns: each input row's three-tap sum
    /// (taps left to right) is formed once in a register and kept for the three output rows that use it, so the row results never
    /// go through memory. Out-of-bounds taps and rows are −0, the identity of the float sum for every term the operators form
    /// (<c>v + (−0) = v</c> for every v, −0 and NaN included; the terms |x| and x² map −0 to +0, and their sums are never −0), so
    /// each output is <c>((h₀ + h₁) + h₂)</c> bit for bit as the separable passes add it, which skip those taps.
    /// The first strip's first tap vector and the last strip's third (when the row ends one column early) are rotations of a
    /// loaded vector with one −0 lane; no load leaves the row's 0..LW − 1. A last strip of at most 8 columns runs in a Vector256
    /// rather than as a Vector512 overlapping the previous strip: W3's rows are 56 = 3·16 + 8 wide, and the overlap recomputed half a strip per row (interleaved: 1.19× at 1 thread, 1.11–1.16× at 2; same bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fused3x3Plane<TOp>(PoolPlan p, Fused3x3Geometry g, ref float x, ref float y, ref float f) where TOp : IAccumulateOperator
    {
        const int n = 16;
        int OW = p.OW;
        // A tail of at most 8 columns runs as one Vector256 strip instead of an overlapping Vector512 one (W3: 56 = 3·16 + 8).
        int tail = OW % n, full = OW - tail;
        if (tail is > 0 and <= 8 && W256.CanUnzip)
        {
            Fused3x3Strip<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(p, g, ref x, ref y, ref f, OW - 8);
            for (int j = 0; j < full; j += n) Fused3x3Strip<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(p, g, ref x, ref y, ref f, j);
            return;
        }
        for (int j = 0; NchwDriver.Next(ref j, n, OW); j += n) Fused3x3Strip<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(p, g, ref x, ref y, ref f, j);
    }

    /// <summary>
    /// One strip of <c>TW.Count</c> output columns from column <paramref name="j"/> of <see cref="Fused3x3Plane{TOp}"/>: Vector512
    /// strips, and a last strip of at most 8 columns as Vector256 (the same per-lane additions and factor, so the same bits).
    /// The first strip's first tap vector (begin padding) and the last strip's third (end padding) are the loaded neighbour
    /// moved by one lane with a −0 shifted in (<see cref="IWidth{TV, TI, TM}.ShiftIn"/>, <see cref="IWidth{TV, TI, TM}.ShiftDown"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fused3x3Strip<TOp, TW, TV, TI, TM>(PoolPlan p, Fused3x3Geometry g, ref float x, ref float y, ref float f, int j)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count, W = p.LW, H = p.LH, OW = p.OW, OH = p.OH, cs = g.ColStart0, rs = g.RowStart0;
        TV negZero = TW.Broadcast(-0f);
        bool first = j == 0 && cs < 0, last = j == OW - n && g.RightOvershoot;
        int c0 = j + cs; // input column of tap 0 of this strip's first output
        // Row sum of input row r for this strip (−0 outside the plane).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        TV Row(ref float xr, int r)
        {
            if ((uint)r >= (uint)H) return negZero;
            ref float row = ref Unsafe.Add(ref xr, r * W);
            TV t0, t1, t2;
            if (first)
            {
                t1 = TW.Load(ref row, 0);
                t0 = TW.ShiftIn(negZero, t1);   // [−0, x0 .. x(n−2)]
                t2 = TW.Load(ref row, 1);
            }
            else if (last)
            {
                t0 = TW.Load(ref row, c0);
                t1 = TW.Load(ref row, c0 + 1);
                t2 = TW.ShiftDown(t1, negZero); // [x(c0+2) .. x(W−1), −0]
            }
            else
            {
                t0 = TW.Load(ref row, c0);
                t1 = TW.Load(ref row, c0 + 1);
                t2 = TW.Load(ref row, c0 + 2);
            }
            return TW.Invoke<TOp>(TW.Invoke<TOp>(TW.Term<TOp>(t0), TW.Term<TOp>(t1)), TW.Term<TOp>(t2));
        }
        var h0 = Row(ref x, rs);
        var h1 = Row(ref x, rs + 1);
        for (int oh = 0; oh < OH; oh++)
        {
            var h2 = Row(ref x, rs + oh + 2);
            var acc = TW.Invoke<TOp>(TW.Invoke<TOp>(h0, h1), h2);
            TW.Store(TW.Finalize<TOp>(acc, TW.Load(ref f, oh * OW + j)), ref y, oh * OW + j);
            h0 = h1; h1 = h2;
        }
    }

    static void AccumulateSlice<TOp>(PoolPlan p, ref float x, ref float y, ref float f, bool finalize, Scratch s) where TOp : IAccumulateOperator
    {
        int H = p.LH, W = p.LW, OW = p.OW, OH = p.OH;
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        for (int ih = 0; ih < H; ih++)
            RowAccumulate<TOp>(p, ref Unsafe.Add(ref x, ih * W), ref Unsafe.Add(ref t, ih * OW), s);
        for (int oh = 0; oh < OH; oh++)
        {
            int cnt = p.CountH[oh];
            if (cnt == 0) continue;
            ColAccumulateTier<TOp>(ref t, OW, p.FirstH[oh], cnt, p.DilH, ref Unsafe.Add(ref f, oh * OW), finalize, ref Unsafe.Add(ref y, oh * OW));
        }
    }

    static void ColAccumulateTier<TOp>(ref float t, int len, int first, int cnt, int dil, ref float f, bool finalize, ref float y) where TOp : IAccumulateOperator
    {
        switch (Cascade.For(len))
        {
            case Tier.V512: ColAccumulate<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, len, first, cnt, dil, ref f, finalize, ref y); break;
            case Tier.V256: ColAccumulate<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, len, first, cnt, dil, ref f, finalize, ref y); break;
            case Tier.V128: ColAccumulate<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, len, first, cnt, dil, ref f, finalize, ref y); break;
            default: ColAccumulate<TOp, Scalar, float, int, bool>(ref t, len, first, cnt, dil, ref f, finalize, ref y); break;
        }
    }

    // ---- row pass: one input row → one row of OW window-column results (value, column index) ----

    static void RowSelect<TOp>(PoolPlan p, ref float x, ref float trow, ref int tirow, Scratch s) where TOp : ISelectOperator
    {
        int k = p.KernelW, d = p.DilW, lo = p.InteriorLo, hi = p.InteriorHi;
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

    static void RowAccumulate<TOp>(PoolPlan p, ref float x, ref float trow, Scratch s) where TOp : IAccumulateOperator
    {
        int k = p.KernelW, d = p.DilW, lo = p.InteriorLo, hi = p.InteriorHi;
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
            float acc = cnt > 0 ? TOp.Term(Unsafe.Add(ref x, c0)) : 0f;
            for (int m = 1; m < cnt; m++) acc = TOp.Invoke(acc, TOp.Term(Unsafe.Add(ref x, c0 + m * d)));
            Unsafe.Add(ref trow, ow) = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Next(ref int j, int n, int len)
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
            TV acc = TW.Term<TOp>(TW.Load(ref x, j));
            for (int m = 1; m < k; m++) acc = TW.Invoke<TOp>(acc, TW.Term<TOp>(TW.Load(ref x, j + m * d)));
            TW.Store(acc, ref r, j);
        }
    }

    // ---- column (and depth) pass: the cnt partial results of one output row (slice), SIMD over its len cells ----

    static void ColSelect<TOp, TW, TV, TI, TM>(ref float t, ref int ti, int len, int stride, int i0, int cnt, int dil, ref float y, ref int yi)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            int i = i0;
            TV acc = TW.Load(ref t, i * len + j);
            TI idx = TW.AddI(TW.LoadI(ref ti, i * len + j), TW.BroadcastI(i * stride));
            for (int m = 1; m < cnt; m++)
            {
                i += dil;
                TV v = TW.Load(ref t, i * len + j);
                TM mk = TW.Replaces<TOp>(v, acc);
                acc = TW.Select(mk, v, acc);
                idx = TW.SelectI(mk, TW.AddI(TW.LoadI(ref ti, i * len + j), TW.BroadcastI(i * stride)), idx);
            }
            TW.Store(acc, ref y, j);
            TW.StoreI(idx, ref yi, j);
        }
    }

    static void ColAccumulate<TOp, TW, TV, TI, TM>(ref float t, int len, int i0, int cnt, int dil, ref float f, bool finalize, ref float y)
        where TOp : IAccumulateOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            int i = i0;
            TV acc = TW.Load(ref t, i * len + j);
            for (int m = 1; m < cnt; m++) { i += dil; acc = TW.Invoke<TOp>(acc, TW.Load(ref t, i * len + j)); }
            TW.Store(finalize ? TW.Finalize<TOp>(acc, TW.Load(ref f, j)) : acc, ref y, j);
        }
    }

    // ---- values-only fast path: width stride 2, no dilation along the width, 1-D and 2-D (issue 6: W1, W2) ----

    /// <summary>
    /// The width geometry of the stride-2 values-only path: interior output columns <c>[Lo, Lo + Len)</c> start at input column
    /// <c>J0 + 2·i</c> and are computed <see cref="Tier"/>-wide from pairs of contiguous loads de-interleaved into their even and
    /// odd lanes; <c>Len</c> is trimmed so the last vector's loads stay inside the row (only k = 1 reads one column past its tap). <see cref="Scalar"/> lists every other output column (padding borders, ceil overhangs, the
    /// trimmed ones), scanned one tap at a time — skipping out-of-bounds taps gives the value −∞ padding would give to a max.
    /// </summary>
    internal sealed class Stride2Rows
    {
        public required int Lo { get; init; }
        public required int Len { get; init; }
        public required int J0 { get; init; }
        public required Tier Tier { get; init; }
        public required int[] Scalar { get; init; }
        /// <summary>Input column of output column 0's first tap, unclipped (−pad_begin); every window starts 2 further.</summary>
        public required int Start0 { get; init; }
        /// <summary>−∞ cells before column 0 of a column-maxima row (covering the begin padding).</summary>
        public required int PadL { get; init; }
        /// <summary>Length of a padded column-maxima row: PadL + LW + −∞ cells after it, enough for every vector load of the row.</summary>
        public required int RowLength { get; init; }
        /// <summary>Output rows per block of column maxima (about 16 KiB of rows).</summary>
        public required int Block { get; init; }
        /// <summary>The tier of the columns-first plane: both of its passes (the narrower of the input and output rows' tiers).</summary>
        public required Tier PlaneTier { get; init; }
        /// <summary>
        /// Whether the columns-first plane runs in one pass (<see cref="Stride2OnePassRow{TW, TV, TI, TM, TTaps}"/>): every window lies within
        /// columns <c>2·ow − 1 … 2·ow + 1</c> (k ≤ 3, begin padding 0 or 1, so its taps are the previous block's last odd lane, the
        /// even lane and the odd lane), no window reaches past the row (<c>2·OW ≤ W</c>) and a row holds a whole
        /// <see cref="PlaneTier"/> vector of outputs.
        /// </summary>
        public required bool OnePass { get; init; }

        /// <summary>A buffer of <see cref="Block"/> padded rows, the padding cells −∞ (a max never takes them over an in-bounds tap).</summary>
        public float[] NewColumnBuffer()
        {
            var b = new float[Block * RowLength];
            Array.Fill(b, float.NegativeInfinity);
            return b;
        }

        /// <summary>The geometry when the fast path applies to <paramref name="p"/>, else null (the general separable kernel runs).</summary>
        public static Stride2Rows? For(PoolPlan p)
        {
            int k = p.KernelW, lo = p.InteriorLo, hi = p.InteriorHi;
            if (!p.SingleSlice || k < 1 || p.DilW != 1 || hi - lo < 2) return null;
            for (int ow = lo; ow + 1 < hi; ow++) if (p.FirstW[ow + 1] - p.FirstW[ow] != 2) return null;
            int j0 = p.FirstW[lo], len = hi - lo;
            while (len > 0 && j0 + 2 * len - 1 + Math.Max(0, k - 2) > p.LW - 1) len--; // k = 1: the odd lane after the last tap
            var tier = Unzipping(Cascade.For(len));
            var scalar = Enumerable.Range(0, p.OW).Where(ow => ow < lo || ow >= lo + len).ToArray();
            // Every window, clipped or not, is [start0 + 2·ow, start0 + 2·ow + k) ∩ [0, LW): then a row padded with −∞ on both
            // sides serves every output column with the interior's vector code (a window without taps is p.Empty's).
            int start0 = p.FirstW[lo] - 2 * lo;
            if (!ClippedWindows.Match(p.FirstW, p.CountW, p.OW, p.LW, start0, 2, k)) return null;
            int padL = Math.Max(0, -start0);
            var planeTier = Unzipping(Cascade.For(Math.Min(p.OW, p.LW)));
            // The window pass reads up to 2·OW + k + 1 cells from output column 0's first tap (the last vector overlapping).
            int rowLength = Math.Max(padL + p.LW, padL + start0 + 2 * p.OW + k + 2);
            int last = start0 + k - 1;
            bool onePass = start0 is -1 or 0 && last is 0 or 1 && 2L * p.OW <= p.LW && p.OW >= (int)planeTier;
            return new Stride2Rows
            {
                Lo = lo, Len = len, J0 = j0, Tier = tier, Scalar = scalar, Start0 = start0, PadL = padL, RowLength = rowLength,
                Block = Math.Max(1, 4096 / rowLength), PlaneTier = planeTier, OnePass = onePass,
            };
        }

        /// <summary><paramref name="t"/>, or the widest narrower tier whose even/odd shuffles this machine has.</summary>
        static Tier Unzipping(Tier t)
        {
            while (t != Tier.Scalar && !CanUnzip(t)) t = t == Tier.V512 ? Tier.V256 : t == Tier.V256 ? Tier.V128 : Tier.Scalar;
            return t;
        }

        static bool CanUnzip(Tier t) => t switch { Tier.V512 => W512.CanUnzip, Tier.V256 => W256.CanUnzip, Tier.V128 => W128.CanUnzip, _ => true };
    }

    /// <summary>
    /// One plane, values only, columns first: for every output row, the maxima of its input rows column by column (one pass over
    /// those rows, full width), then the stride-2 window maxima along that row of column maxima — half the de-interleaving work
    /// of <see cref="Stride2ValuesPlane{TOp}"/>, which runs a row pass over every input row, and no row buffer of the plane.
    /// The order of the taps differs from the window's row-major scan order, which decides two things only: which NaN wins
    /// and which of +0 and −0 wins a tie. Every other value of float32 has one encoding, so a max without NaN and with a non-zero
    /// result is the same whatever the order. Hence: a NaN anywhere (noted through the sum of each column's taps, which is NaN
    /// when one of them is; ∞ − ∞ gives a false alarm, which costs time, never bits) sends the plane to
    /// <see cref="Stride2ValuesPlane{TOp}"/>, and an output row with a ±0 result is recomputed in scan order by
    /// <see cref="Stride2RowInScanOrder{TOp}"/>. Same code and order whatever the tier or thread count.
    /// </summary>
    static void Stride2ColumnsFirstTier<TOp>(PoolPlan p, Stride2Rows g, float[] xa, int q, float[] ya, Scratch s) where TOp : ISelectOperator
    {
        switch (g.PlaneTier)
        {
            case Tier.V512: Stride2ColumnsFirstPlane<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(p, g, xa, q, ya, s); break;
            case Tier.V256: Stride2ColumnsFirstPlane<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(p, g, xa, q, ya, s); break;
            case Tier.V128: Stride2ColumnsFirstPlane<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(p, g, xa, q, ya, s); break;
            default: Stride2ColumnsFirstPlane<TOp, Scalar, float, int, bool>(p, g, xa, q, ya, s); break;
        }
    }

    static void Stride2ColumnsFirstPlane<TOp, TW, TV, TI, TM>(PoolPlan p, Stride2Rows g, float[] xa, int q, float[] ya, Scratch s)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        if (g.OnePass)
        {
            Stride2OnePassPlane<TOp, TW, TV, TI, TM>(p, g, xa, q, ya, s);
            return;
        }
        int W = p.LW, OW = p.OW, k = p.KernelW, rowLength = g.RowLength, block = g.Block, step = p.DilH * W;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        // Column 0 of block row 0, and output column 0's first tap in it.
        ref float v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s.V), g.PadL);
        int tap0 = g.Start0;
        int[] countH = p.CountH, firstH = p.FirstH;
        int pfSlice = Prefetch.SliceLength(p.InputPlane, p.OH);
        bool nan = false;
        for (int oh0 = 0; oh0 < p.OH && !nan; oh0 += block)
        {
            // A block of output rows at a time: first their column maxima, then the windows along them, so the window pass never
            // loads what the column pass stored a few cycles earlier (its unaligned loads would wait for those stores).
            int oh1 = Math.Min(p.OH, oh0 + block);
            for (int oh = oh0; oh < oh1 && !nan; oh++)
                if (countH[oh] > 0)
                {
                    Prefetch.Slice(ref x, oh, pfSlice, p.InputPlane);
                    nan = ColumnMax<TW, TV, TI, TM>(ref Unsafe.Add(ref x, firstH[oh] * W), W, countH[oh], step, ref Unsafe.Add(ref v, (oh - oh0) * rowLength));
                }
            if (nan) break;
            for (int oh = oh0; oh < oh1; oh++)
            {
                if (countH[oh] == 0) continue;
                ref float yrow = ref Unsafe.Add(ref y, oh * OW);
                if (WindowMaxStride2<TW, TV, TI, TM>(ref Unsafe.Add(ref v, (oh - oh0) * rowLength + tap0), OW, k, ref yrow))
                    Stride2RowInScanOrder<TOp>(p, g, ref x, oh, ref yrow, s);
            }
        }
        if (nan)
        {
            Stride2ValuesPlane<TOp>(p, g, xa, q, ya, s);
            return;
        }
        foreach (var (cell, val) in p.Empty) Unsafe.Add(ref y, cell) = val;
    }

    /// <summary>
    /// <see cref="Stride2ColumnsFirstPlane{TOp, TW, TV, TI, TM}"/> when <see cref="Stride2Rows.OnePass"/>: each output row in one pass
    /// over its input rows, the column maxima kept in registers (no buffer, no store and reload between the passes), the same
    /// detectors and fallbacks — a NaN in a row sends the plane to <see cref="Stride2ValuesPlane{TOp}"/>, a row with a ±0 result
    /// is recomputed by <see cref="Stride2RowInScanOrder{TOp}"/>.
    /// </summary>
    static void Stride2OnePassPlane<TOp, TW, TV, TI, TM>(PoolPlan p, Stride2Rows g, float[] xa, int q, float[] ya, Scratch s)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int OW = p.OW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        for (int oh = 0; oh < p.OH; oh++)
        {
            // Rows up to the first that needs more than the one pass: a NaN (the plane in scan order) or a ±0 result (that row).
            int stop = (g.Start0, p.KernelW) switch
            {
                (-1, 3) => Stride2OnePassRows<TW, TV, TI, TM, LeftEvenOdd>(p, ref x, oh, ref y),
                (0, 2) => Stride2OnePassRows<TW, TV, TI, TM, EvenOdd>(p, ref x, oh, ref y),
                (-1, 2) => Stride2OnePassRows<TW, TV, TI, TM, LeftEven>(p, ref x, oh, ref y),
                _ => Stride2OnePassRows<TW, TV, TI, TM, Even>(p, ref x, oh, ref y),
            };
            oh = stop >> 2;
            if (oh >= p.OH) break;
            if ((stop & FoundNaN) != 0)
            {
                Stride2ValuesPlane<TOp>(p, g, xa, q, ya, s);
                return;
            }
            Stride2RowInScanOrder<TOp>(p, g, ref x, oh, ref Unsafe.Add(ref y, oh * OW), s);
        }
        foreach (var (cell, val) in p.Empty) Unsafe.Add(ref y, cell) = val;
    }

    /// <summary>Which of column <c>2t − 1</c> (left), <c>2t</c> and <c>2t + 1</c> (odd) a one-pass stride-2 window takes.</summary>
    interface IStride2Taps
    {
        static abstract bool Left { get; }
        static abstract bool Odd { get; }
    }
    readonly struct LeftEvenOdd : IStride2Taps { public static bool Left => true; public static bool Odd => true; }
    readonly struct EvenOdd : IStride2Taps { public static bool Left => false; public static bool Odd => true; }
    readonly struct LeftEven : IStride2Taps { public static bool Left => true; public static bool Odd => false; }
    readonly struct Even : IStride2Taps { public static bool Left => false; public static bool Odd => false; }

    const int FoundNaN = 1, FoundZero = 2;

    /// <summary>
    /// Output rows <paramref name="oh0"/>, … of a plane by <see cref="Stride2OnePassRow{TW, TV, TI, TM, TTaps}"/>, with the plane's
    /// prefetch, up to the first row that found a NaN or a ±0 result: returns <c>row · 4 | found</c> for it, or <c>OH · 4</c>. A call
    /// of its own without calls in its loop, so the JIT keeps the vectors in registers and a row costs no call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Stride2OnePassRows<TW, TV, TI, TM, TTaps>(PoolPlan p, ref float x, int oh0, ref float y)
        where TW : IWidth<TV, TI, TM> where TTaps : IStride2Taps
    {
        int W = p.LW, OW = p.OW, OH = p.OH, step = p.DilH * W, plane = p.InputPlane;
        int[] countH = p.CountH, firstH = p.FirstH;
        int pfSlice = Prefetch.SliceLength(plane, OH);
        for (int oh = oh0; oh < OH; oh++)
        {
            int cnt = countH[oh];
            if (cnt == 0) continue;
            Prefetch.Slice(ref x, oh, pfSlice, plane);
            int found = Stride2OnePassRow<TW, TV, TI, TM, TTaps>(ref Unsafe.Add(ref x, firstH[oh] * W), W, cnt, step, OW, ref Unsafe.Add(ref y, oh * OW));
            if (found != 0) return oh << 2 | found;
        }
        return OH << 2;
    }

    /// <summary>
    /// One output row of the one-pass stride-2 max: <c>r[t] = max(c[2t − 1] if Left, c[2t], c[2t + 1] if Odd)</c> for <c>t &lt; len</c>,
    /// where <c>c[j] = max over m &lt; cnt of x[m·step + j]</c> (c[−1] = −∞, the begin padding). A block of Count outputs takes the
    /// column maxima of its 2·Count columns <c>a ‖ b</c>: <c>c[2t]</c> are their even lanes, <c>c[2t + 1]</c> the odd ones, and
    /// <c>c[2t − 1]</c> the odd ones moved up one lane with the previous block's last odd lane shifted in
    /// (<see cref="IWidth{TV, TI, TM}.ShiftIn"/>). The outputs past the last whole block: when their columns fit in one vector inside
    /// the row, from that vector (a store of those outputs only); else a last block overlapping the previous one, its left
    /// taps loaded one column earlier. Every load stays inside the row's columns 0 … 2·len − 1 (the caller's 2·len ≤ w). Ordered
    /// max (no NaN by the returned check). Returns <see cref="FoundNaN"/> when a tap read was NaN (the sum of all of them is; ∞ − ∞
    /// answers yes too) and <see cref="FoundZero"/> when a result is ±0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Stride2OnePassRow<TW, TV, TI, TM, TTaps>(ref float x, int w, int cnt, int step, int len, ref float r)
        where TW : IWidth<TV, TI, TM> where TTaps : IStride2Taps
    {
        int n = TW.Count;
        TV sum = TW.Zero, least = TW.Broadcast(float.PositiveInfinity), prevOdds = TW.Broadcast(float.NegativeInfinity);
        int t = 0;
        if (cnt == 3)
        {
            ref float x1 = ref Unsafe.Add(ref x, step), x2 = ref Unsafe.Add(ref x, 2 * step);
            for (; t + n <= len; t += n)
            {
                int j = 2 * t;
                TV a0 = TW.Load(ref x, j), a1 = TW.Load(ref x1, j), a2 = TW.Load(ref x2, j);
                TV b0 = TW.Load(ref x, j + n), b1 = TW.Load(ref x1, j + n), b2 = TW.Load(ref x2, j + n);
                sum = TW.Add(sum, TW.Add(TW.Add(TW.Add(a0, a1), a2), TW.Add(TW.Add(b0, b1), b2)));
                TV a = TW.MaxOrdered(TW.MaxOrdered(a0, a1), a2), b = TW.MaxOrdered(TW.MaxOrdered(b0, b1), b2);
                TV odds = TW.Odds(a, b), acc = Stride2Windows<TW, TV, TI, TM, TTaps>(TW.Evens(a, b), odds, prevOdds);
                prevOdds = odds;
                least = TW.MinMagnitude(least, acc);
                TW.Store(acc, ref r, t);
            }
        }
        else
        {
            for (; t + n <= len; t += n)
            {
                TV a = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t, cnt, step, ref sum), b = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t + n, cnt, step, ref sum);
                TV odds = TW.Odds(a, b), acc = Stride2Windows<TW, TV, TI, TM, TTaps>(TW.Evens(a, b), odds, prevOdds);
                prevOdds = odds;
                least = TW.MinMagnitude(least, acc);
                TW.Store(acc, ref r, t);
            }
        }
        int rest = len - t;
        if (rest > 0 && 2 * rest <= n && 2 * t + n <= w)
        {
            // Lanes past rest are windows of columns inside the row too: at worst a false ±0 alarm, which costs time, never bits.
            TV a = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t, cnt, step, ref sum);
            TV acc = Stride2Windows<TW, TV, TI, TM, TTaps>(TW.Evens(a, a), TW.Odds(a, a), prevOdds);
            least = TW.MinMagnitude(least, acc);
            TW.StoreFirst(acc, ref r, t, rest);
        }
        else if (rest > 0)
        {
            int t0 = len - n; // ≥ 1: len > n here
            TV a = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t0, cnt, step, ref sum), b = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t0 + n, cnt, step, ref sum);
            TV acc = TW.Evens(a, b);
            if (TTaps.Odd) acc = TW.MaxOrdered(acc, TW.Odds(a, b));
            if (TTaps.Left)
            {
                TV c = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t0 - 1, cnt, step, ref sum), d = ColumnMaxAt<TW, TV, TI, TM>(ref x, 2 * t0 - 1 + n, cnt, step, ref sum);
                acc = TW.MaxOrdered(acc, TW.Evens(c, d));
            }
            least = TW.MinMagnitude(least, acc);
            TW.Store(acc, ref r, t0);
        }
        return (TW.AnySet(TW.NoteNaN(TW.Zero, sum, sum)) ? FoundNaN : 0) | (TW.AnyZero(least) ? FoundZero : 0);
    }

    /// <summary>
    /// The window maxima of a block from its column maxima: <paramref name="evens"/> (column 2t), with <paramref name="odds"/>
    /// (2t + 1) where the window reaches it and the odd lanes moved up one lane after <paramref name="prevOdds"/>'s last
    /// (2t − 1) where it starts there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV Stride2Windows<TW, TV, TI, TM, TTaps>(TV evens, TV odds, TV prevOdds) where TW : IWidth<TV, TI, TM> where TTaps : IStride2Taps
    {
        TV acc = evens;
        if (TTaps.Odd) acc = TW.MaxOrdered(acc, odds);
        if (TTaps.Left) acc = TW.MaxOrdered(acc, TW.ShiftIn(prevOdds, odds));
        return acc;
    }

    /// <summary>The column maxima <c>max over m &lt; cnt of x[m·step + j + i]</c> of one vector at <paramref name="j"/>, their taps added to <paramref name="sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV ColumnMaxAt<TW, TV, TI, TM>(ref float x, int j, int cnt, int step, ref TV sum) where TW : IWidth<TV, TI, TM>
    {
        TV acc = TW.Load(ref x, j);
        sum = TW.Add(sum, acc);
        for (int m = 1, o = j + step; m < cnt; m++, o += step)
        {
            TV v = TW.Load(ref x, o);
            acc = TW.MaxOrdered(acc, v);
            sum = TW.Add(sum, v);
        }
        return acc;
    }

    /// <summary>
    /// <c>v[j] = max over m &lt; cnt of x[m·step + j]</c> for <c>j &lt; len</c> (ordered max; last vector overlapping; three rows,
    /// the common case, in straight-line code). Returns whether a column held a NaN, by the sum of every tap read (NaN when one of
    /// them is; ∞ − ∞ or an overflow to both infinities also answers yes).
    /// </summary>
    static bool ColumnMax<TW, TV, TI, TM>(ref float x, int len, int cnt, int step, ref float v) where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        TV sum = TW.Zero;
        if (cnt == 3)
        {
            ref float x1 = ref Unsafe.Add(ref x, step), x2 = ref Unsafe.Add(ref x, 2 * step);
            for (int j = 0; Next(ref j, n, len); j += n)
            {
                TV a = TW.Load(ref x, j), b = TW.Load(ref x1, j), c = TW.Load(ref x2, j);
                sum = TW.Add(sum, TW.Add(TW.Add(a, b), c));
                TW.Store(TW.MaxOrdered(TW.MaxOrdered(a, b), c), ref v, j);
            }
        }
        else
        {
            for (int j = 0; Next(ref j, n, len); j += n) TW.Store(ColumnMaxAt<TW, TV, TI, TM>(ref x, j, cnt, step, ref sum), ref v, j);
        }
        return TW.AnySet(TW.NoteNaN(TW.Zero, sum, sum));
    }

    /// <summary>
    /// <c>r[i] = max over m &lt; k of v[2i + m]</c> for <c>i &lt; len</c> (loads as in <see cref="RowStride2"/>; ordered max, no NaN by
    /// the caller's check; k = 3 in straight-line code). Returns whether a result is ±0 (the least magnitude of the results is 0).
    /// </summary>
    static bool WindowMaxStride2<TW, TV, TI, TM>(ref float v, int len, int k, ref float r) where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        TV least = TW.Broadcast(float.PositiveInfinity);
        if (k == 3)
        {
            for (int j = 0; Next(ref j, n, len); j += n)
            {
                ref float b = ref Unsafe.Add(ref v, 2 * j);
                TV a0 = TW.Load(ref b, 0), a1 = TW.Load(ref b, n), b0 = TW.Load(ref b, 1), b1 = TW.Load(ref b, 1 + n);
                TV acc = TW.MaxOrdered(TW.MaxOrdered(TW.Evens(a0, a1), TW.Odds(a0, a1)), TW.Odds(b0, b1));
                least = TW.MinMagnitude(least, acc);
                TW.Store(acc, ref r, j);
            }
            return TW.AnyZero(least);
        }
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            ref float b = ref Unsafe.Add(ref v, 2 * j);
            TV a0 = TW.Load(ref b, 0), a1 = TW.Load(ref b, n);
            TV acc = TW.Evens(a0, a1);
            if (k > 1) acc = TW.MaxOrdered(acc, TW.Odds(a0, a1));
            for (int m = 2; m < k; m += 2)
            {
                if (m + 1 < k)
                {
                    a0 = TW.Load(ref b, m); a1 = TW.Load(ref b, m + n);
                    acc = TW.MaxOrdered(TW.MaxOrdered(acc, TW.Evens(a0, a1)), TW.Odds(a0, a1));
                }
                else
                {
                    a0 = TW.Load(ref b, m - 1); a1 = TW.Load(ref b, m - 1 + n);
                    acc = TW.MaxOrdered(acc, TW.Odds(a0, a1));
                }
            }
            least = TW.MinMagnitude(least, acc);
            TW.Store(acc, ref r, j);
        }
        return TW.AnyZero(least);
    }

    /// <summary>
    /// One output row of <see cref="Stride2ColumnsFirstPlane{TOp, TW, TV, TI, TM}"/> again in the window's scan order (row maxima of each of its
    /// input rows, then those combined top to bottom): the row had a ±0 result, whose sign the scan order decides.
    /// </summary>
    static void Stride2RowInScanOrder<TOp>(PoolPlan p, Stride2Rows g, ref float x, int oh, ref float yrow, Scratch s) where TOp : ISelectOperator
    {
        int W = p.LW, OW = p.OW, k = p.KernelW, cnt = p.CountH[oh];
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        bool nan = false;
        for (int m = 0; m < cnt; m++)
        {
            ref float xr = ref Unsafe.Add(ref x, (p.FirstH[oh] + m * p.DilH) * W);
            ref float tr = ref Unsafe.Add(ref t, m * OW);
            if (g.Len > 0)
            {
                ref float xs = ref Unsafe.Add(ref xr, g.J0);
                ref float ts = ref Unsafe.Add(ref tr, g.Lo);
                nan |= g.Tier switch
                {
                    Tier.V512 => RowStride2<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xs, g.Len, k, ref ts),
                    Tier.V256 => RowStride2<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xs, g.Len, k, ref ts),
                    Tier.V128 => RowStride2<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xs, g.Len, k, ref ts),
                    _ => RowStride2<TOp, Scalar, float, int, bool>(ref xs, g.Len, k, ref ts),
                };
            }
            foreach (int ow in g.Scalar)
            {
                int cw = p.CountW[ow], c0 = p.FirstW[ow];
                float acc = cw > 0 ? Unsafe.Add(ref xr, c0) : float.NegativeInfinity;
                for (int j = 1; j < cw; j++)
                {
                    float val = Unsafe.Add(ref xr, c0 + j);
                    if (TOp.Replaces(val, acc)) acc = val;
                }
                Unsafe.Add(ref tr, ow) = acc;
            }
        }
        switch (Cascade.For(OW))
        {
            case Tier.V512: ColValues<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, OW, 0, cnt, 1, nan, ref yrow); break;
            case Tier.V256: ColValues<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, OW, 0, cnt, 1, nan, ref yrow); break;
            case Tier.V128: ColValues<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, OW, 0, cnt, 1, nan, ref yrow); break;
            default: ColValues<TOp, Scalar, float, int, bool>(ref t, OW, 0, cnt, 1, nan, ref yrow); break;
        }
    }

    /// <summary>
    /// One plane, values only: every input row → its OW row maxima (taps left to right, seeded by the first), then every output
    /// row combines its rows top to bottom seeded by the first — the window's row-major scan order, so the operator's rule gives
    /// the full scan's value (NaN propagation, the first of ±0). Same code and order whatever the tier or thread count.
    /// </summary>
    static void Stride2ValuesPlane<TOp>(PoolPlan p, Stride2Rows g, float[] xa, int q, float[] ya, Scratch s) where TOp : ISelectOperator
    {
        int W = p.LW, OW = p.OW, k = p.KernelW;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        ref float t = ref MemoryMarshal.GetArrayDataReference(s.T);
        bool nan = false; // a NaN among the row results: the column pass takes the operator's full rule
        int[] scalarCols = g.Scalar, countW = p.CountW, firstW = p.FirstW;
        for (int ih = 0; ih < p.LH; ih++)
        {
            ref float xr = ref Unsafe.Add(ref x, ih * W);
            ref float tr = ref Unsafe.Add(ref t, ih * OW);
            if (g.Len > 0)
            {
                ref float xs = ref Unsafe.Add(ref xr, g.J0);
                ref float ts = ref Unsafe.Add(ref tr, g.Lo);
                bool rowNaN = g.Tier switch
                {
                    Tier.V512 => RowStride2<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xs, g.Len, k, ref ts),
                    Tier.V256 => RowStride2<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xs, g.Len, k, ref ts),
                    Tier.V128 => RowStride2<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xs, g.Len, k, ref ts),
                    _ => RowStride2<TOp, Scalar, float, int, bool>(ref xs, g.Len, k, ref ts),
                };
                nan |= rowNaN;
            }
            for (int si = 0; si < scalarCols.Length; si++)
            {
                int ow = scalarCols[si], cnt = countW[ow], c0 = firstW[ow];
                float acc = cnt > 0 ? Unsafe.Add(ref xr, c0) : float.NegativeInfinity;
                for (int m = 1; m < cnt; m++)
                {
                    float v = Unsafe.Add(ref xr, c0 + m);
                    if (TOp.Replaces(v, acc)) acc = v;
                }
                Unsafe.Add(ref tr, ow) = acc;
                nan |= float.IsNaN(acc);
            }
        }
        var tier = Cascade.For(OW);
        for (int oh = 0; oh < p.OH; oh++)
        {
            int cnt = p.CountH[oh];
            if (cnt == 0) continue;
            ref float yrow = ref Unsafe.Add(ref y, oh * OW);
            switch (tier)
            {
                case Tier.V512: ColValues<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref t, OW, p.FirstH[oh], cnt, p.DilH, nan, ref yrow); break;
                case Tier.V256: ColValues<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref t, OW, p.FirstH[oh], cnt, p.DilH, nan, ref yrow); break;
                case Tier.V128: ColValues<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref t, OW, p.FirstH[oh], cnt, p.DilH, nan, ref yrow); break;
                default: ColValues<TOp, Scalar, float, int, bool>(ref t, OW, p.FirstH[oh], cnt, p.DilH, nan, ref yrow); break;
            }
        }
        foreach (var (cell, v) in p.Empty) Unsafe.Add(ref y, cell) = v;
    }

    /// <summary>
    /// <c>r[i] = max over m &lt; k of x[2i + m]</c> for <c>i &lt; len</c>, taps in order. Tap 0 is the even lanes of the 2·Count floats
    /// at <c>2i</c>, tap 1 their odd lanes, an even tap <c>m</c> followed by <c>m + 1</c> the even and odd lanes of those at <c>2i + m</c>,
    /// and a last even tap the odd lanes of those at <c>2i + m − 1</c>, so for k ≥ 2 no load passes the last tap. Last vector overlapping.
    /// First with the ordered select <c>x &gt; acc ? x : acc</c> (the operator's rule for every non-NaN tap), noting NaN over
    /// <c>x[0 .. 2·len + k − 3]</c>; a row with a NaN is recomputed with the operator's full rule. Returns whether it had one.
    /// </summary>
    static bool RowStride2<TOp, TW, TV, TI, TM>(ref float x, int len, int k, ref float r)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        TV seen = TW.Zero;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            ref float b = ref Unsafe.Add(ref x, 2 * j);
            TV a0 = TW.Load(ref b, 0), a1 = TW.Load(ref b, n);
            seen = TW.NoteNaN(seen, a0, a1); // x[2j .. 2j + 2n − 1]: over every j, x[0 .. 2·len − 1]
            TV acc = TW.Evens(a0, a1);
            if (k > 1) acc = TW.MaxOrdered(acc, TW.Odds(a0, a1));
            for (int m = 2; m < k; m += 2)
            {
                if (m + 1 < k)
                {
                    a0 = TW.Load(ref b, m); a1 = TW.Load(ref b, m + n);
                    acc = TW.MaxOrdered(TW.MaxOrdered(acc, TW.Evens(a0, a1)), TW.Odds(a0, a1));
                }
                else
                {
                    a0 = TW.Load(ref b, m - 1); a1 = TW.Load(ref b, m - 1 + n);
                    acc = TW.MaxOrdered(acc, TW.Odds(a0, a1));
                }
            }
            TW.Store(acc, ref r, j);
        }
        bool nan = TW.AnySet(seen);
        for (int c = 2 * len; c <= 2 * len + k - 3 && !nan; c++) nan = float.IsNaN(Unsafe.Add(ref x, c));
        if (!nan) return false;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            ref float b = ref Unsafe.Add(ref x, 2 * j);
            TV acc = TW.Evens(TW.Load(ref b, 0), TW.Load(ref b, n));
            for (int m = 1; m < k; m++) acc = TW.Combine<TOp>(acc, TW.Odds(TW.Load(ref b, m - 1), TW.Load(ref b, m - 1 + n)));
            TW.Store(acc, ref r, j);
        }
        return true;
    }

    /// <summary>One output row of values from its <c>cnt</c> row results; <paramref name="nan"/>: some row result may be NaN (full rule).</summary>
    static void ColValues<TOp, TW, TV, TI, TM>(ref float t, int len, int i0, int cnt, int dil, bool nan, ref float y)
        where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; Next(ref j, n, len); j += n)
        {
            int i = i0;
            TV acc = TW.Load(ref t, i * len + j);
            if (nan) for (int m = 1; m < cnt; m++) { i += dil; acc = TW.Combine<TOp>(acc, TW.Load(ref t, i * len + j)); }
            else for (int m = 1; m < cnt; m++) { i += dil; acc = TW.MaxOrdered(acc, TW.Load(ref t, i * len + j)); }
            TW.Store(acc, ref y, j);
        }
    }
}
