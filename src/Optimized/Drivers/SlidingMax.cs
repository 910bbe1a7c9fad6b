using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>How partial maxima are combined by <see cref="SlidingMax"/>.</summary>
public interface IMaxRule
{
    static abstract TV Max<TW, TV, TI, TM>(TV acc, TV x) where TW : IWidth<TV, TI, TM>;
    /// <summary>Whether the rule drops NaN (then the caller must be told of every NaN tap, to redo the unit with the operator's rule).</summary>
    static abstract bool NotesNaN { get; }
}

/// <summary><c>x &gt; acc ? x : acc</c> (one <c>maxps</c>): exact for every input without NaN; NaN taps are noted, not propagated.</summary>
public readonly struct OrderedMax : IMaxRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Max<TW, TV, TI, TM>(TV acc, TV x) where TW : IWidth<TV, TI, TM> => TW.MaxOrdered(acc, x);
    public static bool NotesNaN => true;
}

/// <summary>
/// The operator's own combine (<see cref="IWidth{TV, TI, TM}.Combine{TOp}"/>): for <see cref="MaxOperator"/> and
/// <see cref="FirstNanMaxOperator"/> a NaN in either argument gives NaN, so the combine is associative and commutative on values
/// (payloads and the sign of a zero aside), which is what a sliding max needs.
/// </summary>
public readonly struct OperatorMax<TOp> : IMaxRule where TOp : ISelectOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Max<TW, TV, TI, TM>(TV acc, TV x) where TW : IWidth<TV, TI, TM> => TW.Combine<TOp>(acc, x);
    public static bool NotesNaN => false;
}

/// <summary>How the planar kernel slides a window along a contiguous row (SIMD along the same axis).</summary>
public enum RowMethod
{
    /// <summary><c>k</c> overlapping loads and <c>k − 1</c> maxima per vector of outputs.</summary>
    Naive,
    /// <summary>Sparse table: maxima over 2, 4, 8, … taps in row buffers, then two overlapping entries per window (O(log k)).</summary>
    Doubling,
    /// <summary>Van Herk / Gil-Werman along the row one float at a time (scalar, about 3 operations per output).</summary>
    VanHerkScalar,
}

/// <summary>
/// Stride-1 sliding max by van Herk / Gil-Werman: along an axis cut into blocks of <c>k</c> positions, suffix maxima <c>h</c>
/// (right to left inside a block) and prefix maxima <c>g</c> (left to right inside a block) give every window of <c>k</c>
/// consecutive positions as <c>max(h[i], g[i + k − 1])</c> — about three max operations per element whatever <c>k</c>, against
/// <c>k − 1</c> for a direct scan. An axis position is a vector of floats (SIMD across the other axis or the channels), so the
/// axis itself may be strided: the planar column axis (SIMD along the row), the channels-last row and column axes (SIMD along
/// the channels). Out-of-bounds positions (padding, the ceil overhang) are the rule's identity (−∞ for a max that skips them).
/// <para>Served: max pooling without indices, stride 1 and dilation 1 on both axes, 1-D and 2-D, NaN propagating
/// (<see cref="MaxOperator"/>, <see cref="FirstNanMaxOperator"/>; not TensorFlow's first-tap-only rule, which is not an associative
/// max), a window of at least <see cref="MinWindow"/> taps on some axis (<see cref="PoolPlan.SlidingMax"/>); and the stride-1
/// "same" pools of the SPP kernels (<see cref="SppBlock{TOp}"/>).</para>
/// <para>Exactness: a max of maxima over any cover of a window is the window's max, bit for bit, for every float without NaN
/// except the sign of a zero (+0 and −0 compare equal). So a unit (plane, channel group) is first computed with the ordered
/// max, noting NaN through the sum of every tap read (NaN when one is; ∞ − ∞ raises a false alarm, which costs time only); a
/// unit with a NaN is computed again with the operator's combine, which propagates NaN; and every ±0 result is recomputed by a
/// direct scan of its window in row-major order with the operator's rule, which decides the sign as the reference does. Same
/// code and order whatever the ISA tier or the thread count.</para>
/// </summary>
public static class SlidingMax
{
    /// <summary>
    /// The smallest window (taps along the height or the width) for which the planar and channels-last max kernels take this
    /// path; see docs in <see cref="Windows.For"/> for the measurement behind it.
    /// </summary>
    public const int MinWindow = 4;

    /// <summary>Whether a max over <paramref name="p"/> without indices takes the sliding-max path (for tests and reports).</summary>
    public static bool TakesSlidingMaxPath(PoolPlan p) => p.SlidingMax is not null;

    /// <summary>The stride-1 window geometry of a plan: windows <c>[S0 + o, S0 + o + K) ∩ [0, L)</c> on both axes.</summary>
    public sealed class Windows
    {
        public required int KH { get; init; }
        public required int KW { get; init; }
        public required int S0H { get; init; }
        public required int S0W { get; init; }
        public required RowMethod Row { get; init; }

        /// <summary>The geometry when the path applies to <paramref name="p"/> (a window of at least <paramref name="minWindow"/> taps on some axis), else null.</summary>
        public static Windows? For(PoolPlan p, int minWindow = MinWindow, RowMethod? row = null)
        {
            if (p.Reduction != Core.Reduction.Max || p.NanFirstTapOnly || !p.SingleSlice || p.DilH != 1 || p.DilW != 1) return null;
            if (p.Descriptor is not { } d || d.Axes.Length is < 1 or > 2) return null;
            var aw = d.Axes[^1];
            var ah = d.Axes.Length == 2 ? d.Axes[0] : new Core.Axis(1, 1, 1, 1, 0, 0, 1);
            if (aw.Stride != 1 || ah.Stride != 1 || aw.Dilation != 1 || ah.Dilation != 1) return null;
            if (Math.Max(aw.Kernel, ah.Kernel) < minWindow || aw.Kernel < 1 || ah.Kernel < 1) return null;
            int s0w = -aw.PadBegin, s0h = -ah.PadBegin;
            if (s0w > 0 || s0h > 0) return null;
            if (!Matches(p.FirstW, p.CountW, p.OW, p.LW, s0w, aw.Kernel) || !Matches(p.FirstH, p.CountH, p.OH, p.LH, s0h, ah.Kernel)) return null;
            return new Windows { KH = ah.Kernel, KW = aw.Kernel, S0H = s0h, S0W = s0w, Row = row ?? RowFor(aw.Kernel) };
        }

        static bool Matches(int[] first, int[] count, int outs, int len, int s0, int k)
        {
            for (int o = 0; o < outs; o++)
            {
                int a = Math.Max(0, s0 + o), b = Math.Min(len, s0 + o + k);
                if (b > a ? first[o] != a || count[o] != b - a : count[o] != 0) return false;
            }
            return true;
        }

        /// <summary>The planar row method for a window of <paramref name="k"/> taps (measured: see <see cref="RowFor"/>).</summary>
        static RowMethod RowFor(int k) => SlidingMax.RowFor(k);
    }

    /// <summary>The planar row method for a window width (measured, docs/performance.md).</summary>
    public static RowMethod RowFor(int k) => k >= 6 ? RowMethod.Doubling : RowMethod.Naive;

    /// <summary>
    /// One unit of work as strides: input value (row r, column c, lane j &lt; G) at <c>r·XRow + c·XPix + j</c>, output likewise with
    /// <c>YRow</c>, <c>YPix</c>; window o of an axis is <c>[S0 + o, S0 + o + K)</c>, positions outside the input the identity.
    /// </summary>
    readonly record struct Unit(int LH, int LW, nint XRow, int XPix, int OH, int OW, nint YRow, int YPix, int G,
        int S0H, int S0W, int KH, int KW, float Ident, RowMethod Row)
    {
        public int RowLength => OW + KW - 1;
    }

    sealed class Scratch
    {
        float[] _v = [], _h = [], _a = [], _b = [];
        public float[] V(int n) => _v.Length >= n ? _v : _v = new float[n];
        public float[] H(int n) => _h.Length >= n ? _h : _h = new float[n];
        public float[] A(int n) => _a.Length >= n ? _a : _a = new float[n];
        public float[] B(int n) => _b.Length >= n ? _b : _b = new float[n];
    }

    [ThreadStatic] static Scratch? t_scratch;
    static Scratch Local => t_scratch ??= new Scratch();

    // ---- the max pooling kernels ----

    /// <summary>Planar (NCL, NCHW) max without indices over <paramref name="planes"/> planes; <paramref name="g"/> from <see cref="Windows.For"/>.</summary>
    public static void SelectNchw<TOp>(PoolPlan p, Windows g, int planes, float[] x, float[] y, int threads) where TOp : ISelectOperator
    {
        var u = new Unit(p.LH, p.LW, p.LW, 1, p.OH, p.OW, p.OW, 1, 1, g.S0H, g.S0W, g.KH, g.KW, float.NegativeInfinity, g.Row);
        For(planes, threads, q =>
        {
            ref float xq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)q * p.InputPlane);
            ref float yq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)q * p.OutputPlane);
            WindowUnit<TOp>(u, ref xq, ref yq);
            foreach (var (cell, v) in p.Empty) Unsafe.Add(ref yq, cell) = v;
        });
    }

    /// <summary>Channels-last (NLC, NHWC) max without indices; parallel over (image, channel group), groups of at most 32 channels.</summary>
    public static void SelectNhwc<TOp>(PoolPlan p, Windows g, int batch, int channels, float[] x, float[] y, int threads) where TOp : ISelectOperator
    {
        int groups = (channels + 31) / 32;
        For(batch * groups, threads, t =>
        {
            int n = t / groups, gi = t % groups, c0 = (int)((long)gi * channels / groups), c1 = (int)((long)(gi + 1) * channels / groups);
            var u = new Unit(p.LH, p.LW, (nint)p.LW * channels, channels, p.OH, p.OW, (nint)p.OW * channels, channels, c1 - c0,
                g.S0H, g.S0W, g.KH, g.KW, float.NegativeInfinity, g.Row);
            ref float xq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)n * p.InputPlane * channels + c0);
            ref float yq = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)n * p.OutputPlane * channels + c0);
            WindowUnit<TOp>(u, ref xq, ref yq);
            foreach (var (cell, v) in p.Empty)
                for (int c = 0; c < u.G; c++) Unsafe.Add(ref yq, (nint)cell * channels + c) = v;
        });
    }

    static void For(int units, int threads, Action<int> body)
    {
        if (threads <= 1 || units <= 1) { for (int i = 0; i < units; i++) body(i); return; }
        Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>One unit of a window max: ordered pass, the operator's pass when a NaN was read, then ±0 results in scan order.</summary>
    static void WindowUnit<TOp>(in Unit u, ref float x, ref float y) where TOp : ISelectOperator
    {
        var s = Local;
        bool nan = Compute<OrderedMax>(u, ref x, ref y, s);
        if (nan) Compute<OperatorMax<TOp>>(u, ref x, ref y, s);
        FixZeros<TOp>(u, ref x, ref y, scalarCheck: nan);
    }

    /// <summary>
    /// Every non-empty output whose value is ±0 again by a direct scan of its window in row-major order with the operator's rule.
    /// <paramref name="scalarCheck"/>: the outputs may hold NaN (the vector ±0 detector assumes none).
    /// </summary>
    static void FixZeros<TOp>(in Unit u, ref float x, ref float y, bool scalarCheck) where TOp : ISelectOperator
    {
        for (int oh = 0; oh < u.OH; oh++)
        {
            int r0 = Math.Max(0, u.S0H + oh), r1 = Math.Min(u.LH, u.S0H + oh + u.KH);
            if (r1 <= r0) continue;
            ref float yr = ref Unsafe.Add(ref y, oh * u.YRow);
            if (!scalarCheck && !RowHasZero(ref yr, u.OW, u.YPix, u.G)) continue;
            for (int ow = 0; ow < u.OW; ow++)
            {
                int c0 = Math.Max(0, u.S0W + ow), c1 = Math.Min(u.LW, u.S0W + ow + u.KW);
                if (c1 <= c0) continue;
                for (int j = 0; j < u.G; j++)
                {
                    ref float cell = ref Unsafe.Add(ref yr, (nint)ow * u.YPix + j);
                    if (cell != 0) continue;
                    float acc = Unsafe.Add(ref x, r0 * u.XRow + (nint)c0 * u.XPix + j);
                    for (int r = r0; r < r1; r++)
                        for (int c = r == r0 ? c0 + 1 : c0; c < c1; c++)
                        {
                            float v = Unsafe.Add(ref x, r * u.XRow + (nint)c * u.XPix + j);
                            if (TOp.Replaces(v, acc)) acc = v;
                        }
                    cell = acc;
                }
            }
        }
    }

    /// <summary>Whether one output row (no NaN) holds a ±0: its least magnitude is 0.</summary>
    static bool RowHasZero(ref float y, int ow, int pix, int g)
    {
        if (pix == g) return HasZero(ref y, ow * g); // contiguous
        for (int i = 0; i < ow; i++) if (HasZero(ref Unsafe.Add(ref y, (nint)i * pix), g)) return true;
        return false;
    }

    static bool HasZero(ref float y, int len) => Cascade.For(len) switch
    {
        Tier.V512 => HasZero<W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref y, len),
        Tier.V256 => HasZero<W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref y, len),
        Tier.V128 => HasZero<W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref y, len),
        _ => HasZero<Scalar, float, int, bool>(ref y, len),
    };

    static bool HasZero<TW, TV, TI, TM>(ref float y, int len) where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        TV least = TW.Broadcast(float.PositiveInfinity);
        for (int j = 0; NchwDriver.Next(ref j, n, len); j += n) least = TW.MinMagnitude(least, TW.Load(ref y, j));
        return TW.AnyZero(least);
    }

    // ---- SPP ----

    /// <summary>
    /// Block <paramref name="b"/> of <paramref name="B"/> of an SPP kernel: the stride-1 max of window <paramref name="k"/> with
    /// <c>(k − 1)/2</c> taps before the centre, read from unit <paramref name="u"/>'s bordered plane <paramref name="p"/> (interior
    /// at <paramref name="origin"/>, rows <paramref name="rowF"/> floats apart; for darknet already clamped to ≥ −FLT_MAX),
    /// out-of-bounds taps the rule's <paramref name="identity"/>, written straight into the block's place in y. Values as the
    /// doubling kernel gives them: NaN propagates under PyTorch's rule; the sign of a zero is not fixed (SPP's documented latitude).
    /// </summary>
    internal static void SppBlock<TOp>(TensorLayout layout, float[] p, int origin, int rowF, int b, int B, int C, int h, int w, int k,
        float identity, int u, float[] y) where TOp : ISelectOperator
    {
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p), origin);
        ref float y0 = ref MemoryMarshal.GetArrayDataReference(y);
        int before = (k - 1) / 2;
        bool planar = layout == TensorLayout.Nchw;
        long yBase = planar ? ((long)(u / C * B + b) * C + u % C) * h * w : ((long)u * h * w * B + b) * C;
        var unit = planar
            ? new Unit(h, w, rowF, 1, h, w, w, 1, 1, -before, -before, k, k, identity, RowFor(k))
            : new Unit(h, w, rowF, C, h, w, (nint)w * B * C, B * C, C, -before, -before, k, k, identity, RowFor(k));
        ref float yb = ref Unsafe.Add(ref y0, (nint)yBase);
        var s = Local;
        if (Compute<OrderedMax>(unit, ref x, ref yb, s)) Compute<OperatorMax<TOp>>(unit, ref x, ref yb, s);
    }

    // ---- the two passes ----

    /// <summary>
    /// Column pass (van Herk along the height into V: OH rows of <c>OW + KW − 1</c> positions, the identity outside the input),
    /// then row pass along V's rows into y. Returns whether a NaN was read (<see cref="IMaxRule.NotesNaN"/> rules only).
    /// </summary>
    static bool Compute<TR>(in Unit u, ref float x, ref float y, Scratch s) where TR : IMaxRule
    {
        int rl = u.RowLength, G = u.G;
        nint vRow = (nint)rl * G;
        var va = s.V(u.OH * rl * G);
        ref float v = ref MemoryMarshal.GetArrayDataReference(va);
        int cLo = Math.Max(0, u.S0W), cHi = Math.Min(u.LW, u.S0W + rl);
        int qLo = cLo - u.S0W, qHi = cHi - u.S0W; // V positions that hold input columns
        for (int oh = 0; oh < u.OH; oh++)
        {
            var row = va.AsSpan((int)(oh * vRow), (int)vRow);
            row[..(Math.Max(0, qLo) * G)].Fill(u.Ident);
            row[(Math.Max(qLo, qHi) * G)..].Fill(u.Ident);
        }
        int hNeed = Math.Max(u.OH, u.OW) * 16;
        var ha = s.H(hNeed);
        bool nan = false;
        if (cHi > cLo)
        {
            if (u.XPix == G)
                nan = Axis<TR>(ref Unsafe.Add(ref x, (nint)cLo * u.XPix), u.LH, u.XRow, (cHi - cLo) * G, u.S0H, u.KH, u.OH,
                    ref Unsafe.Add(ref v, (nint)qLo * G), vRow, ha, u.Ident);
            else
                for (int c = cLo; c < cHi; c++)
                    nan |= Axis<TR>(ref Unsafe.Add(ref x, (nint)c * u.XPix), u.LH, u.XRow, G, u.S0H, u.KH, u.OH,
                        ref Unsafe.Add(ref v, (nint)(c - u.S0W) * G), vRow, ha, u.Ident);
        }
        for (int oh = 0; oh < u.OH; oh++)
        {
            ref float vr = ref Unsafe.Add(ref v, oh * vRow);
            ref float yr = ref Unsafe.Add(ref y, oh * u.YRow);
            if (G == 1 && u.YPix == 1) Row<TR>(u.Row, ref vr, rl, u.OW, u.KW, ref yr, s, ha);
            else Axis<TR>(ref vr, rl, G, G, 0, u.KW, u.OW, ref yr, u.YPix, ha, u.Ident);
        }
        return nan;
    }

    /// <summary>
    /// Van Herk along one axis: <c>y[o·yStride + j] = max over r in [o, o + k) of X(r)[j]</c> for <c>o &lt; outs</c>, <c>j &lt; width</c>,
    /// where <c>X(r)[j] = x[(s0 + r)·stride + j]</c> when <c>0 ≤ s0 + r &lt; len</c>, else <paramref name="ident"/>. SIMD over j (last
    /// vector overlapping); per vector column, suffix maxima in <paramref name="h"/> (outs vectors), prefix maxima in a register.
    /// Returns whether a tap read was NaN (<see cref="IMaxRule.NotesNaN"/> rules only).
    /// </summary>
    static bool Axis<TR>(ref float x, int len, nint stride, int width, int s0, int k, int outs, ref float y, nint yStride, float[] h, float ident)
        where TR : IMaxRule
    {
        ref float hb = ref MemoryMarshal.GetArrayDataReference(h);
        return Cascade.For(width) switch
        {
            Tier.V512 => Axis<TR, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref x, len, stride, width, s0, k, outs, ref y, yStride, ref hb, ident),
            Tier.V256 => Axis<TR, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref x, len, stride, width, s0, k, outs, ref y, yStride, ref hb, ident),
            Tier.V128 => Axis<TR, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref x, len, stride, width, s0, k, outs, ref y, yStride, ref hb, ident),
            _ => Axis<TR, Scalar, float, int, bool>(ref x, len, stride, width, s0, k, outs, ref y, yStride, ref hb, ident),
        };
    }

    static bool Axis<TR, TW, TV, TI, TM>(ref float x, int len, nint stride, int width, int s0, int k, int outs, ref float y, nint yStride, ref float h, float ident)
        where TR : IMaxRule where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count, total = outs + k - 1;
        int in0 = Math.Clamp(-s0, 0, total), in1 = Math.Clamp(len - s0, in0, total); // positions r in [in0, in1) are inside the input
        int blocks = (outs + k - 1) / k;
        TV id = TW.Broadcast(ident), sum = TW.Zero;
        for (int j = 0; NchwDriver.Next(ref j, n, width); j += n)
        {
            ref float xj = ref Unsafe.Add(ref x, j);
            // Suffix maxima h[r] = max X(r .. end of r's block), kept for the window starts r < outs.
            for (int b = (blocks - 1) * k; b >= 0; b -= k)
            {
                TV acc = id;
                int r = b + k - 1;
                for (; r >= outs; r--)
                    if (r >= in0 && r < in1) acc = TR.Max<TW, TV, TI, TM>(acc, TW.Load(ref xj, (s0 + r) * stride));
                for (; r >= b; r--)
                {
                    if (r >= in0 && r < in1) acc = TR.Max<TW, TV, TI, TM>(acc, TW.Load(ref xj, (s0 + r) * stride));
                    TW.Store(acc, ref h, (nint)r * n);
                }
            }
            // Prefix maxima g (a register, reset at every block start); window o = [o, o + k) ends at r = o + k − 1.
            TV gv = id;
            int left = 0;
            for (int r = 0; r < total; r++)
            {
                if (left == 0) { gv = id; left = k; }
                left--;
                if (r >= in0 && r < in1)
                {
                    TV xv = TW.Load(ref xj, (s0 + r) * stride);
                    if (TR.NotesNaN) sum = TW.Add(sum, xv);
                    gv = TR.Max<TW, TV, TI, TM>(gv, xv);
                }
                int o = r - (k - 1);
                if (o >= 0) TW.Store(TR.Max<TW, TV, TI, TM>(TW.Load(ref h, (nint)o * n), gv), ref y, o * yStride + j);
            }
        }
        return TR.NotesNaN && TW.AnySet(TW.NoteNaN(TW.Zero, sum, sum));
    }

    /// <summary>A sliding max of <paramref name="k"/> along a contiguous row: <c>y[o] = max v[o .. o + k − 1]</c>, <c>o &lt; outs</c> (v has outs + k − 1 floats).</summary>
    static void Row<TR>(RowMethod method, ref float v, int rl, int outs, int k, ref float y, Scratch s, float[] h) where TR : IMaxRule
    {
        switch (method)
        {
            case RowMethod.VanHerkScalar:
                Axis<TR, Scalar, float, int, bool>(ref v, rl, 1, 1, 0, k, outs, ref y, 1, ref MemoryMarshal.GetArrayDataReference(h), 0f);
                return;
            case RowMethod.Doubling when k >= 2:
                {
                    // Level t: A_t[q] = max v[q .. q + 2^t − 1] for q ≤ rl − 2^t; then y[o] = max(A_J[o], A_J[o + k − 2^J]), 2^J ≤ k < 2^(J+1).
                    ref float a = ref MemoryMarshal.GetArrayDataReference(s.A(rl));
                    ref float b = ref MemoryMarshal.GetArrayDataReference(s.B(rl));
                    ref float src = ref v;
                    int span = 1;
                    bool toA = true;
                    while (2 * span <= k)
                    {
                        ref float dst = ref toA ? ref a : ref b;
                        Shift<TR>(ref src, span, rl - 2 * span + 1, ref dst);
                        src = ref dst;
                        span *= 2;
                        toA = !toA;
                    }
                    Shift<TR>(ref src, k - span, outs, ref y);
                    return;
                }
            default:
                switch (Cascade.For(outs))
                {
                    case Tier.V512: RowNaive<TR, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref v, outs, k, ref y); break;
                    case Tier.V256: RowNaive<TR, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref v, outs, k, ref y); break;
                    case Tier.V128: RowNaive<TR, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref v, outs, k, ref y); break;
                    default: RowNaive<TR, Scalar, float, int, bool>(ref v, outs, k, ref y); break;
                }
                return;
        }
    }

    /// <summary><c>d[q] = max(s[q], s[q + off])</c> for <c>q &lt; len</c> (d distinct from s).</summary>
    static void Shift<TR>(ref float s, int off, int len, ref float d) where TR : IMaxRule
    {
        switch (Cascade.For(len))
        {
            case Tier.V512: Shift<TR, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref s, off, len, ref d); break;
            case Tier.V256: Shift<TR, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref s, off, len, ref d); break;
            case Tier.V128: Shift<TR, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref s, off, len, ref d); break;
            default: Shift<TR, Scalar, float, int, bool>(ref s, off, len, ref d); break;
        }
    }

    static void Shift<TR, TW, TV, TI, TM>(ref float s, int off, int len, ref float d) where TR : IMaxRule where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int q = 0; NchwDriver.Next(ref q, n, len); q += n)
            TW.Store(TR.Max<TW, TV, TI, TM>(TW.Load(ref s, q), TW.Load(ref s, q + off)), ref d, q);
    }

    static void RowNaive<TR, TW, TV, TI, TM>(ref float v, int outs, int k, ref float y) where TR : IMaxRule where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int j = 0; NchwDriver.Next(ref j, n, outs); j += n)
        {
            TV acc = TW.Load(ref v, j);
            for (int m = 1; m < k; m++) acc = TR.Max<TW, TV, TI, TM>(acc, TW.Load(ref v, j + m));
            TW.Store(acc, ref y, j);
        }
    }
}

/// <summary>Which algorithm an SPP kernel runs its pools with.</summary>
public enum SppAlgorithm
{
    /// <summary>The measured rule of <see cref="SppChoice.UseVanHerk"/>.</summary>
    Auto,
    /// <summary>Sparse max tables over 2, 4, 8, … taps shared by every block, two overlapping entries per window.</summary>
    Doubling,
    /// <summary>Van Herk / Gil-Werman per block (<see cref="SlidingMax"/>).</summary>
    VanHerk,
}

/// <summary>The SPP kernels' choice between doubling and van Herk, by case shape.</summary>
public static class SppChoice
{
    /// <summary>Whether an SPP case runs van Herk: the rule, from the measurements below.</summary>
    public static bool UseVanHerk(SppAlgorithm a, TensorLayout layout, int[] blocks, int channels, int h, int w) => a switch
    {
        SppAlgorithm.Doubling => false,
        SppAlgorithm.VanHerk => true,
        _ => false,
    };
}
