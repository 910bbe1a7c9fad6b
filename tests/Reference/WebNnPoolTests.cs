using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>webnn.maxPool2d / averagePool2d / l2Pool2d (DIALECTS.md §5).</summary>
[TestFixture]
public class WebNnPoolTests
{
    [TestCase("webnn.maxPool2d", new double[] { 2, 2, 4, 4 })]
    [TestCase("webnn.averagePool2d", new double[] { 2, 1.5, 4, 3.5 })]
    public void Padding_IsBeginHEndHBeginWEndW(string op, double[] expected)
    {
        // padding [0, 0, 1, 0] = beginW 1 (ONNX order would read it as beginW... endH); window [1, 2] on [[2,1],[4,3]]:
        // W windows {−1,0} and {0,1} → max 2, 2 / 4, 4; average (excluding padding) 2, 1.5 / 4, 3.5. Shape stays 2×2.
        var r = Eval(op, """{"windowDimensions": [1, 2], "padding": [0, 0, 1, 0]}""", T([1, 1, 2, 2], 2, 1, 4, 3));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 2, 2 }));
        Check.Close(Check.V(r), expected, 1e-15);
    }

    [TestCase("webnn.maxPool2d", new double[] { 0, 2, 4 })]
    [TestCase("webnn.averagePool2d", new double[] { 0, 1.5, 3.5 })]
    [TestCase("webnn.l2Pool2d", new double[] { 0, 2.2360679774997898, 5 })]   // √(1+4), √(9+16)
    public void CeilRounding_HasNoCorrection_LastWindowOnlyPaddingIsUnspecified(string op, double[] firstThree)
    {
        // DIALECTS.md §9 row 1: L = 5, k2 s2 p1 ceil → WebNN 4 (PyTorch 3). W taps {−1,0}, {1,2}, {3,4}, {5,6}: the last is empty
        // (webmachinelearning/webnn#935), so it is not compared.
        var r = Eval(op, """{"windowDimensions": [1, 2], "strides": [1, 2], "padding": [0, 0, 1, 1], "outputShapeRounding": "ceil"}""", Ramp([1, 1, 1, 5]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 1, 4 }));
        Assert.That(Check.Unspecified(r), Is.EqualTo(new[] { false, false, false, true }));
        Check.Close(Check.V(r).Take(3).ToArray(), firstThree, 1e-7);
    }

    [Test]
    public void FloorRounding_IsDefault()
    {
        var r = Eval("webnn.maxPool2d", """{"windowDimensions": [1, 2], "strides": [1, 2], "padding": [0, 0, 1, 1]}""", Ramp([1, 1, 1, 5]));
        Check.Exact(Check.V(r), [0, 2, 4]);
    }

    // No padding (DIALECTS.md §5 says outputSizes resets the padding; with zero padding both readings agree):
    // L = 5, window 2 s2 → floor 2, ceil 3; windows {0,1} {2,3} {4} → 1, 3, 4.
    [TestCase(2, new double[] { 1, 3 })]
    [TestCase(3, new double[] { 1, 3, 4 })]
    public void OutputSizes_AcceptsFloorOrCeilSize(int size, double[] expected)
    {
        var r = Eval("webnn.maxPool2d", $$"""{"windowDimensions": [1, 2], "strides": [1, 2], "outputSizes": [1, {{size}}]}""", Ramp([1, 1, 1, 5]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 1, size }));
        Check.Exact(Check.V(r), expected);
    }

    [Test]
    public void OutputSizes_RefusesNeitherFloorNorCeil() =>
        Check.Refuses(() => Eval("webnn.maxPool2d", """{"windowDimensions": [1, 2], "strides": [1, 2], "outputSizes": [1, 4]}""", Ramp([1, 1, 1, 5])), "outputSizes");

    [Test]
    public void AveragePool_ExcludesPadding()
    {
        // ones 3×3, window 2 s2 padding 1: floor O = 2; every window averages only its in-bounds ones → 1.
        var r = Eval("webnn.averagePool2d", """{"windowDimensions": [2, 2], "strides": [2, 2], "padding": [1, 1, 1, 1]}""",
            T([1, 1, 3, 3], Enumerable.Repeat(1.0, 9).ToArray()));
        Check.Close(Check.V(r), [1, 1, 1, 1], 0);
    }

    [Test]
    public void L2Pool_IsRootSumOfSquaresOfAbsoluteValues()
    {
        var r = Eval("webnn.l2Pool2d", """{"windowDimensions": [2, 2]}""", T([1, 1, 2, 2], -3, 4, 0, 0));
        Check.Close(Check.V(r), [5], 1e-15);
    }

    [TestCase("webnn.maxPool2d", 5.0)]
    [TestCase("webnn.averagePool2d", 2.5)]
    [TestCase("webnn.l2Pool2d", 7.416198487095663)]   // √(0+1+4+9+16+25) = √55
    public void DefaultWindow_IsGlobal(string op, double expected)
    {
        var r = Eval(op, "{}", Ramp([1, 1, 2, 3]));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Check.Close(Check.V(r), [expected], 1e-7);
    }

    [Test]
    public void Nhwc_GivesTheNchwValuesChannelsLast()
    {
        // Channel 0 = [[1,2],[3,4]], channel 1 = [[10,20],[30,40]] stored NHWC; global max → [4, 40] with shape 1×1×1×2.
        var r = Eval("webnn.maxPool2d", """{"layout": "nhwc"}""", T([1, 2, 2, 2], 1, 10, 2, 20, 3, 30, 4, 40));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 1, 2 }));
        Check.Exact(Check.V(r), [4, 40]);
    }

    [Test]
    public void Dilations_StepTheWindow()
    {
        // 1×5 ramp, window [1,2] dilations [1,3]: K = 4, O = 2, taps {0,3} {1,4} → 3, 4.
        var r = Eval("webnn.maxPool2d", """{"windowDimensions": [1, 2], "dilations": [1, 3]}""", Ramp([1, 1, 1, 5]));
        Check.Exact(Check.V(r), [3, 4]);
    }

    [TestCase("""{"windowDimensions": [0, 2]}""", "windowDimensions")]
    [TestCase("""{"windowDimensions": [2]}""", "windowDimensions")]
    [TestCase("""{"windowDimensions": [2, 2], "strides": [0, 1]}""", "strides")]
    [TestCase("""{"windowDimensions": [2, 2], "dilations": [1, 0]}""", "dilations")]
    [TestCase("""{"windowDimensions": [2, 2], "padding": [1, 1, 1]}""", "padding")]
    [TestCase("""{"windowDimensions": [2, 2], "layout": "nchwc"}""", "layout")]
    [TestCase("""{"windowDimensions": [2, 2], "outputShapeRounding": "round"}""", "outputShapeRounding")]
    [TestCase("""{"windowDimensions": [2, 2], "roundingType": "ceil"}""", "roundingType")]   // the pre-#770 name is unknown
    [TestCase("""{"windowDimensions": [5, 5]}""", "windowDimensions")]                        // larger than the input
    public void Pool2d_RefusesInvalidOptions(string json, string field) =>
        Check.Refuses(() => Eval("webnn.averagePool2d", json, Ramp([1, 1, 4, 4])), field);

    [Test]
    public void Pool2d_RefusesNon4DInput() =>
        Check.Refuses(() => Eval("webnn.maxPool2d", "{}", Ramp([1, 4, 4])), "inputs.input");
}
