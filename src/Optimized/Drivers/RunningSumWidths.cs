using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// The float64 vector width of <see cref="RunningSumDriver"/>: <typeparamref name="TF"/> holds <see cref="FloatCount"/> floats,
/// widened into two <typeparamref name="TD"/> of float64 and narrowed back. Every sum formed through it is exact (the driver's
/// admission condition), so the width changes speed only, never a bit.
/// </summary>
internal interface IDoubleWidth<TF, TD>
{
    static abstract int FloatCount { get; }
    static abstract TF LoadF(ref float x, nuint i);
    static abstract void StoreF(TF v, ref float y, nuint i);
    static abstract TD LoadD(ref double x, nuint i);
    static abstract void StoreD(TD v, ref double y, nuint i);
    static abstract (TD Lo, TD Hi) Widen(TF v);
    static abstract TF Narrow(TD lo, TD hi);
    static abstract TD Add(TD a, TD b);
    static abstract TD Sub(TD a, TD b);
    static abstract TD Mul(TD a, TD b);
    static abstract TD Zero { get; }
    static abstract TD Broadcast(double v);
    /// <summary>Lanes below <paramref name="skip"/> from <paramref name="old"/>, the rest from <paramref name="neu"/> (a last vector overlapping done lanes).</summary>
    static abstract TD KeepBelow(TD old, TD neu, int skip);
}

/// <summary>Vector512: 16 floats, 8 float64 lanes.</summary>
internal readonly struct D512 : IDoubleWidth<Vector512<float>, Vector512<double>>
{
    public static int FloatCount => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LoadF(ref float x, nuint i) => Vector512.LoadUnsafe(ref x, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreF(Vector512<float> v, ref float y, nuint i) => v.StoreUnsafe(ref y, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> LoadD(ref double x, nuint i) => Vector512.LoadUnsafe(ref x, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreD(Vector512<double> v, ref double y, nuint i) => v.StoreUnsafe(ref y, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static (Vector512<double> Lo, Vector512<double> Hi) Widen(Vector512<float> v) => Vector512.Widen(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Narrow(Vector512<double> lo, Vector512<double> hi) => Vector512.Narrow(lo, hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    public static Vector512<double> Zero => Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> KeepBelow(Vector512<double> old, Vector512<double> neu, int skip) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<long>.Indices, Vector512.Create((long)skip)).AsDouble(), neu, old);
}

/// <summary>System.Numerics.Vector: the runtime's preferred width (Vector256 with AVX2, Vector128 with SSE, software without either).</summary>
internal readonly struct DVec : IDoubleWidth<Vector<float>, Vector<double>>
{
    public static int FloatCount => Vector<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<float> LoadF(ref float x, nuint i) => Vector.LoadUnsafe(ref x, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreF(Vector<float> v, ref float y, nuint i) => v.StoreUnsafe(ref y, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> LoadD(ref double x, nuint i) => Vector.LoadUnsafe(ref x, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreD(Vector<double> v, ref double y, nuint i) => v.StoreUnsafe(ref y, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector<double> Lo, Vector<double> Hi) Widen(Vector<float> v) { Vector.Widen(v, out var lo, out var hi); return (lo, hi); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<float> Narrow(Vector<double> lo, Vector<double> hi) => Vector.Narrow(lo, hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Add(Vector<double> a, Vector<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Sub(Vector<double> a, Vector<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Mul(Vector<double> a, Vector<double> b) => a * b;
    public static Vector<double> Zero => Vector<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Broadcast(double v) => new(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> KeepBelow(Vector<double> old, Vector<double> neu, int skip) =>
        Vector.ConditionalSelect(Vector.AsVectorDouble(Vector.GreaterThanOrEqual(Vector<long>.Indices, new Vector<long>(skip))), neu, old);
}
