using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>torch.avg_pool1d/2d/3d: divisor policies, ceil overhang, divisor_override, int64 truncation, golden vectors.</summary>
[TestFixture]
public class TorchAvgPoolTests
{
    static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();

    [Test]
    public void AvgPool2d_IncludePad_CountsPaddingCells()
    {
        // METHODS.md §0.3 [run]: avg_pool2d(ones(3×3), k=2, s=2, p=1) = 0.25, 0.5, 0.5, 1.0 with IncludePad.
        // Per axis windows {−1,0} (1 in-bounds of 2) and {1,2} (2 of 2): 1/4, 2/4, 2/4, 4/4.
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 2, "stride": 2, "padding": 1}""", T([1, 1, 3, 3], Ones(9)));
        Check.Close(Check.V(r), [0.25, 0.5, 0.5, 1.0], 0);
    }

    [Test]
    public void AvgPool2d_ExcludePad_DividesByInBoundsTaps()
    {
        // Same problem with count_include_pad=False: four 1.0 (METHODS.md §0.3).
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 2, "stride": 2, "padding": 1, "count_include_pad": false}""", T([1, 1, 3, 3], Ones(9)));
        Check.Close(Check.V(r), [1, 1, 1, 1], 0);
    }

    [Test]
    public void AvgPool2d_IncludePadCeil_MatchesPytorch183528()
    {
        // pytorch/pytorch#183528: arange(1..16) 4×4, k3 s2 p1, ceil, cip=True. Windows per axis {−1,0,1}, {1,2,3}, {3,4,5}
        // count 3, 3, 2 positions inside [−1, 5): e.g. (0,0) = (1+2+5+6)/9, (0,2) = (4+8)/6, (2,2) = 16/4.
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": true, "count_include_pad": true}""",
            Ramp([1, 1, 4, 4], start: 1));
        Check.Close(Check.V(r), [1.5555556, 3.3333333, 2.0, 6.3333335, 11, 6, 4.5, 7.5, 4.0], 1e-7);
    }

    [Test]
    public void AvgPool2d_CeilOverhang_MatchesCoremltoolsPR2844()
    {
        // apple/coremltools PR #2844: arange(49) 7×7, k2 s3, ceil = [[4,7,9.5],[25,28,30.5],[42.5,45.5,48]].
        // Per axis windows {0,1}, {3,4}, {6}: the last column averages 2 cells ((6+13)/2 = 9.5), not 4.
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 2, "stride": 3, "ceil_mode": true}""", Ramp([1, 1, 7, 7]));
        Check.Close(Check.V(r), [4, 7, 9.5, 25, 28, 30.5, 42.5, 45.5, 48], 0);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AvgPool_IncludePad_DoesNotCountCeilOverhang(bool countIncludePad)
    {
        // DIALECTS.md §1.3: avg_pool1d([1..6], k3 s2, ceil, cip=False) = [2, 4, 5.5]. Without explicit padding the include-pad
        // divisor of the last window {4, 5, (6)} is also 2 — the overhang tap 6 lies past L + p — so both give 5.5, not 11/3.
        var r = Eval("torch.avg_pool1d", $$"""{"kernel_size": 3, "stride": 2, "ceil_mode": true, "count_include_pad": {{(countIncludePad ? "true" : "false")}}}""",
            Ramp([1, 1, 6], start: 1));
        Check.Close(Check.V(r), [2, 4, 5.5], 0);
    }

    [Test]
    public void AvgPool1d_IncludePadWithCeil_CountsBeginPaddingButNotOverhang()
    {
        // [1..4], k3 s2 p1 ceil: O = ceil(3/2)+1 = 3, 2·2 = 4 < 5 keeps it; windows {−1,0,1}, {1,2,3}, {3,4,5};
        // positions inside [−1, 5): 3, 3, 2 → (1+2)/3, (2+3+4)/3, 4/2.
        var r = Eval("torch.avg_pool1d", """{"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": true}""", T([1, 1, 4], 1, 2, 3, 4));
        Check.Close(Check.V(r), [1, 3, 2], 1e-15);
    }

    [TestCase(3, new[] { 1.0 / 3, 2.0 / 3, 2.0 / 3, 4.0 / 3 })]
    [TestCase(-2, new[] { -0.5, -1.0, -1.0, -2.0 })]    // negative values pass PyTorch's ≠ 0 check (pytorch/pytorch#62636)
    [TestCase(1, new[] { 1.0, 2.0, 2.0, 4.0 })]
    public void AvgPool2d_DivisorOverride_ReplacesEveryDivisor(int divisor, double[] expected)
    {
        // ones(3×3), k2 s2 p1: window sums 1, 2, 2, 4 (see IncludePad test), each divided by the override.
        var r = Eval("torch.avg_pool2d", $$"""{"kernel_size": 2, "stride": 2, "padding": 1, "divisor_override": {{divisor}}}""", T([1, 1, 3, 3], Ones(9)));
        Check.Close(Check.V(r), expected, 1e-15);
    }

    [Test]
    public void AvgPool3d_DivisorOverride_Applies()
    {
        // ramp 0..7 as 2×2×2, k2: sum 28, override 7 → 4.
        var r = Eval("torch.avg_pool3d", """{"kernel_size": 2, "divisor_override": 7}""", Ramp([1, 1, 2, 2, 2], dtype: DType.Float64));
        Check.Close(Check.V(r), [4], 0);
    }

    [TestCase(new long[] { -1, -2, 0, 0 }, 0)]   // METHODS.md §0.6 [run]: −3/4 truncates to 0, not −1
    [TestCase(new long[] { -3, -2, 0, 0 }, -1)]  // −5/4 = −1.25 → −1 (floor would be −2)
    [TestCase(new long[] { 3, 2, 1, 1 }, 1)]     // 7/4 = 1.75 → 1
    [TestCase(new long[] { 4, 4, 4, 4 }, 4)]
    public void AvgPool2d_Int64_TruncatesTowardZero(long[] window, long expected)
    {
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 2}""", I64([1, 1, 2, 2], window));
        Assert.That(Check.E(r).Value.DType, Is.EqualTo(DType.Int64));
        Check.Exact(Check.V(r), [expected]);
    }

    [Test]
    public void AvgPool2d_InputSmallerThanKernel_IsAllowedWithPadding()
    {
        // [[0,1],[2,3]], k3 p1 (s = k = 3): O = (2+2−3)/3 + 1 = 1; window {−1,0,1}² holds all four cells, 9 positions → 6/9.
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 3, "padding": 1}""", T([1, 1, 2, 2], 0, 1, 2, 3));
        Check.Close(Check.V(r), [6.0 / 9], 1e-15);
    }

    [Test]
    public void AvgPool3d_RefusesInputSmallerThanKernelEvenWhenPadded()
    {
        // DIALECTS.md §1.1: avg_pool3d passes check_input_size=true.
        Check.Refuses(() => Eval("torch.avg_pool3d", """{"kernel_size": 3, "padding": 1}""", Ramp([1, 1, 2, 2, 2])), "inputs.input");
    }

    [TestCase(true, 0.125)]   // each window holds 1 cell of 2·2·2 positions
    [TestCase(false, 1.0)]
    public void AvgPool3d_PaddedCorners(bool cip, double expected)
    {
        // ones 2×2×2, k2 s2 p1: per axis windows {−1,0} and {1,2} each with one in-bounds tap.
        var r = Eval("torch.avg_pool3d", $$"""{"kernel_size": 2, "stride": 2, "padding": 1, "count_include_pad": {{(cip ? "true" : "false")}}}""",
            T([1, 1, 2, 2, 2], Ones(8)));
        Check.Close(Check.V(r), Enumerable.Repeat(expected, 8).ToArray(), 0);
    }

    [Test]
    public void AvgPool1d_UnbatchedInput_KeepsRank()
    {
        // (C, L) = (1, 6), [1..6] k2: [1.5, 3.5, 5.5].
        var r = Eval("torch.avg_pool1d", """{"kernel_size": 2}""", Ramp([1, 6], start: 1));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 3 }));
        Check.Close(Check.V(r), [1.5, 3.5, 5.5], 0);
    }

    [Test]
    public void AvgPool2d_BatchZero_GivesEmptyOutput()
    {
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 3}""", Ramp([0, 2, 3, 3]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 0, 2, 1, 1 }));
    }

    [TestCase("torch.avg_pool2d", """{"kernel_size": 2, "divisor_override": 0}""", "divisor_override")]
    [TestCase("torch.avg_pool1d", """{"kernel_size": 2, "divisor_override": 2}""", "divisor_override")] // 1-D has none
    [TestCase("torch.avg_pool2d", """{"kernel_size": 2, "divisor_override": 1.5}""", "divisor_override")]
    [TestCase("torch.avg_pool2d", """{"kernel_size": 2, "dilation": 1}""", "dilation")]                 // avg has no dilation
    [TestCase("torch.avg_pool2d", """{"kernel_size": 4, "padding": 3}""", "padding")]                   // pad > k/2
    [TestCase("torch.avg_pool2d", """{"kernel_size": 2, "count_include_pad": "yes"}""", "count_include_pad")]
    [TestCase("torch.avg_pool2d", """{"kernel_size": 2, "stride": 0}""", "stride")]
    public void AvgPool_RefusesInvalidParameters(string op, string json, string field)
    {
        var x = op.EndsWith("1d") ? Ramp([1, 1, 4]) : Ramp([1, 1, 4, 4]);
        Check.Refuses(() => Eval(op, json, x), field);
    }
}
