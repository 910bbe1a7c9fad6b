using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Everything <c>poolconf list</c> and <c>poolconf explain</c> print for the window-pooling ops, beyond the names and defaults
/// that <see cref="OpSignatureTests"/> pins: each parameter's type and constraint text, the full tolerance text, and the
/// explain texts (the canonical problem line, the windows with their taps, the divisor line) on tiny hand-worked problems.
/// <para>Types follow the dialect's documented API: PyTorch 1.13 <c>torch.nn.functional</c> (an int or a per-axis list,
/// <c>None</c> → <c>null</c>), ONNX attribute types (<c>STRING</c> → string, <c>INT</c> → int, <c>INTS</c> → int[]) and the opset
/// in which each attribute appeared (the ONNX operator changelog). The constraint texts and the tolerance formulas are free
/// text: they are pinned as they stand, as a documentation contract — a change to them must be deliberate and show here.</para>
/// </summary>
[TestFixture]
public class OpMetadataTests
{
    const string Req = "required";
    const string IntOrList = "int | int[]";

    static PoolOp Op(string name) => OpRegistry.Find(name) ?? throw new AssertionException($"no op {name}");

    static void ParamsAre(string op, params (string Name, string Type, string Default, string Description)[] want)
    {
        var got = Op(op).Params.Select(p => (p.Name, p.Type, p.Default, p.Description)).ToArray();
        Assert.That(got, Is.EqualTo(want), $"{op} parameters (name, type, default, description)");
    }

    // PyTorch's shared pooling arguments: kernel_size and padding take an int or one per axis; stride None means the kernel.
    static readonly (string, string, string, string) Kernel = ("kernel_size", IntOrList, Req, "");
    static readonly (string, string, string, string) Stride = ("stride", "int | int[] | null", "null (= kernel_size)", "");
    static readonly (string, string, string, string) Padding = ("padding", IntOrList, "0", "at most kernel_size/2");
    static readonly (string, string, string, string) Dilation = ("dilation", IntOrList, "1", "");
    static readonly (string, string, string, string) Ceil = ("ceil_mode", "bool", "false", "");
    static readonly (string, string, string, string) ReturnIndices = ("return_indices", "bool", "false", "");
    static readonly (string, string, string, string) Opset = ("opset", "int", "22", "");

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Torch_ParamTypesAndConstraints(int nd)
    {
        ParamsAre($"torch.max_pool{nd}d", Kernel, Stride, Padding, Dilation, Ceil, ReturnIndices);
        // avg_pool1d has no divisor_override (F.avg_pool1d's signature); 2-D and 3-D do, and refuse 0.
        var avg = new[] { Kernel, Stride, Padding, Ceil, ("count_include_pad", "bool", "true", "") };
        ParamsAre($"torch.avg_pool{nd}d", nd == 1 ? avg : [.. avg, ("divisor_override", "int | null", "null", "non-zero")]);
        ParamsAre($"torch.lp_pool{nd}d", ("norm_type", "number", Req, "p > 0"), Kernel, Stride, Ceil);
        // adaptive output_size: an int, or a list whose None entries keep the input size.
        ParamsAre($"torch.adaptive_max_pool{nd}d", ("output_size", "int | (int|null)[]", Req, ""), ReturnIndices);
        ParamsAre($"torch.adaptive_avg_pool{nd}d", ("output_size", "int | (int|null)[]", Req, ""));
        // max_unpool: padding has no half-kernel limit; output_size is a list (nd or nd + 2 entries).
        ParamsAre($"torch.max_unpool{nd}d", Kernel, Stride, ("padding", IntOrList, "0", ""), ("output_size", "int[] | null", "null", ""));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void TorchFractional_ParamTypes(int nd) =>
        ParamsAre($"torch.fractional_max_pool{nd}d", Kernel, ("output_size", "int | int[] | null", "null", ""),
            ("output_ratio", "number | number[] | null", "null", ""), ReturnIndices);

    [Test]
    public void Onnx_ParamTypesAndOpsetOfEachAttribute()
    {
        // MaxPool: storage_order since 8, ceil_mode and dilations since 10 (ONNX changelog MaxPool-8, MaxPool-10).
        ParamsAre("onnx.MaxPool",
            ("auto_pad", "string", "NOTSET", "NOTSET | SAME_UPPER | SAME_LOWER | VALID"), ("ceil_mode", "int", "0", "opset >= 10"),
            ("dilations", "int[]", "1s", "opset >= 10"), ("kernel_shape", "int[]", Req, ""), ("pads", "int[]", "0s", ""),
            ("storage_order", "int", "0", "opset >= 8"), ("strides", "int[]", "1s", ""), Opset);
        // AveragePool: count_include_pad since 7, ceil_mode since 10, dilations since 19.
        ParamsAre("onnx.AveragePool",
            ("auto_pad", "string", "NOTSET", ""), ("ceil_mode", "int", "0", "opset >= 10"), ("count_include_pad", "int", "0", "opset >= 7"),
            ("dilations", "int[]", "1s", "opset >= 19"), ("kernel_shape", "int[]", Req, ""), ("pads", "int[]", "0s", ""),
            ("strides", "int[]", "1s", ""), Opset);
        // LpPool: p is a FLOAT in LpPool-1 and an INT from LpPool-2; ceil_mode and dilations since 18.
        ParamsAre("onnx.LpPool",
            ("auto_pad", "string", "NOTSET", ""), ("ceil_mode", "int", "0", "opset >= 18"), ("dilations", "int[]", "1s", "opset >= 18"),
            ("kernel_shape", "int[]", Req, ""), ("p", "int (float in opset 1)", "2", ""), ("pads", "int[]", "0s", ""),
            ("strides", "int[]", "1s", ""), Opset);
        ParamsAre("onnx.GlobalMaxPool", Opset);
        ParamsAre("onnx.GlobalAveragePool", Opset);
        ParamsAre("onnx.GlobalLpPool", ("p", "int (float in opset 1)", "2", ""), Opset);
        ParamsAre("onnx.MaxUnpool", ("kernel_shape", "int[]", Req, ""), ("pads", "int[]", "0s", ""), ("strides", "int[]", "1s", ""), Opset);
    }

    // The tolerance texts, pinned whole (documentation contract, see the class comment): selections are exact, the
    // accumulations name the bound of TESTING.md §3.3 they use.
    const string ExactIdx = "exact (selection); indices exact";
    const string AvgTorch = "derived: (n+2)·u·Σ|x|/|D| + 2·u_out·|y| + (n+2)·η; exact for int64";
    const string AvgAdaptive = "derived: (n+2)·u·Σ|x|/n + 2·u_out·|y| + (n+2)·η";
    const string LpTorch = "derived: interval propagation of (n−1+c_pow)·u·Σ|x^p| through the 1/p root, + (c_root·u + 2·u_out)·|y|";

    [TestCase("torch.max_pool1d", ExactIdx)]
    [TestCase("torch.max_pool3d", ExactIdx)]
    [TestCase("torch.avg_pool2d", AvgTorch)]
    [TestCase("torch.lp_pool2d", LpTorch)]
    [TestCase("torch.adaptive_max_pool2d", ExactIdx)]
    [TestCase("torch.adaptive_avg_pool2d", AvgAdaptive)]
    [TestCase("torch.adaptive_avg_pool1d", AvgAdaptive)]
    [TestCase("torch.fractional_max_pool2d", ExactIdx)]
    [TestCase("torch.max_unpool2d", "exact (every output is an input or 0)")]
    [TestCase("onnx.MaxPool", "exact (selection); Indices exact")]
    [TestCase("onnx.AveragePool", "derived: (n+2)·u·Σ|x|/D + 2·u_out·|y| + (n+2)·η")]
    [TestCase("onnx.LpPool", "derived: Lp bound (TESTING.md §3.3, Abs mode)")]
    [TestCase("onnx.GlobalMaxPool", "exact (selection)")]
    [TestCase("onnx.GlobalAveragePool", "derived (TESTING.md §3.3)")]
    [TestCase("onnx.GlobalLpPool", "derived (TESTING.md §3.3)")]
    [TestCase("onnx.MaxUnpool", "exact")]
    public void ToleranceText_IsPinned(string op, string text) => Assert.That(Op(op).ToleranceText, Is.EqualTo(text));

    [Test]
    public void Adaptive_MaxHasIndicesOutput_AvgDoesNot()
    {
        Assert.That(Op("torch.adaptive_max_pool1d").Outputs, Is.EqualTo(new[] { "output", "indices" }));
        Assert.That(Op("torch.adaptive_avg_pool3d").Outputs, Is.EqualTo(new[] { "output" }));
    }

    // ---- explain texts: the canonical problem line, the windows and the divisor line on tiny problems ----

    /// <summary>Windows as (output index, taps, in-bounds count, padded count, full kernel).</summary>
    static void WindowsAre(OpResult r, int[] inShape, int[] outShape, params (int Out, int[] Taps, long InBounds, long Padded, long Full)[] want)
    {
        Assert.That(r.Windows, Is.Not.Null, "windows for explain");
        Assert.That(r.WindowInputShape, Is.EqualTo(inShape), "window input shape");
        Assert.That(r.WindowOutputShape, Is.EqualTo(outShape), "window output shape");
        Assert.That(r.Windows!.Count, Is.EqualTo(want.Length), "window count");
        for (int j = 0; j < want.Length; j++)
        {
            var w = r.Windows[j];
            Assert.That((w.Output, w.Taps, w.InBounds, w.Padded, w.FullKernel), Is.EqualTo(want[j]), $"window {j}");
        }
    }

    [Test]
    public void TorchMaxPool1d_Explain()
    {
        // L = 5, k = 2, s = 2, pad 1, floor: O = (5 + 2 − 2)/2 + 1 = 3; windows [−1,0] [1,2] [3,4].
        var r = Eval("torch.max_pool1d", """{"kernel_size": 2, "stride": 2, "padding": 1}""", Ramp([1, 1, 5]));
        Assert.That(r.Descriptor, Does.StartWith("Max ax0[L=5 k=2 s=2 d=1 pads=(1,1) O=3] nan=Propagate/Last"));
        WindowsAre(r, [5], [3], (0, [0], 1, 2, 2), (1, [1, 2], 2, 2, 2), (2, [3, 4], 2, 2, 2));
        Assert.That(r.DivisorText, Is.Null, "max has no divisor");
    }

    [Test]
    public void TorchAvgPool1d_Explain_DivisorLineFollowsCountIncludePad()
    {
        // L = 3, k = 3, s = 1, pad 1: O = 3; window 0 = [−1, 1] has 2 in-bounds taps, 3 positions inside [−1, 4).
        var inc = Eval("torch.avg_pool1d", """{"kernel_size": 3, "stride": 1, "padding": 1}""", Ramp([1, 1, 3]));
        Assert.That(inc.Descriptor, Does.StartWith("Average ax0[L=3 k=3 s=1 d=1 pads=(1,1) O=3] divisor=IncludePad"));
        WindowsAre(inc, [3], [3], (0, [0, 1], 2, 3, 3), (1, [0, 1, 2], 3, 3, 3), (2, [1, 2], 2, 3, 3));
        Assert.That(inc.DivisorText!(inc.Windows![0]), Is.EqualTo("divisor 3"));
        var exc = Eval("torch.avg_pool1d", """{"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": false}""", Ramp([1, 1, 3]));
        Assert.That(exc.Descriptor, Does.EndWith("divisor=ExcludePad"));
        Assert.That(exc.DivisorText!(exc.Windows![0]), Is.EqualTo("divisor 2"));
        Assert.That(exc.DivisorText!(exc.Windows![1]), Is.EqualTo("divisor 3"));
    }

    [Test]
    public void TorchAvgPool2d_Explain_DivisorOverride()
    {
        // 2×2 input, k = 2: one window of 4 taps; divisor_override 7 is the divisor whatever the taps.
        var r = Eval("torch.avg_pool2d", """{"kernel_size": 2, "divisor_override": 7}""", Ramp([1, 1, 2, 2]));
        Assert.That(r.Descriptor, Does.EndWith(" divisor=7"));
        WindowsAre(r, [2, 2], [1, 1], (0, [0, 1, 2, 3], 4, 4, 4));
        Assert.That(r.DivisorText!(r.Windows![0]), Is.EqualTo("divisor 7"));
        // (0 + 1 + 2 + 3)/7
        Check.Close(Check.V(r), [6.0 / 7]);
    }

    [Test]
    public void TorchLpPool1d_Explain_InflationLine()
    {
        // L = 5, k = 2, s = 2, ceil: O = ceil(3/2) + 1 = 3, the last window [4, 5] has one tap: inflation Πk/|R| = 2/1.
        var r = Eval("torch.lp_pool1d", """{"norm_type": 2, "kernel_size": 2, "ceil_mode": true}""", Ramp([1, 1, 5]));
        Assert.That(r.Descriptor, Does.StartWith("Lp ax0[L=5 k=2 s=2 d=1 pads=(0,0) O=3] p=2"));
        WindowsAre(r, [5], [3], (0, [0, 1], 2, 2, 2), (1, [2, 3], 2, 2, 2), (2, [4], 1, 1, 2));
        Assert.That(r.DivisorText!(r.Windows![0]), Is.EqualTo("inflation Πk/|R| = 2/2"));
        Assert.That(r.DivisorText!(r.Windows![2]), Is.EqualTo("inflation Πk/|R| = 2/1"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TorchAdaptive1d_Explain(bool max)
    {
        // L = 5 → 2 bins: [floor(0), ceil(5/2)) = [0, 3) and [floor(5/2), 5) = [2, 5).
        var r = Eval($"torch.adaptive_{(max ? "max" : "avg")}_pool1d", """{"output_size": 2}""", Ramp([1, 1, 5]));
        Assert.That(r.Descriptor, Is.EqualTo($"Adaptive{(max ? "Max" : "Avg")} in={Tensor.ShapeText([5])} out={Tensor.ShapeText([2])}"));
        WindowsAre(r, [5], [2], (0, [0, 1, 2], 3, 3, 3), (1, [2, 3, 4], 3, 3, 3));
        Assert.That(r.DivisorText!(r.Windows![0]), Is.EqualTo("bin size 3"));
    }

    [Test]
    public void TorchFractional2d_Explain()
    {
        // 4×4, k = 2, output 2×2 → α = (4 − 2)/(2 − 1) = 2; start_0 = trunc(u·2) − trunc(u·2) = 0, start_1 = L − k = 2 on both axes.
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 2}""",
            ("input", Ramp([1, 1, 4, 4])), ("samples", T32([1, 1, 2], 0.25, 0.75)));
        Assert.That(r.Descriptor, Is.EqualTo($"FractionalMax in={Tensor.ShapeText([4, 4])} out={Tensor.ShapeText([2, 2])} k={Tensor.ShapeText([2, 2])}"));
        WindowsAre(r, [4, 4], [2, 2], (0, [0, 1, 4, 5], 4, 4, 4), (1, [2, 3, 6, 7], 4, 4, 4),
            (2, [8, 9, 12, 13], 4, 4, 4), (3, [10, 11, 14, 15], 4, 4, 4));
    }

    [Test]
    public void TorchMaxUnpool1d_Descriptor()
    {
        // 2 inputs, k = 2, s = 2 → default size (2 − 1)·2 + 2 = 4.
        var r = Eval("torch.max_unpool1d", """{"kernel_size": 2}""", ("input", T([1, 1, 2], 5, 6)), ("indices", I64([1, 1, 2], 1, 2)));
        Assert.That(r.Descriptor, Is.EqualTo($"MaxUnpool in={Tensor.ShapeText([2])} out={Tensor.ShapeText([4])}"));
    }

    [Test]
    public void OnnxMaxPool_Explain()
    {
        // L = 4, k = 3, s = 1, pads (1, 0): O = (4 + 1 − 3)/1 + 1 = 3; window 0 = [−1, 1].
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [3], "pads": [1, 0]}""", Ramp([1, 1, 4]), "X");
        Assert.That(r.Descriptor, Does.StartWith("Max ax0[L=4 k=3 s=1 d=1 pads=(1,0) O=3] nan=Propagate"));
        WindowsAre(r, [4], [3], (0, [0, 1], 2, 3, 3), (1, [0, 1, 2], 3, 3, 3), (2, [1, 2, 3], 3, 3, 3));
        Assert.That(r.DivisorText, Is.Null);
    }

    [Test]
    public void OnnxAveragePool_Explain_DivisorLine()
    {
        var r = Eval("onnx.AveragePool", """{"kernel_shape": [3], "pads": [1, 0]}""", Ramp([1, 1, 4]), "X");
        Assert.That(r.Descriptor, Does.StartWith("Average ax0[L=4 k=3 s=1 d=1 pads=(1,0) O=3] divisor=ExcludePad"));
        Assert.That(r.DivisorText!(r.Windows![0]), Is.EqualTo("divisor 2"));
        var inc = Eval("onnx.AveragePool", """{"kernel_shape": [3], "pads": [1, 0], "count_include_pad": 1}""", Ramp([1, 1, 4]), "X");
        Assert.That(inc.Descriptor, Does.EndWith("divisor=IncludePad"));
        Assert.That(inc.DivisorText!(inc.Windows![0]), Is.EqualTo("divisor 3"));
    }

    [Test]
    public void OnnxLpPool_Explain()
    {
        var r = Eval("onnx.LpPool", """{"kernel_shape": [2], "strides": [2], "p": 3}""", Ramp([1, 1, 4]), "X");
        Assert.That(r.Descriptor, Does.StartWith("Lp ax0[L=4 k=2 s=2 d=1 pads=(0,0) O=2] p=3 sign=Abs"));
        WindowsAre(r, [4], [2], (0, [0, 1], 2, 2, 2), (1, [2, 3], 2, 2, 2));
    }

    [TestCase("onnx.GlobalMaxPool", "Max ")]
    [TestCase("onnx.GlobalAveragePool", "Average ")]
    [TestCase("onnx.GlobalLpPool", "Lp ")]
    public void OnnxGlobal_Explain_OneWindowOfTheWholeInput(string op, string reduction)
    {
        var r = Eval(op, "{}", Ramp([1, 1, 2, 3]), "X");
        Assert.That(r.Descriptor, Does.StartWith(reduction + "ax0[L=2 k=2 s=1 d=1 pads=(0,0) O=1] ax1[L=3 k=3 s=1 d=1 pads=(0,0) O=1]"));
        WindowsAre(r, [2, 3], [1, 1], (0, [0, 1, 2, 3, 4, 5], 6, 6, 6));
        Assert.That(Check.S(r, "Y"), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Assert.That(r.Outputs.Keys, Is.EqualTo(new[] { "Y" }), "global pools have only Y");
    }

    [Test]
    public void OnnxMaxUnpool_Descriptor()
    {
        var r = Eval("onnx.MaxUnpool", """{"kernel_shape": [2], "strides": [2]}""", ("X", T([1, 1, 2], 5, 6)), ("I", I64([1, 1, 2], 1, 2)));
        Assert.That(r.Descriptor, Is.EqualTo($"OnnxMaxUnpool inferred={Tensor.ShapeText([1, 1, 4])} out={Tensor.ShapeText([1, 1, 4])}"));
        var big = Eval("onnx.MaxUnpool", """{"kernel_shape": [2], "strides": [2]}""", ("X", T([1, 1, 2], 5, 6)), ("I", I64([1, 1, 2], 1, 2)),
            ("output_shape", I64([3], 1, 1, 5)));
        Assert.That(big.Descriptor, Is.EqualTo($"OnnxMaxUnpool inferred={Tensor.ShapeText([1, 1, 4])} out={Tensor.ShapeText([1, 1, 5])}"));
    }
}
