using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// Stride-1 averages (1-D and 2-D, dilation 1) by exact running sums in float64, where the input's statistics prove every
/// addition exact; everywhere else the fixed-order float32 paths of <see cref="NchwDriver"/> and <see cref="NhwcDriver"/>.
/// <para>
/// <b>Why exact, and when.</b> A float32 <c>x ≠ 0</c> is an integer multiple of its quantum <c>2^(e − 150)</c> (<c>e</c> its biased
/// exponent; subnormals <c>2^−149</c>), and the quantum grows with <c>|x|</c>, so every input is a multiple of <c>q</c>, the quantum of
/// the least nonzero <c>|x|</c>. Every value this driver forms — a column sum <c>C</c> over the rows of a window, a difference of two
/// inputs, a window sum, a partial sum on the way — is a signed sum of at most <c>T</c> inputs
/// (<see cref="Geometry.Terms"/>, counted from the plan's tap tables as the loops below add and remove), so a multiple of
/// <c>q</c> of magnitude ≤ <c>T·M</c> (<c>M = max|x|</c>). When <c>T·M &lt; 2^53·q</c> that is an integer times <c>q</c> below
/// <c>2^53·q</c>: representable in float64, so every float64 addition and subtraction is exact and the window sum <c>S</c> is the
/// exact sum whatever the order (running, separable, lane order, thread split). The result <c>(float)(S · (1/D))</c> (the
/// reciprocal in float64) has one float32 rounding plus two float64 ones: within <c>2·u·A</c>, the exact-regime part of
/// TESTING.md §3.3's bound. The decision reads order-free statistics of the whole input (<see cref="InputStats"/>: max |x|, least
/// nonzero |x|, any NaN/∞, any −0), so both layouts and every thread count decide alike and give identical bits.
/// </para>
/// <para>
/// <b>Why not a float32 running sum.</b> <c>s += x_new − x_old</c> in float32 keeps the rounding residue of every value that
/// has passed through the window: after a large value leaves, the small values that follow inherit an error that the bound
/// (which scales with the window's own Σ|x|) does not allow (the counterexample is a test in OptimizedRunningSumTests).
/// </para>
/// <para>
/// <b>Signed zeros.</b> An exact sum that is zero is +0 (exact cancellation, or +0 taps); a fixed-order sum is −0 only when
/// every tap is −0. So an input holding a −0 takes the fixed-order path, and elsewhere zero results have the sign the scan gives.
/// </para>
/// <para>
/// <b>Algorithm.</b> Vertical running column sums <c>C[w]</c> over the rows of the current window (entering rows added,
/// leaving rows subtracted; rows outside the input contribute nothing), SIMD along the row (NCHW) or along the row's W×C
/// values (NHWC, where a row is contiguous too). Then per output row the window sums along W: NCHW by binary doubling
/// (<c>L_m[j] = L_{m−1}[j] + L_{m−1}[j + 2^{m−1}]</c>, the sum of <c>k</c> taps from the set bits of <c>k</c>: about
/// <c>log2 k + popcount k</c> adds per output instead of <c>k − 1</c>; clipped edge windows summed directly); NHWC by a running
/// sum along W per channel vector. Then the per-cell reciprocal of the plan's divisor (every divisor policy — PyTorch's
/// count_include_pad, ceil overhang and divisor_override, ONNX, TensorFlow SAME/VALID, WebNN — is already in
/// <see cref="PoolPlan.Factor"/>), and the plan's empty cells. NCHW is parallel over planes, NHWC over blocks of output rows.
/// </para>
/// <para>
/// <b>When it is taken</b> (<see cref="TakesRunningSumPath"/>): average (not Lp: its terms |x|^p are not the inputs, and x² is
/// not exact in general), rank ≤ 2, dilation 1, window starts and ends advancing by at most one tap per output (stride 1),
/// not a global plan (<see cref="GlobalDriver"/> serves those), at least <see cref="MinWindowTaps"/> taps per full window, and
/// the input condition above (which also fails for large inputs whose least nonzero |x| is tiny against max |x|: uniform data
/// of 10^7 values, least |x| ≈ 10^−7, admits T ≤ 64, about k7). The threshold is one for both layouts (they must give the same
/// bits). Measured ratios: see <see cref="MinWindowTaps"/>.
/// </para>
/// </summary>
public static class RunningSumDriver
{
    /// <summary>
    /// Fewest taps of a full window (kh·kw of the interior) for the running path: 169 (k13). One threshold for both layouts, which
    /// must give the same bits. Measured on 1×64×56×56, stride 1, padding k/2, uniform data, one thread, interleaved
    /// (15 rounds of 30 calls each way; speed-up = fixed-order time / running time, median and min–max over the rounds; the
    /// 2-core machine was shared, load 7–8, so the spread is wide):
    /// <code>
    ///        NHWC                NCHW
    /// k3     1.35 (1.23–2.13)    0.23 (0.19–0.29)
    /// k5     2.52 (2.19–2.65)    0.51 (0.34–0.54)
    /// k7     4.34 (3.66–4.72)    0.60 (0.29–1.04)
    /// k9     6.62 (5.45–7.38)    0.69 (0.44–1.13)
    /// k13   16.05 (12.95–20.68)  0.91 (0.37–0.94)
    /// </code>
    /// Channels-last gains from k5 on (its fixed-order path scans every tap of every window, kh·kw − 1 adds per output; the
    /// running path costs about four float64 operations per output whatever k). Planar loses up to k13 (its fixed-order path is
    /// already separable, (kw − 1) + (kh − 1) float32 adds per output on 16 lanes, against the statistics pass, the column-sum
    /// update and about log2 k + popcount k float64 adds on 8 lanes). Both layouts must take the same path (bit identity), so the
    /// threshold is where neither loses: 169 taps (k13), planar about even (×0.9), channels-last ×15. Below it a planar user,
    /// the common case, would pay up to 40 % (k7) for the channels-last gain; the path stays reachable there for tests
    /// (<see cref="OptIn"/>), and the measurements above are how to revisit the choice.
    /// </summary>
    public const int MinWindowTaps = 169;

    /// <summary>The plan-level part: tap tables fit the running sums (null otherwise), and the largest term count any accumulator holds.</summary>
    internal sealed class Geometry
    {
        /// <summary>T: the most input values any float64 partial sum of either layout is a signed sum of.</summary>
        public required long Terms { get; init; }
        /// <summary>kh·kw of a full window.</summary>
        public required int WindowTaps { get; init; }
        /// <summary>Per output cell: 1/D in float64 (for empty cells whatever; the plan's empty list overwrites them).</summary>
        public required double[] Reciprocal { get; init; }

        public static Geometry? For(PoolPlan p)
        {
            if (p.Reduction != Core.Reduction.Average || p.Factor is null || p.KernelW <= 0) return null;
            if (!p.SingleSlice || p.Rank > 2 || p.DilH != 1 || p.DilW != 1 || p.IsGlobal) return null; // global: GlobalDriver's flat sum
            if (Peak(p.FirstH, p.CountH) is not { } peakRows || Peak(p.FirstW, p.CountW) is not { } peakCols) return null;
            int maxH = p.CountH.Max(), maxW = p.CountW.Max();
            int kh = p.Rank == 2 ? p.Descriptor?.Axes[0].Kernel ?? maxH : 1;
            // Vertical: C holds ≤ peakRows rows; a fused step forms (in − out) (2 terms). Horizontal: running sums hold ≤ peakCols
            // column sums (NHWC), doubling levels and edge sums ≤ maxW (NCHW), each column sum ≤ maxH rows.
            long terms = Math.Max(Math.Max(peakRows, 2), (long)maxH * Math.Max(peakCols, maxW));
            var rec = Array.ConvertAll(p.Factor, d => 1.0 / d);
            return new Geometry { Terms = terms, WindowTaps = kh * p.KernelW, Reciprocal = rec };
        }

        /// <summary>
        /// Windows [first, first + count) of an axis whose starts and ends never move back: the most terms the running update
        /// (add entering, then remove leaving; restart when disjoint) ever holds; null when a window moves back or jumps by more
        /// than one tap (not stride 1).
        /// </summary>
        static long? Peak(int[] first, int[] count)
        {
            long peak = 0;
            int a = 0, e = 0;
            for (int o = 0; o < first.Length; o++)
            {
                if (count[o] == 0) continue;
                int na = first[o], ne = na + count[o];
                if (e > a && (na < a || ne < e || na - a > 1 || ne - e > 1)) return null;
                if (na >= e) { a = e = na; }
                peak = Math.Max(peak, ne - a);
                (a, e) = (na, ne);
            }
            return peak;
        }
    }

    /// <summary>Order-free statistics of the whole input: the bits of max |x| and of the least nonzero |x|, and whether a −0 occurs.</summary>
    public readonly record struct InputStats(uint MaxAbsBits, uint MinNonzeroAbsBits, bool NegativeZero)
    {
        public bool AllFinite => MaxAbsBits < 0x7F800000u;
        public double MaxAbs => BitConverter.UInt32BitsToSingle(MaxAbsBits);
        /// <summary>The quantum of the least nonzero |x| (every input is a multiple of it); 0 when every input is zero.</summary>
        public double Quantum => MinNonzeroAbsBits == uint.MaxValue ? 0 : Math.ScaleB(1.0, Math.Max((int)(MinNonzeroAbsBits >> 23), 1) - 150);

        /// <summary>Whether float64 sums of at most <paramref name="terms"/> of these inputs are exact: <c>T·M &lt; 2^53·q</c>, all finite, no −0.</summary>
        public bool Admits(long terms)
        {
            if (!AllFinite || NegativeZero) return false;
            if (MinNonzeroAbsBits == uint.MaxValue) return true; // all +0
            // T·M in float64 may round (T < 2^31, M has 24 bits): compare with a margin far above that rounding.
            return terms * MaxAbs * (1 + 1e-9) < Math.ScaleB(Quantum, 53);
        }

        /// <summary>One pass over <paramref name="x"/>[0, <paramref name="length"/>), integer SIMD on the bits (exact, order-free).</summary>
        public static InputStats Of(float[] x, long length, int threads)
        {
            const int chunk = 1 << 16;
            long chunks = (length + chunk - 1) / chunk;
            if (threads <= 1 || chunks <= 1) return Scan(x, 0, length);
            var parts = new InputStats[chunks];
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                i => parts[i] = Scan(x, i * chunk, Math.Min(length, (i + 1) * chunk)));
            var r = parts[0];
            for (long i = 1; i < chunks; i++)
                r = new InputStats(Math.Max(r.MaxAbsBits, parts[i].MaxAbsBits), Math.Min(r.MinNonzeroAbsBits, parts[i].MinNonzeroAbsBits), r.NegativeZero || parts[i].NegativeZero);
            return r;
        }

        static InputStats Scan(float[] xa, long from, long to)
        {
            ref uint x = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetArrayDataReference(xa));
            int n = Vector<uint>.Count;
            var mask = new Vector<uint>(0x7FFFFFFFu);
            var negZero = new Vector<uint>(0x80000000u);
            Vector<uint> max = Vector<uint>.Zero, minM1 = Vector<uint>.AllBitsSet, nz = Vector<uint>.Zero;
            long i = from;
            uint mx = 0, mn = uint.MaxValue;
            bool neg = false;
            if (Vector512.IsHardwareAccelerated && to - from >= 16)
            {
                var mask5 = Vector512.Create(0x7FFFFFFFu);
                var negZero5 = Vector512.Create(0x80000000u);
                Vector512<uint> max5 = Vector512<uint>.Zero, min5 = Vector512<uint>.AllBitsSet, nz5 = Vector512<uint>.Zero;
                for (; i + 16 <= to; i += 16)
                {
                    var v = Vector512.LoadUnsafe(ref x, (nuint)i);
                    var a = v & mask5;
                    max5 = Vector512.Max(max5, a);
                    min5 = Vector512.Min(min5, a - Vector512<uint>.One);
                    nz5 |= Vector512.Equals(v, negZero5);
                }
                for (int l = 0; l < 16; l++) { mx = Math.Max(mx, max5[l]); mn = Math.Min(mn, min5[l]); neg |= nz5[l] != 0; }
            }
            for (; i + n <= to; i += n)
            {
                var v = Vector.LoadUnsafe(ref x, (nuint)i);
                var a = v & mask;
                max = Vector.Max(max, a);
                minM1 = Vector.Min(minM1, a - Vector<uint>.One); // 0 wraps to 2^32 − 1: zeros never count as the least
                nz |= Vector.Equals(v, negZero);
            }
            for (int l = 0; l < n; l++) { mx = Math.Max(mx, max[l]); mn = Math.Min(mn, minM1[l]); neg |= nz[l] != 0; }
            for (; i < to; i++)
            {
                uint v = Unsafe.Add(ref x, (nint)i), a = v & 0x7FFFFFFFu;
                mx = Math.Max(mx, a); mn = Math.Min(mn, a - 1); neg |= v == 0x80000000u;
            }
            return new InputStats(mx, mn == uint.MaxValue ? uint.MaxValue : mn + 1, neg);
        }
    }

    static readonly PlanMarks OptedOut = new(), OptedIn = new();

    /// <summary>Makes <paramref name="plan"/> take the fixed-order path from now on (for measurements and tests against it).</summary>
    public static void OptOut(PoolPlan plan) => OptedOut.Add(plan);

    /// <summary>
    /// Makes <paramref name="plan"/> take the running path whatever its window size (where geometry and input allow it), so tests
    /// exercise it on small problems whatever <see cref="MinWindowTaps"/> is.
    /// </summary>
    public static void OptIn(PoolPlan plan) => OptedIn.Add(plan);

    /// <summary>
    /// Whether the plan qualifies, input aside: average, rank ≤ 2, stride 1, dilation 1, at least <see cref="MinWindowTaps"/> taps
    /// (or opted in), not opted out.
    /// </summary>
    public static bool PlanQualifies(PoolPlan p) =>
        p.RunningSum is { } g && !OptedOut.Has(p) && (g.WindowTaps >= MinWindowTaps || OptedIn.Has(p));

    /// <summary>Whether an average over <paramref name="p"/> of the input <paramref name="x"/> (its first <paramref name="length"/> values) takes the running-sum path.</summary>
    public static bool TakesRunningSumPath(PoolPlan p, float[] x, long length) =>
        PlanQualifies(p) && InputStats.Of(x, length, 1).Admits(p.RunningSum!.Terms);

    /// <summary>The term count T of the plan's running sums (for tests), or null where the plan does not fit them.</summary>
    public static long? Terms(PoolPlan p) => p.RunningSum?.Terms;

    /// <summary>The hook of <see cref="NchwDriver.Accumulate{TOp}"/>: runs and returns true where the running path is taken.</summary>
    public static bool TryNchw<TOp>(PoolPlan p, int planes, float[] x, float[] y, int threads) where TOp : IAccumulateOperator =>
        typeof(TOp) == typeof(AverageOperator) && PlanQualifies(p) && Nchw(p, planes, x, y, threads);

    /// <summary>The hook of <see cref="NhwcDriver.Accumulate{TOp}"/>: runs and returns true where the running path is taken.</summary>
    public static bool TryNhwc<TOp>(PoolPlan p, int batch, int channels, float[] x, float[] y, int threads) where TOp : IAccumulateOperator =>
        typeof(TOp) == typeof(AverageOperator) && PlanQualifies(p) && Nhwc(p, batch, channels, x, y, threads);

    /// <summary>The running path in NCHW whatever the window size (for measurements); false (nothing written) where the plan or input does not allow it.</summary>
    public static bool Nchw(PoolPlan p, int planes, float[] x, float[] y, int threads)
    {
        if (p.RunningSum is not { } g || !InputStats.Of(x, (long)planes * p.InputPlane, threads).Admits(g.Terms)) return false;
        bool wide = Vector512.IsHardwareAccelerated;
        void Plane(int q, PlaneScratch s)
        {
            if (wide) NchwPlane<D512, Vector512<float>, Vector512<double>>(p, g, x, q, y, s);
            else NchwPlane<DVec, Vector<float>, Vector<double>>(p, g, x, q, y, s);
        }
        Workers.For(planes, threads, () => new PlaneScratch(p), Plane);
        return true;
    }

    /// <summary>The running path in NHWC whatever the window size (for measurements); false (nothing written) where the plan or input does not allow it.</summary>
    public static bool Nhwc(PoolPlan p, int batch, int channels, float[] x, float[] y, int threads)
    {
        if (p.RunningSum is not { } g || !InputStats.Of(x, (long)batch * channels * p.InputPlane, threads).Admits(g.Terms)) return false;
        // Blocks of output rows per image; each block restarts its column sums (exact: the split cannot change a bit).
        int rowsPerBlock = Math.Max(8, (p.OH + 1) / 2);
        int blocks = (p.OH + rowsPerBlock - 1) / rowsPerBlock, tasks = batch * blocks;
        void Task(int t, RowScratch s)
        {
            int n = t / blocks, b = t % blocks;
            int oh0 = b * rowsPerBlock, oh1 = Math.Min(p.OH, oh0 + rowsPerBlock);
            if (Vector512.IsHardwareAccelerated) NhwcRows<D512, Vector512<float>, Vector512<double>>(p, g, channels, x, n, oh0, oh1, y, s);
            else NhwcRows<DVec, Vector<float>, Vector<double>>(p, g, channels, x, n, oh0, oh1, y, s);
        }
        Workers.For(tasks, threads, () => new RowScratch(p, channels), Task);
        return true;
    }

    sealed class PlaneScratch(PoolPlan p)
    {
        /// <summary>Output rows per block: enough that a block holds ≥ 512 column sums, at most 16.</summary>
        public readonly int Block = Math.Clamp((512 + p.LW - 1) / p.LW, 1, Math.Min(16, Math.Max(1, p.OH)));
        public readonly double[] C = new double[p.LW];
        public double[] Cb => _cb ??= new double[Block * p.LW];
        double[]? _cb;
        public readonly double[] S = new double[Math.Max(1, p.OW)];
        /// <summary>The doubling levels of kw's set bits (at most 31).</summary>
        public readonly double[][] Levels = new double[31][];
        readonly List<double[]> _levels = [];
        /// <summary>Buffer of level <paramref name="m"/> ≥ 1 (level 0 is the column sums), one block long.</summary>
        public double[] Level(int m)
        {
            while (_levels.Count < m) _levels.Add(new double[Block * p.LW]);
            return _levels[m - 1];
        }
    }

    sealed class RowScratch(PoolPlan p, int channels)
    {
        public readonly double[] C = new double[(long)p.LW * channels];
        public readonly double[] H = new double[channels];
    }

    /// <summary>
    /// Moves the column sums <paramref name="c"/> (a row of <paramref name="rowLen"/> values) of rows [<paramref name="a"/>, <paramref name="e"/>)
    /// to the rows of output row <paramref name="oh"/>: restart when disjoint, else add entering rows and subtract leaving ones
    /// (one fused pass <c>C += in − out</c> for the usual one-in one-out step).
    /// </summary>
    static void MoveRows<TW, TF, TD>(PoolPlan p, ref float x, int rowLen, double[] c, ref int a, ref int e, int oh) where TW : IDoubleWidth<TF, TD>
    {
        int na = p.FirstH[oh], ne = na + p.CountH[oh];
        if (na >= e) { Array.Clear(c); a = e = na; }
        if (ne - e == 1 && na - a == 1)
        {
            AddSub<TW, TF, TD>(c, ref Unsafe.Add(ref x, (nint)e * rowLen), ref Unsafe.Add(ref x, (nint)a * rowLen), rowLen);
            (a, e) = (na, ne);
            return;
        }
        for (; e < ne; e++) AddRow<TW, TF, TD>(c, ref Unsafe.Add(ref x, (nint)e * rowLen), rowLen, false);
        for (; a < na; a++) AddRow<TW, TF, TD>(c, ref Unsafe.Add(ref x, (nint)a * rowLen), rowLen, true);
    }

    /// <summary><c>C += x</c> (or <c>C −= x</c>) over a row, the floats widened exactly.</summary>
    static void AddRow<TW, TF, TD>(double[] ca, ref float x, int len, bool subtract) where TW : IDoubleWidth<TF, TD>
    {
        ref double c = ref MemoryMarshal.GetArrayDataReference(ca);
        int n = TW.FloatCount, h = n / 2, j = 0;
        for (; j + n <= len; j += n)
        {
            var (lo, hi) = TW.Widen(TW.LoadF(ref x, (nuint)j));
            TD c0 = TW.LoadD(ref c, (nuint)j), c1 = TW.LoadD(ref c, (nuint)(j + h));
            TW.StoreD(subtract ? TW.Sub(c0, lo) : TW.Add(c0, lo), ref c, (nuint)j);
            TW.StoreD(subtract ? TW.Sub(c1, hi) : TW.Add(c1, hi), ref c, (nuint)(j + h));
        }
        if (j < len && len >= n)
        {
            // A last vector ending at len; its first `skip` lanes are done and keep their value.
            int skip = j - (len - n);
            j = len - n;
            var (lo, hi) = TW.Widen(TW.LoadF(ref x, (nuint)j));
            TD c0 = TW.LoadD(ref c, (nuint)j), c1 = TW.LoadD(ref c, (nuint)(j + h));
            TW.StoreD(TW.KeepBelow(c0, subtract ? TW.Sub(c0, lo) : TW.Add(c0, lo), skip), ref c, (nuint)j);
            TW.StoreD(TW.KeepBelow(c1, subtract ? TW.Sub(c1, hi) : TW.Add(c1, hi), skip - h), ref c, (nuint)(j + h));
            return;
        }
        if (subtract) for (; j < len; j++) Unsafe.Add(ref c, j) -= Unsafe.Add(ref x, j);
        else for (; j < len; j++) Unsafe.Add(ref c, j) += Unsafe.Add(ref x, j);
    }

    static void AddSub<TW, TF, TD>(double[] ca, ref float xin, ref float xout, int len) where TW : IDoubleWidth<TF, TD>
    {
        ref double c = ref MemoryMarshal.GetArrayDataReference(ca);
        int n = TW.FloatCount, h = n / 2, j = 0;
        for (; j + n <= len; j += n)
        {
            var (ilo, ihi) = TW.Widen(TW.LoadF(ref xin, (nuint)j));
            var (olo, ohi) = TW.Widen(TW.LoadF(ref xout, (nuint)j));
            TW.StoreD(TW.Add(TW.LoadD(ref c, (nuint)j), TW.Sub(ilo, olo)), ref c, (nuint)j);
            TW.StoreD(TW.Add(TW.LoadD(ref c, (nuint)(j + h)), TW.Sub(ihi, ohi)), ref c, (nuint)(j + h));
        }
        if (j < len && len >= n)
        {
            int skip = j - (len - n);
            j = len - n;
            var (ilo, ihi) = TW.Widen(TW.LoadF(ref xin, (nuint)j));
            var (olo, ohi) = TW.Widen(TW.LoadF(ref xout, (nuint)j));
            TD c0 = TW.LoadD(ref c, (nuint)j), c1 = TW.LoadD(ref c, (nuint)(j + h));
            TW.StoreD(TW.KeepBelow(c0, TW.Add(c0, TW.Sub(ilo, olo)), skip), ref c, (nuint)j);
            TW.StoreD(TW.KeepBelow(c1, TW.Add(c1, TW.Sub(ihi, ohi)), skip - h), ref c, (nuint)(j + h));
            return;
        }
        for (; j < len; j++) Unsafe.Add(ref c, j) += (double)Unsafe.Add(ref xin, j) - Unsafe.Add(ref xout, j);
    }

    /// <summary>
    /// One plane, a block of <see cref="PlaneScratch.Block"/> output rows at a time: first the column sums of every row of the block
    /// (a copy of the running <c>C</c> per row), then each doubling level over the whole block as one flat array, then the window
    /// sums of each row. The passes load at shifted offsets what an earlier pass stored; doing each over a block keeps those
    /// stores far behind the loads (a load overlapping a store still in flight waits for it).
    /// </summary>
    static void NchwPlane<TW, TF, TD>(PoolPlan p, Geometry g, float[] xa, int q, float[] ya, PlaneScratch s) where TW : IDoubleWidth<TF, TD>
    {
        int W = p.LW, B = s.Block;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)q * p.InputPlane);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)q * p.OutputPlane);
        int a = 0, e = 0;
        for (int oh0 = 0; oh0 < p.OH; oh0 += B)
        {
            int rows = Math.Min(B, p.OH - oh0);
            for (int b = 0; b < rows; b++)
            {
                if (p.CountH[oh0 + b] == 0) continue;
                MoveRows<TW, TF, TD>(p, ref x, W, s.C, ref a, ref e, oh0 + b);
                Array.Copy(s.C, 0, s.Cb, b * W, W);
            }
            WindowRows<TW, TF, TD>(p, g, s, oh0, rows, ref y);
        }
        foreach (var (cell, v) in p.Empty) Unsafe.Add(ref y, cell) = v;
    }

    /// <summary>
    /// Output rows [<paramref name="oh0"/>, oh0 + <paramref name="rows"/>) from their column sums (<see cref="PlaneScratch.Cb"/>): the
    /// clipped windows by <see cref="EdgeSums"/>, the interior ones (all <c>kw</c> taps) from binary doubling levels — level m holds
    /// <c>L_m[j] = Σ C[j .. j + 2^m)</c> — summed over the set bits of <c>kw</c> in one final loop that also scales and narrows
    /// (<c>log2 kw + popcount kw</c> adds per output instead of <c>kw − 1</c>).
    /// </summary>
    static void WindowRows<TW, TF, TD>(PoolPlan p, Geometry g, PlaneScratch s, int oh0, int rows, ref float y) where TW : IDoubleWidth<TF, TD>
    {
        int W = p.LW, OW = p.OW, kw = p.KernelW, lo = p.InteriorLo, hi = p.InteriorHi;
        double[] cb = s.Cb, sum = s.S;
        if (hi - lo < TW.FloatCount) lo = hi = 0; // too few interior outputs for a vector: all by the running edge sums
        for (int b = 0; b < rows; b++)
        {
            int oh = oh0 + b;
            if (p.CountH[oh] == 0) continue;
            ref float yrow = ref Unsafe.Add(ref y, oh * OW);
            ref double r = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(g.Reciprocal), oh * OW);
            int left = hi > lo ? lo : OW;
            EdgeSums(p, cb, b * W, sum, 0, left);
            for (int ow = 0; ow < left; ow++) Unsafe.Add(ref yrow, ow) = (float)(sum[ow] * Unsafe.Add(ref r, ow));
            if (hi > lo)
            {
                EdgeSums(p, cb, b * W, sum, hi, OW);
                for (int ow = hi; ow < OW; ow++) Unsafe.Add(ref yrow, ow) = (float)(sum[ow] * Unsafe.Add(ref r, ow));
            }
        }
        if (hi <= lo) return;
        int s0 = p.FirstW[lo], flat = rows * W;
        // The levels of kw's set bits and their offsets (lowest bit first, as in kw = Σ 2^m), each level over the whole block.
        Span<int> offsets = stackalloc int[31];
        var levels = s.Levels;
        int used = 0, offset = 0;
        double[] cur = cb;
        for (int span = 1, m = 0; span <= kw; span *= 2, m++)
        {
            if ((kw & span) != 0) { levels[used] = cur; offsets[used++] = s0 + offset; offset += span; }
            if (span * 2 > kw) break;
            var next = s.Level(m + 1);
            Pair<TW, TF, TD>(next, cur, span, flat - span); // next[j] = cur[j] + cur[j + span] (values across a row end unused)
            cur = next;
        }
        int n = TW.FloatCount, h = n / 2, outs = hi - lo;
        for (int b = 0; b < rows; b++)
        {
            int oh = oh0 + b;
            if (p.CountH[oh] == 0) continue;
            ref float yr = ref Unsafe.Add(ref y, oh * OW + lo);
            ref double rr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(g.Reciprocal), oh * OW + lo);
            int rowBase = b * W;
            for (int j = 0; ; j += n)
            {
                if (j + n > outs) { if (j >= outs) break; j = outs - n; } // a last vector overlapping the previous one (pure recomputation)
                ref double l0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(levels[0]), rowBase + offsets[0] + j);
                TD a0 = TW.LoadD(ref l0, 0), a1 = TW.LoadD(ref l0, (nuint)h);
                for (int t = 1; t < used; t++)
                {
                    ref double lt = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(levels[t]), rowBase + offsets[t] + j);
                    a0 = TW.Add(a0, TW.LoadD(ref lt, 0)); a1 = TW.Add(a1, TW.LoadD(ref lt, (nuint)h));
                }
                TW.StoreF(TW.Narrow(TW.Mul(a0, TW.LoadD(ref rr, (nuint)j)), TW.Mul(a1, TW.LoadD(ref rr, (nuint)(j + h)))), ref yr, (nuint)j);
            }
        }
    }

    /// <summary>
    /// <c>S[ow]</c> for the clipped windows <c>ow ∈ [from, to)</c> from the column sums at <c>c[c0 ..]</c>, by a scalar running sum
    /// along W (add entering columns, subtract leaving ones, restart when disjoint; the moves <see cref="Geometry"/> counts): one or
    /// two adds per output instead of a dependent chain of up to <c>kw</c>.
    /// </summary>
    static void EdgeSums(PoolPlan p, double[] c, int c0, double[] sum, int from, int to)
    {
        int[] firstW = p.FirstW, countW = p.CountW;
        double h = 0;
        int wa = 0, we = 0;
        for (int ow = from; ow < to; ow++)
        {
            int na = firstW[ow], ne = na + countW[ow];
            if (countW[ow] == 0) { sum[ow] = 0; continue; }
            if (na >= we || ow == from) { h = 0; wa = we = na; }
            for (; we < ne; we++) h += c[c0 + we];
            for (; wa < na; wa++) h -= c[c0 + wa];
            sum[ow] = h;
        }
    }

    static void Pair<TW, TF, TD>(double[] dst, double[] src, int span, int len) where TW : IDoubleWidth<TF, TD>
    {
        ref double d = ref MemoryMarshal.GetArrayDataReference(dst);
        ref double a = ref MemoryMarshal.GetArrayDataReference(src);
        ref double b = ref Unsafe.Add(ref a, span);
        int n = TW.FloatCount / 2, j = 0;
        for (; j + n <= len; j += n) TW.StoreD(TW.Add(TW.LoadD(ref a, (nuint)j), TW.LoadD(ref b, (nuint)j)), ref d, (nuint)j);
        if (j < len && len >= n) { j = len - n; TW.StoreD(TW.Add(TW.LoadD(ref a, (nuint)j), TW.LoadD(ref b, (nuint)j)), ref d, (nuint)j); return; }
        for (; j < len; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref a, j) + Unsafe.Add(ref b, j);
    }

    /// <summary>Output rows [<paramref name="oh0"/>, <paramref name="oh1"/>) of image <paramref name="n"/> in NHWC.</summary>
    static void NhwcRows<TW, TF, TD>(PoolPlan p, Geometry g, int C, float[] xa, int n, int oh0, int oh1, float[] ya, RowScratch s) where TW : IDoubleWidth<TF, TD>
    {
        int W = p.LW, OW = p.OW, rowLen = W * C;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xa), (nint)n * p.InputPlane * C);
        ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ya), (nint)n * p.OutputPlane * C);
        ref double c = ref MemoryMarshal.GetArrayDataReference(s.C);
        int[] firstW = p.FirstW, countW = p.CountW;
        int a = 0, e = 0;
        int nf = TW.FloatCount, nd = nf / 2;
        for (int oh = oh0; oh < oh1; oh++)
        {
            if (p.CountH[oh] == 0) continue;
            MoveRows<TW, TF, TD>(p, ref x, rowLen, s.C, ref a, ref e, oh);
            ref float yrow = ref Unsafe.Add(ref y, (nint)oh * OW * C);
            ref double rrow = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(g.Reciprocal), oh * OW);
            // Channel vectors of nf floats (two float64 running sums each), then a scalar tail.
            int ch = 0;
            for (; ch + nf <= C; ch += nf)
            {
                TD h0 = TW.Zero, h1 = TW.Zero;
                int wa = 0, we = 0;
                for (int ow = 0; ow < OW; ow++)
                {
                    int na = firstW[ow], ne = na + countW[ow];
                    if (countW[ow] == 0) continue;
                    if (na >= we) { h0 = h1 = TW.Zero; wa = we = na; }
                    for (; we < ne; we++)
                    {
                        ref double col = ref Unsafe.Add(ref c, (nint)we * C + ch);
                        h0 = TW.Add(h0, TW.LoadD(ref col, 0)); h1 = TW.Add(h1, TW.LoadD(ref col, (nuint)nd));
                    }
                    for (; wa < na; wa++)
                    {
                        ref double col = ref Unsafe.Add(ref c, (nint)wa * C + ch);
                        h0 = TW.Sub(h0, TW.LoadD(ref col, 0)); h1 = TW.Sub(h1, TW.LoadD(ref col, (nuint)nd));
                    }
                    var r = TW.Broadcast(Unsafe.Add(ref rrow, ow));
                    TW.StoreF(TW.Narrow(TW.Mul(h0, r), TW.Mul(h1, r)), ref yrow, (nuint)((nint)ow * C + ch));
                }
            }
            if (ch < C)
            {
                var h = s.H;
                Array.Clear(h);
                int wa = 0, we = 0;
                for (int ow = 0; ow < OW; ow++)
                {
                    int na = firstW[ow], ne = na + countW[ow];
                    if (countW[ow] == 0) continue;
                    if (na >= we) { Array.Clear(h); wa = we = na; }
                    for (; we < ne; we++) for (int k = ch; k < C; k++) h[k] += Unsafe.Add(ref c, (nint)we * C + k);
                    for (; wa < na; wa++) for (int k = ch; k < C; k++) h[k] -= Unsafe.Add(ref c, (nint)wa * C + k);
                    double r = Unsafe.Add(ref rrow, ow);
                    for (int k = ch; k < C; k++) Unsafe.Add(ref yrow, (nint)ow * C + k) = (float)(h[k] * r);
                }
            }
        }
        foreach (var (cell, v) in p.Empty)
        {
            int oh = cell / OW;
            if (oh < oh0 || oh >= oh1) continue;
            for (int k = 0; k < C; k++) Unsafe.Add(ref y, (nint)cell * C + k) = v;
        }
    }
}
