using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// The edges of PoolGeometry that the size tables do not reach (found by mutation testing, docs/mutation.md): the refusal
/// messages (they are what a user reads, so each must name the offending numbers), the overflow and empty-output guards,
/// Darknet's end padding, the effective kernel and the count product. Every expected value is worked out in the comment.
/// </summary>
[TestFixture]
public class GeometryEdgeTests
{
    static void Refuses(Action call, string field, string messagePart)
    {
        var ex = Assert.Throws<InvalidParameterException>(() => call());
        Assert.That(ex!.Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Message, Does.Contain(messagePart));
    }

    [Test]
    public void EffectiveKernel_IsDilatedSpanPlusOne()
    {
        Assert.That(new Axis(9, 3, 1, 2, 0, 0, 5).EffectiveKernel, Is.EqualTo(5));   // (3 − 1)·2 + 1
        Assert.That(new Axis(9, 4, 1, 1, 0, 0, 6).EffectiveKernel, Is.EqualTo(4));   // (4 − 1)·1 + 1
        Assert.That(new Axis(9, 1, 1, 3, 0, 0, 9).EffectiveKernel, Is.EqualTo(1));   // a single tap spans 1 whatever d
    }

    [Test]
    public void Axis_ToString_ListsEveryField() =>
        Assert.That(new Axis(5, 2, 1, 3, 1, 2, 7).ToString(), Is.EqualTo("L=5 k=2 s=1 d=3 pads=(1,2) O=7"));

    [Test]
    public void OutputSize_RefusalMessagesNameTheValues()
    {
        Refuses(() => PoolGeometry.OutputSize(5, 0, 1, 1, 0, 0, CeilRule.Floor), "kernel_size", "kernel must be positive, got 0");
        Refuses(() => PoolGeometry.OutputSize(5, 2, 0, 1, 0, 0, CeilRule.Floor), "stride", "stride must be positive, got 0");
        Refuses(() => PoolGeometry.OutputSize(5, 2, 1, 0, 0, 0, CeilRule.Floor), "dilation", "dilation must be positive, got 0");
        Refuses(() => PoolGeometry.OutputSize(5, 2, 1, 1, -1, 0, CeilRule.Floor), "padding", "got (-1, 0)");
        // L = 2, pads 1 + 1: padded input 4 < K = 5.
        Refuses(() => PoolGeometry.OutputSize(2, 5, 1, 1, 1, 1, CeilRule.Floor), "kernel_size", "effective kernel 5 is larger than the padded input 4");
    }

    [Test]
    public void OutputSize_CeilDropToZeroIsRefused()
    {
        // L = 0, k = 1, pe = 1: num = 0, ceil O = 1, but (1 − 1)·1 = 0 ≥ L + pb = 0 drops the only window → 0 outputs.
        Refuses(() => PoolGeometry.OutputSize(0, 1, 1, 1, 0, 1, CeilRule.CeilTorchOnnx), "kernel_size", "output size is below 1");
    }

    [Test]
    public void OutputSize_OverflowIsRefused()
    {
        // L = pb = 2^31 − 1, k = s = 1: O = 2^32 − 1, beyond int.
        Refuses(() => PoolGeometry.OutputSize(int.MaxValue, 1, 1, 1, int.MaxValue, 0, CeilRule.Floor), "kernel_size", "output size overflows");
    }

    [Test]
    public void OutputSize_UpToIntMaxThenRefused()
    {
        // L = 2^31 − 1, k = s = 1: O = L exactly fits an int (the `>` of the overflow check, not `>=`); pad 1 more overflows.
        Assert.That(PoolGeometry.OutputSize(int.MaxValue, 1, 1, 1, 0, 0, CeilRule.Floor), Is.EqualTo(int.MaxValue));
        Refuses(() => PoolGeometry.OutputSize(int.MaxValue, 1, 1, 1, 1, 0, CeilRule.Floor), "kernel_size", "output size overflows");
    }

    [Test]
    public void Spp_RefusesEmptyLevelsAndInputs()
    {
        Refuses(() => PoolGeometry.SppPaper(5, 0), "levels", "at least 1 bin, got 0");
        Refuses(() => PoolGeometry.SppPaper(3, 5), "levels", "needs the input size 3 to be at least the level's bin count 5");
        Refuses(() => PoolGeometry.SppCaffe(5, 0), "levels", "at least 1 bin, got 0");
        Refuses(() => PoolGeometry.SppCaffe(0, 1), "levels", "input dimensions cannot be zero");
    }

    [Test]
    public void Darknet_RefusalMessagesNameTheValues()
    {
        Refuses(() => PoolGeometry.DarknetOutputSize(5, 2, 0, 1), "stride", "stride must be positive, got 0");
        Refuses(() => PoolGeometry.DarknetOutputSize(5, 0, 1, 1), "size", "size must be positive, got 0");
        Refuses(() => PoolGeometry.DarknetOutputSize(5, 2, 1, -1), "padding", "padding must be non-negative, got -1");
        // (1 + 0 − 5)/1 + 1 = −3.
        Refuses(() => PoolGeometry.DarknetOutputSize(1, 5, 1, 0), "size", "= -3 is below 1");
    }

    [Test]
    public void Darknet_OutputSizeUpToIntMaxThenRefused()
    {
        // (2^31 − 1 + 0 − 1)/1 + 1 = 2^31 − 1 still fits; one more padding cell does not.
        Assert.That(PoolGeometry.DarknetOutputSize(int.MaxValue, 1, 1, 0), Is.EqualTo(int.MaxValue));
        Refuses(() => PoolGeometry.DarknetOutputSize(int.MaxValue, 1, 1, 1), "size", "output size overflows");
    }

    [Test]
    public void Darknet_OddTotalPaddingPutsTheExtraCellAtTheEnd()
    {
        // padding 3: offset = −3/2 = −1 (C truncation) → begin 1, end 3 − 1 = 2; O = (5 + 3 − 2)/1 + 1 = 7.
        Assert.That(PoolGeometry.Darknet(5, 2, 1, 3), Is.EqualTo(new Axis(5, 2, 1, 1, 1, 2, 7)));
    }

    [Test]
    public void Product_MultipliesAndRefusesOverflow()
    {
        Assert.That(PoolGeometry.Product([2, 3, 4]), Is.EqualTo(24));
        Assert.That(PoolGeometry.Product([]), Is.EqualTo(1));
        Assert.Throws<OverflowException>(() => PoolGeometry.Product([int.MaxValue, int.MaxValue, int.MaxValue]));
    }
}
