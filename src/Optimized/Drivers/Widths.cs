using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// One ISA tier as a type, so each driver loop is written once and the JIT specialises it per tier (struct type
/// arguments are never shared). <c>TV</c> holds floats, <c>TI</c> int32 indices, <c>TM</c> a lane mask. <see cref="Scalar"/>
/// is the scalar tier and the tail of the others; all tiers compute each element with the same operations in the same
/// order, so their results are bit-identical.
/// </summary>
public interface IWidth<TV, TI, TM>
{
    static abstract int Count { get; }
    static abstract TV Load(ref float b, nint i);
    static abstract void Store(TV v, ref float b, nint i);
    /// <summary>Stores lanes 0 … <paramref name="count"/> − 1 of <paramref name="v"/> at <c>b[i …]</c> and nothing past them (a masked store where the ISA has one).</summary>
    static abstract void StoreFirst(TV v, ref float b, nint i, int count);
    static abstract TI LoadI(ref int b, nint i);
    static abstract void StoreI(TI v, ref int b, nint i);
    static abstract TV Broadcast(float v);
    /// <summary><c>[s, s+1, …, s+Count−1]</c>.</summary>
    static abstract TI Iota(int s);
    static abstract TI BroadcastI(int v);
    static abstract TI AddI(TI a, TI b);
    static abstract TM Replaces<TOp>(TV x, TV acc) where TOp : ISelectOperator;
    static abstract TV Select(TM m, TV a, TV b);
    static abstract TI SelectI(TM m, TI a, TI b);
    static abstract TV Term<TOp>(TV x) where TOp : IAccumulateOperator;
    static abstract TV Invoke<TOp>(TV acc, TV x) where TOp : IAccumulateOperator;
    /// <summary>The operator's max combine of two partial maxima (value only): <c>acc</c> unless <c>x</c> replaces it.</summary>
    static abstract TV Combine<TOp>(TV acc, TV x) where TOp : ISelectOperator;
    static abstract TV Finalize<TOp>(TV acc, TV divisor) where TOp : IAccumulateOperator;
    /// <summary>Whether <see cref="Evens"/> and <see cref="Odds"/> have a shuffle on this machine (else the tier is skipped for them).</summary>
    static abstract bool CanUnzip { get; }
    /// <summary>Lanes 0, 2, 4, … of the 2·Count floats <c>a ‖ b</c> (a de-interleave; no arithmetic, so bits are kept).</summary>
    static abstract TV Evens(TV a, TV b);
    /// <summary>Lanes 1, 3, 5, … of the 2·Count floats <c>a ‖ b</c>.</summary>
    static abstract TV Odds(TV a, TV b);
    /// <summary>
    /// <c>[prev[Count−1], cur[0], …, cur[Count−2]]</c>: <paramref name="cur"/> moved up one lane with the last lane of <paramref name="prev"/>
    /// shifted in (no arithmetic, so bits are kept). The stride-2 one-pass max's left tap, carried from the previous block.
    /// Available wherever <see cref="CanUnzip"/> is.
    /// </summary>
    static abstract TV ShiftIn(TV prev, TV cur);
    /// <summary>
    /// <c>[cur[1], …, cur[Count−1], next[0]]</c>: <paramref name="cur"/> moved down one lane with the first lane of
    /// <paramref name="next"/> shifted in (no arithmetic). Available wherever <see cref="CanUnzip"/> is.
    /// </summary>
    static abstract TV ShiftDown(TV cur, TV next);
    /// <summary>
    /// <c>x &gt; acc ? x : acc</c> lane-wise: every select operator's rule when <c>x</c> is not NaN (ties and ±0 keep <c>acc</c>). On x86 one
    /// <c>maxps x, acc</c>, which is exactly that: it returns its second operand when the two are equal (±0 included) or unordered.
    /// </summary>
    static abstract TV MaxOrdered(TV acc, TV x);
    /// <summary><c>seen</c> with the lanes where <c>a</c> or <c>b</c> is NaN set (all ones).</summary>
    static abstract TV NoteNaN(TV seen, TV a, TV b);
    /// <summary><c>min(m, |a|)</c> lane-wise, for inputs without NaN (a ±0 detector: <see cref="AnyZero"/> of the running value).</summary>
    static abstract TV MinMagnitude(TV m, TV a);
    /// <summary>Whether a lane of <paramref name="m"/> is ±0.</summary>
    static abstract bool AnyZero(TV m);
    /// <summary><c>a + b</c> lane-wise (a NaN detector: the sum of a window column is NaN when one of its taps is).</summary>
    static abstract TV Add(TV a, TV b);
    /// <summary><c>a · b</c> lane-wise.</summary>
    static abstract TV Mul(TV a, TV b);
    /// <summary><c>a / b</c> lane-wise.</summary>
    static abstract TV Div(TV a, TV b);
    /// <summary>IEEE 754:2019 <c>maximum</c> lane-wise (<c>Vector*.Max</c>, <see cref="MathF.Max(float, float)"/>): NaN propagates, +0 &gt; −0.</summary>
    static abstract TV MaxPropagate(TV a, TV b);
    /// <summary>Whether any lane of a <see cref="NoteNaN"/> accumulator is set.</summary>
    static abstract bool AnySet(TV seen);
    static abstract TV Zero { get; }
}

public readonly struct Scalar : IWidth<float, int, bool>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float b, nint i) => Unsafe.Add(ref b, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, ref float b, nint i) => Unsafe.Add(ref b, i) = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(float v, ref float b, nint i, int count) { if (count > 0) Unsafe.Add(ref b, i) = v; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int LoadI(ref int b, nint i) => Unsafe.Add(ref b, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreI(int v, ref int b, nint i) => Unsafe.Add(ref b, i) = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Iota(int s) => s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int BroadcastI(int v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int AddI(int a, int b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Replaces<TOp>(float x, float acc) where TOp : ISelectOperator => TOp.Replaces(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(bool m, float a, float b) => m ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int SelectI(bool m, int a, int b) => m ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term<TOp>(float x) where TOp : IAccumulateOperator => TOp.Term(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke<TOp>(float acc, float x) where TOp : IAccumulateOperator => TOp.Invoke(acc, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Combine<TOp>(float acc, float x) where TOp : ISelectOperator => TOp.Replaces(x, acc) ? x : acc;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Finalize<TOp>(float acc, float d) where TOp : IAccumulateOperator => TOp.Finalize(acc, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxOrdered(float acc, float x) => x > acc ? x : acc;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float NoteNaN(float seen, float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : seen;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinMagnitude(float m, float a) { float b = MathF.Abs(a); return b < m ? b : m; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyZero(float m) => m == 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxPropagate(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnySet(float seen) => float.IsNaN(seen);
    public static float Zero => 0f;
    public static bool CanUnzip => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Evens(float a, float b) => a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Odds(float a, float b) => b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ShiftIn(float prev, float cur) => prev;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ShiftDown(float cur, float next) => next;
}

public readonly struct W128 : IWidth<Vector128<float>, Vector128<int>, Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float b, nint i) => Vector128.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(Vector128<float> v, ref float b, nint i, int count)
    {
        if (Avx.IsSupported)
            fixed (float* at = &Unsafe.Add(ref b, i)) Avx.MaskStore(at, Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle(), v);
        else
            for (int l = 0; l < count; l++) Unsafe.Add(ref b, i + l) = v.GetElement(l);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<int> LoadI(ref int b, nint i) => Vector128.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreI(Vector128<int> v, ref int b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<int> Iota(int s) => Vector128.Create(s) + Vector128<int>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<int> BroadcastI(int v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<int> AddI(Vector128<int> a, Vector128<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Replaces<TOp>(Vector128<float> x, Vector128<float> acc) where TOp : ISelectOperator => TOp.Replaces(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> m, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<int> SelectI(Vector128<float> m, Vector128<int> a, Vector128<int> b) => Vector128.ConditionalSelect(m.AsInt32(), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Term<TOp>(Vector128<float> x) where TOp : IAccumulateOperator => TOp.Term(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke<TOp>(Vector128<float> acc, Vector128<float> x) where TOp : IAccumulateOperator => TOp.Invoke(acc, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Combine<TOp>(Vector128<float> acc, Vector128<float> x) where TOp : ISelectOperator => Vector128.ConditionalSelect(TOp.Replaces(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Finalize<TOp>(Vector128<float> acc, Vector128<float> d) where TOp : IAccumulateOperator => TOp.Finalize(acc, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxOrdered(Vector128<float> acc, Vector128<float> x) =>
        Sse.IsSupported ? Sse.Max(x, acc) : Vector128.ConditionalSelect(Vector128.GreaterThan(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> NoteNaN(Vector128<float> seen, Vector128<float> a, Vector128<float> b) =>
        seen | (Sse.IsSupported ? Sse.CompareUnordered(a, b) : ~(Vector128.Equals(a, a) & Vector128.Equals(b, b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MinMagnitude(Vector128<float> m, Vector128<float> a) =>
        Sse.IsSupported ? Sse.Min(m, Vector128.Abs(a)) : Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(a), m), Vector128.Abs(a), m);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyZero(Vector128<float> m) => Vector128.EqualsAny(m, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Div(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxPropagate(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnySet(Vector128<float> seen) => seen.AsInt32() != Vector128<int>.Zero;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    public static bool CanUnzip => Sse.IsSupported || AdvSimd.Arm64.IsSupported;
    // shufps 0b10_00_10_00: [a0, a2, b0, b2]; 0b11_01_11_01: [a1, a3, b1, b3]. Arm64: uzp1 / uzp2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Evens(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Shuffle(a, b, 0b10_00_10_00) : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipEven(a, b) : throw new PlatformNotSupportedException();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Odds(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Shuffle(a, b, 0b11_01_11_01) : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipOdd(a, b) : throw new PlatformNotSupportedException();
    // shufps 0b00_00_11_11: [p3, p3, c0, c0]; then 0b10_01_10_00 of that and c: [p3, c0, c1, c2]. Elsewhere lane by lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ShiftIn(Vector128<float> prev, Vector128<float> cur) =>
        Sse.IsSupported ? Sse.Shuffle(Sse.Shuffle(prev, cur, 0b00_00_11_11), cur, 0b10_01_10_00)
        : Vector128.Create(prev.GetElement(3), cur.GetElement(0), cur.GetElement(1), cur.GetElement(2));
    // shufps 0b00_00_11_11: [c3, c3, n0, n0]; then 0b10_00_10_01 of c and that: [c1, c2, c3, n0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ShiftDown(Vector128<float> cur, Vector128<float> next) =>
        Sse.IsSupported ? Sse.Shuffle(cur, Sse.Shuffle(cur, next, 0b00_00_11_11), 0b10_00_10_01)
        : Vector128.Create(cur.GetElement(1), cur.GetElement(2), cur.GetElement(3), next.GetElement(0));
}

public readonly struct W256 : IWidth<Vector256<float>, Vector256<int>, Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float b, nint i) => Vector256.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(Vector256<float> v, ref float b, nint i, int count)
    {
        if (Avx.IsSupported)
            fixed (float* at = &Unsafe.Add(ref b, i)) Avx.MaskStore(at, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), v);
        else
            for (int l = 0; l < count; l++) Unsafe.Add(ref b, i + l) = v.GetElement(l);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<int> LoadI(ref int b, nint i) => Vector256.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreI(Vector256<int> v, ref int b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<int> Iota(int s) => Vector256.Create(s) + Vector256<int>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<int> BroadcastI(int v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<int> AddI(Vector256<int> a, Vector256<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Replaces<TOp>(Vector256<float> x, Vector256<float> acc) where TOp : ISelectOperator => TOp.Replaces(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> m, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<int> SelectI(Vector256<float> m, Vector256<int> a, Vector256<int> b) => Vector256.ConditionalSelect(m.AsInt32(), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Term<TOp>(Vector256<float> x) where TOp : IAccumulateOperator => TOp.Term(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke<TOp>(Vector256<float> acc, Vector256<float> x) where TOp : IAccumulateOperator => TOp.Invoke(acc, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Combine<TOp>(Vector256<float> acc, Vector256<float> x) where TOp : ISelectOperator => Vector256.ConditionalSelect(TOp.Replaces(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Finalize<TOp>(Vector256<float> acc, Vector256<float> d) where TOp : IAccumulateOperator => TOp.Finalize(acc, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxOrdered(Vector256<float> acc, Vector256<float> x) =>
        Avx.IsSupported ? Avx.Max(x, acc) : Vector256.ConditionalSelect(Vector256.GreaterThan(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> NoteNaN(Vector256<float> seen, Vector256<float> a, Vector256<float> b) =>
        seen | (Avx.IsSupported ? Avx.CompareUnordered(a, b) : ~(Vector256.Equals(a, a) & Vector256.Equals(b, b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinMagnitude(Vector256<float> m, Vector256<float> a) =>
        Avx.IsSupported ? Avx.Min(m, Vector256.Abs(a)) : Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(a), m), Vector256.Abs(a), m);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyZero(Vector256<float> m) => Vector256.EqualsAny(m, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxPropagate(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnySet(Vector256<float> seen) => seen.AsInt32() != Vector256<int>.Zero;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    public static bool CanUnzip => Avx2.IsSupported;
    // vshufps works per 128-bit half ([a0 a2 b0 b2 | a4 a6 b4 b6]); vpermpd 0b11_01_10_00 puts the 64-bit pairs in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Evens(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Odds(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    // valignd by 7 lanes where AVX-512VL is; else vperm2i128 0x21: [p4..p7 | c0..c3], and vpalignr by 12 bytes per 128-bit half
    // of c over that: [p7 c0 c1 c2 | c3 c4 c5 c6].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ShiftIn(Vector256<float> prev, Vector256<float> cur) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.AlignRight32(cur.AsInt32(), prev.AsInt32(), 7).AsSingle()
        : Avx2.AlignRight(cur.AsByte(), Avx2.Permute2x128(prev.AsByte(), cur.AsByte(), 0x21), 12).AsSingle();
    // valignd by 1 lane where AVX-512VL is; else vperm2i128 0x21: [c4..c7 | n0..n3], and vpalignr by 4 bytes per 128-bit half
    // of that over c: [c1 c2 c3 c4 | c5 c6 c7 n0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ShiftDown(Vector256<float> cur, Vector256<float> next) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.AlignRight32(next.AsInt32(), cur.AsInt32(), 1).AsSingle()
        : Avx2.AlignRight(Avx2.Permute2x128(cur.AsByte(), next.AsByte(), 0x21), cur.AsByte(), 4).AsSingle();
}

public readonly struct W512 : IWidth<Vector512<float>, Vector512<int>, Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float b, nint i) => Vector512.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(Vector512<float> v, ref float b, nint i, int count)
    {
        if (Avx512F.IsSupported)
            fixed (float* at = &Unsafe.Add(ref b, i)) Avx512F.MaskStore(at, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), v);
        else
            for (int l = 0; l < count; l++) Unsafe.Add(ref b, i + l) = v.GetElement(l);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<int> LoadI(ref int b, nint i) => Vector512.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreI(Vector512<int> v, ref int b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<int> Iota(int s) => Vector512.Create(s) + Vector512<int>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<int> BroadcastI(int v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<int> AddI(Vector512<int> a, Vector512<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Replaces<TOp>(Vector512<float> x, Vector512<float> acc) where TOp : ISelectOperator => TOp.Replaces(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> m, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<int> SelectI(Vector512<float> m, Vector512<int> a, Vector512<int> b) => Vector512.ConditionalSelect(m.AsInt32(), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Term<TOp>(Vector512<float> x) where TOp : IAccumulateOperator => TOp.Term(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke<TOp>(Vector512<float> acc, Vector512<float> x) where TOp : IAccumulateOperator => TOp.Invoke(acc, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Combine<TOp>(Vector512<float> acc, Vector512<float> x) where TOp : ISelectOperator => Vector512.ConditionalSelect(TOp.Replaces(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Finalize<TOp>(Vector512<float> acc, Vector512<float> d) where TOp : IAccumulateOperator => TOp.Finalize(acc, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxOrdered(Vector512<float> acc, Vector512<float> x) =>
        Avx512F.IsSupported ? Avx512F.Max(x, acc) : Vector512.ConditionalSelect(Vector512.GreaterThan(x, acc), x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> NoteNaN(Vector512<float> seen, Vector512<float> a, Vector512<float> b) =>
        seen | (Avx512F.IsSupported ? Avx512F.CompareUnordered(a, b) : ~(Vector512.Equals(a, a) & Vector512.Equals(b, b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinMagnitude(Vector512<float> m, Vector512<float> a) =>
        Avx512F.IsSupported ? Avx512F.Min(m, Vector512.Abs(a)) : Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(a), m), Vector512.Abs(a), m);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyZero(Vector512<float> m) => Vector512.EqualsAny(m, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxPropagate(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnySet(Vector512<float> seen) => seen.AsInt32() != Vector512<int>.Zero;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    public static bool CanUnzip => Avx512F.IsSupported;
    static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    static readonly Vector512<int> OddLanes = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    // vpermt2ps over the 32 lanes of a ‖ b with the even (odd) lane numbers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Evens(Vector512<float> a, Vector512<float> b) => Avx512F.PermuteVar16x32x2(a, EvenLanes, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Odds(Vector512<float> a, Vector512<float> b) => Avx512F.PermuteVar16x32x2(a, OddLanes, b);
    // valignd by 15 lanes of cur ‖ prev: [p15, c0, …, c14].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ShiftIn(Vector512<float> prev, Vector512<float> cur) =>
        Avx512F.AlignRight32(cur.AsInt32(), prev.AsInt32(), 15).AsSingle();
    // valignd by 1 lane of next ‖ cur: [c1, …, c15, n0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ShiftDown(Vector512<float> cur, Vector512<float> next) =>
        Avx512F.AlignRight32(next.AsInt32(), cur.AsInt32(), 1).AsSingle();
}
