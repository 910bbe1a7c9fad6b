using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// Global accumulation (global average / Lp: one window that is the whole plane, <see cref="PoolPlan.IsGlobal"/>), as a flat
/// reduction. The summation order is fixed and the same in every layout, ISA tier and thread count: 16 slots, tap <c>i</c> of
/// the plane (flat in-plane order) added to slot <c>i mod 16</c> (slots start at 0), then the slots folded pairwise
/// (<c>s[j] += s[j + 8]</c>, then <c>+4</c>, <c>+2</c>, <c>+1</c>). NCHW: a Vector512 holds the 16 slots (two Vector256, four
/// Vector128, sixteen scalars in the narrower tiers), SIMD along the plane, parallel over blocks of planes. NHWC: the slots
/// are 16 rows of C in a per-thread scratch, SIMD over channels (scalar channel tail: the slots are read-modify-write),
/// parallel over images. Any order is within the derived bound (TESTING.md §3); this one makes NCHW and NHWC bit-identical.
/// </summary>
public static class GlobalDriver
{
    const int Slots = 16;

    public static void AccumulateNchw<TOp>(PoolPlan p, int planes, float[] x, float[] y, int threads) where TOp : IAccumulateOperator
    {
        int len = p.InputPlane;
        float f = p.FinalFactor![0];
        const int block = 64;
        int blocks = (planes + block - 1) / block;
        void Block(int b)
        {
            Span<float> s = stackalloc float[Slots];
            int end = Math.Min(planes, (b + 1) * block);
            int q = b * block;
            if (Cascade.Widest == Tier.V512)
            {
                // Sixteen planes at a time whose tail loads stay inside x: slots in registers, the folds of all sixteen together.
                ref float x0 = ref MemoryMarshal.GetArrayDataReference(x);
                int full = len / Slots * Slots, tail = len - full;
                var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
                var factor = Vector512.Create(f);
                for (; q + Slots <= end && (long)(q + Slots - 1) * len + full + Slots <= x.Length; q += Slots)
                    TOp.Finalize(SixteenPlaneSums512<TOp>(ref Unsafe.Add(ref x0, (nint)q * len), len, full, keep, tail > 0), factor)
                        .StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(y), (nuint)q);
                // Planes whose tail load (16 floats from the last full group) stays inside x: the whole sum in registers.
                for (; q < end && (long)q * len + len / Slots * Slots + Slots <= x.Length; q++)
                    y[q] = TOp.Finalize(PlaneSum512<TOp>(ref Unsafe.Add(ref x0, (nint)q * len), len), f);
            }
            for (; q < end; q++)
            {
                ref float xp = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)q * len);
                y[q] = TOp.Finalize(PlaneSum<TOp>(ref xp, len, s), f);
            }
        }
        if (threads <= 1 || blocks <= 1) for (int b = 0; b < blocks; b++) Block(b);
        else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Block);
    }

    /// <summary>
    /// <see cref="PlaneSum{TOp}"/> with the 16 slots in one Vector512 throughout: the tail taps are added to slots 0 .. tail − 1
    /// by one vector add whose other lanes add −0 (the identity of IEEE addition for every value, so those slots keep their bits),
    /// and the pairwise fold is the same adds lane by lane (upper half onto lower half, four times). Same
    /// operations on the same values in the same order, so the same bits; reads up to 15 floats past the plane (the caller checks
    /// they lie inside the array; they are masked out). Every accumulate operator's Invoke is one IEEE addition.
    /// </summary>
    static float PlaneSum512<TOp>(ref float x, int len) where TOp : IAccumulateOperator
    {
        int full = len / Slots * Slots, tail = len - full;
        var a = Vector512<float>.Zero;
        for (int i = 0; i < full; i += Slots) a = TOp.Invoke(a, TOp.Term(Vector512.LoadUnsafe(ref x, (nuint)i)));
        if (tail > 0)
        {
            var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
            a = TOp.Invoke(a, Vector512.ConditionalSelect(keep, TOp.Term(Vector512.LoadUnsafe(ref x, (nuint)full)), Vector512.Create(-0f)));
        }
        var h8 = TOp.Invoke(a.GetLower(), a.GetUpper());
        var h4 = TOp.Invoke(h8.GetLower(), h8.GetUpper());
        var h2 = TOp.Invoke(h4, Vector128.Shuffle(h4, Vector128.Create(2, 3, 2, 3)));
        return TOp.Invoke(h2.ToScalar(), h2.GetElement(1));
    }

    /// <summary>The 16 slots of one plane in a Vector512, before the fold (<see cref="PlaneSum512{TOp}"/>'s first part).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Slots512<TOp>(ref float x, int full, Vector512<float> keep, bool tail) where TOp : IAccumulateOperator
    {
        var a = Vector512<float>.Zero;
        for (int i = 0; i < full; i += Slots) a = TOp.Invoke(a, TOp.Term(Vector512.LoadUnsafe(ref x, (nuint)i)));
        if (tail) a = TOp.Invoke(a, Vector512.ConditionalSelect(keep, TOp.Term(Vector512.LoadUnsafe(ref x, (nuint)full)), Vector512.Create(-0f)));
        return a;
    }

    /// <summary>
    /// The sums of sixteen consecutive planes, in plane order (lane i: plane i): each plane's slots as in
    /// <see cref="PlaneSum512{TOp}"/>, then the four fold steps of all sixteen planes together — two planes' halves per vector
    /// at the first step, four planes' quarters at the second, and so on — by shuffles that line up slot <c>j</c> with slot
    /// <c>j + h</c> of the same plane, and one add per vector. Every lane adds exactly the pair the one-plane fold adds, in the
    /// same order, so each sum has the same bits; the sixteen folds take 15 adds and 30 shuffles instead of 16 × 4 adds and the
    /// extracts between them, and the results leave in one vector, finalized by one vector operation (each lane the scalar
    /// Finalize's IEEE operation). The intermediate vectors are locals, not a stack array, so they stay in registers: with the
    /// vector finalize, W4 ran 1.7× faster than with a stack array and a scalar finalize (in-process, interleaved, 41 samples).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> SixteenPlaneSums512<TOp>(ref float x, int len, int full, Vector512<float> keep, bool tail) where TOp : IAccumulateOperator
    {
        // Step h = 8: vector k holds planes 2k and 2k + 1, slots 0..7 each (128-bit chunks 0, 1 of one plane with chunks 2, 3).
        Vector512<float> r0 = Halves<TOp>(ref x, len, 0, full, keep, tail), r1 = Halves<TOp>(ref x, len, 1, full, keep, tail);
        Vector512<float> r2 = Halves<TOp>(ref x, len, 2, full, keep, tail), r3 = Halves<TOp>(ref x, len, 3, full, keep, tail);
        Vector512<float> r4 = Halves<TOp>(ref x, len, 4, full, keep, tail), r5 = Halves<TOp>(ref x, len, 5, full, keep, tail);
        Vector512<float> r6 = Halves<TOp>(ref x, len, 6, full, keep, tail), r7 = Halves<TOp>(ref x, len, 7, full, keep, tail);
        // Step h = 4: four planes of four slots per vector (chunks 0 and 2 of each input are slots 0..3, chunks 1 and 3 slots 4..7).
        Vector512<float> q0 = Quarters<TOp>(r0, r1), q1 = Quarters<TOp>(r2, r3), q2 = Quarters<TOp>(r4, r5), q3 = Quarters<TOp>(r6, r7);
        // Step h = 2, inside each 128-bit chunk: slots 0, 1 with slots 2, 3 (two planes per chunk).
        Vector512<float> h0 = TOp.Invoke(Avx512F.Shuffle(q0, q1, 0b01_00_01_00), Avx512F.Shuffle(q0, q1, 0b11_10_11_10));
        Vector512<float> h1 = TOp.Invoke(Avx512F.Shuffle(q2, q3, 0b01_00_01_00), Avx512F.Shuffle(q2, q3, 0b11_10_11_10));
        // Step h = 1: slot 0 with slot 1.
        var v = TOp.Invoke(Avx512F.Shuffle(h0, h1, 0b10_00_10_00), Avx512F.Shuffle(h0, h1, 0b11_01_11_01));
        return Avx512F.PermuteVar16x32(v, SixteenPlaneOrder);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Halves<TOp>(ref float x, int len, int k, int full, Vector512<float> keep, bool tail) where TOp : IAccumulateOperator
    {
        var a = Slots512<TOp>(ref Unsafe.Add(ref x, (nint)(2 * k) * len), full, keep, tail);
        var b = Slots512<TOp>(ref Unsafe.Add(ref x, (nint)(2 * k + 1) * len), full, keep, tail);
        return TOp.Invoke(Avx512F.Shuffle4x128(a, b, 0b01_00_01_00), Avx512F.Shuffle4x128(a, b, 0b11_10_11_10));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Quarters<TOp>(Vector512<float> a, Vector512<float> b) where TOp : IAccumulateOperator =>
        TOp.Invoke(Avx512F.Shuffle4x128(a, b, 0b10_00_10_00), Avx512F.Shuffle4x128(a, b, 0b11_01_11_01));

    /// <summary>For plane i, the lane of <see cref="SixteenPlaneSums512{TOp}"/>'s last vector that holds its sum: found once by
    /// running the same shuffles on planes whose every slot holds the label i (the fold of sixteen i's is 16·i, in i's lane).</summary>
    static readonly Vector512<int> SixteenPlaneOrder = LabelOrder();

    static Vector512<int> LabelOrder()
    {
        if (!Avx512F.IsSupported) return Vector512<int>.Indices;
        var r = new Vector512<float>[Slots / 2];
        for (int k = 0; k < 8; k++)
        {
            Vector512<float> a = Vector512.Create((float)(2 * k)), b = Vector512.Create((float)(2 * k + 1));
            r[k] = Avx512F.Shuffle4x128(a, b, 0b01_00_01_00) + Avx512F.Shuffle4x128(a, b, 0b11_10_11_10);
        }
        for (int k = 0; k < 4; k++) r[k] = Avx512F.Shuffle4x128(r[2 * k], r[2 * k + 1], 0b10_00_10_00) + Avx512F.Shuffle4x128(r[2 * k], r[2 * k + 1], 0b11_01_11_01);
        for (int k = 0; k < 2; k++) r[k] = Avx512F.Shuffle(r[2 * k], r[2 * k + 1], 0b01_00_01_00) + Avx512F.Shuffle(r[2 * k], r[2 * k + 1], 0b11_10_11_10);
        var v = Avx512F.Shuffle(r[0], r[1], 0b10_00_10_00) + Avx512F.Shuffle(r[0], r[1], 0b11_01_11_01);
        var order = new int[Slots];
        for (int lane = 0; lane < Slots; lane++) order[(int)(v[lane] / Slots)] = lane;
        return Vector512.Create(order);
    }

    static float PlaneSum<TOp>(ref float x, int len, Span<float> s) where TOp : IAccumulateOperator
    {
        int full = len / Slots * Slots;
        ref float sr = ref MemoryMarshal.GetReference(s);
        switch (Cascade.Widest)
        {
            case Tier.V512:
            {
                var a = Vector512<float>.Zero;
                for (int i = 0; i < full; i += Slots) a = TOp.Invoke(a, TOp.Term(Vector512.LoadUnsafe(ref x, (nuint)i)));
                a.StoreUnsafe(ref sr);
                break;
            }
            case Tier.V256:
            {
                Vector256<float> a0 = Vector256<float>.Zero, a1 = a0;
                for (int i = 0; i < full; i += Slots)
                {
                    a0 = TOp.Invoke(a0, TOp.Term(Vector256.LoadUnsafe(ref x, (nuint)i)));
                    a1 = TOp.Invoke(a1, TOp.Term(Vector256.LoadUnsafe(ref x, (nuint)i + 8)));
                }
                a0.StoreUnsafe(ref sr); a1.StoreUnsafe(ref sr, 8);
                break;
            }
            case Tier.V128:
            {
                Vector128<float> a0 = Vector128<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < full; i += Slots)
                {
                    a0 = TOp.Invoke(a0, TOp.Term(Vector128.LoadUnsafe(ref x, (nuint)i)));
                    a1 = TOp.Invoke(a1, TOp.Term(Vector128.LoadUnsafe(ref x, (nuint)i + 4)));
                    a2 = TOp.Invoke(a2, TOp.Term(Vector128.LoadUnsafe(ref x, (nuint)i + 8)));
                    a3 = TOp.Invoke(a3, TOp.Term(Vector128.LoadUnsafe(ref x, (nuint)i + 12)));
                }
                a0.StoreUnsafe(ref sr); a1.StoreUnsafe(ref sr, 4); a2.StoreUnsafe(ref sr, 8); a3.StoreUnsafe(ref sr, 12);
                break;
            }
            default:
                s.Clear();
                for (int i = 0; i < full; i += Slots)
                    for (int j = 0; j < Slots; j++) Unsafe.Add(ref sr, j) = TOp.Invoke(Unsafe.Add(ref sr, j), TOp.Term(Unsafe.Add(ref x, i + j)));
                break;
        }
        for (int j = 0; j < len - full; j++) Unsafe.Add(ref sr, j) = TOp.Invoke(Unsafe.Add(ref sr, j), TOp.Term(Unsafe.Add(ref x, full + j)));
        for (int h = Slots / 2; h >= 1; h /= 2)
            for (int j = 0; j < h; j++) Unsafe.Add(ref sr, j) = TOp.Invoke(Unsafe.Add(ref sr, j), Unsafe.Add(ref sr, j + h));
        return sr;
    }

    public static void AccumulateNhwc<TOp>(PoolPlan p, int batch, int channels, float[] x, float[] y, int threads) where TOp : IAccumulateOperator
    {
        int len = p.InputPlane, C = channels;
        float f = p.FinalFactor![0];
        void Image(int n, float[] s)
        {
            Array.Clear(s);
            ref float sr = ref MemoryMarshal.GetArrayDataReference(s);
            ref float xn = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)n * len * C);
            for (int i = 0; i < len; i++) AddRow<TOp>(ref Unsafe.Add(ref sr, (i % Slots) * C), ref Unsafe.Add(ref xn, (nint)i * C), C, true);
            for (int h = Slots / 2; h >= 1; h /= 2)
                for (int j = 0; j < h; j++) AddRow<TOp>(ref Unsafe.Add(ref sr, j * C), ref Unsafe.Add(ref sr, (j + h) * C), C, false);
            ref float yn = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)n * C);
            for (int c = 0; c < C; c++) Unsafe.Add(ref yn, c) = TOp.Finalize(Unsafe.Add(ref sr, c), f);
        }
        Workers.For(batch, threads, () => new float[Slots * C], Image);
    }

    /// <summary><c>acc[c] = Invoke(acc[c], term ? Term(v[c]) : v[c])</c> for c &lt; C; full vectors, then a scalar tail (no overlap: read-modify-write).</summary>
    static void AddRow<TOp>(ref float acc, ref float v, int C, bool term) where TOp : IAccumulateOperator
    {
        int c = 0;
        if (Cascade.Widest == Tier.V512)
            for (; c + 16 <= C; c += 16)
            {
                var t = Vector512.LoadUnsafe(ref v, (nuint)c);
                TOp.Invoke(Vector512.LoadUnsafe(ref acc, (nuint)c), term ? TOp.Term(t) : t).StoreUnsafe(ref acc, (nuint)c);
            }
        if (Cascade.Widest >= Tier.V256)
            for (; c + 8 <= C; c += 8)
            {
                var t = Vector256.LoadUnsafe(ref v, (nuint)c);
                TOp.Invoke(Vector256.LoadUnsafe(ref acc, (nuint)c), term ? TOp.Term(t) : t).StoreUnsafe(ref acc, (nuint)c);
            }
        if (Cascade.Widest >= Tier.V128)
            for (; c + 4 <= C; c += 4)
            {
                var t = Vector128.LoadUnsafe(ref v, (nuint)c);
                TOp.Invoke(Vector128.LoadUnsafe(ref acc, (nuint)c), term ? TOp.Term(t) : t).StoreUnsafe(ref acc, (nuint)c);
            }
        for (; c < C; c++)
        {
            float t = Unsafe.Add(ref v, c);
            Unsafe.Add(ref acc, c) = TOp.Invoke(Unsafe.Add(ref acc, c), term ? TOp.Term(t) : t);
        }
    }
}
