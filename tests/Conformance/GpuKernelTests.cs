using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Gpu;
using PoolingConformance.Optimized.Planning;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// Every GPU kernel (<see cref="GpuKernelRegistry"/>) against the reference, case by case through the same path as
/// <c>poolconf run --backend gpu:cpu</c> (planner + kernels on ILGPU's CPU accelerator), over small sweeps: 1-D/2-D/3-D, sizes
/// with tails and primes, ceil/padding/dilation, the fixture families (ties, NaN, ±0, −∞ windows, subnormals), NCHW vs NHWC,
/// with the tolerance object <c>verify</c> uses (<see cref="Tolerance.Derived"/>). Expected values come from the reference
/// (src/Reference) or from hand computation; the determinism of indices on ties and of unpool duplicates is pinned.
/// </summary>
[TestFixture, Category("Gpu-not-needed")]
public class GpuKernelTests
{
    GpuRuntime _rt = null!;

    [OneTimeSetUp] public void Start() => _rt = GpuRuntime.Create(cpu: true);
    [OneTimeTearDown] public void Stop() => _rt.Dispose();

    // ------------------------------------------------------------------------------------------------ harness

    static readonly string[] Fixtures = ["rand", "ties", "nan", "zeros", "neginf", "subnormal"];

    /// <summary>Float32-representable data of one fixture family (SplitMix64 from the seed, replayable).</summary>
    internal static Tensor Fill(string fixture, int[] shape, ulong seed, DType dtype = DType.Float32)
    {
        var rng = new SplitMix64(seed);
        double U() => rng.NextDouble();
        var d = new double[Tensor.ElementCount(shape)];
        for (int i = 0; i < d.Length; i++)
            d[i] = fixture switch
            {
                "ties" => Math.Floor(U() * 4) - 2,
                "nan" => U() < 0.15 ? double.NaN : (float)(U() * 2 - 1),
                "zeros" => U() switch { < 0.45 => -0.0, < 0.9 => 0.0, _ => -1 },
                "neginf" => U() < 0.8 ? double.NegativeInfinity : (float)(U() * 2 - 1),
                "subnormal" => (U() < 0.5 ? -1 : 1) * float.Epsilon * Math.Floor(U() * 1000),
                "positive" => (float)(U() * 2 + 0.01),
                _ => (float)(U() * 2 - 1),
            };
        if (dtype == DType.Float16) for (int i = 0; i < d.Length; i++) d[i] = (double)(Half)d[i];
        return new Tensor(dtype, shape, d);
    }

    static CaseSpec Case(string op, string json, IEnumerable<string> outputs) =>
        new("gpu-test", op, JsonDocument.Parse(json).RootElement.Clone(), new Dictionary<string, string>(), outputs.ToList(), null);

    /// <summary>Runs a case on the reference and on the GPU backend; every output must pass verify's comparison.</summary>
    void Check(string op, string json, Dictionary<string, Tensor> inputs, string what)
    {
        var reference = OpRegistry.Find(op) ?? throw new InvalidOperationException(op);
        var expected = reference.Evaluate(json, inputs);
        var c = Case(op, json, expected.Outputs.Keys);
        var got = GpuBackend.Run(_rt, c, inputs);
        foreach (var (name, exp) in expected.Outputs)
        {
            Assert.That(got.ContainsKey(name), $"{op}: output '{name}' missing ({what})");
            var cmp = OutputComparer.Compare(exp, got[name], Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {op} {json} {what}");
        }
    }

    // ------------------------------------------------------------------------------------------------ window pooling

    /// <summary>A geometry: kernel, stride, padding, dilation, ceil mode (the same on every axis).</summary>
    public sealed record Geo(string Name, int K, int S, int P, int D, bool Ceil)
    {
        public override string ToString() => Name;
    }

    static readonly Geo[] Geometries =
    [
        new("k3s2p1", 3, 2, 1, 1, false), new("k2s2", 2, 2, 0, 1, false), new("k3s2p1_ceil", 3, 2, 1, 1, true),
        new("k3s1p1_d2_ceil", 3, 1, 1, 2, true), new("k2s3_ceil_overhang", 2, 3, 0, 1, true), new("k1s1", 1, 1, 0, 1, false),
    ];

    static readonly int[][][] Sizes = [[[5], [13], [8]], [[5, 7], [2, 13], [6, 6]], [[3, 5, 4], [6, 7, 5]]];

    public static IEnumerable<TestCaseData> WindowCases()
    {
        string[] ops = ["torch.max_pool", "torch.avg_pool", "torch.lp_pool", "onnx.MaxPool", "onnx.AveragePool", "onnx.LpPool"];
        foreach (var op in ops)
            foreach (var g in Geometries)
                foreach (int nd in new[] { 1, 2, 3 })
                    yield return new TestCaseData(op, g, nd).SetName($"Window_{op.Replace("torch.", "").Replace("onnx.", "onnx_")}{nd}d_{g.Name}");
    }

    [TestCaseSource(nameof(WindowCases))]
    public void WindowKernels_MatchReference(string family, Geo g, int nd)
    {
        bool torch = family.StartsWith("torch.", StringComparison.Ordinal);
        bool max = family.Contains("max", StringComparison.OrdinalIgnoreCase);
        bool lp = family.Contains("lp", StringComparison.OrdinalIgnoreCase);
        bool avg = !max && !lp;
        int d = max ? g.D : 1;
        int compared = 0, variant = 0;
        foreach (var spatial in Sizes[nd - 1])
        {
            // The window must fit: L + 2p ≥ (k − 1)·d + 1 on every axis.
            int pad = lp ? 0 : g.P; // lp_pool / LpPool here without padding (torch's has none)
            if (spatial.Any(l => l + pad < (g.K - 1) * d + 1)) continue; // one-sided: ONNX variants drop the end padding
            if (torch && avg && nd == 3 && spatial.Any(l => l < g.K)) continue; // avg_pool3d requires input ≥ kernel
            foreach (var fixture in new[] { Fixtures[(variant + nd) % Fixtures.Length], Fixtures[(variant * 5 + nd + 3) % Fixtures.Length] }.Distinct())
            {
                variant++;
                string F(int v) => "[" + string.Join(",", Enumerable.Repeat(v, nd)) + "]";
                string json;
                if (torch)
                {
                    string op = $"{family}{nd}d";
                    var parts = new List<string> { $"\"kernel_size\":{F(g.K)}", $"\"stride\":{F(g.S)}", $"\"ceil_mode\":{(g.Ceil ? "true" : "false")}" };
                    if (!lp) parts.Add($"\"padding\":{F(g.P)}");
                    if (max) { parts.Add($"\"dilation\":{F(d)}"); parts.Add("\"return_indices\":true"); }
                    if (avg) { parts.Add($"\"count_include_pad\":{(variant % 2 == 0 ? "true" : "false")}"); if (nd > 1 && variant % 3 == 0) parts.Add("\"divisor_override\":3"); }
                    if (lp) parts.Add($"\"norm_type\":{(variant % 3) switch { 0 => "2", 1 => "3", _ => "1.5" }}");
                    json = "{" + string.Join(",", parts) + "}";
                    var x = Fill(fixture, [2, 3, .. spatial], (ulong)(variant * 7919 + nd));
                    Check(op, json, new() { ["input"] = x }, $"fixture {fixture} shape {Tensor.ShapeText(x.Shape)}");
                }
                else
                {
                    // ONNX: asymmetric pads (begin p, end 0 on odd variants), storage_order and count_include_pad alternate.
                    int pe = variant % 2 == 0 ? g.P : 0;
                    var parts = new List<string>
                    {
                        $"\"kernel_shape\":{F(g.K)}", $"\"strides\":{F(g.S)}", $"\"ceil_mode\":{(g.Ceil ? 1 : 0)}",
                        $"\"pads\":[{string.Join(",", Enumerable.Repeat(g.P, nd).Concat(Enumerable.Repeat(pe, nd)))}]",
                        $"\"dilations\":{F(d)}",
                    };
                    if (max && variant % 2 == 1) parts.Add("\"storage_order\":1");
                    if (avg) parts.Add($"\"count_include_pad\":{variant % 2}");
                    if (lp) parts.Add($"\"p\":{(variant % 2 == 0 ? 2 : 3)}");
                    json = "{" + string.Join(",", parts) + "}";
                    var x = Fill(fixture, [2, 3, .. spatial], (ulong)(variant * 104729 + nd));
                    Check(family, json, new() { ["X"] = x }, $"fixture {fixture} shape {Tensor.ShapeText(x.Shape)}");
                }
                compared++;
            }
        }
        if (compared == 0) Assert.Ignore($"no size of the sweep fits {g} in {nd}-D");
    }

    [TestCase("torch.adaptive_max_pool1d", "{\"output_size\":3,\"return_indices\":true}", new[] { 2, 3, 7 })]
    [TestCase("torch.adaptive_max_pool2d", "{\"output_size\":[4,null],\"return_indices\":true}", new[] { 2, 3, 5, 6 })]
    [TestCase("torch.adaptive_max_pool3d", "{\"output_size\":[2,3,5],\"return_indices\":true}", new[] { 1, 2, 3, 4, 5 })]
    [TestCase("torch.adaptive_avg_pool1d", "{\"output_size\":9}", new[] { 2, 3, 7 })]
    [TestCase("torch.adaptive_avg_pool2d", "{\"output_size\":[3,2]}", new[] { 3, 7, 6 })]
    [TestCase("torch.adaptive_avg_pool3d", "{\"output_size\":[1,2,3]}", new[] { 1, 2, 3, 5, 7 })]
    [TestCase("onnx.GlobalMaxPool", "{}", new[] { 2, 3, 5, 7 })]
    [TestCase("onnx.GlobalAveragePool", "{}", new[] { 2, 3, 4, 3, 5 })]
    [TestCase("onnx.GlobalLpPool", "{\"p\":3}", new[] { 2, 3, 11 })]
    public void AdaptiveAndGlobal_MatchReference(string op, string json, int[] shape)
    {
        string input = op.StartsWith("onnx.", StringComparison.Ordinal) ? "X" : "input";
        foreach (var fixture in Fixtures)
        {
            if (op.Contains("Lp") && fixture == "neginf") continue; // |−∞|^p = ∞: compared, but says nothing new
            var x = Fill(fixture, shape, (ulong)shape.Sum() * 31 + (ulong)Array.IndexOf(Fixtures, fixture));
            Check(op, json, new() { [input] = x }, $"fixture {fixture}");
        }
    }

    [TestCase("tf.nn.max_pool", "{\"ksize\":3,\"strides\":2,\"padding\":\"SAME\"}", new[] { 2, 7, 6, 3 })]
    [TestCase("tf.nn.max_pool", "{\"ksize\":[1,2,2,1],\"strides\":[1,1,2,1],\"padding\":[[0,0],[1,0],[0,1],[0,0]]}", new[] { 1, 5, 5, 2 })]
    [TestCase("tf.nn.max_pool", "{\"ksize\":2,\"strides\":2,\"padding\":\"VALID\",\"data_format\":\"NCW\"}", new[] { 2, 3, 9 })]
    [TestCase("tf.nn.avg_pool", "{\"ksize\":3,\"strides\":2,\"padding\":\"SAME\"}", new[] { 1, 5, 6, 7, 2 })]
    [TestCase("webnn.maxPool2d", "{\"windowDimensions\":[3,3],\"strides\":[2,2],\"padding\":[1,1,1,1],\"layout\":\"nhwc\",\"outputShapeRounding\":\"ceil\"}", new[] { 2, 6, 7, 3 })]
    [TestCase("webnn.averagePool2d", "{\"windowDimensions\":[2,3],\"strides\":[2,2],\"dilations\":[2,1],\"padding\":[0,1,1,0]}", new[] { 2, 3, 7, 8 })]
    [TestCase("webnn.l2Pool2d", "{\"windowDimensions\":[2,2],\"strides\":[2,2],\"layout\":\"nhwc\"}", new[] { 1, 5, 4, 3 })]
    public void ChannelsLastDialects_MatchReference(string op, string json, int[] shape)
    {
        // TF max_pool's NaN behaviour is not part of its dialect: no NaN fixture there.
        foreach (var fixture in Fixtures.Where(f => !(op.StartsWith("tf.") && f == "nan")))
        {
            var x = Fill(fixture, shape, (ulong)shape.Sum() * 17 + (ulong)Array.IndexOf(Fixtures, fixture));
            Check(op, json, new() { ["input"] = x }, $"fixture {fixture}");
        }
    }

    [Test]
    public void Float16Inputs_AreWidened_AndRoundedBackOnce()
    {
        var x = Fill("rand", [2, 3, 9, 8], 99, DType.Float16);
        Check("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"count_include_pad\":false}", new() { ["input"] = x }, "float16");
        Check("onnx.MaxPool", "{\"kernel_shape\":[2,3],\"strides\":[2,2]}", new() { ["X"] = x }, "float16");
    }

    // ------------------------------------------------------------------------------------------------ layouts and determinism

    public static IEnumerable<TestCaseData> LayoutCases() =>
    [
        new TestCaseData("torch.max_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true,\"return_indices\":true}", new[] { 2, 5, 7, 9 }).SetName("Layouts_max2d"),
        new TestCaseData("torch.max_pool3d", "{\"kernel_size\":2,\"stride\":1,\"dilation\":2,\"padding\":1,\"return_indices\":true}", new[] { 1, 3, 4, 5, 6 }).SetName("Layouts_max3d"),
        new TestCaseData("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":1,\"padding\":1}", new[] { 2, 5, 6, 7 }).SetName("Layouts_avg2d"),
        new TestCaseData("torch.lp_pool1d", "{\"norm_type\":2,\"kernel_size\":3,\"stride\":2,\"ceil_mode\":true}", new[] { 2, 5, 10 }).SetName("Layouts_lp1d"),
        new TestCaseData("torch.adaptive_max_pool2d", "{\"output_size\":[3,4],\"return_indices\":true}", new[] { 1, 4, 7, 5 }).SetName("Layouts_adaptive_max2d"),
    ];

    [TestCaseSource(nameof(LayoutCases))]
    public void NchwAndNhwc_GiveIdenticalValuesAndIndices(string op, string json, int[] shape)
    {
        foreach (var fixture in Fixtures)
        {
            var x = Fill(fixture, shape, 4242 + (ulong)Array.IndexOf(Fixtures, fixture));
            var plan = CasePlanner.Plan(Case(op, json, ["output", "indices"]), new Dictionary<string, Tensor> { ["input"] = x });
            var nchw = GpuWindow.Run(_rt, plan, plan.X, channelsLast: false);
            var xl = Layout.ToChannelsLast(x);
            var nhwc = GpuWindow.Run(_rt, plan, xl.Data.Select(v => (float)v).ToArray(), channelsLast: true);
            int[] outShape = [plan.N, .. plan.OutSpatial, plan.C];
            var back = Layout.ToChannelsFirst(new Tensor(DType.Float32, outShape, nhwc.Y.Select(v => (double)v).ToArray()));
            Assert.That(back.Data.Select(Bits), Is.EqualTo(nchw.Y.Select(v => Bits(v))), $"NHWC values differ from NCHW: {op} fixture {fixture}");
            if (plan.Reduction == Reduction.Max)
                Assert.That(nhwc.Indices, Is.EqualTo(nchw.Indices), $"NHWC indices differ from NCHW: {op} fixture {fixture}");
        }
    }

    static int Bits(double v) => double.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits((float)v);

    [Test]
    public void MaxIndices_OnTiesAndNaN_FollowTheDialect_ByHand()
    {
        // One plane [2, 5, 5, NaN, 1, NaN, 5], one window of 7: PyTorch reports the LAST NaN (5), ONNX (the oracle's choice) the FIRST (3);
        // without NaN the first of the tied 5s (index 1) wins.
        var withNan = new Tensor(DType.Float32, [1, 1, 7], [2, 5, 5, double.NaN, 1, double.NaN, 5]);
        var t = GpuBackend.Run(_rt, Case("torch.max_pool1d", "{\"kernel_size\":7,\"return_indices\":true}", ["output", "indices"]), new Dictionary<string, Tensor> { ["input"] = withNan });
        Assert.That(double.IsNaN(t["output"].Data[0]));
        Assert.That(t["indices"].Data[0], Is.EqualTo(5));
        var o = GpuBackend.Run(_rt, Case("onnx.MaxPool", "{\"kernel_shape\":[7]}", ["Y", "Indices"]), new Dictionary<string, Tensor> { ["X"] = withNan });
        Assert.That(o["Indices"].Data[0], Is.EqualTo(3));
        var ties = new Tensor(DType.Float32, [1, 1, 7], [2, 5, 5, -0.0, 1, 0.0, 5]);
        for (int rep = 0; rep < 3; rep++)
        {
            var r = GpuBackend.Run(_rt, Case("torch.max_pool1d", "{\"kernel_size\":7,\"return_indices\":true}", ["output", "indices"]), new Dictionary<string, Tensor> { ["input"] = ties });
            Assert.That((r["output"].Data[0], r["indices"].Data[0]), Is.EqualTo((5.0, 1.0)), "ties keep the first, run after run");
        }
        // ±0: -0 first then +0 → the first (−0, index 0) is kept.
        var zeros = new Tensor(DType.Float32, [1, 1, 2], [-0.0, 0.0]);
        var z = GpuBackend.Run(_rt, Case("torch.max_pool1d", "{\"kernel_size\":2,\"return_indices\":true}", ["output", "indices"]), new Dictionary<string, Tensor> { ["input"] = zeros });
        Assert.That(double.IsNegative(z["output"].Data[0]) && z["indices"].Data[0] == 0, Is.True, "−0 then +0 keeps −0 at index 0");
    }

    [Test]
    public void AllNegativeInfinityWindow_GivesMinusInfinityAtTheFirstTap_TfGivesLowest()
    {
        var x = new Tensor(DType.Float32, [1, 1, 3], [double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity]);
        var t = GpuBackend.Run(_rt, Case("torch.max_pool1d", "{\"kernel_size\":3,\"return_indices\":true}", ["output", "indices"]), new Dictionary<string, Tensor> { ["input"] = x });
        Assert.That((t["output"].Data[0], t["indices"].Data[0]), Is.EqualTo((double.NegativeInfinity, 0.0)));
        var tf = GpuBackend.Run(_rt, Case("tf.nn.max_pool", "{\"ksize\":3,\"strides\":1,\"padding\":\"VALID\",\"data_format\":\"NCW\"}", ["output"]), new Dictionary<string, Tensor> { ["input"] = x });
        Assert.That(tf["output"].Data[0], Is.EqualTo(-(double)float.MaxValue));
    }

    // ------------------------------------------------------------------------------------------------ unpool

    [Test]
    public void Unpool_Duplicates_LastInputPositionWins_Deterministically()
    {
        // Plane values [1, 2, 3, 4] with indices [1, 1, 0, 1]: cell 1 is named by elements 0, 1 and 3 → the last (4) wins;
        // cell 0 gets 3; cells 2.. stay 0. A sequential scatter (the reference, PyTorch's CPU loop) leaves the same.
        var x = new Tensor(DType.Float32, [1, 1, 4], [1, 2, 3, 4]);
        var idx = new Tensor(DType.Int64, [1, 1, 4], [1, 1, 0, 1]);
        var inputs = new Dictionary<string, Tensor> { ["input"] = x, ["indices"] = idx };
        const string json = "{\"kernel_size\":2}";
        for (int rep = 0; rep < 5; rep++)
        {
            var y = GpuBackend.Run(_rt, Case("torch.max_unpool1d", json, ["output"]), inputs)["output"];
            Assert.That(y.Data, Is.EqualTo(new double[] { 3, 4, 0, 0, 0, 0, 0, 0 }), $"run {rep}");
        }
        Check("torch.max_unpool1d", json, inputs, "duplicates");
    }

    [TestCase("torch.max_unpool1d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1}", new[] { 2, 3, 5 })]
    [TestCase("torch.max_unpool2d", "{\"kernel_size\":2,\"output_size\":[7,9]}", new[] { 2, 3, 3, 4 })]
    [TestCase("torch.max_unpool3d", "{\"kernel_size\":2}", new[] { 1, 2, 2, 3, 2 })]
    [TestCase("onnx.MaxUnpool", "{\"kernel_shape\":[2,2],\"strides\":[2,2]}", new[] { 2, 3, 3, 4 })]
    public void Unpool_MatchesReference_WithRandomAndDuplicateIndices(string op, string json, int[] shape)
    {
        bool onnx = op.StartsWith("onnx.", StringComparison.Ordinal);
        var x = Fill("rand", shape, 7);
        var expShape = OpRegistry.Find(op)!.Evaluate(json, new Dictionary<string, Tensor>
        {
            [onnx ? "X" : "input"] = x, [onnx ? "I" : "indices"] = new Tensor(DType.Int64, shape, new double[x.Data.Length]),
        }).Outputs["output"].Value.Shape;
        long plane = onnx ? Tensor.ElementCount(expShape) : Tensor.ElementCount(expShape[2..]);
        var rng = new Random(11);
        // Indices drawn from a few cells per plane, so duplicates are common.
        var idx = new Tensor(DType.Int64, shape, x.Data.Select(_ => (double)rng.Next((int)Math.Min(plane, 5))).ToArray());
        Check(op, json, new() { [onnx ? "X" : "input"] = x, [onnx ? "I" : "indices"] = idx }, "random indices with duplicates");
    }

    // ------------------------------------------------------------------------------------------------ ROI

    static Tensor Boxes(params double[][] rows) => new(DType.Float32, [rows.Length, 5], rows.SelectMany(r => r.Select(v => (double)(float)v)).ToArray());

    static readonly Tensor RoiBoxes = Boxes(
        [0, 1.3, 2.1, 9.7, 8.2], [1, 0, 0, 15.9, 11.9], [0, 7.5, 3.25, 2.5, 1.0] /* reversed */, [1, 4, 4, 4, 4] /* degenerate */,
        [0, -3.3, -2.0, 20.1, 30.7] /* past the edges */, [1, 3.49, 5.51, 6.5, 7.5] /* half-way roundings */);

    [TestCase("torchvision.roi_align", "{\"output_size\":[3,2],\"spatial_scale\":0.5,\"sampling_ratio\":2,\"aligned\":false}")]
    [TestCase("torchvision.roi_align", "{\"output_size\":4,\"spatial_scale\":0.5,\"sampling_ratio\":-1,\"aligned\":true}")]
    [TestCase("torchvision.roi_align", "{\"output_size\":[2,5],\"spatial_scale\":1.0,\"sampling_ratio\":0,\"aligned\":false}")]
    [TestCase("torchvision.roi_pool", "{\"output_size\":[3,2],\"spatial_scale\":0.5}")]
    [TestCase("torchvision.roi_pool", "{\"output_size\":4,\"spatial_scale\":1.0}")]
    public void Roi_MatchesReference(string op, string json)
    {
        foreach (var fixture in new[] { "rand", "ties", "neginf" })
        {
            var x = Fill(fixture, [2, 3, 9, 11], 5 + (ulong)fixture.Length);
            Check(op, json, new() { ["input"] = x, ["boxes"] = RoiBoxes }, $"fixture {fixture}");
        }
    }

    [TestCase("onnx.RoiAlign", "{\"output_height\":3,\"output_width\":2,\"spatial_scale\":0.5,\"sampling_ratio\":2}")]
    [TestCase("onnx.RoiAlign", "{\"output_height\":2,\"output_width\":2,\"sampling_ratio\":0,\"coordinate_transformation_mode\":\"output_half_pixel\"}")]
    [TestCase("onnx.MaxRoiPool", "{\"pooled_shape\":[2,3],\"spatial_scale\":0.5}")]
    public void OnnxRoi_MatchesReference(string op, string json)
    {
        var x = Fill("rand", [2, 3, 9, 11], 77);
        var inputs = new Dictionary<string, Tensor> { ["X"] = x };
        if (op == "onnx.MaxRoiPool") inputs["rois"] = RoiBoxes;
        else
        {
            int k = RoiBoxes.Shape[0];
            inputs["rois"] = new Tensor(DType.Float32, [k, 4], Enumerable.Range(0, k).SelectMany(i => RoiBoxes.Data.Skip(i * 5 + 1).Take(4)).ToArray());
            inputs["batch_indices"] = new Tensor(DType.Int64, [k], Enumerable.Range(0, k).Select(i => RoiBoxes.Data[i * 5]).ToArray());
        }
        Check(op, json, inputs, "boxes with reversed, degenerate and out-of-image ROIs");
    }

    // ------------------------------------------------------------------------------------------------ SPP

    [TestCase("darknet.maxpool", "{\"size\":3,\"stride\":2}", new[] { 2, 3, 7, 6 })]
    [TestCase("darknet.maxpool", "{\"size\":2,\"stride\":2,\"padding\":1}", new[] { 1, 2, 5, 5 })]
    [TestCase("darknet.yolov3_spp", "{}", new[] { 1, 3, 6, 7 })]
    [TestCase("darknet.yolov3_spp", "{\"sizes\":[2,3]}", new[] { 2, 2, 5, 4 })]
    [TestCase("ultralytics.spp", "{\"k\":[3,5]}", new[] { 2, 3, 7, 6 })]
    [TestCase("ultralytics.sppf", "{\"k\":3}", new[] { 2, 3, 9, 5 })]
    [TestCase("ultralytics.sppf", "{}", new[] { 1, 2, 4, 4 })]
    public void Spp_MatchesReference(string op, string json, int[] shape)
    {
        foreach (var fixture in new[] { "rand", "ties", "nan", "neginf" })
        {
            var x = Fill(fixture, shape, 313 + (ulong)fixture.Length);
            Check(op, json, new() { ["input"] = x }, $"fixture {fixture}");
        }
    }

    // ------------------------------------------------------------------------------------------------ registry, bench

    [Test]
    public void EveryRegistryKernel_IsExercisedByTheBackendOps()
    {
        var names = GpuKernelRegistry.All.Select(k => k.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(GpuBackend.Ops, Does.Contain("torch.max_pool3d").And.Contain("torchvision.roi_align").And.Contain("ultralytics.sppf").And.Contain("onnx.MaxUnpool"));
        Assert.That(GpuBackend.Unsupported(Case("poolconf.median_pool2d", "{}", ["output"])), Is.Not.Null);
    }

    [Test]
    public void BenchBackend_PreparesAndChecksEveryWorkload_AtReducedChannelCounts()
    {
        using var bench = GpuBenchBackend.Create(cpuAccelerator: true);
        Assert.That(bench.Name, Is.EqualTo("gpu:cpu"));
        foreach (var w0 in Optimized.Bench.BenchWorkload.All)
        {
            // Same geometry, fewer planes (and boxes): the CPU accelerator is slow, the check is the point here.
            var w = w0 with { N = 1, C = 2, Roi = w0.Roi is null ? null : w0.Roi with { Boxes = 6 } };
            Assert.That(bench.Unsupported(w), Is.Null, w.Name);
            using var p = bench.Prepare(w, 1); // throws when the GPU output does not match the host check
            p.Run();
            Assert.That(p.Bytes, Is.GreaterThan(w.InputElements * 4 - 1), w.Name);
        }
    }
}

/// <summary>The same kernels on a real CUDA device (ignored with the reason where none exists).</summary>
[TestFixture, Category("Cuda")]
public class GpuCudaTests
{
    [Test]
    public void CudaDevice_RunsWindowAndRoiKernels_LikeTheReference()
    {
        GpuRuntime rt;
        try { rt = GpuRuntime.Create(cpu: false); }
        catch (NoDeviceException e) { Assert.Ignore($"no CUDA device: {e.Message}"); return; }
        using (rt)
        {
            var x = GpuKernelTests.Fill("nan", [2, 3, 13, 11], 1);
            foreach (var (op, json) in new[]
            {
                ("torch.max_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true,\"return_indices\":true}"),
                ("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":1,\"padding\":1,\"count_include_pad\":false}"),
                ("torch.lp_pool2d", "{\"norm_type\":3,\"kernel_size\":2}"),
            })
            {
                var exp = OpRegistry.Find(op)!.Evaluate(json, new Dictionary<string, Tensor> { ["input"] = x });
                var got = GpuBackend.Run(rt, new CaseSpec("cuda", op, JsonDocument.Parse(json).RootElement.Clone(), new Dictionary<string, string>(), exp.Outputs.Keys.ToList(), null),
                    new Dictionary<string, Tensor> { ["input"] = x });
                foreach (var (name, e) in exp.Outputs)
                {
                    var cmp = OutputComparer.Compare(e, got[name], Tolerance.Derived);
                    Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {op} on {rt.DeviceName}");
                }
            }
        }
    }
}
