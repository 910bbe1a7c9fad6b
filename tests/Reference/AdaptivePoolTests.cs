using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>torch.adaptive_max/avg_pool1d/2d/3d: integer bins [floor(iL/O), ceil((i+1)L/O)) (METHODS.md §1, DIALECTS.md §1.5).</summary>
[TestFixture]
public class AdaptivePoolTests
{
    [Test]
    public void AdaptiveMaxPool2d_5x5To3x3_ValuesEqualIndices()
    {
        // DIALECTS.md §1.5 [run] (pytorch/pytorch#190064): 5×5 arange → 3×3 gives values = indices [6,8,9,16,18,19,21,23,24].
        // Bins 5→3: [0,2) [1,4) [3,5): the winners sit at rows/cols 1, 3, 4.
        var r = Eval("torch.adaptive_max_pool2d", """{"output_size": [3, 3], "return_indices": true}""", Ramp([1, 1, 5, 5]));
        double[] want = [6, 8, 9, 16, 18, 19, 21, 23, 24];
        Check.Exact(Check.V(r), want);
        Check.Exact(Check.V(r, "indices"), want);
    }

    [Test]
    public void AdaptiveAvgPool1d_7To4_UsesOverlappingBins()
    {
        // Bins [0,2) [1,4) [3,6) [5,7) over 0..6: means 0.5, 2, 4, 5.5.
        var r = Eval("torch.adaptive_avg_pool1d", """{"output_size": 4}""", Ramp([1, 1, 7]));
        Check.Close(Check.V(r), [0.5, 2, 4, 5.5], 0);
    }

    [Test]
    public void AdaptivePool1d_10To3_BinsOverlapByOne()
    {
        // Bins [0,4) [3,7) [6,10) over 0..9: means 1.5, 4.5, 7.5; maxima 3, 6, 9 at the same indices.
        Check.Close(Check.V(Eval("torch.adaptive_avg_pool1d", """{"output_size": 3}""", Ramp([1, 1, 10]))), [1.5, 4.5, 7.5], 0);
        var m = Eval("torch.adaptive_max_pool1d", """{"output_size": 3, "return_indices": true}""", Ramp([1, 1, 10]));
        Check.Exact(Check.V(m), [3, 6, 9]);
        Check.Exact(Check.V(m, "indices"), [3, 6, 9]);
    }

    [Test]
    public void AdaptiveMaxPool1d_OutputLargerThanInput_RepeatsCells()
    {
        // 2 → 3: bins [0,1) [0,2) [1,2) over [5, 7] → 5, 7, 7 at indices 0, 1, 1.
        var r = Eval("torch.adaptive_max_pool1d", """{"output_size": 3, "return_indices": true}""", T([1, 1, 2], 5, 7));
        Check.Exact(Check.V(r), [5, 7, 7]);
        Check.Exact(Check.V(r, "indices"), [0, 1, 1]);
    }

    [Test]
    public void AdaptiveAvgPool2d_NoneKeepsInputSize()
    {
        // 2×4 ramp, output_size [None, 2]: rows kept, columns 4→2 bins [0,2) [2,4): [0.5, 2.5, 4.5, 6.5].
        var r = Eval("torch.adaptive_avg_pool2d", """{"output_size": [null, 2]}""", Ramp([1, 1, 2, 4]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 2, 2 }));
        Check.Close(Check.V(r), [0.5, 2.5, 4.5, 6.5], 0);
    }

    [Test]
    public void AdaptiveAvgPool1d_OutputEqualsInput_IsIdentity()
    {
        var r = Eval("torch.adaptive_avg_pool1d", """{"output_size": 5}""", T([1, 1, 5], 3, -1, 4, 1, -5));
        Check.Close(Check.V(r), [3, -1, 4, 1, -5], 0);
    }

    [Test]
    public void AdaptiveAvgPool2d_GlobalIsTheMean()
    {
        // 3×3 ramp 0..8 → mean 4.
        Check.Close(Check.V(Eval("torch.adaptive_avg_pool2d", """{"output_size": 1}""", Ramp([1, 1, 3, 3]))), [4], 0);
    }

    [Test]
    public void AdaptivePool3d_GlobalMaxAndMean()
    {
        // 2×2×2 ramp 0..7: max 7 at index 7; mean 3.5.
        var m = Eval("torch.adaptive_max_pool3d", """{"output_size": 1, "return_indices": true}""", Ramp([1, 1, 2, 2, 2]));
        Check.Exact(Check.V(m), [7]);
        Check.Exact(Check.V(m, "indices"), [7]);
        Check.Close(Check.V(Eval("torch.adaptive_avg_pool3d", """{"output_size": [1, 1, 1]}""", Ramp([1, 1, 2, 2, 2]))), [3.5], 0);
    }

    [Test]
    public void AdaptiveMaxPool3d_SplitsEachAxis()
    {
        // 2×2×4 ramp (value 8t + 4h + w), output (1, 1, 2): W bins [0,2) [2,4) → winners (1,1,1) = 13 and (1,1,3) = 15.
        var r = Eval("torch.adaptive_max_pool3d", """{"output_size": [1, 1, 2], "return_indices": true}""", Ramp([1, 1, 2, 2, 4]));
        Check.Exact(Check.V(r), [13, 15]);
        Check.Exact(Check.V(r, "indices"), [13, 15]);
    }

    [Test]
    public void AdaptiveMaxPool1d_PropagatesNaN_ReportsLastNaNIndex()
    {
        // Torch update rule in adaptive max too: [NaN, 1, NaN, 2] → NaN at index 2.
        var r = Eval("torch.adaptive_max_pool1d", """{"output_size": 1, "return_indices": true}""", T([1, 1, 4], double.NaN, 1, double.NaN, 2));
        Check.Exact(Check.V(r), [double.NaN]);
        Check.Exact(Check.V(r, "indices"), [2]);
    }

    [Test]
    public void AdaptiveMaxPool1d_KeepsFirstOfTiedMaxima()
    {
        var r = Eval("torch.adaptive_max_pool1d", """{"output_size": 1, "return_indices": true}""", T([1, 1, 3], 1, 3, 3));
        Check.Exact(Check.V(r, "indices"), [1]);
    }

    [Test]
    public void AdaptivePool_UnbatchedAndBatchZero()
    {
        var u = Eval("torch.adaptive_avg_pool2d", """{"output_size": 1}""", Ramp([2, 2, 2]));
        Assert.That(Check.S(u), Is.EqualTo(new[] { 2, 1, 1 }));
        Check.Close(Check.V(u), [1.5, 5.5], 0); // planes 0..3 and 4..7
        var z = Eval("torch.adaptive_max_pool2d", """{"output_size": 2}""", Ramp([0, 1, 4, 4]));
        Assert.That(Check.S(z), Is.EqualTo(new[] { 0, 1, 2, 2 }));
    }

    [TestCase("torch.adaptive_avg_pool2d", """{"output_size": 0}""", "output_size")]
    [TestCase("torch.adaptive_max_pool2d", """{"output_size": [2, -1]}""", "output_size")]
    [TestCase("torch.adaptive_max_pool2d", """{}""", "output_size")]
    [TestCase("torch.adaptive_avg_pool2d", """{"output_size": [1, 2, 3]}""", "output_size")]
    [TestCase("torch.adaptive_avg_pool2d", """{"output_size": 2, "return_indices": true}""", "return_indices")] // avg has none
    [TestCase("torch.adaptive_max_pool2d", """{"output_size": "2"}""", "output_size")]
    public void AdaptivePool_RefusesInvalidParameters(string op, string json, string field) =>
        Check.Refuses(() => Eval(op, json, Ramp([1, 1, 4, 4])), field);

    [Test]
    public void AdaptivePool_RefusesWrongRank() =>
        Check.Refuses(() => Eval("torch.adaptive_avg_pool3d", """{"output_size": 1}""", Ramp([1, 4, 4])), "inputs.input");
}
