using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The <c>optimized</c> backend case by case against the reference op (the same case through <see cref="OpRegistry"/>), with the
/// tolerance object <c>verify</c> uses, for one case of every kind of op it serves — window ops through the planner in both
/// layouts, adaptive and global, SPP, ROI and unpool — in float32 and float16; and the whole smoke suite through
/// <c>run --backend optimized</c> and <c>verify</c>.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedKernelBackendTests
{
    /// <summary>One case: op, params, the main input's shape, its fixture, and extra inputs built from it.</summary>
    public sealed record Case(string Name, string Op, string Params, int[] Shape, string Fixture, string InputName = "input")
    {
        public override string ToString() => Name;
    }

    static readonly Case[] Cases =
    [
        new("torch_lp_pool2d_w7", "torch.lp_pool2d", """{"norm_type":2,"kernel_size":3,"stride":2}""", [1, 8, 23, 23], "rand"),
        new("torch_lp_pool1d_p3_ceil", "torch.lp_pool1d", """{"norm_type":3,"kernel_size":3,"stride":2,"ceil_mode":true}""", [2, 5, 18], "ties"),
        new("torch_lp_pool3d_p1", "torch.lp_pool3d", """{"norm_type":1,"kernel_size":2,"ceil_mode":true}""", [1, 3, 5, 4, 7], "rand"),
        new("onnx_lppool_p2_pads", "onnx.LpPool", """{"kernel_shape":[3,3],"pads":[1,1,1,1],"strides":[2,2],"p":2}""", [1, 17, 9, 11], "X", "X"),
        new("onnx_global_avg_w4", "onnx.GlobalAveragePool", "{}", [2, 33, 7, 7], "rand", "X"),
        new("onnx_global_lp", "onnx.GlobalLpPool", """{"p":3}""", [2, 9, 5, 3], "rand", "X"),
        new("torch_adaptive_avg3d", "torch.adaptive_avg_pool3d", """{"output_size":[2,3,4]}""", [1, 6, 5, 7, 9], "rand"),
        new("torch_adaptive_max2d_idx", "torch.adaptive_max_pool2d", """{"output_size":[3,5],"return_indices":true}""", [2, 4, 7, 11], "nan"),
        new("torch_max_pool3d_dil", "torch.max_pool3d", """{"kernel_size":3,"stride":2,"padding":1,"dilation":2,"ceil_mode":true,"return_indices":true}""", [1, 5, 9, 8, 7], "ties"),
        new("tf_max_pool_nhwc_neginf", "tf.nn.max_pool", """{"ksize":3,"strides":2,"padding":"SAME","data_format":"NHWC"}""", [2, 9, 7, 17], "neginf"),
        new("tf_avg_pool_ndhwc", "tf.nn.avg_pool", """{"ksize":2,"strides":[1,2,1,2,1],"padding":"SAME","data_format":"NDHWC"}""", [1, 5, 4, 7, 6], "rand"),
        new("tf_argmax_nan_batch_index", "tf.nn.max_pool_with_argmax", """{"ksize":[1,3,3,1],"strides":2,"padding":"SAME","include_batch_in_index":true}""", [2, 9, 8, 17], "nan"),
        new("tf_argmax_valid_ties", "tf.nn.max_pool_with_argmax", """{"ksize":2,"strides":[1,1,2,1],"padding":"VALID"}""", [1, 7, 9, 5], "ties"),
        new("webnn_l2_nhwc", "webnn.l2Pool2d", """{"windowDimensions":[3,3],"strides":[2,2],"padding":[1,1,1,1],"layout":"nhwc"}""", [1, 9, 9, 19], "zeros"),
        new("darknet_maxpool_k2s1", "darknet.maxpool", """{"size":2,"stride":1}""", [2, 5, 13, 13], "nan"),
        new("darknet_maxpool_k3s2_neginf", "darknet.maxpool", """{"size":3,"stride":2}""", [1, 9, 8, 11], "neginf"),
        new("ultralytics_spp_w8", "ultralytics.spp", "{}", [1, 12, 20, 20], "nan"),
        new("ultralytics_sppf", "ultralytics.sppf", """{"k":5}""", [1, 7, 13, 9], "neginf"),
        new("darknet_yolov3_spp", "darknet.yolov3_spp", "{}", [1, 6, 13, 13], "nan"),
        new("roi_align_w6", "torchvision.roi_align", """{"output_size":7,"spatial_scale":0.0625,"sampling_ratio":2,"aligned":true}""", [1, 16, 50, 50], "rand"),
        new("roi_align_adaptive", "torchvision.roi_align", """{"output_size":[3,2],"spatial_scale":0.5,"sampling_ratio":-1}""", [2, 5, 13, 11], "subnormal"),
        new("roi_align_max_paper", "poolconf.roi_align_max", """{"output_size":[2,3],"spatial_scale":0.5,"sampling_ratio":2,"aligned":true}""", [2, 5, 13, 11], "nan"),
        new("caffe_roi_align", "caffe.roi_align", """{"pooled_h":3,"pooled_w":2,"spatial_scale":0.5,"sampling_ratio":0}""", [2, 7, 13, 11], "rand", "X"),
        new("roi_pool", "torchvision.roi_pool", """{"output_size":[4,3],"spatial_scale":0.5}""", [2, 9, 13, 11], "nan"),
        new("onnx_roi_align_avg", "onnx.RoiAlign", """{"output_height":3,"output_width":4,"sampling_ratio":0,"spatial_scale":0.5}""", [2, 6, 13, 11], "rand", "X"),
        new("onnx_roi_align_max_opset10", "onnx.RoiAlign", """{"mode":"max","output_height":2,"output_width":2,"sampling_ratio":2,"spatial_scale":0.25,"opset":10}""", [2, 5, 9, 9], "nan", "X"),
        new("onnx_max_roi_pool", "onnx.MaxRoiPool", """{"pooled_shape":[2,2],"spatial_scale":0.25}""", [2, 5, 9, 9], "rand", "X"),
        new("torch_max_unpool2d", "torch.max_unpool2d", """{"kernel_size":3,"stride":1}""", [2, 3, 6, 7], "rand"),
    ];

    public static IEnumerable<TestCaseData> CasesAndDtypes() =>
        from c in Cases from t in new[] { DType.Float32, DType.Float16 } select new TestCaseData(c, t).SetName($"{c.Name}_{t.Name()}");

    static Dictionary<string, Tensor> Inputs(Case c, DType dtype)
    {
        var x = Fill(c.Fixture == "X" ? "rand" : c.Fixture, c.Shape, (ulong)c.Name.Length * 7919);
        x = new Tensor(dtype, x.Shape, x.Data.Select(v => dtype.Round(v)).ToArray());
        var inputs = new Dictionary<string, Tensor> { [c.InputName] = x };
        if (c.Op.Contains("roi", StringComparison.OrdinalIgnoreCase))
        {
            double scale = JsonDocument.Parse(c.Params).RootElement.TryGetProperty("spatial_scale", out var s) ? s.GetDouble() : 1;
            int h = c.Shape[2], w = c.Shape[3];
            double H = h / scale, W = w / scale;
            double[][] b = [[0, 0, 0, W - 1, H - 1], [0, 0.3 * W, 0.2 * H, 0.9 * W, 0.7 * H], [c.Shape[0] - 1, -0.2 * W, 0.5 * H, 0.4 * W, 1.3 * H],
                [0, 0.6 * W, 0.6 * H, 0.2 * W, 0.1 * H], [c.Shape[0] - 1, 2.5, 1.5, 2.5, 1.5]];
            if (c.Op == "onnx.RoiAlign")
            {
                inputs["rois"] = new Tensor(dtype, [b.Length, 4], b.SelectMany(r => r.Skip(1).Select(v => dtype.Round(v))).ToArray());
                inputs["batch_indices"] = new Tensor(DType.Int64, [b.Length], b.Select(r => r[0]).ToArray());
            }
            else inputs[c.Op is "onnx.MaxRoiPool" or "caffe.roi_align" ? "rois" : "boxes"] = new Tensor(dtype, [b.Length, 5], b.SelectMany(r => r.Select(v => dtype.Round(v))).ToArray());
        }
        if (c.Op.StartsWith("torch.max_unpool", StringComparison.Ordinal))
        {
            // Values and indices of a k3 s1 max pool (duplicate indices): unpooled back to the default size (h − 1)·1 + 3.
            var desc = new PoolDescriptor(Reduction.Max, [PoolGeometry.Explicit(c.Shape[2] + 2, 3, 1, 1, 0, 0, CeilRule.Floor), PoolGeometry.Explicit(c.Shape[3] + 2, 3, 1, 1, 0, 0, CeilRule.Floor)], PoolSemantics.Torch);
            var big = Fill("rand", [c.Shape[0], c.Shape[1], c.Shape[2] + 2, c.Shape[3] + 2], 3);
            inputs["indices"] = MaxPool.Compute(big, desc, "o", "i").Indices.Value;
        }
        return inputs;
    }

    [TestCaseSource(nameof(CasesAndDtypes))]
    public void Backend_MatchesTheReferenceOp(Case c, DType dtype)
    {
        var inputs = Inputs(c, dtype);
        var op = OpRegistry.Find(c.Op)!;
        var json = JsonDocument.Parse(c.Params).RootElement;
        var expected = op.Evaluate(new ParamReader(json), inputs);
        var outputs = expected.DefaultOutputs.Concat(expected.Outputs.Keys).Distinct().ToList();
        var spec = new CaseSpec(c.Name, c.Op, json, new Dictionary<string, string>(), outputs, null);
        Assert.That(OptimizedBackend.Unsupported(spec), Is.Null, $"the backend serves {c.Op}");
        var got = OptimizedBackend.Run(spec, inputs, threads: 2);
        int compared = 0;
        foreach (var (name, exp) in expected.Outputs)
        {
            if (!got.TryGetValue(name, out var actual)) continue;
            var cmp = OutputComparer.Compare(exp, actual, Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {c.Op} {c.Params} shape [{string.Join(",", c.Shape)}] {dtype.Name()} fixture {c.Fixture}");
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(0), "no output compared");
    }

    [Test]
    public void SmokeSuite_RunOptimized_VerifiesWithNoFailure()
    {
        var res = Path.Combine(Path.GetTempPath(), "poolconf-opt-smoke-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = Cli.Run("run", "--suite", Suites.SmokeSuite, "--backend", "optimized", "--threads", "2", "--out", res);
            Assert.That(r.Code, Is.EqualTo(0), r.ToString());
            var v = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", res);
            Assert.That(v.Code, Is.EqualTo(0), v.ToString());
            var m = System.Text.RegularExpressions.Regex.Match(v.LastStdoutLine, @"^(\d+) passed, 0 failed");
            Assert.That(m.Success && int.Parse(m.Groups[1].Value) >= 100, Is.True, $"at least 100 smoke cases served and passed: {v.LastStdoutLine}");
        }
        finally { if (Directory.Exists(res)) Directory.Delete(res, true); }
    }
}
