using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// torch.fractional_max_pool2d/3d with explicit samples (METHODS.md §16, DIALECTS.md §1.6):
/// α = (L − k)/(O − 1), start_i = trunc((i + u)·α) − trunc(u·α), start_{O−1} = L − k.
/// </summary>
[TestFixture]
public class FractionalMaxPoolTests
{
    [Test]
    public void Starts_L10_O4_K2_U05_Are0358()
    {
        // METHODS.md §16 [run]: L=10, O=4, k=2, u=0.5 → [0, 3, 5, 8]. α = 8/3: trunc(4/3)=1, trunc(4)=4, trunc(20/3)=6 → 0, 3, 5; last 8.
        Assert.That(FractionalMaxPool.Starts(0.5, 10, 4, 2, DType.Float32), Is.EqualTo(new[] { 0, 3, 5, 8 }));
        Assert.That(FractionalMaxPool.Starts(0.5, 10, 4, 2, DType.Float64), Is.EqualTo(new[] { 0, 3, 5, 8 }));
    }

    // L = 10, O = 4, k = 2, α = 8/3:
    // u = 0   → trunc(i·α) = 0, 2, 5; last 8.
    // u = 0.9 → trunc(0.9α) = trunc(2.4) = 2; trunc(1.9α) = trunc(5.07) = 5 → 3; trunc(2.9α) = trunc(7.73) = 7 → 5; last 8.
    [TestCase(0.0, new[] { 0, 2, 5, 8 })]
    [TestCase(0.9, new[] { 0, 3, 5, 8 })]
    public void Starts_FollowTruncatedAlphaSequence(double u, int[] expected)
    {
        Assert.That(FractionalMaxPool.Starts(u, 10, 4, 2, DType.Float64), Is.EqualTo(expected));
        Assert.That(FractionalMaxPool.Starts(u, 10, 4, 2, DType.Float32), Is.EqualTo(expected));
    }

    [Test]
    public void FractionalMaxPool2d_Sample0DrivesWidth_Sample1DrivesHeight()
    {
        // 10×10 ramp (value 10h + w), k2, output 4×4, samples [u_W = 0.5, u_H = 0]: column starts [0,3,5,8], row starts [0,2,5,8].
        // On a ramp each window's max is its bottom-right cell: rows {1,3,6,9}, cols {1,4,6,9}; indices equal values.
        var samples = T32([1, 1, 2], 0.5, 0.0);
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 4, "return_indices": true}""",
            ("input", Ramp([1, 1, 10, 10])), ("samples", samples));
        int[] rows = [1, 3, 6, 9], cols = [1, 4, 6, 9];
        var want = rows.SelectMany(h => cols.Select(w => 10.0 * h + w)).ToArray();
        Check.Exact(Check.V(r), want);
        Check.Exact(Check.V(r, "indices"), want);
    }

    [Test]
    public void FractionalMaxPool2d_EachPlaneUsesItsOwnSamples()
    {
        // L = 5, O = 3, k = 2: α = 3/2. u = 0 → starts [0, 1, 3]; u = 0.5 → trunc(2.25) − trunc(0.75) = 2 → [0, 2, 3].
        // Ramp 2×1×5×5: plane 0 (u = 0,0) winners at rows/cols {1,2,4}; plane 1 (u = 0.5,0.5) at {1,3,4}, offset 25 in value.
        var samples = T32([2, 1, 2], 0, 0, 0.5, 0.5);
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": [3, 3], "return_indices": true}""",
            ("input", Ramp([2, 1, 5, 5])), ("samples", samples));
        int[] p0 = [1, 2, 4], p1 = [1, 3, 4];
        var idx0 = p0.SelectMany(h => p0.Select(w => 5.0 * h + w));
        var idx1 = p1.SelectMany(h => p1.Select(w => 5.0 * h + w)).ToArray();
        Check.Exact(Check.V(r), idx0.Concat(idx1.Select(v => v + 25)).ToArray());
        Check.Exact(Check.V(r, "indices"), idx0.Concat(idx1).ToArray());
    }

    [Test]
    public void FractionalMaxPool3d_SamplesDriveTHW()
    {
        // 5×5×5 ramp (value 25t + 5h + w), k2, O = 3; samples [u_T = 0.5, u_H = 0, u_W = 0]:
        // T starts [0,2,3] → t {1,3,4}; H, W starts [0,1,3] → {1,2,4}.
        var r = Eval("torch.fractional_max_pool3d", """{"kernel_size": 2, "output_size": 3, "return_indices": true}""",
            ("input", Ramp([1, 1, 5, 5, 5])), ("samples", T32([1, 1, 3], 0.5, 0, 0)));
        int[] ts = [1, 3, 4], hw = [1, 2, 4];
        var want = ts.SelectMany(t => hw.SelectMany(h => hw.Select(w => 25.0 * t + 5 * h + w))).ToArray();
        Check.Exact(Check.V(r), want);
        Check.Exact(Check.V(r, "indices"), want);
    }

    [Test]
    public void FractionalMaxPool2d_OutputRatio_TruncatesLTimesRatio()
    {
        // L = 10, ratio 0.5 → O = int(5.0) = 5; ratio 0.35 → int(3.5) = 3.
        var x = Ramp([1, 1, 10, 10]);
        var s = T32([1, 1, 2], 0.25, 0.75);
        Assert.That(Check.S(Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_ratio": 0.5}""", ("input", x), ("samples", s))),
            Is.EqualTo(new[] { 1, 1, 5, 5 }));
        Assert.That(Check.S(Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_ratio": [0.35, 0.5]}""", ("input", x), ("samples", s))),
            Is.EqualTo(new[] { 1, 1, 3, 5 }));
    }

    [Test]
    public void FractionalMaxPool2d_PropagatesNaN_ReportsLastNaNIndex()
    {
        // k2 over a 2×2 input, O = 1: one window [[NaN, 1], [NaN, 0]] → NaN at index 2 (last NaN, PyTorch rule).
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 1, "return_indices": true}""",
            ("input", T32([1, 1, 2, 2], double.NaN, 1, double.NaN, 0)), ("samples", T32([1, 1, 2], 0.5, 0.5)));
        Check.Exact(Check.V(r), [double.NaN]);
        Check.Exact(Check.V(r, "indices"), [2]);
    }

    [Test]
    public void FractionalMaxPool2d_LargestOutput_OPlusKMinus1EqualsL_IsAllowed()
    {
        // 2-D check O + k − 1 ≤ L: L = 5, k = 2, O = 4 allowed (windows [0,2) [1,3) [2,4) [3,5) for any u: α = 1).
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 4}""",
            ("input", Ramp([1, 1, 5, 5])), ("samples", T32([1, 1, 2], 0.3, 0.6)));
        Check.Exact(Check.V(r), [6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24]);
    }

    [TestCase("""{"kernel_size": 2, "output_size": 5}""", "output_size")]                        // 5 + 2 − 1 > 5: pool too large
    [TestCase("""{"kernel_size": 2}""", "output_size")]                                          // neither size nor ratio
    [TestCase("""{"kernel_size": 2, "output_size": 2, "output_ratio": 0.5}""", "output_size")]   // both
    [TestCase("""{"kernel_size": 2, "output_ratio": 1.0}""", "output_ratio")]                    // ratio outside (0, 1)
    [TestCase("""{"kernel_size": 2, "output_ratio": 0.1}""", "output_ratio")]                    // int(0.5) = 0 < 1
    [TestCase("""{"kernel_size": 0, "output_size": 2}""", "kernel_size")]
    [TestCase("""{"kernel_size": 2, "output_size": 2, "stride": 1}""", "stride")]                // unknown parameter
    public void FractionalMaxPool2d_RefusesInvalidParameters(string json, string field) =>
        Check.Refuses(() => Eval("torch.fractional_max_pool2d", json, ("input", Ramp([1, 1, 5, 5])), ("samples", T32([1, 1, 2], 0.5, 0.5))), field);

    [Test]
    public void FractionalMaxPool3d_RefusesPoolTooLarge()
    {
        // 5 + 2 − 1 = 6 > 5 on every axis.
        Check.Refuses(() => Eval("torch.fractional_max_pool3d", """{"kernel_size": 2, "output_size": 5}""",
            ("input", Ramp([1, 1, 5, 5, 5])), ("samples", T32([1, 1, 3], 0.5, 0.5, 0.5))), "output_size");
    }

    [TestCase(new[] { 1, 1, 2 }, new double[] { 1.0, 0.5 })]        // u = 1 outside [0, 1)
    [TestCase(new[] { 1, 1, 2 }, new double[] { -0.1, 0.5 })]
    [TestCase(new[] { 1, 1, 3 }, new double[] { 0.1, 0.5, 0.5 })]   // 3 components for 2-D
    [TestCase(new[] { 1, 2, 2 }, new double[] { 0.1, 0.5, 0.5, 0.5 })] // C mismatch
    public void FractionalMaxPool2d_RefusesBadSamples(int[] shape, double[] u) =>
        Check.Refuses(() => Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 2}""",
            ("input", Ramp([1, 1, 5, 5])), ("samples", T32(shape, u))), "inputs.samples");

    [Test]
    public void FractionalMaxPool2d_RefusesSamplesOfAnotherDtype() =>
        Check.Refuses(() => Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 2}""",
            ("input", Ramp([1, 1, 5, 5])), ("samples", T([1, 1, 2], 0.5, 0.5))), "inputs.samples");
}
