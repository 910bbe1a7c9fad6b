using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The host-side case planner (src/Optimized/Planning) that the GPU and CPU kernels read: its tap tables against the one
/// window enumeration of the project (<see cref="Windows.Enumerate"/>, <see cref="PoolGeometry.AdaptiveBin"/>), its divisors and
/// Lp scales against hand computation, ONNX index conversion, and the not-served / invalid paths.
/// </summary>
[TestFixture, Category("Gpu-not-needed")]
public class GpuPlannerTests
{
    static CaseSpec Case(string op, string json, params string[] outputs) =>
        new("t", op, JsonDocument.Parse(json).RootElement.Clone(), new Dictionary<string, string>(), outputs, null);

    static Dictionary<string, Tensor> In(string name, int[] shape, DType dtype = DType.Float32) =>
        new() { [name] = new Tensor(dtype, shape, Enumerable.Range(0, (int)Tensor.ElementCount(shape)).Select(i => (double)(i % 7)).ToArray()) };

    static void TapsMatchEnumeration(WindowPlan plan, IReadOnlyList<Axis> axes)
    {
        var ws = Windows.Enumerate(axes);
        Assert.That(plan.OutPlane, Is.EqualTo(ws.Length));
        for (int j = 0; j < ws.Length; j++)
            Assert.That(plan.CellTaps(j).ToArray(), Is.EqualTo(ws[j].Taps), $"cell {j} of {plan}");
    }

    [TestCase("torch.max_pool1d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"dilation\":2,\"ceil_mode\":true}", new[] { 1, 2, 11 }, 3, 2, 1, 2, true)]
    [TestCase("torch.max_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true}", new[] { 1, 1, 6, 7 }, 3, 2, 1, 1, true)]
    [TestCase("torch.max_pool3d", "{\"kernel_size\":2,\"stride\":1,\"padding\":1,\"dilation\":2}", new[] { 2, 1, 4, 5, 3 }, 2, 1, 1, 2, false)]
    [TestCase("torch.avg_pool2d", "{\"kernel_size\":[2,3],\"stride\":[3,2],\"ceil_mode\":true}", new[] { 1, 2, 7, 8 }, -1, -1, 0, 1, true)]
    public void FixedWindowTaps_EqualTheReferenceEnumeration(string op, string json, int[] shape, int k, int s, int pad, int d, bool ceil)
    {
        var plan = CasePlanner.Plan(Case(op, json, "output"), In("input", shape));
        int nd = shape.Length - 2;
        var spatial = shape[2..];
        var ks = k > 0 ? Enumerable.Repeat(k, nd).ToArray() : [2, 3];
        var ss = s > 0 ? Enumerable.Repeat(s, nd).ToArray() : [3, 2];
        var axes = spatial.Select((l, a) => PoolGeometry.Explicit(l, ks[a], ss[a], d, pad, pad, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor)).ToArray();
        TapsMatchEnumeration(plan, axes);
        Assert.That(plan.Rank, Is.EqualTo(nd));
    }

    [Test]
    public void AdaptiveBins_AreTheIntegerBinsOfPyTorch()
    {
        // L = 5 into O = 3: [0,2), [1,4), [3,5) (floor(i·5/3), ceil((i+1)·5/3)), by hand.
        var plan = CasePlanner.Plan(Case("torch.adaptive_avg_pool1d", "{\"output_size\":3}", "output"), In("input", [1, 1, 5]));
        Assert.That(plan.W.Start, Is.EqualTo(new[] { 0, 1, 3 }));
        Assert.That(plan.W.Count, Is.EqualTo(new[] { 2, 3, 2 }));
        Assert.That(plan.Divisor, Is.EqualTo(new[] { 2f, 3f, 2f }));
        var p2 = CasePlanner.Plan(Case("torch.adaptive_max_pool2d", "{\"output_size\":[2,null]}", "output", "indices"), In("input", [3, 5, 4]));
        Assert.That(p2.OutSpatial, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(p2.OutputShape, Is.EqualTo(new[] { 3, 2, 4 }), "unbatched input keeps its rank");
        Assert.That(p2.IndexName, Is.EqualTo("indices"));
    }

    [Test]
    public void TorchAverageDivisors_ByHand()
    {
        // L = 5, k = 3, s = 2, p = 1, ceil: O = ceil(4/2) + 1 = 3; windows [-1,1], [1,3], [3,5]: in-bounds 2, 3, 2; padded 3, 3, 3.
        var inc = CasePlanner.Plan(Case("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true}", "output"), In("input", [1, 1, 5, 5]));
        Assert.That(inc.Divisor, Is.EqualTo(Enumerable.Repeat(9f, 9).ToArray()));
        var exc = CasePlanner.Plan(Case("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true,\"count_include_pad\":false}", "output"), In("input", [1, 1, 5, 5]));
        Assert.That(exc.Divisor, Is.EqualTo(new[] { 4f, 6f, 4f, 6f, 9f, 6f, 4f, 6f, 4f }));
        var ovr = CasePlanner.Plan(Case("torch.avg_pool2d", "{\"kernel_size\":2,\"divisor_override\":-3}", "output"), In("input", [1, 1, 4, 4]));
        Assert.That(ovr.Divisor, Is.EqualTo(Enumerable.Repeat(-3f, 4).ToArray()));
        // ONNX count_include_pad = 1 with the ceil overhang: L = 4, k = 3, s = 2, pads (0, 1), ceil: O = ceil(2/2) + 1 = 2;
        // window 1 = [2, 4]: position 4 is padding (counted), no overhang → 3.
        var onnx = CasePlanner.Plan(Case("onnx.AveragePool", "{\"kernel_shape\":[3],\"strides\":[2],\"pads\":[0,1],\"ceil_mode\":1,\"count_include_pad\":1}", "Y"), In("X", [1, 1, 4]));
        Assert.That(onnx.Divisor, Is.EqualTo(new[] { 3f, 3f }));
    }

    [Test]
    public void EmptyOnnxAverage_HasDivisorZero_AndTakesTheUnspecifiedValue()
    {
        // k = 1, pads (1, 0) on L = 2: window 0 is only padding → no in-bounds tap → unspecified (NaN).
        var plan = CasePlanner.Plan(Case("onnx.AveragePool", "{\"kernel_shape\":[1],\"pads\":[1,0]}", "Y"), In("X", [1, 1, 2]));
        Assert.That(plan.Divisor, Is.EqualTo(new[] { 0f, 1f, 1f }));
        Assert.That(float.IsNaN(plan.Semantics.EmptyAverage));
    }

    [Test]
    public void TorchLpCeilInflation_ByHand()
    {
        // L = 5, k = 2, s = 2, ceil: O = 3, last window [4, 5] has one tap: Πk/|R| = 2/1.
        var plan = CasePlanner.Plan(Case("torch.lp_pool1d", "{\"norm_type\":2,\"kernel_size\":2,\"ceil_mode\":true}", "output"), In("input", [1, 1, 5]));
        Assert.That(plan.LpScale, Is.EqualTo(new[] { 1f, 1f, 2f }));
        Assert.That(plan.Semantics.LpRaw, Is.True);
        var onnx = CasePlanner.Plan(Case("onnx.LpPool", "{\"kernel_shape\":[2],\"strides\":[2],\"ceil_mode\":1,\"p\":3}", "Y"), In("X", [1, 1, 5]));
        Assert.That(onnx.LpScale, Is.Null, "ONNX LpPool is the true norm");
        Assert.That(onnx.Semantics.LpRaw, Is.False);
        Assert.That(onnx.P, Is.EqualTo(3));
    }

    [Test]
    public void Semantics_FollowTheDialectPresets()
    {
        var t = CasePlanner.Plan(Case("torch.max_pool2d", "{\"kernel_size\":2}", "output"), In("input", [1, 1, 4, 4])).Semantics;
        Assert.That((t.Nan, t.MaxInitial, t.EmptyMax), Is.EqualTo((NanMode.PropagateLast, float.NegativeInfinity, float.NegativeInfinity)));
        var o = CasePlanner.Plan(Case("onnx.MaxPool", "{\"kernel_shape\":[2,2]}", "Y"), In("X", [1, 1, 4, 4])).Semantics;
        Assert.That(o.Nan, Is.EqualTo(NanMode.PropagateFirst));
        Assert.That(float.IsNaN(o.EmptyMax));
        var tf = CasePlanner.Plan(Case("tf.nn.max_pool", "{\"ksize\":2,\"strides\":2,\"padding\":\"SAME\"}", "output"), In("input", [1, 5, 5, 3]));
        Assert.That((tf.Semantics.MaxInitial, tf.ChannelsLast, tf.C), Is.EqualTo((-float.MaxValue, true, 3)));
        Assert.That(tf.OutputShape, Is.EqualTo(new[] { 1, 3, 3, 3 }));
    }

    [Test]
    public void OnnxIndices_FlatOverNC_RowOrColumnMajor()
    {
        // spatial 3×4: tap (h = 1, w = 2) is 6 row-major, 1 + 2·3 = 7 column-major; plane q adds q·12.
        Assert.That(WindowPlan.ColumnMajorIndex(6, [3, 4]), Is.EqualTo(7));
        var plan = CasePlanner.Plan(Case("onnx.MaxPool", "{\"kernel_shape\":[3,4],\"storage_order\":1}", "Y", "Indices"), In("X", [1, 2, 3, 4]));
        var outs = plan.Assemble(new float[] { 1, 2 }, new long[] { 6, 6 });
        Assert.That(outs["Indices"].Data, Is.EqualTo(new double[] { 7, 12 + 7 }));
        var rm = CasePlanner.Plan(Case("onnx.MaxPool", "{\"kernel_shape\":[3,4]}", "Y", "Indices"), In("X", [1, 2, 3, 4]));
        Assert.That(rm.Assemble(new float[] { 1, 2 }, new long[] { 6, -1 })["Indices"].Data, Is.EqualTo(new double[] { 6, -1 }));
    }

    [Test]
    public void NotServed_AndInvalid_AreDistinguished()
    {
        Assert.That(CasePlanner.Unsupported(Case("torchvision.roi_align", "{}", "output")), Is.Not.Null);
        Assert.Throws<NotServedException>(() => CasePlanner.Plan(Case("torch.max_pool2d", "{\"kernel_size\":2}", "output"), In("input", [1, 1, 4, 4], DType.Float64)));
        var e = Assert.Throws<InvalidParameterException>(() => CasePlanner.Plan(Case("torch.max_pool2d", "{\"kernel_size\":2,\"padding\":2}", "output"), In("input", [1, 1, 4, 4])));
        Assert.That(e!.Field, Is.EqualTo("padding"));
        var u = Assert.Throws<InvalidParameterException>(() => CasePlanner.Plan(Case("onnx.MaxPool", "{\"kernel_shape\":[2,2],\"bogus\":1}", "Y"), In("X", [1, 1, 4, 4])));
        Assert.That(u!.Field, Is.EqualTo("bogus"));
    }
}
