using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// Average: float32 sum (one rounding per addition; the drivers fix the order), then one multiply by the reciprocal of the
/// divisor of the window's <see cref="Core.DivisorPolicy"/> (<see cref="PoolPlan.FinalFactor"/>, rounded once to float32): a
/// division costs about five times a multiply on the vector units. The error is within the derived bound of TESTING.md §3.3
/// (<c>n − 1</c> additions, then the reciprocal's rounding and the product's: the bound allows any order and two roundings).
/// </summary>
public readonly struct AverageOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Term(Vector128<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Term(Vector256<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Term(Vector512<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float acc, float x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Finalize(float acc, float reciprocal) => acc * reciprocal;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Finalize(Vector128<float> acc, Vector128<float> d) => acc * d;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Finalize(Vector256<float> acc, Vector256<float> d) => acc * d;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Finalize(Vector512<float> acc, Vector512<float> d) => acc * d;
}
