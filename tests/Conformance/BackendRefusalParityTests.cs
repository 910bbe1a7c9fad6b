using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The inputs a review found to crash the oracle (IndexOutOfRange, InvalidOperation, Overflow, OutOfMemory) are refused by
/// the reference and the optimized backend alike: an <see cref="InvalidParameterException"/> naming the same field, so a bad
/// case is status <c>error</c> on both, never a crash on one.
/// </summary>
[TestFixture]
public class BackendRefusalParityTests
{
    static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    static Tensor F32(int[] shape, params double[] d) => new(DType.Float32, shape, d.Select(v => (double)(float)v).ToArray());
    static Tensor I64(int[] shape, params double[] d) => new(DType.Int64, shape, d);
    static Tensor Ramp(params int[] shape) => new(DType.Float32, shape, Enumerable.Range(0, (int)Tensor.ElementCount(shape)).Select(i => (double)i).ToArray());

    static void BothRefuse(string op, string json, Dictionary<string, Tensor> inputs, string field, params string[] outputs)
    {
        var reference = Assert.Throws<InvalidParameterException>(() => OpRegistry.Find(op)!.Evaluate(new ParamReader(Json(json)), inputs), $"reference: {op} {json}");
        Assert.That(reference!.Field, Is.EqualTo(field), reference.Message);
        var optimized = Assert.Throws<InvalidParameterException>(() => OptimizedBackend.Run(
            new CaseSpec("t", op, Json(json), new Dictionary<string, string>(), outputs.Length == 0 ? ["output"] : outputs, null), inputs, 1),
            $"optimized: {op} {json}");
        Assert.That(optimized!.Field, Is.EqualTo(field), optimized.Message);
    }

    static Dictionary<string, Tensor> Frac2 => new() { ["input"] = Ramp(1, 1, 4, 4), ["samples"] = F32([1, 1, 2], 0.5, 0.5) };

    [TestCase("""{"kernel_size": 2, "output_size": []}""", "output_size")]
    [TestCase("""{"kernel_size": 2, "output_ratio": "half"}""", "output_ratio")]
    [TestCase("""{"kernel_size": 2, "output_ratio": true}""", "output_ratio")]
    [TestCase("""{"kernel_size": 2, "output_ratio": [0.5, {}]}""", "output_ratio")]
    public void FractionalMaxPool(string json, string field) => BothRefuse("torch.fractional_max_pool2d", json, Frac2, field, "output", "indices");

    [TestCase("""{"kernel_size": 1, "dilation": []}""", "dilation")]
    [TestCase("""{"kernel_size": 1, "padding": 100000}""", "padding")]
    public void SurveyWindowOp(string json, string field) =>
        BothRefuse("poolconf.median_pool2d", json, new() { ["input"] = Ramp(1, 1, 2, 2) }, field, "output");

    // Empty lists in the window ops' tuple parameters (PyTorch: "must be either a single int, or a tuple of N ints").
    [TestCase("torch.max_pool2d", """{"kernel_size": 2, "dilation": []}""", "dilation")]
    [TestCase("torch.max_pool1d", """{"kernel_size": 2, "dilation": []}""", "dilation")]
    [TestCase("torch.max_pool3d", """{"kernel_size": 1, "dilation": []}""", "dilation")]
    [TestCase("torch.avg_pool2d", """{"kernel_size": [], "stride": 1}""", "kernel_size")]
    [TestCase("torch.lp_pool2d", """{"norm_type": 2, "kernel_size": []}""", "kernel_size")]
    [TestCase("onnx.MaxPool", """{"kernel_shape": [2, 2], "dilations": []}""", "dilations")]
    [TestCase("onnx.MaxPool", """{"kernel_shape": [2, 2], "strides": []}""", "strides")]
    [TestCase("onnx.MaxPool", """{"kernel_shape": [2, 2], "pads": []}""", "pads")]
    [TestCase("onnx.AveragePool", """{"kernel_shape": []}""", "kernel_shape")]
    public void WindowOp_EmptyList(string op, string json, string field)
    {
        var shape = op.EndsWith("1d") ? new[] { 1, 1, 4 } : op.EndsWith("3d") ? new[] { 1, 1, 2, 2, 2 } : new[] { 1, 1, 4, 4 };
        WindowOpRefuses(op, json, shape, field);
    }

    // Padding past what the oracle materializes (2^28 elements): ONNX and WebNN take any padding; it crashed both backends
    // with an int overflow (an axis output past 2^31 / 2) or tried a multi-GB allocation.
    [TestCase("onnx.MaxPool", """{"kernel_shape": [2, 2], "pads": [30000, 30000, 30000, 30000]}""", "pads")]
    [TestCase("onnx.MaxPool", """{"kernel_shape": [2, 2], "pads": [1073741823, 0, 0, 0]}""", "pads")]
    [TestCase("onnx.AveragePool", """{"kernel_shape": [2, 2], "pads": [0, 0, 1073741823, 0]}""", "pads")]
    [TestCase("onnx.LpPool", """{"kernel_shape": [2, 2], "pads": [20000, 20000, 20000, 20000]}""", "pads")]
    [TestCase("webnn.maxPool2d", """{"windowDimensions": [2, 2], "padding": [1073741823, 0, 0, 0]}""", "padding")]
    [TestCase("webnn.averagePool2d", """{"windowDimensions": [2, 2], "padding": [20000, 20000, 20000, 20000]}""", "padding")]
    public void WindowOp_HugePadding(string op, string json, string field) => WindowOpRefuses(op, json, [1, 1, 4, 4], field);

    /// <summary><see cref="BothRefuse"/> for a window op of one input and one output, named as its dialect names them (ONNX: X, Y).</summary>
    static void WindowOpRefuses(string op, string json, int[] shape, string field)
    {
        bool onnx = op.StartsWith("onnx.");
        BothRefuse(op, json, new() { [onnx ? "X" : "input"] = Ramp(shape) }, field, onnx ? "Y" : "output");
    }

    [Test]
    public void MultiScaleRoiAlign_HugeOutputSize() => BothRefuse("torchvision.multiscale_roi_align", """{"output_size": 100000, "sampling_ratio": 1}""",
        new() { ["x0"] = Ramp(1, 1, 4, 4), ["boxes"] = F32([1, 5], 0, 0, 0, 2, 2), ["image_shapes"] = I64([1, 2], 4, 4) }, "output_size");

    [Test]
    public void Spp_HugeLevel() => BothRefuse("poolconf.spp", """{"levels": [1, 100000]}""", new() { ["input"] = Ramp(1, 1, 4, 4) }, "levels");

    [Test]
    public void CropAndResize_HugeCrop() => BothRefuse("tf.image.crop_and_resize", """{"crop_size": [100000, 100000]}""",
        new() { ["image"] = Ramp(1, 2, 2, 1), ["boxes"] = F32([1, 4], 0, 0, 1, 1), ["box_indices"] = I64([1], 0) }, "crop_size");

    [Test]
    public void EdgeAwarePyramid_HugeLevels() => BothRefuse("poolconf.edge_aware_pyramid_pool", """{"levels": [1, 100000]}""",
        new() { ["input"] = Ramp(1, 1, 2, 1), ["edge"] = F32([1, 1, 2, 1], 0, 1) }, "levels");

    [TestCase("torchvision.roi_align", 1e30)]
    [TestCase("torchvision.roi_align", -1e30)]
    [TestCase("poolconf.roi_align_max", 1e30)]
    public void RoiAlign_HugeBoxAdaptiveGrid(string op, double coordinate) => BothRefuse(op, """{"output_size": 1, "sampling_ratio": 0}""",
        new() { ["input"] = Ramp(1, 1, 4, 4), ["boxes"] = F32([1, 5], 0, Math.Min(coordinate, 0), 0, Math.Max(coordinate, 2), 2) }, "inputs.boxes");

    [Test]
    public void PsRoiAlign_HugeBoxAdaptiveGrid() => BothRefuse("torchvision.ps_roi_align", """{"output_size": 1, "sampling_ratio": 0}""",
        new() { ["input"] = Ramp(1, 1, 4, 4), ["boxes"] = F32([1, 5], 0, 0, 0, 1e30, 2) }, "inputs.boxes");

    [Test]
    public void MultiScaleRoiAlign_HugeBoxAdaptiveGrid() => BothRefuse("torchvision.multiscale_roi_align", """{"output_size": 1, "sampling_ratio": 0}""",
        new() { ["x0"] = Ramp(1, 1, 4, 4), ["boxes"] = F32([1, 5], 0, 0, 0, 1e30, 2), ["image_shapes"] = I64([1, 2], 4, 4) }, "inputs.boxes");

    [Test]
    public void OnnxRoiAlign_HugeBoxAdaptiveGrid() => BothRefuse("onnx.RoiAlign", """{"output_height": 1, "output_width": 1, "sampling_ratio": 0}""",
        new() { ["X"] = Ramp(1, 1, 4, 4), ["rois"] = F32([1, 4], 0, 0, 1e30, 2), ["batch_indices"] = I64([1], 0) }, "inputs.rois", "Y");

    [Test]
    public void CaffeRoiAlign_HugeBoxAdaptiveGrid() => BothRefuse("caffe.roi_align", """{"sampling_ratio": -1}""",
        new() { ["X"] = Ramp(1, 1, 4, 4), ["rois"] = F32([1, 5], 0, 0, 0, 1e30, 2) }, "inputs.rois", "Y");
}
