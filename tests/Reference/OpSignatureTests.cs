using NUnit.Framework;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// The window-pooling ops' signatures as <c>poolconf list</c> reports them, against the frameworks' documented ones:
/// parameter names in order with their defaults (PyTorch 1.13 <c>torch.nn.functional</c>; ONNX attributes in the spec's
/// alphabetical order plus the oracle's <c>opset</c>), input and output names, and whether the tolerance is exact
/// (selections) or derived (accumulations). A third-party harness builds its calls from this list.
/// </summary>
[TestFixture]
public class OpSignatureTests
{
    const string Req = "required";

    static IEnumerable<TestCaseData> Signatures()
    {
        TestCaseData Op(string name, string[] inputs, string[] outputs, string tolerance, params (string Name, string Default)[] ps) =>
            new TestCaseData(name, inputs, outputs, tolerance, ps).SetName($"Signature_{name.Replace('.', '_')}");
        (string, string)[] MaxP = [("kernel_size", Req), ("stride", "null"), ("padding", "0"), ("dilation", "1"), ("ceil_mode", "false"), ("return_indices", "false")];
        (string, string)[] Avg1 = [("kernel_size", Req), ("stride", "null"), ("padding", "0"), ("ceil_mode", "false"), ("count_include_pad", "true")];
        (string, string)[] Avg23 = [.. Avg1, ("divisor_override", "null")];
        (string, string)[] Lp = [("norm_type", Req), ("kernel_size", Req), ("stride", "null"), ("ceil_mode", "false")];
        (string, string)[] Unpool = [("kernel_size", Req), ("stride", "null"), ("padding", "0"), ("output_size", "null")];
        foreach (var nd in new[] { 1, 2, 3 })
        {
            yield return Op($"torch.max_pool{nd}d", ["input"], ["output", "indices"], "exact", MaxP);
            yield return Op($"torch.avg_pool{nd}d", ["input"], ["output"], "derived", nd == 1 ? Avg1 : Avg23);
            yield return Op($"torch.lp_pool{nd}d", ["input"], ["output"], "derived", Lp);
            yield return Op($"torch.adaptive_max_pool{nd}d", ["input"], ["output", "indices"], "exact", ("output_size", Req), ("return_indices", "false"));
            yield return Op($"torch.adaptive_avg_pool{nd}d", ["input"], ["output"], "derived", ("output_size", Req));
            yield return Op($"torch.max_unpool{nd}d", ["input", "indices"], ["output"], "exact", Unpool);
        }
        foreach (var nd in new[] { 2, 3 })
            yield return Op($"torch.fractional_max_pool{nd}d", ["input", "samples"], ["output", "indices"], "exact",
                ("kernel_size", Req), ("output_size", "null"), ("output_ratio", "null"), ("return_indices", "false"));
        yield return Op("onnx.MaxPool", ["X"], ["Y", "Indices"], "exact",
            ("auto_pad", "NOTSET"), ("ceil_mode", "0"), ("dilations", "1"), ("kernel_shape", Req), ("pads", "0"), ("storage_order", "0"), ("strides", "1"), ("opset", "22"));
        yield return Op("onnx.AveragePool", ["X"], ["Y"], "derived",
            ("auto_pad", "NOTSET"), ("ceil_mode", "0"), ("count_include_pad", "0"), ("dilations", "1"), ("kernel_shape", Req), ("pads", "0"), ("strides", "1"), ("opset", "22"));
        yield return Op("onnx.LpPool", ["X"], ["Y"], "derived",
            ("auto_pad", "NOTSET"), ("ceil_mode", "0"), ("dilations", "1"), ("kernel_shape", Req), ("p", "2"), ("pads", "0"), ("strides", "1"), ("opset", "22"));
        yield return Op("onnx.GlobalMaxPool", ["X"], ["Y"], "exact", ("opset", "22"));
        yield return Op("onnx.GlobalAveragePool", ["X"], ["Y"], "derived", ("opset", "22"));
        yield return Op("onnx.GlobalLpPool", ["X"], ["Y"], "derived", ("p", "2"), ("opset", "22"));
        yield return Op("onnx.MaxUnpool", ["X", "I", "output_shape"], ["output"], "exact", ("kernel_shape", Req), ("pads", "0"), ("strides", "1"), ("opset", "22"));
    }

    [TestCaseSource(nameof(Signatures))]
    public void Signature(string name, string[] inputs, string[] outputs, string tolerance, (string Name, string Default)[] ps)
    {
        var op = OpRegistry.Find(name);
        Assert.That(op, Is.Not.Null, name);
        Assert.That(op!.Name, Is.EqualTo(name));
        Assert.That(op.Params.Select(p => p.Name), Is.EqualTo(ps.Select(p => p.Name)), "parameter names in order");
        foreach (var (info, want) in op.Params.Zip(ps))
        {
            Assert.That(info.Default, Does.StartWith(want.Default), $"default of {info.Name}");
            Assert.That(info.Type, Is.Not.Empty, $"type of {info.Name}");
        }
        Assert.That(op.Inputs, Is.EqualTo(inputs), "inputs");
        Assert.That(op.Outputs, Is.EqualTo(outputs), "outputs");
        Assert.That(op.ToleranceText, Does.StartWith(tolerance), "tolerance kind");
        Assert.That(op.OptionalInputs, Is.EqualTo(name == "onnx.MaxUnpool" ? new[] { "output_shape" } : Array.Empty<string>()), "optional inputs");
    }
}
