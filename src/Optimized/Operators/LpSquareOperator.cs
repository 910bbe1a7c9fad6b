using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// Lp pooling with p = 2: summands <c>x·x</c> (one correctly rounded product; <c>x²</c> = <c>|x|²</c>, so PyTorch's raw terms and
/// ONNX's absolute terms agree), a float32 sum in the drivers' fixed order, then <c>sqrt(S·f)</c> with the plan's factor
/// <c>f</c> (PyTorch's ceil inflation <c>Πk/|R|</c>, else 1): the product and the correctly rounded square root are the two
/// scaling roundings and the <c>c_root = 1</c> of the reference's <c>ErrorBounds.Lp</c>. NaN propagates; ±∞ gives +∞.
/// </summary>
public readonly struct LpSquareOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Term(Vector128<float> x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Term(Vector256<float> x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Term(Vector512<float> x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float acc, float x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Finalize(float acc, float f) => MathF.Sqrt(acc * f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Finalize(Vector128<float> acc, Vector128<float> f) => Vector128.Sqrt(acc * f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Finalize(Vector256<float> acc, Vector256<float> f) => Vector256.Sqrt(acc * f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Finalize(Vector512<float> acc, Vector512<float> f) => Vector512.Sqrt(acc * f);
}
