using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// The derived per-element bounds of TESTING.md §3 (the contract's default tolerance for accumulating ops).
/// Every bound holds for any order of the floating additions (Higham, ch. 4: n − 1 additions of n terms in any
/// order err by at most γ_{n−1}·Σ|x_i|), so one bound covers sequential, pairwise, SIMD-lane and tree sums.
/// <c>u_acc</c> is the unit roundoff of the backend's accumulation type (the output dtype unless declared),
/// <c>u_out</c> that of the output dtype, <c>η</c> the output dtype's smallest subnormal.
/// </summary>
public static class ErrorBounds
{
    /// <summary>
    /// True when every summand is an integer and <c>Σ|x| ≤ 2^bits</c> of the accumulation type: then every partial
    /// sum in any order is exact (TESTING.md §4 exact regime) and the addition term of the bound vanishes.
    /// </summary>
    public static bool ExactSum(double absSum, bool allIntegers, DType acc) =>
        allIntegers && absSum <= Math.ScaleB(1, acc.SignificandBits());

    /// <summary>
    /// Average over <paramref name="n"/> terms with <c>A = Σ|x_i| / |D|</c>:
    /// <c>(n + 2)·u_acc·A + 2·u_out·|exp| + (n + 2)·η</c>. The n − 1 additions give γ_{n−1}·Σ|x|; the division (or a
    /// reciprocal and a multiply) adds two roundings, the extra one absorbing second-order terms; expected and actual
    /// are each rounded once to the output dtype. In the exact regime the addition term is dropped: <c>2·u_acc·A</c>
    /// remains for the division, so a wrong divisor (a change of at least <c>1/D</c> relative) is always detected.
    /// </summary>
    public static double Average(long n, double a, double expected, bool exactSum, DType acc, DType output)
    {
        if (!output.IsFloat()) return 0;
        double uAcc = acc.UnitRoundoff(), uOut = output.UnitRoundoff(), eta = output.SmallestSubnormal();
        double addTerms = exactSum ? 2 : n + 2;
        return addTerms * uAcc * a + 2 * uOut * Math.Abs(expected) + addTerms * eta;
    }

    /// <summary>
    /// Lp pooling: the sum <c>S = Σ t_i</c> of terms <c>t_i = |x_i|^p</c> (or <c>x_i^p</c>) errs by at most
    /// <c>δS = (n − 1 + c_pow)·u_acc·Σ|t_i|</c> (c_pow the power function's relative error in units of u: 0 for p = 1,
    /// 1 for the correctly rounded <c>x·x</c>, 8 otherwise — CUDA's documented 4-ulp <c>powf</c>, doubled); zero in the exact
    /// regime. Scaling by <c>f</c> (normalization or PyTorch's ceil inflation <c>Πk/|R|</c>) adds two roundings. The root
    /// is propagated through the interval <c>[Z − δZ, Z + δZ]</c> exactly (no derivative approximation, so it stays
    /// valid as <c>S → 0</c>), then the root's own error (<c>c_root</c>: 0 for p = 1, 1 for the correctly rounded square root, 8 otherwise)
    /// and the two output roundings are added.
    /// </summary>
    public static double Lp(long n, double absTermSum, double scale, double p, double z, bool exactSum, DType acc, DType output)
    {
        double y = Math.Pow(Math.Abs(z), 1 / p);
        if (!output.IsFloat() || double.IsNaN(y) || double.IsInfinity(y)) return 0;
        double uAcc = acc.UnitRoundoff(), uOut = output.UnitRoundoff(), eta = output.SmallestSubnormal();
        double cPow = p == 1 ? 0 : p == 2 ? 1 : 8;
        double cRoot = p == 1 ? 0 : p == 2 ? 1 : 8;
        double dS = exactSum ? 0 : (Math.Max(n - 1, 0) + cPow) * uAcc * absTermSum;
        double dZ = scale * dS + (scale != 1 ? 2 * uAcc * Math.Abs(z) : 0);
        double hi = Math.Pow(Math.Abs(z) + dZ, 1 / p);
        double lo = Math.Pow(Math.Max(Math.Abs(z) - dZ, 0), 1 / p);
        double root = Math.Max(hi - y, y - lo);
        return root + (cRoot * uAcc + 2 * uOut) * y + (n + 2) * eta;
    }
}
