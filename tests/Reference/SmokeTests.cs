using NUnit.Framework;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

[TestFixture]
public class MaxPoolWorkedExamples
{
    [Test]
    public void MaxPool2d_CeilOn5x5Ramp_GivesOrtValuesAndRowMajorIndices()
    {
        // DIALECTS.md §3.5 (ONNX Runtime, run): arange(25) 5×5, k2 s2 ceil → 6, 8, 9, 16, 18, 19, 21, 23, 24; indices identical.
        var r = Eval("torch.max_pool2d", """{"kernel_size": 2, "stride": 2, "ceil_mode": true, "return_indices": true}""", Ramp([1, 1, 5, 5]));
        double[] want = [6, 8, 9, 16, 18, 19, 21, 23, 24];
        Assert.That(r.Outputs["output"].Value.Data, Is.EqualTo(want));
        Assert.That(r.Outputs["indices"].Value.Data, Is.EqualTo(want));
    }
}
