using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
}

public readonly struct Scalar : IWidth<float, int, bool>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float b, nint i) => Unsafe.Add(ref b, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, ref float b, nint i) => Unsafe.Add(ref b, i) = v;
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
}

public readonly struct W128 : IWidth<Vector128<float>, Vector128<int>, Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float b, nint i) => Vector128.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
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
}

public readonly struct W256 : IWidth<Vector256<float>, Vector256<int>, Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float b, nint i) => Vector256.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
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
}

public readonly struct W512 : IWidth<Vector512<float>, Vector512<int>, Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float b, nint i) => Vector512.LoadUnsafe(ref b, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float b, nint i) => v.StoreUnsafe(ref b, (nuint)i);
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
}
