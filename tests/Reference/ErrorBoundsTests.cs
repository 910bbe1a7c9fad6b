using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// The derived tolerances of TESTING.md §3, evaluated by hand at float16 (<c>u = 2^−11</c>, <c>η = 2^−24</c>), where every
/// term of the bound is a small multiple of a power of two and the double result is exact. These pin each coefficient of
/// the formulas (a bound that silently grows or shrinks changes what <c>verify</c> accepts).
/// </summary>
[TestFixture]
public class ErrorBoundsTests
{
    static readonly double U = Math.ScaleB(1, -11), Eta = Math.ScaleB(1, -24);

    [Test]
    public void ExactSum_IntegersUpToTwoToTheSignificandBits()
    {
        Assert.That(ErrorBounds.ExactSum(Math.ScaleB(1, 24), true, DType.Float32), Is.True, "Σ|x| = 2^24 is still exact in float32");
        Assert.That(ErrorBounds.ExactSum(Math.ScaleB(1, 24) + 1, true, DType.Float32), Is.False, "2^24 + 1 is not");
        Assert.That(ErrorBounds.ExactSum(3, false, DType.Float32), Is.False, "a non-integer summand is never exact");
        Assert.That(ErrorBounds.ExactSum(2048, true, DType.Float16), Is.True);
        Assert.That(ErrorBounds.ExactSum(2049, true, DType.Float16), Is.False);
    }

    [Test]
    public void Average_InexactSum()
    {
        // n = 3, A = 2, |exp| = 1.5: (3 + 2)·u·2 + 2·u·1.5 + (3 + 2)·η = 13u + 5η.
        Assert.That(ErrorBounds.Average(3, 2, 1.5, false, DType.Float16, DType.Float16), Is.EqualTo(13 * U + 5 * Eta));
        Assert.That(ErrorBounds.Average(3, 2, -1.5, false, DType.Float16, DType.Float16), Is.EqualTo(13 * U + 5 * Eta), "|expected|");
    }

    [Test]
    public void Average_ExactSumKeepsOnlyTheDivisionTerm()
    {
        // exact regime: 2·u·2 + 2·u·1.5 + 2·η = 7u + 2η.
        Assert.That(ErrorBounds.Average(3, 2, 1.5, true, DType.Float16, DType.Float16), Is.EqualTo(7 * U + 2 * Eta));
    }

    [Test]
    public void Average_AccumulationAndOutputRoundoffsAreSeparate()
    {
        // acc float32 (2^−24), output float16: 5·2^−24·2 + 2·2^−11·1 + 5·2^−24.
        Assert.That(ErrorBounds.Average(3, 2, 1, false, DType.Float32, DType.Float16),
            Is.EqualTo(10 * Math.ScaleB(1, -24) + 2 * U + 5 * Eta));
    }

    [Test]
    public void Average_IntegerOutputIsExact() =>
        Assert.That(ErrorBounds.Average(3, 2, 1.5, false, DType.Int64, DType.Int64), Is.EqualTo(0));

    [Test]
    public void Lp_P1_InexactSum()
    {
        // n = 3, Σ|t| = 6, Z = 6: δS = (2 + 0)·u·6 = 12u, root error 12u (p = 1 is linear), + 2u·6 + 5η.
        Assert.That(ErrorBounds.Lp(3, 6, 1, 1, 6, false, DType.Float16, DType.Float16), Is.EqualTo(24 * U + 5 * Eta));
        Assert.That(ErrorBounds.Lp(3, 6, 1, 1, -6, false, DType.Float16, DType.Float16), Is.EqualTo(24 * U + 5 * Eta), "|Z|");
    }

    [Test]
    public void Lp_P1_ScaleAddsTwoRoundings()
    {
        // n = 1, exact, scale 2, Z = 6: δZ = 2·u·6 = 12u; + 2u·6 + 3η.
        Assert.That(ErrorBounds.Lp(1, 3, 2, 1, 6, true, DType.Float16, DType.Float16), Is.EqualTo(24 * U + 3 * Eta));
        // n = 2, inexact, scale 2, Σ|t| = 3: δS = 1·u·3, δZ = 2·3u + 12u = 18u; + 12u + 4η.
        Assert.That(ErrorBounds.Lp(2, 3, 2, 1, 6, false, DType.Float16, DType.Float16), Is.EqualTo(30 * U + 4 * Eta));
    }

    [Test]
    public void Lp_P2_ExactSumLeavesRootAndOutputRoundings()
    {
        // p = 2, exact, Z = 4 → y = 2: root term 0; (1·u + 2u)·2 = 6u; + 4η.
        Assert.That(ErrorBounds.Lp(2, 4, 1, 2, 4, true, DType.Float16, DType.Float16), Is.EqualTo(6 * U + 4 * Eta));
    }

    [Test]
    public void Lp_P2_InexactSumPropagatesThroughTheSquareRoot()
    {
        // δS = (1 + 1)·u·4 = 2^−8; the larger side of [√(4 − 2^−8), √(4 + 2^−8)] around 2 is the lower one.
        double root = 2 - Math.Sqrt(4 - Math.ScaleB(1, -8));
        Assert.That(ErrorBounds.Lp(2, 4, 1, 2, 4, false, DType.Float16, DType.Float16),
            Is.EqualTo(root + 6 * U + 4 * Eta).Within(1e-15));
    }

    [Test]
    public void Lp_GeneralP_UsesEightUlpPowerAndRoot()
    {
        // p = 3, n = 1, Σ|t| = 8, Z = 8 → y = 2: δS = (0 + 8)·u·8 = 2^−5; root = 2 − ∛(8 − 2^−5); (8u + 2u)·2; + 3η.
        double root = 2 - Math.Cbrt(8 - Math.ScaleB(1, -5));
        Assert.That(ErrorBounds.Lp(1, 8, 1, 3, 8, false, DType.Float16, DType.Float16),
            Is.EqualTo(root + 20 * U + 3 * Eta).Within(1e-12));
    }

    [Test]
    public void Lp_NoBoundForIntegerOutputOrNonFiniteResult()
    {
        Assert.That(ErrorBounds.Lp(2, 4, 1, 2, 4, false, DType.Int64, DType.Int64), Is.EqualTo(0));
        Assert.That(ErrorBounds.Lp(2, 4, 1, 2, double.NaN, false, DType.Float16, DType.Float16), Is.EqualTo(0));
        Assert.That(ErrorBounds.Lp(2, 4, 1, 2, double.PositiveInfinity, false, DType.Float16, DType.Float16), Is.EqualTo(0));
    }
}
