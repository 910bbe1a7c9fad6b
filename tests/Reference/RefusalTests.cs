using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Every refusal of the window-pooling front-ends (torch.* and onnx.* max/avg/Lp/global/adaptive/fractional/unpool): the
/// field it names and the key words and numbers of its message, which are what a user reads (CONTRACT.md: one clear error
/// naming the field). Each boundary is probed from both sides — the last accepted value and the first refused one — so
/// that a check loosened or tightened by one, or turned from "any entry" into "every entry", shows. The limits come from
/// the dialects' documentation: PyTorch 1.13's argument checks (<c>pool_size_too_large</c>, <c>pad should be at most half</c>,
/// <c>max_unpool</c>'s output_size range), the ONNX spec's attribute lists and operator changelog.
/// </summary>
[TestFixture]
public class RefusalTests
{
    static InvalidParameterException Refuses(Action call, string field, params string[] messageParts)
    {
        var ex = Assert.Throws<InvalidParameterException>(() => call());
        Assert.That(ex!.Field, Is.EqualTo(field), ex.Message);
        foreach (var part in messageParts) Assert.That(ex.Message, Does.Contain(part), $"message of the refusal of '{field}'");
        return ex;
    }

    static readonly Tensor X1 = Ramp([1, 1, 6]);      // N=1, C=1, L=6
    static readonly Tensor X2 = Ramp([1, 1, 6, 6]);
    static readonly Tensor X3 = Ramp([1, 1, 4, 4, 4]);

    static OpResult T1(string op, string json, Tensor? x = null) => Eval(op, json, x ?? X1);
    static OpResult Onnx(string op, string json, Tensor? x = null) => Eval(op, json, x ?? X1, "X");

    // ---------------- torch: kernel_size, stride, dilation, padding (TorchParams) ----------------

    [TestCase("torch.max_pool1d")]
    [TestCase("torch.avg_pool1d")]
    [TestCase("torch.lp_pool1d")]
    [TestCase("torch.max_unpool1d")]
    public void Torch_KernelSize_RequiredNonEmptyPositive(string op)
    {
        string norm = op.Contains("lp_pool") ? "\"norm_type\": 2, " : "";
        Tensor? x = op.Contains("unpool") ? null : X1;
        Action Call(string kernel) => op.Contains("unpool")
            ? () => Eval(op, $$"""{{{norm}}{{kernel}}}""", ("input", T([1, 1, 2], 1, 2)), ("indices", I64([1, 1, 2], 0, 1)))
            : () => T1(op, $$"""{{{norm}}{{kernel}}}""", x);
        Refuses(Call("\"stride\": 1"), "kernel_size", "'kernel_size' is required");
        Refuses(Call("\"kernel_size\": []"), "kernel_size", "'kernel_size' must not be empty");
        Refuses(Call("\"kernel_size\": 0"), "kernel_size", "kernel size should be greater than zero, got 0");
        Refuses(Call("\"kernel_size\": -2"), "kernel_size", "greater than zero, got -2");
    }

    [Test]
    public void Torch_Stride_MustBePositive_EveryEntryChecked()
    {
        Refuses(() => T1("torch.max_pool1d", """{"kernel_size": 2, "stride": 0}"""), "stride", "stride should be greater than zero, got 0");
        Refuses(() => T1("torch.max_pool2d", """{"kernel_size": 2, "stride": [1, -1]}""", X2), "stride", "greater than zero, got -1");
        // stride 1 is the smallest accepted: L = 6, k = 2 → 5 outputs.
        Assert.That(Check.S(T1("torch.max_pool1d", """{"kernel_size": 2, "stride": 1}""")), Is.EqualTo(new[] { 1, 1, 5 }));
        // stride [] (like None) is the kernel: 3 outputs.
        Assert.That(Check.S(T1("torch.max_pool1d", """{"kernel_size": 2, "stride": []}""")), Is.EqualTo(new[] { 1, 1, 3 }));
    }

    [Test]
    public void Torch_Dilation_MustBePositive()
    {
        Refuses(() => T1("torch.max_pool1d", """{"kernel_size": 2, "dilation": 0}"""), "dilation", "dilation should be greater than zero, got 0");
        Refuses(() => T1("torch.max_pool2d", """{"kernel_size": 2, "dilation": [1, -3]}""", X2), "dilation", "got -3");
        // dilation 2, k = 2, s = 2 on L = 6: span 3 → (6 − 3)/2 + 1 = 2 outputs, max(0, 2) and max(2, 4).
        Check.Exact(Check.V(T1("torch.max_pool1d", """{"kernel_size": 2, "dilation": 2}""")), [2, 4]);
    }

    [Test]
    public void Torch_Padding_NonNegativeAndAtMostHalfTheKernel()
    {
        Refuses(() => T1("torch.max_pool1d", """{"kernel_size": 3, "padding": -1}"""), "padding", "pad must be non-negative, got -1");
        // k = 3: pad 1 = floor(3/2) is the largest allowed, pad 2 refused with both numbers.
        Refuses(() => T1("torch.max_pool1d", """{"kernel_size": 3, "padding": 2}"""), "padding",
            "pad should be at most half of kernel size", "pad=2", "kernel_size=3");
        Refuses(() => T1("torch.avg_pool2d", """{"kernel_size": [4, 2], "padding": [2, 2]}""", X2), "padding", "pad=2 and kernel_size=2");
        Assert.That(Check.S(T1("torch.max_pool1d", """{"kernel_size": 3, "stride": 1, "padding": 1}""")), Is.EqualTo(new[] { 1, 1, 6 }));
        // padding [] means 0: L = 6, k = 3 → 2 outputs.
        Assert.That(Check.S(T1("torch.max_pool1d", """{"kernel_size": 3, "padding": []}""")), Is.EqualTo(new[] { 1, 1, 2 }));
    }

    // ---------------- torch: dtype and unknown parameters ----------------

    [TestCase("torch.max_pool1d", """{"kernel_size": 2}""")]
    [TestCase("torch.lp_pool1d", """{"norm_type": 2, "kernel_size": 2}""")]
    [TestCase("torch.adaptive_max_pool1d", """{"output_size": 2}""")]
    [TestCase("torch.adaptive_avg_pool1d", """{"output_size": 2}""")]
    public void Torch_IntegerInput_IsRefused_NamingTheInput(string op, string json)
    {
        // Only floating dtypes: float16, float32, float64 (PyTorch's CPU max/lp/adaptive kernels have no int64 version).
        var x = new Tensor(DType.Int64, [1, 1, 6], [1, 2, 3, 4, 5, 6]);
        Refuses(() => T1(op, json, x), "inputs.input", "input 'input' has dtype int64", "allowed: float16, float32, float64");
    }

    [Test]
    public void TorchAvgPool_Int64Allowed_Uint8Refused()
    {
        // avg_pool takes int64 (truncating division), not uint8.
        var u8 = new Tensor(DType.UInt8, [1, 1, 4], [1, 2, 3, 4]);
        Refuses(() => T1("torch.avg_pool1d", """{"kernel_size": 2}""", u8), "inputs.input", "dtype uint8", "allowed: float16, float32, float64, int64");
        // int64 [1, 2, −3, −4], k = 2: 3/2 = 1.5 → 1, −7/2 = −3.5 → −3 (C++ truncation toward zero).
        var i64 = new Tensor(DType.Int64, [1, 1, 4], [1, 2, -3, -4]);
        Check.Exact(Check.V(T1("torch.avg_pool1d", """{"kernel_size": 2}""", i64)), [1, -3]);
    }

    [TestCase("torch.max_pool1d", """{"kernel_size": 2, "kernel": 2}""", "kernel")]
    [TestCase("torch.avg_pool1d", """{"kernel_size": 2, "dilation": 1}""", "dilation")]
    [TestCase("torch.lp_pool1d", """{"norm_type": 2, "kernel_size": 2, "padding": 0}""", "padding")]
    [TestCase("torch.adaptive_avg_pool1d", """{"output_size": 2, "return_indices": true}""", "return_indices")]
    [TestCase("torch.adaptive_max_pool1d", """{"output_size": 2, "ceil_mode": true}""", "ceil_mode")]
    public void Torch_UnknownParameter_IsRefusedByName(string op, string json, string field) =>
        Refuses(() => T1(op, json), field, $"unknown parameter '{field}' for {op}");

    [Test]
    public void TorchMaxUnpool_UnknownParameterAndIntegerInput_Refused()
    {
        (string, Tensor) Idx() => ("indices", I64([1, 1, 2], 0, 3));
        Refuses(() => Eval("torch.max_unpool1d", """{"kernel_size": 2, "dilation": 1}""", ("input", T([1, 1, 2], 1, 2)), Idx()),
            "dilation", "unknown parameter 'dilation' for torch.max_unpool1d");
        Refuses(() => Eval("torch.max_unpool1d", """{"kernel_size": 2}""", ("input", I64([1, 1, 2], 1, 2)), Idx()),
            "inputs.input", "dtype int64");
    }

    [Test]
    public void TorchAvgPool_DivisorOverrideZero_AndSmall3dInput()
    {
        Refuses(() => T1("torch.avg_pool2d", """{"kernel_size": 2, "divisor_override": 0}""", X2), "divisor_override", "divisor must be not zero");
        // avg_pool3d: input 4×4×4 smaller than kernel 5 on the first axis (pads 2 would otherwise allow it).
        Refuses(() => T1("torch.avg_pool3d", """{"kernel_size": [5, 1, 1], "padding": [2, 0, 0]}""", X3), "inputs.input",
            "input image [4,4,4] smaller than kernel size [5,1,1]");
    }

    [Test]
    public void TorchLpPool_NormType_RequiredFinitePositive()
    {
        Refuses(() => T1("torch.lp_pool1d", """{"kernel_size": 2}"""), "norm_type", "'norm_type' is required");
        Refuses(() => T1("torch.lp_pool1d", """{"norm_type": 0, "kernel_size": 2}"""), "norm_type", "norm_type must be a finite positive number, got 0");
        Refuses(() => T1("torch.lp_pool1d", """{"norm_type": -1.5, "kernel_size": 2}"""), "norm_type", "got -1.5");
    }

    [Test]
    public void TorchAdaptive_OutputSize_RequiredAndAtLeastOne()
    {
        Refuses(() => T1("torch.adaptive_max_pool1d", "{}"), "output_size", "'output_size' is required");
        Refuses(() => T1("torch.adaptive_avg_pool2d", """{"output_size": [2, 0]}""", X2), "output_size", "output_size entries must be at least 1, got 0");
    }

    // ---------------- torch.fractional_max_pool ----------------

    static readonly Tensor F4 = Ramp([1, 1, 4, 4]);
    static (string, Tensor) S2(double a = 0.5, double b = 0.5) => ("samples", T32([1, 1, 2], a, b));
    static OpResult Frac(string json, Tensor? x = null, (string, Tensor)? samples = null) =>
        Eval("torch.fractional_max_pool2d", json, ("input", x ?? F4), samples ?? S2());

    [Test]
    public void Fractional_OutputRatio_EveryEntryInOpenUnitInterval()
    {
        Refuses(() => Frac("""{"kernel_size": 1, "output_ratio": [0.5, 1.5]}"""), "output_ratio", "output_ratio must be 2 numbers in (0, 1)");
        Refuses(() => Frac("""{"kernel_size": 1, "output_ratio": 0}"""), "output_ratio", "output_ratio must be 2 numbers in (0, 1)");
        Refuses(() => Frac("""{"kernel_size": 1, "output_ratio": 1}"""), "output_ratio", "in (0, 1)");
        Refuses(() => Frac("""{"kernel_size": 1, "output_ratio": [0.5, 0.5, 0.5]}"""), "output_ratio", "2 numbers");
        // ratio 0.5 on 4×4: O = int(4 · 0.5) = 2 per axis.
        Assert.That(Check.S(Frac("""{"kernel_size": 1, "output_ratio": 0.5}""")), Is.EqualTo(new[] { 1, 1, 2, 2 }));
    }

    [Test]
    public void Fractional_ExactlyOneOfOutputSizeAndRatio()
    {
        Refuses(() => Frac("""{"kernel_size": 1}"""), "output_size", "either an output_size or an output_ratio (exactly one)");
        Refuses(() => Frac("""{"kernel_size": 1, "output_size": 2, "output_ratio": 0.5}"""), "output_size", "exactly one");
        // an explicit null ratio is "not given" (Python's default None), not an unknown parameter.
        Assert.That(Check.S(Frac("""{"kernel_size": 1, "output_size": 2, "output_ratio": null}""")), Is.EqualTo(new[] { 1, 1, 2, 2 }));
    }

    [Test]
    public void Fractional_OutputBelowOne_NamesTheParameterItCameFrom()
    {
        // ratio 0.2 on L = 4: int(0.8) = 0 outputs → blamed on output_ratio; an explicit 0 on output_size.
        Refuses(() => Frac("""{"kernel_size": 1, "output_ratio": 0.2}"""), "output_ratio", "output size must be at least 1, got 0");
        Refuses(() => Frac("""{"kernel_size": 1, "output_size": [2, 0]}"""), "output_size", "output size must be at least 1, got 0");
    }

    [Test]
    public void Fractional_PoolSizeTooLarge_2dAtMost_3dLessThan()
    {
        // PyTorch 1.13: 2-D requires O + k − 1 ≤ L, 3-D O + k − 1 < L. L = 4, k = 2: 2-D O = 3 fits (4 ≤ 4), O = 4 does not.
        Assert.That(Check.S(Frac("""{"kernel_size": 2, "output_size": 3}""")), Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Refuses(() => Frac("""{"kernel_size": 2, "output_size": [3, 4]}"""), "output_size",
            "pool size too large: output 4 + kernel 2 − 1 must be at most input 4");
        var x3 = Ramp([1, 1, 4, 4, 4]);
        var s3 = ("samples", T32([1, 1, 3], 0.5, 0.5, 0.5));
        Refuses(() => Eval("torch.fractional_max_pool3d", """{"kernel_size": 2, "output_size": 3}""", ("input", x3), s3), "output_size",
            "output 3 + kernel 2 − 1 must be less than input 4");
        Assert.That(Check.S(Eval("torch.fractional_max_pool3d", """{"kernel_size": 2, "output_size": 2}""", ("input", x3), s3)),
            Is.EqualTo(new[] { 1, 1, 2, 2, 2 }));
    }

    [Test]
    public void Fractional_Samples_ShapeDtypeAndRange()
    {
        var x = Ramp([1, 2, 4, 4]);   // N = 1, C = 2
        const string P = """{"kernel_size": 1, "output_size": 2}""";
        OpResult Run(Tensor s) => Eval("torch.fractional_max_pool2d", P, ("input", x), ("samples", s));
        string Shape(params int[] s) => $"samples must have shape (N' >= 1, 2, 2), got {Tensor.ShapeText(s)}";
        Refuses(() => Run(T32([1, 2, 2, 1], 0, 0, 0, 0)), "inputs.samples", Shape(1, 2, 2, 1));        // rank 4
        Refuses(() => Run(T32([0, 2, 2])), "inputs.samples", Shape(0, 2, 2));                          // N' = 0 < N
        Refuses(() => Run(T32([1, 1, 2], 0, 0)), "inputs.samples", Shape(1, 1, 2));                    // C' ≠ C
        Refuses(() => Run(T32([1, 2, 3], 0, 0, 0, 0, 0, 0)), "inputs.samples", Shape(1, 2, 3));        // 3 components in 2-D
        Refuses(() => Run(T([1, 2, 2], 0, 0, 0, 0)), "inputs.samples", "samples must have the input's dtype float32, got float64");
        Refuses(() => Run(T32([1, 2, 2], 0, 0, 1, 0)), "inputs.samples", "samples must lie in [0, 1)");
        Refuses(() => Run(T32([1, 2, 2], 0, 0, -0.25, 0)), "inputs.samples", "[0, 1)");
        // N' = 2 > N = 1 is allowed (PyTorch reads the first N rows).
        Assert.That(Check.S(Run(T32([2, 2, 2], 0, 0, 0, 0, 0, 0, 0, 0))), Is.EqualTo(new[] { 1, 2, 2, 2 }));
    }

    [Test]
    public void Fractional_IntegerInputAndUnknownParameter_Refused()
    {
        var xi = new Tensor(DType.Int64, [1, 1, 4, 4], new double[16]);
        Refuses(() => Eval("torch.fractional_max_pool2d", """{"kernel_size": 1, "output_size": 2}""", ("input", xi), ("samples", I64([1, 1, 2], 0, 0))),
            "inputs.input", "dtype int64");
        Refuses(() => Frac("""{"kernel_size": 1, "output_size": 2, "stride": 1}"""), "stride", "unknown parameter 'stride' for torch.fractional_max_pool2d");
    }

    // ---------------- torch.max_unpool ----------------

    static OpResult Unpool1(string json, Tensor? input = null, Tensor? indices = null) =>
        Eval("torch.max_unpool1d", json, ("input", input ?? T([1, 1, 2], 5, 6)), ("indices", indices ?? I64([1, 1, 2], 1, 2)));

    [Test]
    public void TorchMaxUnpool_Padding_EveryEntryNonNegative()
    {
        Refuses(() => Unpool1("""{"kernel_size": 2, "padding": -1}"""), "padding", "padding must be non-negative");
        var x = T([1, 1, 2, 2], 1, 2, 3, 4);
        var i = I64([1, 1, 2, 2], 0, 3, 12, 15);
        Refuses(() => Eval("torch.max_unpool2d", """{"kernel_size": 2, "padding": [0, -1]}""", ("input", x), ("indices", i)), "padding", "non-negative");
    }

    [Test]
    public void TorchMaxUnpool_Indices_Int64OfTheInputShape()
    {
        Refuses(() => Unpool1("""{"kernel_size": 2}""", indices: T([1, 1, 2], 1, 2)), "inputs.indices", "indices must be int64, got float64");
        Refuses(() => Unpool1("""{"kernel_size": 2}""", indices: I64([1, 1, 1], 1)), "inputs.indices",
            "indices shape [1,1,1] must equal the input shape [1,1,2]");
        // default size (2 − 1)·2 + 2 = 4: index 4 is outside the plane.
        Refuses(() => Unpool1("""{"kernel_size": 2}""", indices: I64([1, 1, 2], 1, 4)), "inputs.indices",
            "Found an invalid max index: 4 (plane size 4) at element 1");
    }

    [Test]
    public void TorchMaxUnpool_OutputSize_EntriesAndOpenRange()
    {
        // default 4, stride 2: PyTorch accepts default − s < size < default + s, i.e. 3, 4, 5.
        Refuses(() => Unpool1("""{"kernel_size": 2, "output_size": [1, 5]}"""), "output_size", "output_size must have 1 or 3 entries, got 2");
        Refuses(() => Unpool1("""{"kernel_size": 2, "output_size": [6]}"""), "output_size",
            "invalid output_size: dim 0 must be between 2 and 6 (exclusive), got 6");
        Refuses(() => Unpool1("""{"kernel_size": 2, "output_size": [2]}"""), "output_size", "between 2 and 6 (exclusive), got 2");
        // 3 and 5 are the extremes accepted; 5 keeps the values at their flat indices 1 and 2, zero elsewhere.
        Check.Exact(Check.V(Unpool1("""{"kernel_size": 2, "output_size": [5]}""")), [0, 5, 6, 0, 0]);
        Check.Exact(Check.V(Unpool1("""{"kernel_size": 2, "output_size": [1, 1, 3]}""")), [0, 5, 6]);
    }

    [Test]
    public void TorchMaxUnpool_OutputBelowOne_BlamesPaddingOrOutputSize()
    {
        // one input, k = 2, s = 2, pad 1: default (1 − 1)·2 + 2 − 2 = 0 → refused on padding.
        var one = T([1, 1, 1], 7);
        var i0 = I64([1, 1, 1], 0);
        Refuses(() => Unpool1("""{"kernel_size": 2, "padding": 1}""", one, i0), "padding", "output size 0 is below 1");
        // with output_size 0 (inside (0 − 2, 0 + 2)) the same is blamed on output_size.
        Refuses(() => Unpool1("""{"kernel_size": 2, "padding": 1, "output_size": [0]}""", one, i0), "output_size", "output size 0 is below 1");
    }

    // ---------------- onnx: opset, attributes (OnnxConvPool) ----------------

    [Test]
    public void Onnx_Opset_Between1And24()
    {
        Refuses(() => Onnx("onnx.MaxPool", """{"kernel_shape": [2], "opset": 25}"""), "opset", "opset must be between 1 and 24, got 25");
        Refuses(() => Onnx("onnx.MaxPool", """{"kernel_shape": [2], "opset": 0}"""), "opset", "got 0");
        Assert.That(Check.S(Onnx("onnx.MaxPool", """{"kernel_shape": [2], "opset": 24}"""), "Y"), Is.EqualTo(new[] { 1, 1, 5 }));
        Assert.That(Check.S(Onnx("onnx.MaxPool", """{"kernel_shape": [2], "opset": 1}"""), "Y"), Is.EqualTo(new[] { 1, 1, 5 }));
    }

    [TestCase("onnx.MaxPool", "storage_order", "0", 8)]
    [TestCase("onnx.MaxPool", "ceil_mode", "0", 10)]
    [TestCase("onnx.MaxPool", "dilations", "[1]", 10)]
    [TestCase("onnx.AveragePool", "count_include_pad", "0", 7)]
    [TestCase("onnx.AveragePool", "ceil_mode", "0", 10)]
    [TestCase("onnx.AveragePool", "dilations", "[1]", 19)]
    [TestCase("onnx.LpPool", "ceil_mode", "0", 18)]
    [TestCase("onnx.LpPool", "dilations", "[1]", 18)]
    public void Onnx_AttributeBeforeItsOpset_IsRefused(string op, string attr, string value, int since)
    {
        Refuses(() => Onnx(op, $$"""{"kernel_shape": [2], "{{attr}}": {{value}}, "opset": {{since - 1}}}"""), attr,
            $"{op} has no attribute '{attr}' before opset {since} (case opset {since - 1})");
        Assert.That(Check.S(Onnx(op, $$"""{"kernel_shape": [2], "{{attr}}": {{value}}, "opset": {{since}}}"""), "Y"), Is.EqualTo(new[] { 1, 1, 5 }));
    }

    [TestCase("onnx.MaxPool")]
    [TestCase("onnx.AveragePool")]
    [TestCase("onnx.LpPool")]
    public void Onnx_KernelStridesDilationsPads_Checks(string op)
    {
        Refuses(() => Onnx(op, "{}"), "kernel_shape", "'kernel_shape' is required");
        Refuses(() => Onnx(op, """{"kernel_shape": [2, 2]}"""), "kernel_shape", "kernel_shape must have 1 entries (the input's spatial rank), got 2");
        Refuses(() => Onnx(op, """{"kernel_shape": [0]}"""), "kernel_shape", "kernel_shape entries must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2, 0]}""", X2), "kernel_shape", "entries must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "strides": [1, 1]}"""), "strides", "strides must have 1 entries, got 2");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "strides": [0]}"""), "strides", "strides must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2, 2], "strides": [1, 0]}""", X2), "strides", "strides must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "dilations": [1, 1]}"""), "dilations", "dilations must have 1 entries, got 2");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "dilations": [0]}"""), "dilations", "dilations must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2, 2], "dilations": [1, 0]}""", X2), "dilations", "dilations must be positive");
        Refuses(() => Onnx(op, """{"kernel_shape": [2, 2], "pads": [0, 0]}""", X2), "pads", "pads must have 4 entries ([begins..., ends...]), got 2");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "pads": [0, -1]}"""), "pads", "pads must be non-negative");
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "pads": [1, 0], "auto_pad": "SAME_UPPER"}"""), "pads", "pads cannot be used together with auto_pad");
        // all-zero pads beside auto_pad are accepted (they say nothing); SAME_UPPER on L = 6, k = 2, s = 1 keeps 6 outputs.
        Assert.That(Check.S(Onnx(op, """{"kernel_shape": [2], "pads": [0, 0], "auto_pad": "SAME_UPPER"}"""), "Y"), Is.EqualTo(new[] { 1, 1, 6 }));
        Refuses(() => Onnx(op, """{"kernel_shape": [2], "group": 1}"""), "group", $"unknown parameter 'group' for {op}");
    }

    [Test]
    public void Onnx_AutoPad_EachModeHasItsOwnPads()
    {
        // L = 4, k = 2, s = 1 on [1, 2, 3, 4]; SAME: 4 outputs, total pad 1 — SAME_UPPER puts it at the end, SAME_LOWER at the start.
        // AveragePool (count_include_pad 0): UPPER windows [1,2] [2,3] [3,4] [4] → 1.5 2.5 3.5 4; LOWER [1] [1,2] [2,3] [3,4] → 1 1.5 2.5 3.5.
        // VALID: 3 outputs 1.5 2.5 3.5; NOTSET (no pads) the same.
        var x = T([1, 1, 4], 1, 2, 3, 4);
        double[] Avg(string mode) => Check.V(Eval("onnx.AveragePool", $$"""{"kernel_shape": [2], "auto_pad": "{{mode}}"}""", x, "X"), "Y");
        Check.Exact(Avg("SAME_UPPER"), [1.5, 2.5, 3.5, 4]);
        Check.Exact(Avg("SAME_LOWER"), [1, 1.5, 2.5, 3.5]);
        Check.Exact(Avg("VALID"), [1.5, 2.5, 3.5]);
        Check.Exact(Avg("NOTSET"), [1.5, 2.5, 3.5]);
        Refuses(() => Avg("SAME"), "auto_pad", "'auto_pad' must be one of");
    }

    [TestCase("onnx.MaxPool", """{"kernel_shape": [1]}""")]
    [TestCase("onnx.AveragePool", """{"kernel_shape": [1]}""")]
    [TestCase("onnx.LpPool", """{"kernel_shape": [1]}""")]
    [TestCase("onnx.GlobalMaxPool", "{}")]
    [TestCase("onnx.GlobalAveragePool", "{}")]
    [TestCase("onnx.GlobalLpPool", "{}")]
    public void Onnx_X_RankAndEmptySpatialAxes(string op, string json)
    {
        string name = op["onnx.".Length..];
        Refuses(() => Onnx(op, json, Ramp([1, 4])), "inputs.X", $"onnx.{name} expects X of rank 3 to 5 (N, C, 1 to 3 spatial axes), got shape [1,4]");
        Refuses(() => Onnx(op, json, Ramp([1, 1, 1, 1, 1, 1])), "inputs.X", "got shape [1,1,1,1,1,1]");
        Refuses(() => Onnx(op, json, Ramp([1, 1, 2, 0])), "inputs.X", $"onnx.{name} expects non-empty spatial axes, got shape [1,1,2,0]");
        // zero channels are not a spatial axis: accepted, with an empty output.
        Assert.That(Check.V(Onnx(op, json, Ramp([1, 0, 3])), "Y"), Is.Empty);
    }

    [Test]
    public void OnnxMaxPool_Dtypes_StorageOrder_Unknown()
    {
        // MaxPool takes float16/32/64, uint8 and int8 (MaxPool-12), not int64.
        var xi = new Tensor(DType.Int64, [1, 1, 4], [1, 2, 3, 4]);
        Refuses(() => Onnx("onnx.MaxPool", """{"kernel_shape": [2]}""", xi), "inputs.X", "input 'X' has dtype int64", "uint8, int8");
        var xi8 = new Tensor(DType.Int8, [1, 1, 4], [1, -2, 3, -4]);
        Check.Exact(Check.V(Onnx("onnx.MaxPool", """{"kernel_shape": [2], "strides": [2]}""", xi8), "Y"), [1, 3]);
        Refuses(() => Onnx("onnx.MaxPool", """{"kernel_shape": [2], "storage_order": 2}"""), "storage_order", "storage_order must be 0 or 1, got 2");
    }

    [TestCase("onnx.AveragePool")]
    [TestCase("onnx.LpPool")]
    [TestCase("onnx.GlobalMaxPool")]
    [TestCase("onnx.GlobalAveragePool")]
    [TestCase("onnx.GlobalLpPool")]
    [TestCase("onnx.MaxUnpool")]
    public void Onnx_IntegerX_Refused(string op)
    {
        var xi = new Tensor(DType.Int64, [1, 1, 4], [1, 2, 3, 4]);
        var json = op.Contains("Global") ? "{}" : """{"kernel_shape": [2]}""";
        Refuses(() => Eval(op, json, ("X", xi), ("I", I64([1, 1, 4], 0, 1, 2, 3))), "inputs.X", "input 'X' has dtype int64; allowed: float16, float32, float64");
    }

    [TestCase("onnx.GlobalMaxPool")]
    [TestCase("onnx.GlobalAveragePool")]
    public void OnnxGlobal_MaxAndAverage_HaveNoP(string op)
    {
        Refuses(() => Onnx(op, """{"p": 3}"""), "p", $"unknown parameter 'p' for {op}");
        Refuses(() => Onnx(op, """{"opset": 30}"""), "opset", "between 1 and 24");
    }

    [Test]
    public void OnnxLp_P_IntegerFromOpset2_FloatInOpset1_Positive()
    {
        var x = T([1, 1, 2], 1, 2);
        OpResult Lp(string json) => Eval("onnx.LpPool", json, x, "X");
        // LpPool-2 made p an INT: 2.5 is refused at opset 2; at opset 1 it is a FLOAT and taken.
        Refuses(() => Lp("""{"kernel_shape": [2], "p": 2.5, "opset": 2}"""), "p", "'p' must be an integer");
        // p = 1.5 at opset 1: (1 + 2^1.5)^(1/1.5) = 3.8284271247…^(2/3) = 2.44726081… (Python's float pow, independently).
        Check.Close(Check.V(Lp("""{"kernel_shape": [2], "p": 1.5, "opset": 1}"""), "Y"), [2.4472608147714756], 1e-12);
        Refuses(() => Lp("""{"kernel_shape": [2], "p": 0}"""), "p", "p must be positive, got 0");
        Refuses(() => Lp("""{"kernel_shape": [2], "p": -2}"""), "p", "p must be positive, got -2");
        Refuses(() => Eval("onnx.GlobalLpPool", """{"p": 0}""", x, "X"), "p", "p must be positive, got 0");
        // GlobalLpPool p = 1: |1| + |2| = 3.
        Check.Exact(Check.V(Eval("onnx.GlobalLpPool", """{"p": 1}""", x, "X"), "Y"), [3]);
    }

    // ---------------- onnx.MaxUnpool ----------------

    static readonly Tensor UX = T([1, 1, 2], 5, 6);
    static readonly Tensor UI = I64([1, 1, 2], 1, 2);
    static OpResult OUnpool(string json, Tensor? x = null, Tensor? i = null, Tensor? outputShape = null)
    {
        var inputs = new List<(string, Tensor)> { ("X", x ?? UX), ("I", i ?? UI) };
        if (outputShape is not null) inputs.Add(("output_shape", outputShape));
        return Eval("onnx.MaxUnpool", json, [.. inputs]);
    }

    [Test]
    public void OnnxMaxUnpool_OpsetFrom9()
    {
        Refuses(() => OUnpool("""{"kernel_shape": [2], "strides": [2], "opset": 8}"""), "opset", "MaxUnpool exists from opset 9, case opset 8");
        Check.Exact(Check.V(OUnpool("""{"kernel_shape": [2], "strides": [2], "opset": 9}""")), [0, 5, 6, 0]);
    }

    [Test]
    public void OnnxMaxUnpool_AttributeChecks()
    {
        Refuses(() => OUnpool("{}"), "kernel_shape", "'kernel_shape' is required");
        Refuses(() => OUnpool("""{"kernel_shape": [2, 2]}"""), "kernel_shape", "kernel_shape must be 1 positive ints");
        Refuses(() => OUnpool("""{"kernel_shape": [0]}"""), "kernel_shape", "1 positive ints");
        var x2 = T([1, 1, 1, 1], 5);
        var i2 = I64([1, 1, 1, 1], 0);
        Refuses(() => OUnpool("""{"kernel_shape": [2, 0]}""", x2, i2), "kernel_shape", "kernel_shape must be 2 positive ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2], "strides": [2, 2]}"""), "strides", "strides must be 1 positive ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2], "strides": [0]}"""), "strides", "1 positive ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2, 2], "strides": [2, 0]}""", x2, i2), "strides", "strides must be 2 positive ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2, 2], "pads": [0, 0]}""", x2, i2), "pads", "pads must be 4 non-negative ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2], "pads": [0, -1]}"""), "pads", "pads must be 2 non-negative ints");
        Refuses(() => OUnpool("""{"kernel_shape": [2], "storage_order": 0}"""), "storage_order", "unknown parameter 'storage_order' for onnx.MaxUnpool");
        // X = 1 cell, k = 1, s = 1, pads (1, 0): inferred (1 − 1)·1 − 1 + 1 = 0 → refused on pads.
        Refuses(() => OUnpool("""{"kernel_shape": [1], "pads": [1, 0]}""", T([1, 1, 1], 5), I64([1, 1, 1], 0)), "pads",
            "inferred output size 0 on axis 0 is below 1");
    }

    [Test]
    public void OnnxMaxUnpool_I_Int64OfXsShape()
    {
        Refuses(() => OUnpool("""{"kernel_shape": [2]}""", i: T([1, 1, 2], 1, 2)), "inputs.I", "I must be int64, got float64");
        Refuses(() => OUnpool("""{"kernel_shape": [2]}""", i: I64([1, 1, 1], 1)), "inputs.I", "I shape [1,1,1] must equal X shape [1,1,2]");
    }

    [Test]
    public void OnnxMaxUnpool_OutputShape_TypeRankLength()
    {
        const string P = """{"kernel_shape": [2], "strides": [2]}""";   // inferred [1, 1, 4]
        Refuses(() => OUnpool(P, outputShape: T([3], 1, 1, 4)), "inputs.output_shape", "output_shape must be an int64 vector of 3 entries");
        Refuses(() => OUnpool(P, outputShape: I64([3, 1], 1, 1, 4)), "inputs.output_shape", "int64 vector of 3 entries");
        Refuses(() => OUnpool(P, outputShape: I64([4], 1, 1, 4, 1)), "inputs.output_shape", "int64 vector of 3 entries");
    }

    [Test]
    public void OnnxMaxUnpool_OutputShape_EntryRange()
    {
        const string P = """{"kernel_shape": [2], "strides": [2]}""";
        Refuses(() => OUnpool(P, outputShape: I64([3], 1, 1, -1)), "inputs.output_shape", "output_shape [1,1,-1] has an entry outside [0, 2147483647]");
        Refuses(() => OUnpool(P, outputShape: I64([3], 1, 1, 1L << 31)), "inputs.output_shape", "output_shape [1,1,2147483647] has an entry outside [0, 2147483647]");
        // 0 is in range (then N is wrong); int.MaxValue is in range (then too many elements).
        Refuses(() => OUnpool(P, outputShape: I64([3], 0, 1, 4)), "inputs.output_shape", "output_shape must keep N and C");
        Refuses(() => OUnpool(P, outputShape: I64([3], 1, 1, int.MaxValue)), "inputs.output_shape",
            "output_shape [1,1,2147483647] asks for more than 268435456 elements");
    }

    [Test]
    public void OnnxMaxUnpool_OutputShape_KeepsNAndC_AtLeastInferred_Bounded()
    {
        const string P = """{"kernel_shape": [2], "strides": [2]}""";
        Refuses(() => OUnpool(P, outputShape: I64([3], 2, 1, 4)), "inputs.output_shape", "output_shape must keep N and C");
        Refuses(() => OUnpool(P, outputShape: I64([3], 1, 2, 4)), "inputs.output_shape", "output_shape must keep N and C");
        Refuses(() => OUnpool(P, outputShape: I64([3], 1, 1, 3)), "inputs.output_shape", "output_shape 3 on spatial axis 0 is smaller than the inferred 4");
        // 2-D: X 1×1×2×2, k = s = 2 → inferred 4×4; the second spatial axis 3 < 4 is named as axis 1.
        var x2 = T([1, 1, 2, 2], 1, 2, 3, 4);
        var i2 = I64([1, 1, 2, 2], 0, 3, 12, 15);
        Refuses(() => OUnpool("""{"kernel_shape": [2, 2], "strides": [2, 2]}""", x2, i2, I64([4], 1, 1, 4, 3)), "inputs.output_shape",
            "output_shape 3 on spatial axis 1 is smaller than the inferred 4");
        // 2^16 · 2^16 = 2^32 elements: more than 2^28 (each entry alone is in range).
        Refuses(() => OUnpool("""{"kernel_shape": [2, 2], "strides": [2, 2]}""", x2, i2, I64([4], 1, 1, 65536, 65536)), "inputs.output_shape",
            "asks for more than 268435456 elements");
        // 5×6 ≥ 4×4: the inferred 4×4 result sits in the top-left corner; cell (r, c) lands at flat 6r + c.
        var r = OUnpool("""{"kernel_shape": [2, 2], "strides": [2, 2]}""", x2, i2, I64([4], 1, 1, 5, 6));
        var want = new double[30];
        want[0] = 1; want[3] = 2; want[3 * 6 + 0] = 3; want[3 * 6 + 3] = 4;   // inferred flat 0, 3, 12 = (3,0), 15 = (3,3)
        Check.Exact(Check.V(r), want);
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 5, 6 }));
    }
}

/// <summary>
/// Max unpooling materializes its output, so a stride or output size that asks for more than 2^28 elements is refused naming
/// the parameter (found by the mutation work: kernel 1, stride 2^30 made the oracle try to allocate gigabytes).
/// </summary>
[TestFixture]
public class UnpoolSizeCapTests
{
    static Dictionary<string, PoolingConformance.Core.Tensor> In(int[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return new()
        {
            ["input"] = new(PoolingConformance.Core.DType.Float32, shape, new double[n]),
            ["indices"] = new(PoolingConformance.Core.DType.Int64, shape, new double[n]),
        };
    }

    [Test]
    public void TorchHugeStride_IsRefusedNamingStride()
    {
        var op = new PoolingConformance.Reference.Dialects.Torch.TorchMaxUnpool(2);
        var e = Assert.Throws<PoolingConformance.Core.InvalidParameterException>(() =>
            op.Evaluate("{\"kernel_size\": 1, \"stride\": 1073741824}", In([1, 1, 2, 2])));
        Assert.That(e!.Field, Is.EqualTo("stride"));
        Assert.That(e.Message, Does.Contain("268435456"));
    }

    [Test]
    public void TorchPlaneProductOverCap_IsRefused()
    {
        // 2×2 input, stride 2^14 per axis: each axis 16385 (fits), the plane 16385² ≈ 2.7e8 > 2^28.
        var op = new PoolingConformance.Reference.Dialects.Torch.TorchMaxUnpool(2);
        var e = Assert.Throws<PoolingConformance.Core.InvalidParameterException>(() =>
            op.Evaluate("{\"kernel_size\": 1, \"stride\": 16384}", In([1, 1, 2, 2])));
        Assert.That(e!.Field, Is.EqualTo("stride"));
    }

    [Test]
    public void TorchJustUnderCap_IsAccepted()
    {
        // 2×2 input, stride 2, kernel 2: default 4×4 — the ordinary case still works.
        var op = new PoolingConformance.Reference.Dialects.Torch.TorchMaxUnpool(2);
        var r = op.Evaluate("{\"kernel_size\": 2, \"stride\": 2}", In([1, 1, 2, 2]));
        Assert.That(r.Outputs["output"].Value.Shape, Is.EqualTo(new[] { 1, 1, 4, 4 }));
    }

    [Test]
    public void OnnxHugeStride_IsRefusedNamingStrides()
    {
        var op = PoolingConformance.Reference.OpRegistry.Find("onnx.MaxUnpool")!;
        var inputs = new Dictionary<string, PoolingConformance.Core.Tensor>
        {
            ["X"] = new(PoolingConformance.Core.DType.Float32, [1, 1, 2, 2], new double[4]),
            ["I"] = new(PoolingConformance.Core.DType.Int64, [1, 1, 2, 2], new double[4]),
        };
        var e = Assert.Throws<PoolingConformance.Core.InvalidParameterException>(() =>
            op.Evaluate("{\"kernel_shape\": [1, 1], \"strides\": [1073741824, 1]}", inputs));
        Assert.That(e!.Field, Is.EqualTo("strides"));
    }
}

/// <summary>
/// Bad input never crashes the oracle: inputs a review found to throw IndexOutOfRange, InvalidOperation, Overflow or
/// OutOfMemory are one <see cref="InvalidParameterException"/> naming the field — the same field the optimized backend names
/// (src/Optimized/OptimizedBackend.*.cs), so both backends agree on a bad case.
/// </summary>
[TestFixture]
public class OracleCrashRefusalTests
{
    static InvalidParameterException Refuses(Action call, string field, params string[] messageParts)
    {
        var ex = Assert.Throws<InvalidParameterException>(() => call());
        Assert.That(ex!.Field, Is.EqualTo(field), ex.Message);
        foreach (var part in messageParts) Assert.That(ex.Message, Does.Contain(part), $"message of the refusal of '{field}'");
        return ex;
    }

    static OpResult Frac(string json) =>
        Eval("torch.fractional_max_pool2d", json, ("input", Ramp([1, 1, 4, 4])), ("samples", T32([1, 1, 2], 0.5, 0.5)));

    const long Limit = 1L << 28; // OutputLimit.MaxElements: the most output elements the oracle materializes

    [Test]
    public void Fractional_EmptyOutputSize_IsRefusedNamingOutputSize()
    {
        Refuses(() => Frac("""{"kernel_size": 2, "output_size": []}"""), "output_size", "1 or 2 entries", "empty");
        Refuses(() => Eval("torch.fractional_max_pool3d", """{"kernel_size": 2, "output_size": []}""", ("input", Ramp([1, 1, 4, 4, 4])),
            ("samples", T32([1, 1, 3], 0.5, 0.5, 0.5))), "output_size", "1 or 3 entries");
    }

    [TestCase("\"half\"")]
    [TestCase("true")]
    [TestCase("{\"r\": 0.5}")]
    [TestCase("[0.5, \"x\"]")]
    [TestCase("[0.5, null]")]
    public void Fractional_NonNumberOutputRatio_IsRefusedNamingOutputRatio(string ratio)
    {
        Refuses(() => Frac($$"""{"kernel_size": 2, "output_ratio": {{ratio}}}"""), "output_ratio", "2 numbers in (0, 1)");
        Refuses(() => Eval("torch.fractional_max_pool3d", $$"""{"kernel_size": 2, "output_ratio": {{ratio}}}""", ("input", Ramp([1, 1, 4, 4, 4])),
            ("samples", T32([1, 1, 3], 0.5, 0.5, 0.5))), "output_ratio", "3 numbers in (0, 1)");
    }

    static readonly Tensor P4 = Ramp([1, 1, 2, 2]);

    [Test]
    public void PoolconfSurvey_EmptyDilation_IsRefusedNamingDilation()
    {
        Refuses(() => Eval("poolconf.median_pool2d", """{"kernel_size": 1, "dilation": []}""", P4), "dilation", "empty list");
        // The default (no dilation) and an explicit 1 still run: 2×2 outputs of a 1×1 window.
        Assert.That(Check.S(Eval("poolconf.median_pool2d", """{"kernel_size": 1, "dilation": 1}""", P4)), Is.EqualTo(new[] { 1, 1, 2, 2 }));
    }

    [TestCase(100000)]      // (2 + 2·10^5)^2 ≈ 4·10^10 outputs: past the limit
    [TestCase(536870912)]   // 2 + 2p = 2^30 + 2 per axis: fits an int, the product does not
    public void PoolconfSurvey_PaddingPastTheOutputLimit_IsRefusedNamingPadding(int pad)
    {
        Refuses(() => Eval("poolconf.median_pool2d", $$"""{"kernel_size": 1, "padding": {{pad}}}""", P4), "padding", Limit.ToString());
        Refuses(() => Eval("poolconf.median_pool2d", $$"""{"kernel_size": 1, "padding": [{{pad}}, {{pad}}]}""", P4), "padding", Limit.ToString());
    }

    [Test]
    public void PoolconfSurvey_PaddingJustPastTheLimit_IsRefused_SmallPaddingStillRuns()
    {
        // 1×1×2×2 input, k = 1, padding [0, p]: output 1×1×2×(2 + 2p). p = 2^26 gives 2·(2^27 + 2) = 2^28 + 4 elements: refused.
        // (p = 2^26 − 1 gives exactly 2^28, allowed, but materializing it is too slow for a unit test.)
        Refuses(() => Eval("poolconf.median_pool2d", """{"kernel_size": 1, "padding": [0, 67108864]}""", P4), "padding", Limit.ToString());
        Assert.That(Check.S(Eval("poolconf.median_pool2d", """{"kernel_size": 1, "padding": [0, 3]}""", P4)), Is.EqualTo(new[] { 1, 1, 2, 8 }));
    }

    [Test]
    public void MultiScaleRoiAlign_HugeOutputSize_IsRefusedNamingOutputSize()
    {
        Refuses(() => Eval("torchvision.multiscale_roi_align", """{"output_size": 100000, "sampling_ratio": 1}""",
            ("x0", Ramp([1, 1, 4, 4])), ("boxes", T32([1, 5], 0, 0, 0, 2, 2)), ("image_shapes", I64([1, 2], 4, 4))), "output_size", Limit.ToString());
    }

    [Test]
    public void Spp_HugeLevel_IsRefusedNamingLevels()
    {
        Refuses(() => Eval("poolconf.spp", """{"levels": [1, 100000]}""", Ramp([1, 1, 4, 4])), "levels", Limit.ToString());
        Refuses(() => Eval("poolconf.spp", """{"levels": [65536]}""", Ramp([1, 1, 4, 4])), "levels", Limit.ToString()); // 2^32: int overflow
    }

    [Test]
    public void CropAndResize_HugeCrop_IsRefusedNamingCropSize()
    {
        Refuses(() => Eval("tf.image.crop_and_resize", """{"crop_size": [100000, 100000]}""",
            ("image", Ramp([1, 2, 2, 1])), ("boxes", T32([1, 4], 0, 0, 1, 1)), ("box_indices", I64([1], 0))), "crop_size", Limit.ToString());
    }

    [TestCase("nearest")]
    [TestCase("none")]
    public void EdgeAwarePyramid_HugeLevels_AreRefusedNamingLevels(string upsample)
    {
        Refuses(() => Eval("poolconf.edge_aware_pyramid_pool", $$"""{"levels": [1, 100000], "upsample": "{{upsample}}"}""",
            ("input", T([1, 1, 2, 1], 1, 2)), ("edge", T([1, 1, 2, 1], 0, 1))), "levels", Limit.ToString());
    }

    [TestCase("torchvision.roi_align", 1e30)]
    [TestCase("torchvision.roi_align", -1e30)]
    [TestCase("torchvision.ps_roi_align", 1e30)]
    [TestCase("poolconf.roi_align_max", 1e30)]
    public void RoiAlign_HugeBoxWithAdaptiveSampling_IsRefusedNamingBoxes(string op, double coordinate)
    {
        // sampling_ratio ≤ 0 sizes the grid from the box: ceil(1e30 / 1) samples per bin side. Refused past 2^16 per side.
        double x1 = coordinate < 0 ? coordinate : 0, x2 = coordinate < 0 ? 2 : coordinate;
        Refuses(() => Eval(op, """{"output_size": 1, "sampling_ratio": 0}""", ("input", Ramp([1, 1, 4, 4])), ("boxes", T32([1, 5], 0, x1, 0, x2, 2))),
            "inputs.boxes", "65536");
    }

    [Test]
    public void RoiAlign_GridAtTheCap_StillRuns_OneMoreIsRefused()
    {
        // output_size 1, aligned=False: box width 65536 → grid 65536 per side on x (allowed), 65537 → refused.
        var ok = Eval("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 0}""", ("input", Ramp([1, 1, 4, 4])), ("boxes", T32([1, 5], 0, 0, 0, 65536, 1)));
        Assert.That(Check.S(ok), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Refuses(() => Eval("torchvision.roi_align", """{"output_size": 1, "sampling_ratio": 0}""", ("input", Ramp([1, 1, 4, 4])), ("boxes", T32([1, 5], 0, 0, 0, 65537, 1))),
            "inputs.boxes", "65536");
    }

    [Test]
    public void OnnxRoiAlign_HugeBox_IsRefusedNamingRois()
    {
        Refuses(() => Eval("onnx.RoiAlign", """{"output_height": 1, "output_width": 1, "sampling_ratio": 0}""", ("X", Ramp([1, 1, 4, 4])),
            ("rois", T32([1, 4], 0, 0, 1e30, 2)), ("batch_indices", I64([1], 0))), "inputs.rois", "65536");
    }
}
