using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Operators;

/// <summary>
/// A selection operator (max pooling with indices): decides whether a tap <c>x</c> replaces the running value <c>acc</c>.
/// Taps are visited in the window's row-major scan order, the first tap seeding the scan; whatever the operator's rule,
/// combining partial results (row by row) in scan order with the same rule gives the same value and index as the full
/// scan, which is what lets the NCHW driver be separable (row pass, then column pass) and the NHWC driver direct, with
/// identical results. Strict <c>&gt;</c> keeps the first of tied maxima and of ±0 (<see cref="Core.SignedZeroPolicy.FirstWins"/>).
/// </summary>
public interface ISelectOperator
{
    /// <summary>Scalar rule.</summary>
    static abstract bool Replaces(float x, float acc);
    /// <summary>The same rule lane-wise: all-ones lanes where <c>x</c> replaces <c>acc</c>.</summary>
    static abstract Vector128<float> Replaces(Vector128<float> x, Vector128<float> acc);
    static abstract Vector256<float> Replaces(Vector256<float> x, Vector256<float> acc);
    static abstract Vector512<float> Replaces(Vector512<float> x, Vector512<float> acc);
}

/// <summary>
/// An accumulation operator (average and Lp pooling): <c>Term(x)</c> maps one tap to its summand (the identity for an
/// average, <c>x²</c> or <c>|x|</c> for Lp), <c>Invoke(acc, t)</c> folds one summand, <c>Finalize(acc, factor)</c> ends a window
/// with the plan's per-cell factor (<see cref="PoolPlan.FinalFactor"/>: a divisor's reciprocal, or an Lp scale). The drivers fix the order per
/// output element (taps of one window row left to right seeded by the first tap, then the row results top to bottom seeded
/// by the first row, then depth slices front to back), the same in every layout, ISA tier and thread count.
/// </summary>
public interface IAccumulateOperator
{
    static abstract float Term(float x);
    static abstract Vector128<float> Term(Vector128<float> x);
    static abstract Vector256<float> Term(Vector256<float> x);
    static abstract Vector512<float> Term(Vector512<float> x);
    static abstract float Invoke(float acc, float x);
    static abstract Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x);
    static abstract Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x);
    static abstract Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x);
    static abstract float Finalize(float acc, float factor);
    static abstract Vector128<float> Finalize(Vector128<float> acc, Vector128<float> divisor);
    static abstract Vector256<float> Finalize(Vector256<float> acc, Vector256<float> divisor);
    static abstract Vector512<float> Finalize(Vector512<float> acc, Vector512<float> divisor);
}
