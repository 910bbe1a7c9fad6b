using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// A plain sum scaled by the plan's factor, <c>S·f</c>: Lp pooling with p = 1 and PyTorch's raw terms (the signed sum), and the
/// middle step of general-p Lp pooling, whose terms <c>x^p</c> / <c>|x|^p</c> are formed before (in double, rounded once to
/// float32) and whose root <c>z^{1/p}</c> is taken after (<see cref="KernelEntry"/>).
/// </summary>
public readonly struct ScaledSumOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Term(Vector128<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Term(Vector256<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Term(Vector512<float> x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float acc, float x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x) => acc + x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Finalize(float acc, float f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Finalize(Vector128<float> acc, Vector128<float> f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Finalize(Vector256<float> acc, Vector256<float> f) => acc * f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Finalize(Vector512<float> acc, Vector512<float> f) => acc * f;
}
