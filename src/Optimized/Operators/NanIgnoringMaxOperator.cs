using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// Max with a strict ordered <c>x &gt; acc</c> and nothing else: NaN never replaces (an ordered compare with NaN is false), ties
/// and ±0 keep the first. The C kernels of darknet, Caffe and the Fast R-CNN ROI pool, which start from <c>−FLT_MAX</c>: seeded
/// with that value, a NaN never wins and every result is at least <c>−FLT_MAX</c>.
/// </summary>
public readonly struct NanIgnoringMaxOperator : ISelectOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Replaces(float x, float acc) => x > acc;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Replaces(Vector128<float> x, Vector128<float> acc) => Vector128.GreaterThan(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Replaces(Vector256<float> x, Vector256<float> acc) => Vector256.GreaterThan(x, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Replaces(Vector512<float> x, Vector512<float> acc) => Vector512.GreaterThan(x, acc);
}
