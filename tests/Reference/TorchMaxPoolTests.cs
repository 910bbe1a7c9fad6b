using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>torch.max_pool1d/2d/3d: hand-worked windows, the DIALECTS.md §1.1–1.2 golden vectors, NaN/tie/±0 rules.</summary>
[TestFixture]
public class TorchMaxPoolTests
{
    const double NaN = double.NaN, Inf = double.PositiveInfinity;

    [TestCase(6, 3)]
    [TestCase(7, 4)]
    [TestCase(32, 16)]
    public void MaxPool1d_K1S2Ceil_DropsWindowStartingPastTheInput(int length, int expected)
    {
        // DIALECTS.md §1.1 [run] (pytorch/pytorch#45357, #57178): k=1 s=2 ceil gives L=6 → 3, L=7 → 4, L=32 → 16;
        // on a ramp window o is the single tap 2·o, so the values are the even positions.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 1, "stride": 2, "ceil_mode": true, "return_indices": true}""", Ramp([1, 1, length]));
        var even = Enumerable.Range(0, expected).Select(o => 2.0 * o).ToArray();
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, expected }));
        Check.Exact(Check.V(r), even);
        Check.Exact(Check.V(r, "indices"), even);
    }

    [Test]
    public void MaxPool1d_L5K2S2P1Ceil_GivesThreeWindows()
    {
        // DIALECTS.md §1.1 [run]: L=5 k2 s2 p1 ceil → 3 (burn gave 4). Taps {−1,0}, {1,2}, {3,4} on [0..4] → 0, 2, 4.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": true, "return_indices": true}""", Ramp([1, 1, 5]));
        Check.Exact(Check.V(r), [0, 2, 4]);
        Check.Exact(Check.V(r, "indices"), [0, 2, 4]);
    }

    [Test]
    public void MaxPool2d_KeepsFirstOfTiedMaxima()
    {
        // METHODS.md §0.4 [run]: window [[1,3],[3,2]] gives index 1.
        var r = Eval("torch.max_pool2d", """{"kernel_size": 2, "return_indices": true}""", T([1, 1, 2, 2], 1, 3, 3, 2));
        Check.Exact(Check.V(r), [3]);
        Check.Exact(Check.V(r, "indices"), [1]);
    }

    [Test]
    public void MaxPool2d_PropagatesNaN_ReportsLastNaNIndex()
    {
        // METHODS.md §0.4 [run]: [[1,NaN],[NaN,2]] → NaN, index 2 (update rule val > max || isnan(val)).
        var r = Eval("torch.max_pool2d", """{"kernel_size": 2, "return_indices": true}""", T([1, 1, 2, 2], 1, NaN, NaN, 2));
        Check.Exact(Check.V(r), [NaN]);
        Check.Exact(Check.V(r, "indices"), [2]);
    }

    // NaN at the first, a middle and the last tap of a 4-tap window: value NaN, index = that tap.
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void MaxPool1d_PropagatesNaN_FromFirstMiddleAndLastTap(int at)
    {
        var data = new double[] { 1, 5, 2, 3 };
        data[at] = NaN;
        var r = Eval("torch.max_pool1d", """{"kernel_size": 4, "return_indices": true}""", T([1, 1, 4], data));
        Check.Exact(Check.V(r), [NaN]);
        Check.Exact(Check.V(r, "indices"), [at]);
    }

    [Test]
    public void MaxPool1d_SeveralNaNs_ReportsTheLast()
    {
        // NaN at taps 0 and 2 of [NaN, 9, NaN, 1]: the later NaN replaces the earlier → index 2.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 4, "return_indices": true}""", T([1, 1, 4], NaN, 9, NaN, 1));
        Check.Exact(Check.V(r, "indices"), [2]);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void MaxPool1d_SignedZero_FirstWins(bool negativeFirst)
    {
        // METHODS.md §0.4 [run]: max_pool1d([−0, +0]) = −0 (index 0); [+0, −0] = +0.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2, "return_indices": true}""",
            T([1, 1, 2], negativeFirst ? -0.0 : 0.0, negativeFirst ? 0.0 : -0.0));
        Assert.That(double.IsNegative(Check.V(r)[0]), Is.EqualTo(negativeFirst));
        Check.Exact(Check.V(r, "indices"), [0]);
    }

    [Test]
    public void MaxPool1d_AllNegInfWindow_GivesNegInfAtFirstInBoundsTap()
    {
        // METHODS.md §0.4: all −∞ → −∞, index of the first in-bounds tap. k3 s1 p1 on L = 3: taps {−1,0,1}, {0,1,2}, {1,2,3}
        // → first in-bounds taps 0, 0, 1.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 3, "stride": 1, "padding": 1, "return_indices": true}""", T([1, 1, 3], -Inf, -Inf, -Inf));
        Check.Exact(Check.V(r), [-Inf, -Inf, -Inf]);
        Check.Exact(Check.V(r, "indices"), [0, 0, 1]);
    }

    [Test]
    public void MaxPool1d_PaddingNeverWins()
    {
        // k3 s1 p1 over [−5, −3, −4]: windows {−5,−3}, {−5,−3,−4}, {−3,−4} → −3 at index 1 each (a zero pad would give 0).
        var r = Eval("torch.max_pool1d", """{"kernel_size": 3, "stride": 1, "padding": 1, "return_indices": true}""", T([1, 1, 3], -5, -3, -4));
        Check.Exact(Check.V(r), [-3, -3, -3]);
        Check.Exact(Check.V(r, "indices"), [1, 1, 1]);
    }

    [Test]
    public void MaxPool1d_Dilation_StepsTapsByD()
    {
        // k3 d2 s1 on [5,9,1,8,2,7,3]: K = 5, O = 3; taps {0,2,4} → 5@0, {1,3,5} → 9@1, {2,4,6} → 3@6.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 3, "stride": 1, "dilation": 2, "return_indices": true}""", T([1, 1, 7], 5, 9, 1, 8, 2, 7, 3));
        Check.Exact(Check.V(r), [5, 9, 3]);
        Check.Exact(Check.V(r, "indices"), [0, 1, 6]);
    }

    [Test]
    public void MaxPool1d_DilatedWindowOnlyInPadding_IsNegInfWithUnspecifiedIndex()
    {
        // CONTRACT.md §6: k2 d3 p1 on L = 2: K = 4, O = (2+2−4)/1+1 = 1, taps {−1, 2} both outside → −∞, index not compared.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2, "dilation": 3, "padding": 1, "stride": 1, "return_indices": true}""", T([1, 1, 2], 1, 2));
        Check.Exact(Check.V(r), [-Inf]);
        Assert.That(Check.Unspecified(r, "indices"), Is.EqualTo(new[] { true }));
        Assert.That(Check.Unspecified(r), Is.EqualTo(new[] { false }), "the value −∞ is defined");
    }

    [Test]
    public void MaxPool2d_AsymmetricKernelAndStride()
    {
        // 3×4 ramp, k (2,3) s (1,1): O 2×2; window (i,j) covers rows i..i+1, cols j..j+2 → max at (i+1, j+2) = 4(i+1) + j + 2.
        var r = Eval("torch.max_pool2d", """{"kernel_size": [2, 3], "stride": [1, 1], "return_indices": true}""", Ramp([1, 1, 3, 4]));
        Check.Exact(Check.V(r), [6, 7, 10, 11]);
        Check.Exact(Check.V(r, "indices"), [6, 7, 10, 11]);
    }

    [Test]
    public void MaxPool3d_CeilOnRamp_IndicesAreTHWFlat()
    {
        // 3×3×3 ramp (value = 9t + 3h + w), k2 s2 ceil: per axis windows {0,1}, {2} → winners at 1 or 2 per axis:
        // (1,1,1)=13, (1,1,2)=14, (1,2,1)=16, (1,2,2)=17, (2,1,1)=22, (2,1,2)=23, (2,2,1)=25, (2,2,2)=26; indices = values.
        var r = Eval("torch.max_pool3d", """{"kernel_size": 2, "stride": 2, "ceil_mode": true, "return_indices": true}""", Ramp([1, 1, 3, 3, 3]));
        double[] want = [13, 14, 16, 17, 22, 23, 25, 26];
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 2, 2, 2 }));
        Check.Exact(Check.V(r), want);
        Check.Exact(Check.V(r, "indices"), want);
    }

    [Test]
    public void MaxPool1d_IndicesAreFlatPerPlane()
    {
        // N = 2, C = 1, ramp 0..7 as two planes of 4; k2: plane values [1,3] and [5,7], indices per plane [1,3] both.
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2, "return_indices": true}""", Ramp([2, 1, 4]));
        Check.Exact(Check.V(r), [1, 3, 5, 7]);
        Check.Exact(Check.V(r, "indices"), [1, 3, 1, 3]);
    }

    [Test]
    public void MaxPool2d_UnbatchedInput_KeepsRank()
    {
        // (C, H, W) = (1, 5, 5) ramp, k2 s2 ceil → (1, 3, 3) with the §3.5 values.
        var r = Eval("torch.max_pool2d", """{"kernel_size": 2, "stride": 2, "ceil_mode": true}""", Ramp([1, 5, 5]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 3, 3 }));
        Check.Exact(Check.V(r), [6, 8, 9, 16, 18, 19, 21, 23, 24]);
    }

    [TestCase("torch.max_pool1d", new[] { 0, 2, 6 }, new[] { 0, 2, 3 })]
    [TestCase("torch.max_pool2d", new[] { 0, 2, 4, 4 }, new[] { 0, 2, 2, 2 })]
    [TestCase("torch.max_pool3d", new[] { 0, 1, 4, 4, 4 }, new[] { 0, 1, 2, 2, 2 })]
    public void MaxPool_BatchZero_GivesEmptyOutput(string op, int[] shape, int[] outShape)
    {
        var r = Eval(op, """{"kernel_size": 2}""", Ramp(shape));
        Assert.That(Check.S(r), Is.EqualTo(outShape));
        Assert.That(Check.V(r), Is.Empty);
    }

    [Test]
    public void MaxPool_IndicesNotReturnedByDefault()
    {
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2}""", Ramp([1, 1, 4]));
        Assert.That(r.DefaultOutputs, Is.EqualTo(new[] { "output" }));
    }

    // Refused parameter combinations name the parameter (PyTorch's shape checks, DIALECTS.md §1.1).
    [TestCase("""{"kernel_size": 0}""", "kernel_size")]
    [TestCase("""{"kernel_size": [2, 0]}""", "kernel_size")]
    [TestCase("""{"kernel_size": 2, "stride": -1}""", "stride")]
    [TestCase("""{"kernel_size": 3, "padding": 2}""", "padding")]   // pad 2 > 3/2
    [TestCase("""{"kernel_size": 2, "padding": -1}""", "padding")]
    [TestCase("""{"kernel_size": 2, "dilation": 0}""", "dilation")]
    [TestCase("""{"kernel_size": 5}""", "kernel_size")]             // 4×4 input: output size below 1
    [TestCase("""{"kernel_size": 2, "foo": 1}""", "foo")]            // unknown parameter
    [TestCase("""{"kernel_size": "2"}""", "kernel_size")]           // wrong type
    [TestCase("""{"kernel_size": 2.5}""", "kernel_size")]
    [TestCase("""{"kernel_size": 2, "ceil_mode": 1}""", "ceil_mode")]
    [TestCase("""{"kernel_size": [2, 2, 2]}""", "kernel_size")]     // 3 entries for 2 axes
    [TestCase("""{}""", "kernel_size")]                             // required
    public void MaxPool2d_RefusesInvalidParameters(string json, string field) =>
        Check.Refuses(() => Eval("torch.max_pool2d", json, Ramp([1, 1, 4, 4])), field);

    [TestCase(new[] { 4, 4 })]
    [TestCase(new[] { 1, 1, 1, 4, 4 })]
    [TestCase(new[] { 1, 0, 4, 4 })]   // zero channels
    public void MaxPool2d_RefusesWrongRankOrEmptyInput(int[] shape) =>
        Check.Refuses(() => Eval("torch.max_pool2d", """{"kernel_size": 2}""", Ramp(shape)), "inputs.input");
}
