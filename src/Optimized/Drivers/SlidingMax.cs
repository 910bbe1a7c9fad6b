using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Kernels;
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
/// max), a window of at least <see cref="MinWindowPlanar"/> (planar) or <see cref="MinWindowChannelsLast"/> (channels-last) taps on some axis (<see cref="PoolPlan.SlidingMax"/>); and the stride-1
/// "same" pools of the SPP kernels (<see cref="Spp"/>).</para>
/// <para>Exactness: a max of maxima over any cover of a window is the window's max, bit for bit, for every float without NaN
/// except the sign of a zero (+0 and −0 compare equal). So a unit (plane, channel group) is first computed with the ordered
/// max, noting NaN through the sum of every tap read (NaN when one is; ∞ − ∞ raises a false alarm, which costs time only); a
/// unit with a NaN is computed again with the operator's combine, which propagates NaN; and every ±0 result is recomputed by a
/// direct scan of its window in row-major order with the operator's rule, which decides the sign as the reference does. Same
/// code and order whatever the ISA tier or the thread count.</para>
/// <para>The planar row axis (contiguous, SIMD along the same axis) keeps a direct sliding scan of k loads per vector
/// (<see cref="RowFor"/>: it measured faster than doubling and than a scalar van Herk at every k to 25), over the whole plane
/// in one flat pass when rows are short.</para>
/// </summary>
public static class SlidingMax
{
    /// <summary>
    /// The smallest window (taps along the height or the width, whichever is larger) for which the planar max kernel takes this
    /// path. Measured (SlidingMaxBenchmarks, interleaved, 1×64×56×56, stride 1, padding k/2, one thread, speed-up over the general
    /// separable kernel, median and range of 11 rounds on a loaded 2-core AMD EPYC with AVX-512): k = 2 1.01× (0.66–1.61), k = 3
    /// 1.45× (0.97–1.76), k = 4 1.81× (1.41–2.39), k = 5 2.26×, k = 7 3.46×, k = 9 4.28×, k = 13 7.12× (5.47–10.27), k = 17 10.1×,
    /// k = 25 18.3×; a later run (with the per-plane ±0 check): k = 2 1.09× (0.93–1.29), k = 3 1.65× (1.58–2.23), k = 4 2.39×,
    /// k = 13 8.23× (6.18–10.16), at 2 threads 8.24× (5.83–9.67). k = 2 stays on the general kernel (no clear gain).
    /// </summary>
    public const int MinWindowPlanar = 3;

    /// <summary>
    /// The same for the channels-last max kernel (whose general path is a direct values-only scan): k = 2 0.98× (0.81–1.16),
    /// k = 3 0.96× (0.77–1.43), k = 4 1.45× (1.12–2.00), k = 5 1.85×, k = 7 3.53×, k = 9 5.09×, k = 13 14.4× (11.2–17.7),
    /// k = 17 20.6×, k = 25 43.3×; a later run: k = 2 0.61× (0.55–0.64), k = 3 1.09× (1.01–1.29), k = 4 1.66× (1.33–1.99),
    /// k = 13 17.1× (16.5–19.2), at 2 threads 15.2× (12.9–20.5). k = 3 is within the noise, so the threshold is 4.
    /// </summary>
    public const int MinWindowChannelsLast = 4;

    static readonly PlanMarks OptedOut = new();

    /// <summary>Makes <paramref name="plan"/> take the general kernels from now on (benchmarks time both paths on one problem).</summary>
    public static void OptOut(PoolPlan plan) => OptedOut.Add(plan);

    /// <summary>The geometry of the sliding-max path when a max over <paramref name="p"/> without indices takes it, else null.</summary>
    public static Windows? For(PoolPlan p) => OptedOut.Has(p) ? null : p.SlidingMax;

    /// <summary>Whether a max over <paramref name="p"/> without indices takes the sliding-max path in a layout (for tests and reports).</summary>
    public static bool TakesSlidingMaxPath(PoolPlan p, TensorLayout layout) =>
        For(p) is { } g && (layout == TensorLayout.Nchw ? g.Planar : g.ChannelsLast);

    /// <summary>The stride-1 window geometry of a plan: windows <c>[S0 + o, S0 + o + K) ∩ [0, L)</c> on both axes.</summary>
    public sealed class Windows
    {
        public required int KH { get; init; }
        public required int KW { get; init; }
        public required int S0H { get; init; }
        public required int S0W { get; init; }
        public required RowMethod Row { get; init; }
        /// <summary>The planar kernel takes the path (the window reaches <see cref="MinWindowPlanar"/>, or a caller's threshold).</summary>
        public required bool Planar { get; init; }
        /// <summary>The channels-last kernel takes the path (the window reaches <see cref="MinWindowChannelsLast"/>, or a caller's threshold).</summary>
        public required bool ChannelsLast { get; init; }

        /// <summary>
        /// The geometry when the path applies to <paramref name="p"/>, else null: by the measured thresholds per layout, or, given
        /// <paramref name="minWindow"/>, for both layouts from that window size (tests and benchmarks).
        /// </summary>
        public static Windows? For(PoolPlan p, int? minWindow = null, RowMethod? row = null)
        {
            if (p.Reduction != Core.Reduction.Max || p.NanFirstTapOnly || !p.SingleSlice || p.DilH != 1 || p.DilW != 1) return null;
            if (p.Descriptor is not { } d || d.Axes.Length is < 1 or > 2) return null;
            var aw = d.Axes[^1];
            var ah = d.Axes.Length == 2 ? d.Axes[0] : new Core.Axis(1, 1, 1, 1, 0, 0, 1);
            if (aw.Stride != 1 || ah.Stride != 1 || aw.Dilation != 1 || ah.Dilation != 1) return null;
            int kmax = Math.Max(aw.Kernel, ah.Kernel);
            bool planar = kmax >= (minWindow ?? MinWindowPlanar), channelsLast = kmax >= (minWindow ?? MinWindowChannelsLast);
            if (!(planar || channelsLast) || aw.Kernel < 1 || ah.Kernel < 1) return null;
            int s0w = -aw.PadBegin, s0h = -ah.PadBegin;
            if (s0w > 0 || s0h > 0) return null;
            if (!ClippedWindows.Match(p.FirstW, p.CountW, p.OW, p.LW, s0w, 1, aw.Kernel) || !ClippedWindows.Match(p.FirstH, p.CountH, p.OH, p.LH, s0h, 1, ah.Kernel)) return null;
            return new Windows { KH = ah.Kernel, KW = aw.Kernel, S0H = s0h, S0W = s0w, Row = row ?? RowFor(aw.Kernel), Planar = planar, ChannelsLast = channelsLast };
        }
    }

    /// <summary>
    /// The planar row method for a window width. Measured as for <see cref="MinWindowPlanar"/> (speed-up over the general kernel,
    /// naive / doubling / scalar van Herk rows): k = 3 1.45× / 1.09× / 0.09×, k = 5 2.26× / 1.64× / 0.15×, k = 9 4.28× / 2.92× / 0.41×,
    /// k = 13 7.12× / 5.19× / 1.00×, k = 17 10.1× / 7.9× / 2.0×, k = 25 18.3× / 14.4× / 3.4×: the naive row wins at every size measured
    /// (its k loads hit L1; doubling pays a store and a reload per level, the scalar van Herk one element per step).
    /// </summary>
    public static RowMethod RowFor(int k) => RowMethod.Naive;

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
        float[] _v = [], _h = [], _a = [], _b = [], _c = [];
        public float[] C(int n) => _c.Length >= n ? _c : _c = new float[n];
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
        // A contiguous output without a ±0 (the common case) in one pass.
        if (!scalarCheck && u.YPix == u.G && u.YRow == (nint)u.OW * u.G && !HasZero(ref y, u.OH * u.OW * u.G)) return;
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
    /// An SPP block list (<see cref="SppKernel"/>'s conventions) by van Herk, one pool at a time: block 0 copies the input, block
    /// <c>k</c> is the stride-1 max of window k with <c>(k − 1)/2</c> taps before the centre, out-of-bounds taps skipped (−∞ for
    /// PyTorch; darknet's inputs first clamped to ≥ −FLT_MAX, NaN → −FLT_MAX, and −FLT_MAX as the border). The bits of the doubling
    /// kernel: NaN propagates under PyTorch's rule, and a ±0 result is the row-major scan's first maximum — doubling keeps the
    /// left (upper) operand of every tie, hence the leftmost maximum of the topmost row holding one, and van Herk rescans its ±0
    /// results in that order. Planar: parallel over planes; channels-last: over (image, group of at most 32 channels).
    /// </summary>
    public static void Spp(TensorLayout layout, SppMax rule, int[] blocks, int batch, int channels, int h, int w, float[] x, float[] y, int threads)
    {
        if (rule == SppMax.Torch) Spp<MaxOperator>(layout, false, float.NegativeInfinity, blocks, batch, channels, h, w, x, y, threads);
        else Spp<NanIgnoringMaxOperator>(layout, true, -float.MaxValue, blocks, batch, channels, h, w, x, y, threads);
    }

    static void Spp<TOp>(TensorLayout layout, bool clamp, float identity, int[] blocks, int batch, int C, int h, int w, float[] x, float[] y, int threads)
        where TOp : ISelectOperator
    {
        bool planar = layout == TensorLayout.Nchw;
        int B = blocks.Length, groups = planar ? 1 : (C + 31) / 32;
        For(planar ? batch * C : batch * groups, threads, t =>
        {
            // Unit t: its input origin, lanes, strides; block b's output origin.
            int n = planar ? t / C : t / groups, gi = planar ? 0 : t % groups;
            int c0 = planar ? t % C : (int)((long)gi * C / groups), G = planar ? 1 : (int)((long)(gi + 1) * C / groups) - c0;
            int xPix = planar ? 1 : C, yPix = planar ? 1 : B * C;
            nint xRow = (nint)w * xPix, yRow = (nint)w * yPix;
            long xBase = planar ? (long)t * h * w : (long)n * h * w * C + c0;
            long YBase(int b) => planar ? ((long)(n * B + b) * C + c0) * h * w : ((long)n * h * w * B + b) * C + c0;
            ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)xBase);
            ref float y0 = ref MemoryMarshal.GetArrayDataReference(y);
            var s = Local;
            ref float src = ref x0;
            nint srcRow = xRow;
            int srcPix = xPix;
            if (clamp)
            {
                // darknet: max(−FLT_MAX, v) by its strict > (NaN and −∞ become −FLT_MAX), compacted to G lanes per pixel.
                var ca = s.C(h * w * G);
                for (int r = 0; r < h; r++)
                    for (int c = 0; c < w; c++)
                        for (int j = 0; j < G; j++)
                        {
                            float v = Unsafe.Add(ref x0, r * xRow + (nint)c * xPix + j);
                            ca[(r * w + c) * G + j] = TOp.Replaces(v, identity) ? v : identity;
                        }
                src = ref MemoryMarshal.GetArrayDataReference(ca);
                srcRow = (nint)w * G; srcPix = G;
            }
            for (int b = 0; b < B; b++)
            {
                ref float yb = ref Unsafe.Add(ref y0, (nint)YBase(b));
                int k = blocks[b];
                if (k == 0)
                {
                    if (planar) MemoryMarshal.CreateReadOnlySpan(ref x0, h * w).CopyTo(MemoryMarshal.CreateSpan(ref yb, h * w));
                    else
                        for (int r = 0; r < h; r++)
                            for (int c = 0; c < w; c++)
                                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref x0, r * xRow + (nint)c * xPix), G)
                                    .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref yb, r * yRow + (nint)c * yPix), G));
                    continue;
                }
                int before = (k - 1) / 2;
                WindowUnit<TOp>(new Unit(h, w, srcRow, srcPix, h, w, yRow, yPix, G, -before, -before, k, k, identity, RowFor(k)), ref src, ref yb);
            }
        });
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
        if (G == 1 && u.YPix == 1 && u.Row == RowMethod.Naive && u.OW < FlatRowsBelow && u.OH > 1)
        {
            // Short planar rows: the windows of the whole V plane in one flat pass (positions past a row's OW outputs read into the
            // next row and are dropped), then the rows copied out — one vector loop instead of one per row, with less tail overlap.
            int flat = (u.OH - 1) * rl + u.OW;
            var ta = s.A(flat);
            ref float t = ref MemoryMarshal.GetArrayDataReference(ta);
            RowNaive<TR>(ref v, flat, u.KW, ref t);
            for (int oh = 0; oh < u.OH; oh++)
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref t, oh * rl), u.OW).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, oh * u.YRow), u.OW));
            return nan;
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
            // Suffix maxima h[r] = max X(r .. end of r's block), kept for the window starts r < outs. Per block [b, e): positions
            // [lo, hi) inside the input, the rest the identity (no load).
            for (int b = (blocks - 1) * k; b >= 0; b -= k)
            {
                int e = b + k, lo = Math.Clamp(in0, b, e), hi = Math.Clamp(in1, lo, e), r = e - 1;
                TV acc = id;
                for (; r >= hi; r--) if (r < outs) TW.Store(acc, ref h, (nint)r * n);
                for (; r >= lo; r--)
                {
                    acc = TR.Max<TW, TV, TI, TM>(acc, TW.Load(ref xj, (s0 + r) * stride));
                    if (r < outs) TW.Store(acc, ref h, (nint)r * n);
                }
                for (; r >= b; r--) if (r < outs) TW.Store(acc, ref h, (nint)r * n);
            }
            // Prefix maxima g (a register, reset at every block start); window o = [o, o + k) ends at r = o + k − 1, in r's block.
            for (int b = 0; b < total; b += k)
            {
                int e = Math.Min(b + k, total), lo = Math.Clamp(in0, b, e), hi = Math.Clamp(in1, lo, e), r = b;
                TV gv = id;
                // Output o = r − (k − 1) once r reaches the first window's end.
                for (int o = r - (k - 1); r < lo; r++, o++)
                    if (o >= 0) TW.Store(TR.Max<TW, TV, TI, TM>(TW.Load(ref h, (nint)o * n), gv), ref y, o * yStride + j);
                for (int o = r - (k - 1); r < hi; r++, o++)
                {
                    TV xv = TW.Load(ref xj, (s0 + r) * stride);
                    if (TR.NotesNaN) sum = TW.Add(sum, xv);
                    gv = TR.Max<TW, TV, TI, TM>(gv, xv);
                    if (o >= 0) TW.Store(TR.Max<TW, TV, TI, TM>(TW.Load(ref h, (nint)o * n), gv), ref y, o * yStride + j);
                }
                for (int o = r - (k - 1); r < e; r++, o++)
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
                RowNaive<TR>(ref v, outs, k, ref y);
                return;
        }
    }

    /// <summary>Planar rows shorter than this many outputs take the flat row pass (<see cref="Compute{TR}"/>).</summary>
    const int FlatRowsBelow = 32;

    static void RowNaive<TR>(ref float v, int outs, int k, ref float y) where TR : IMaxRule
    {
        switch (Cascade.For(outs))
        {
            case Tier.V512: RowNaive<TR, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref v, outs, k, ref y); break;
            case Tier.V256: RowNaive<TR, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref v, outs, k, ref y); break;
            case Tier.V128: RowNaive<TR, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref v, outs, k, ref y); break;
            default: RowNaive<TR, Scalar, float, int, bool>(ref v, outs, k, ref y); break;
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

/// <summary>The SPP kernels' choice between doubling and van Herk.</summary>
public static class SppChoice
{
    /// <summary>
    /// Whether an SPP case runs van Herk: in every measured shape it is the faster, so <see cref="SppAlgorithm.Auto"/> runs it;
    /// doubling stays available (and tested) through <see cref="SppAlgorithm.Doubling"/>. Measured (SlidingMaxBenchmarks,
    /// interleaved, one thread, PyTorch rule, speed-up of van Herk over doubling, median and range of 11 rounds, three runs for
    /// W8, on a loaded 2-core AMD EPYC with AVX-512, with short planar rows in one flat pass and one ±0 check per plane):
    /// planar W8 (1×512×20×20, [0,5,9,13]) 1.28× (0.86–1.67), 1.11× (1.01–1.64), 1.13× (1.07–1.60); 1×512×20×20 [0,13] 1.33×
    /// (1.24–1.90), [0,5] 1.30× (1.19–1.38); 1×64×56×56 [0,5,9,13] 1.09× (0.98–2.25), 1.24× (1.13–1.57), 1.14× (1.03–1.74),
    /// [0,13] 1.49× (1.37–2.31), [0,5] 1.38× (1.26–1.68);
    /// channels-last W8 74× (32–122), 1×512×20×20 [0,13] 76×, [0,5] 70×, 1×64×56×56 [0,5,9,13] 64×, [0,13] 38×, [0,5] 143× — the
    /// doubling kernel runs one unit per image with tables of the whole bordered image (tens of MB allocated per call at 512
    /// channels), van Herk per group of at most 32 channels with a few KB of scratch.
    /// (Before the flat pass and the per-plane ±0 check, planar van Herk measured 0.76× on W8 and doubling was kept there.)
    /// </summary>
    public static bool UseVanHerk(SppAlgorithm a) => a != SppAlgorithm.Doubling;
}
