using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// Max with <see cref="Core.NanIndex.First"/> (the oracle's ONNX choice): <c>x &gt; acc || (isnan(x) &amp;&amp; !isnan(acc))</c>.
/// NaN propagates and the index is that of the first NaN in scan order; ties and ±0 keep the first tap.
/// </summary>
public readonly struct FirstNanMaxOperator : ISelectOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Replaces(float x, float acc) => x > acc || (float.IsNaN(x) && !float.IsNaN(acc));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Replaces(Vector128<float> x, Vector128<float> acc) =>
        Vector128.GreaterThan(x, acc) | Vector128.AndNot(Vector128.Equals(acc, acc), Vector128.Equals(x, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Replaces(Vector256<float> x, Vector256<float> acc) =>
        Vector256.GreaterThan(x, acc) | Vector256.AndNot(Vector256.Equals(acc, acc), Vector256.Equals(x, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Replaces(Vector512<float> x, Vector512<float> acc) =>
        Vector512.GreaterThan(x, acc) | Vector512.AndNot(Vector512.Equals(acc, acc), Vector512.Equals(x, x));
}
