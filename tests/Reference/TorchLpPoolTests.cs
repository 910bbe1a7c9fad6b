using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// torch.lp_pool1d/2d/3d: PyTorch's <c>(avg_pool(x^p)·Πk)^{1/p}</c> — raw <c>x^p</c> (signed), and ceil-mode partial windows
/// inflated by <c>Πk/|R|</c> (METHODS.md §3, DIALECTS.md §1.4).
/// </summary>
[TestFixture]
public class TorchLpPoolTests
{
    [Test]
    public void LpPool1d_CeilInflation_P1()
    {
        // METHODS.md §3 [run]: lp_pool1d([1,2,3], p=1, k=2, ceil) = [3, 6]: the partial window {3} is scaled by 2/1 (true sum 3).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2, "ceil_mode": true}""", T([1, 1, 3], 1, 2, 3));
        Check.Close(Check.V(r), [3, 6], 1e-15);
    }

    [Test]
    public void LpPool1d_CeilInflation_P2()
    {
        // METHODS.md §3 [run]: lp_pool1d([1..5], p=2, k=2, ceil) = [√5, 5, √50]: √(1+4), √(9+16), √(25·2/1).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 2, "kernel_size": 2, "ceil_mode": true}""", T([1, 1, 5], 1, 2, 3, 4, 5));
        Check.Close(Check.V(r), [Math.Sqrt(5), 5, Math.Sqrt(50)], 1e-15);
    }

    [Test]
    public void LpPool2d_CeilInflation_OnesGiveFourFours()
    {
        // METHODS.md §3 [run]: lp_pool2d(ones(3×3), p=1, k=2, ceil) = four 4s (corner true sum 1, scaled by 4/1).
        var r = Eval("torch.lp_pool2d", """{"norm_type": 1, "kernel_size": 2, "ceil_mode": true}""", T([1, 1, 3, 3], Enumerable.Repeat(1.0, 9).ToArray()));
        Check.Close(Check.V(r), [4, 4, 4, 4], 1e-15);
    }

    [Test]
    public void LpPool3d_CeilInflation_ScalesByFullKernelOverValidCount()
    {
        // ones 3×3×3, p=1, k2 ceil: windows have 8, 4, 2 or 1 cells; each scaled by 8/|R| → all 8.
        var r = Eval("torch.lp_pool3d", """{"norm_type": 1, "kernel_size": 2, "ceil_mode": true}""", T([1, 1, 3, 3, 3], Enumerable.Repeat(1.0, 27).ToArray()));
        Check.Close(Check.V(r), Enumerable.Repeat(8.0, 8).ToArray(), 1e-15);
    }

    [TestCase(new double[] { -1, -2, -3, -4 }, -10)]   // METHODS.md §3 [run]: p = 1 returns the signed sum
    [TestCase(new double[] { -1, 2, 3, -4 }, 0)]
    public void LpPool1d_P1_IsSignedSum(double[] x, double expected)
    {
        var r = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 4}""", T([1, 1, 4], x));
        Check.Close(Check.V(r), [expected], 1e-15);
    }

    [Test]
    public void LpPool1d_RawPowerOfNegativeInput_FractionalP_IsNaN()
    {
        // METHODS.md §3 [run]: lp_pool1d([−1, 2], p=1.5, k=2) = NaN ((−1)^1.5 is NaN).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 1.5, "kernel_size": 2}""", T([1, 1, 2], -1, 2));
        Check.Exact(Check.V(r), [double.NaN]);
    }

    [Test]
    public void LpPool1d_OddP_KeepsTheSignOfEachTerm()
    {
        // Raw x^p, p = 3: (−1)³ + 2³ = 7 → 7^{1/3} (|x|^p would give 9^{1/3}).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 3, "kernel_size": 2}""", T([1, 1, 2], -1, 2));
        Check.Close(Check.V(r), [Math.Cbrt(7)], 1e-14);
    }

    [Test]
    public void LpPool1d_NegativeSumToFractionalRoot_IsNaN()
    {
        // (−2)³ + 1³ = −7; PyTorch raises the negative sum to 1/3 → NaN (METHODS.md §3: negative sum, p ≠ 1).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 3, "kernel_size": 2}""", T([1, 1, 2], -2, 1));
        Check.Exact(Check.V(r), [double.NaN]);
    }

    [Test]
    public void LpPool1d_StrideDefaultsToKernel_AndExplicitStrideOverlaps()
    {
        // [1..5], p=1, k2 s1: 3, 5, 7, 9 (no ceil: 4 full windows).
        var r = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2, "stride": 1}""", T([1, 1, 5], 1, 2, 3, 4, 5));
        Check.Close(Check.V(r), [3, 5, 7, 9], 1e-15);
        // Default stride = 2, floor: windows {1,2}, {3,4} → 3, 7.
        var d = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2}""", T([1, 1, 5], 1, 2, 3, 4, 5));
        Check.Close(Check.V(d), [3, 7], 1e-15);
    }

    [Test]
    public void LpPool2d_P2_IsEuclideanNormOfWindow()
    {
        // [[3,4],[0,0]] p=2 k2 → √(9+16) = 5.
        var r = Eval("torch.lp_pool2d", """{"norm_type": 2, "kernel_size": 2}""", T([1, 1, 2, 2], 3, 4, 0, 0));
        Check.Close(Check.V(r), [5], 1e-15);
    }

    [Test]
    public void LpPool3d_P2_OnOnes()
    {
        // ones 2×2×2, p = 2, k2 → √8.
        var r = Eval("torch.lp_pool3d", """{"norm_type": 2, "kernel_size": 2}""", T([1, 1, 2, 2, 2], Enumerable.Repeat(1.0, 8).ToArray()));
        Check.Close(Check.V(r), [Math.Sqrt(8)], 1e-15);
    }

    [Test]
    public void LpPool2d_Float32_RoundsOnceToFloat32()
    {
        // [[1,1],[1,0]] p=2 → √3, stored as float32(√3).
        var r = Eval("torch.lp_pool2d", """{"norm_type": 2, "kernel_size": 2}""", T32([1, 1, 2, 2], 1, 1, 1, 0));
        Assert.That(Check.V(r)[0], Is.EqualTo((double)(float)Math.Sqrt(3)));
    }

    [Test]
    public void LpPool1d_UnbatchedAndBatchZero()
    {
        var u = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2}""", T([1, 4], 1, 2, 3, 4));
        Assert.That(Check.S(u), Is.EqualTo(new[] { 1, 2 }));
        Check.Close(Check.V(u), [3, 7], 1e-15);
        var z = Eval("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2}""", Ramp([0, 3, 4]));
        Assert.That(Check.S(z), Is.EqualTo(new[] { 0, 3, 2 }));
    }

    [TestCase("""{"norm_type": 0, "kernel_size": 2}""", "norm_type")]     // divides by zero in PyTorch (#134841)
    [TestCase("""{"norm_type": -1, "kernel_size": 2}""", "norm_type")]
    [TestCase("""{"kernel_size": 2}""", "norm_type")]                     // required
    [TestCase("""{"norm_type": "two", "kernel_size": 2}""", "norm_type")]
    [TestCase("""{"norm_type": 2, "kernel_size": 2, "padding": 1}""", "padding")] // lp_pool has no padding
    [TestCase("""{"norm_type": 2, "kernel_size": 0}""", "kernel_size")]
    public void LpPool1d_RefusesInvalidParameters(string json, string field) =>
        Check.Refuses(() => Eval("torch.lp_pool1d", json, Ramp([1, 1, 4])), field);
}
