using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// PyTorch CPU max (<see cref="Core.NanIndex.Last"/>): a tap replaces the running maximum when <c>x &gt; acc || isnan(x)</c>.
/// NaN propagates and the index is that of the last NaN in scan order; ties and ±0 keep the first tap. Lane-wise
/// <c>x != x</c> is the NaN test (<c>Vector*.Equals</c> is an ordered compare).
/// </summary>
public readonly struct MaxOperator : ISelectOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Replaces(float x, float acc) => x > acc || float.IsNaN(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Replaces(Vector128<float> x, Vector128<float> acc) => Vector128.GreaterThan(x, acc) | ~Vector128.Equals(x, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Replaces(Vector256<float> x, Vector256<float> acc) => Vector256.GreaterThan(x, acc) | ~Vector256.Equals(x, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Replaces(Vector512<float> x, Vector512<float> acc) => Vector512.GreaterThan(x, acc) | ~Vector512.Equals(x, x);
}
