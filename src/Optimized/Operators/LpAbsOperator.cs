using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// Lp pooling with p = 1 and absolute terms (ONNX <c>LpPool</c>, the L1 norm): summands <c>|x|</c> (exact), a float32 sum in the
/// drivers' fixed order, then <c>S·f</c> with the plan's factor (1 for the true norm). NaN propagates.
/// </summary>
public readonly struct LpAbsOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float x) => MathF.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Term(Vector128<float> x) => Vector128.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Term(Vector256<float> x) => Vector256.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Term(Vector512<float> x) => Vector512.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float acc, float x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Finalize(float acc, float f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Finalize(Vector128<float> acc, Vector128<float> f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Finalize(Vector256<float> acc, Vector256<float> f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Finalize(Vector512<float> acc, Vector512<float> f) => acc * f;
}
