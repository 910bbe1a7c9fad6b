using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference.Dialects;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>Dialects that must agree where their parameter spaces overlap (DIALECTS.md), and layout independence (TESTING.md §11).</summary>
[TestFixture]
public class DialectEquivalenceProperties
{
    static void SameSelections(double[] a, double[] b, bool[]? skip, string what)
    {
        for (int o = 0; o < a.Length; o++)
        {
            if (skip?[o] == true) continue;
            int oo = o;
            Require(SameBits(a[o], b[o]), () => $"{what}: output {oo}: {Fmt(a[oo])} vs {Fmt(b[oo])}");
        }
    }

    static void WithinBound(Expectation want, Tensor got, string what)
    {
        var cmp = OutputComparer.Compare(want, got, Tolerance.Derived);
        Require(cmp.Passed, () => $"{what}: {cmp.Describe()}");
    }

    /// <summary>
    /// Common space: symmetric pads p ≤ k/2 (PyTorch 1.13), dilation, ceil (same rule in both). Values agree everywhere (NaN as a class);
    /// indices agree after taking the ONNX plane offset off, except where the value is NaN (ONNX keeps the first NaN, PyTorch the last)
    /// and on windows with no in-bounds tap (ONNX leaves them unspecified).
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OnnxMaxPool_EqualsTorchMaxPool_OnTheirCommonParameterSpace()
    {
        return Prop.ForAll(Gens.Cases(OrderProperties.TorchMax), c =>
        {
            var t = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
            var o = Eval("onnx.MaxPool", OnnxJson(c), "X", c.Tensor);
            var (ty, ti, oy, oi) = (t.Outputs["output"].Value.Data, t.Outputs["indices"].Value.Data, o.Outputs["Y"], o.Outputs["Indices"].Value.Data);
            SameSelections(oy.Value.Data, ty, oy.Unspecified, "values");
            int po = PlaneOut(oy);
            for (int j = 0; j < ty.Length; j++)
            {
                if (oy.Unspecified?[j] == true || double.IsNaN(ty[j])) continue;
                int jj = j;
                Require(oi[j] - (j / po) * (long)c.Plane == ti[j], () => $"output {jj}: onnx index {oi[jj]} (plane {jj / po}), torch {ti[jj]}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OnnxAveragePool_EqualsTorchAvgPool_OnTheirCommonParameterSpace()
    {
        var gen = from c in Gens.CaseGen(OrderProperties.TorchAvg) from cip in Gen.Elements(false, true) select (c, cip);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(OrderProperties.TorchAvg, t.c).Select(c => (c, t.cip))), t =>
        {
            var (c, cip) = t;
            var torch = Eval(TorchName("avg_pool", c), TorchAvgJson(c, cip), "input", c.Tensor).Outputs["output"];
            var onnx = Eval("onnx.AveragePool", OnnxJson(c, $",\"count_include_pad\":{(cip ? 1 : 0)}").Replace("\"dilations\":" + J(c.D) + ",", ""), "X", c.Tensor).Outputs["Y"];
            WithinBound(torch, onnx.Value, $"count_include_pad={cip}");
            return true;
        });
    }

    /// <summary>TensorFlow's own SAME arithmetic (<c>kernel_shape_util.cc</c>): O = ceil(L/s), total = max((O − 1)·s + k − L, 0), the odd cell at the end.</summary>
    static (int Pb, int Pe, int O) TfSame(int l, int k, int s)
    {
        int o = (l + s - 1) / s, total = Math.Max((o - 1) * s + k - l, 0);
        return (total / 2, total - total / 2, o);
    }

    static readonly Profile TfProfile = new([1, 2, 3], AllowCeil: false, Families: FamilySets.NoNaN);

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property TfSamePadding_EqualsTheExplicitPadsItImplies_AndOnnxAutoPadAgrees()
    {
        return Prop.ForAll(Gens.Cases(TfProfile), c =>
        {
            var same = Enumerable.Range(0, c.Nd).Select(a => TfSame(c.L[a], c.K[a], c.S[a])).ToArray();
            var explicitCase = c with { Pb = same.Select(v => v.Pb).ToArray(), Pe = same.Select(v => v.Pe).ToArray() };
            var nhwc = Layout.ToChannelsLast(c.Tensor);
            string win = $"\"ksize\":{J(c.K)},\"strides\":{J(c.S)}";
            string pairs = "[[0,0]," + string.Join(",", same.Select(v => $"[{v.Pb},{v.Pe}]")) + ",[0,0]]";
            var sameMax = Eval("tf.nn.max_pool", $$"""{{{win}},"padding":"SAME"}""", "input", nhwc).Outputs["output"];
            var explMax = Eval("tf.nn.max_pool", $$"""{{{win}},"padding":{{pairs}}}""", "input", nhwc).Outputs["output"];
            Require(sameMax.Value.Shape[1..^1].SequenceEqual(same.Select(v => v.O)), () => $"SAME output {Tensor.ShapeText(sameMax.Value.Shape)}, want ceil(L/s) = {J(same.Select(v => v.O).ToArray())}");
            SameSelections(sameMax.Value.Data, explMax.Value.Data, null, "tf.nn.max_pool SAME vs explicit");
            // avg_pool has no explicit padding: compare with ONNX's exclude-pad average at the same explicit pads (channels-first).
            var sameAvg = Eval("tf.nn.avg_pool", $$"""{{{win}},"padding":"SAME"}""", "input", nhwc).Outputs["output"];
            var onnxAvg = Eval("onnx.AveragePool", OnnxJson(explicitCase), "X", c.Tensor).Outputs["Y"];
            WithinBound(Layout.Map(onnxAvg, Layout.ToChannelsLast), sameAvg.Value, "tf.nn.avg_pool SAME vs onnx explicit exclude-pad");
            // ONNX auto_pad SAME_UPPER is the same split; SAME_LOWER mirrors it.
            foreach (var (mode, lower) in new[] { ("SAME_UPPER", false), ("SAME_LOWER", true) })
            {
                var auto = Eval("onnx.MaxPool", $$"""{"kernel_shape":{{J(c.K)}},"strides":{{J(c.S)}},"auto_pad":"{{mode}}"}""", "X", c.Tensor).Outputs["Y"];
                var pads = lower ? explicitCase with { Pb = explicitCase.Pe, Pe = explicitCase.Pb } : explicitCase;
                var expl = Eval("onnx.MaxPool", OnnxJson(pads), "X", c.Tensor).Outputs["Y"];
                Require(auto.Value.Shape.SequenceEqual(expl.Value.Shape), () => $"{mode} shape {Tensor.ShapeText(auto.Value.Shape)} vs explicit {Tensor.ShapeText(expl.Value.Shape)}");
                SameSelections(auto.Value.Data, expl.Value.Data, null, $"onnx {mode} vs explicit");
            }
            return true;
        });
    }

    internal static readonly Profile WebNn2d = new([2], MaxDilation: 2, Pad: PadMode.TorchSymmetric);

    static string WebNnJson(Case c, string rounding, string layout = "nchw") =>
        $$"""{"windowDimensions":{{J(c.K)}},"padding":[{{c.Pb[0]}},{{c.Pe[0]}},{{c.Pb[1]}},{{c.Pe[1]}}],"strides":{{J(c.S)}},"dilations":{{J(c.D)}},"layout":"{{layout}}","outputShapeRounding":"{{rounding}}"}""";

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property WebNnFloorRounding_EqualsTorchFloorMode()
    {
        var profile = WebNn2d with { AllowCeil = false };
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var w = WebNnJson(c, "floor");
            var wm = Eval("webnn.maxPool2d", w, "input", c.Tensor).Outputs["output"];
            var tm = Eval("torch.max_pool2d", TorchMaxJson(c), "input", c.Tensor).Outputs["output"];
            SameSelections(wm.Value.Data, tm.Value.Data, wm.Unspecified, "max");
            if (c.D.All(d => d == 1))
            {
                var wa = Eval("webnn.averagePool2d", w, "input", c.Tensor).Outputs["output"];
                var ta = Eval("torch.avg_pool2d", TorchAvgJson(c, includePad: false), "input", c.Tensor).Outputs["output"];
                WithinBound(ta, wa.Value, "average (torch count_include_pad=False)");
                if (c.Pb.All(p => p == 0))
                {
                    // l2Pool2d = sqrt(Σx²) = PyTorch's lp_pool2d with p = 2 on full windows (x² needs no sign mode).
                    var wl = Eval("webnn.l2Pool2d", w, "input", c.Tensor).Outputs["output"];
                    var tl = Eval("torch.lp_pool2d", TorchLpJson(c, 2), "input", c.Tensor).Outputs["output"];
                    WithinBound(tl, wl.Value, "l2 vs lp_pool2d(p = 2)");
                }
            }
            return true;
        });
    }

    /// <summary>WebNN's ceil has no last-window drop; it equals PyTorch's ceil mode exactly when PyTorch drops nothing (then the output sizes agree).</summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property WebNnCeilRounding_EqualsTorchCeilMode_WhenPyTorchDropsNoWindow()
    {
        var profile = WebNn2d with { Extra = c => c.Ceil };
        var gen = Gens.CaseGen(WebNn2d).Select(c => c with { Ceil = true });
        return Prop.ForAll(Arb.From(gen, c => Gens.Shrink(profile, c)), c =>
        {
            bool drops = Enumerable.Range(0, 2).Any(a =>
                PoolGeometry.OutputSize(c.L[a], c.K[a], c.S[a], c.D[a], c.Pb[a], c.Pe[a], CeilRule.CeilTorchOnnx) !=
                PoolGeometry.OutputSize(c.L[a], c.K[a], c.S[a], c.D[a], c.Pb[a], c.Pe[a], CeilRule.CeilNoCorrection));
            var wm = Eval("webnn.maxPool2d", WebNnJson(c, "ceil"), "input", c.Tensor).Outputs["output"];
            var tm = Eval("torch.max_pool2d", TorchMaxJson(c), "input", c.Tensor).Outputs["output"];
            Require(drops != wm.Value.Shape.SequenceEqual(tm.Value.Shape), () => $"drops={drops}, webnn {Tensor.ShapeText(wm.Value.Shape)}, torch {Tensor.ShapeText(tm.Value.Shape)}");
            if (!drops) SameSelections(wm.Value.Data, tm.Value.Data, wm.Unspecified, "ceil max");
            return true;
        });
    }

    /// <summary>
    /// The same data in NCHW and NHWC: WebNN (three reductions), tf.nn.max_pool/avg_pool (both data formats) give the same values;
    /// tf.nn.max_pool_with_argmax's NHWC index <c>(h·W + w)·C + c (+ n·HWC)</c> names the same tap as ONNX's channels-first index.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property NchwAndNhwc_GiveTheSameValuesAndIndices()
    {
        var profile = new Profile([2], MaxDilation: 1, Pad: PadMode.None, AllowCeil: false, Families: FamilySets.NoNaN);
        var gen = from c in Gens.CaseGen(profile) from batchInIndex in Gen.Elements(false, true) select (c, batchInIndex);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.batchInIndex))), t =>
        {
            var (c, batchInIndex) = t;
            var nhwc = Layout.ToChannelsLast(c.Tensor);
            foreach (var op in new[] { "webnn.maxPool2d", "webnn.averagePool2d", "webnn.l2Pool2d" })
            {
                var a = Eval(op, WebNnJson(c, "floor"), "input", c.Tensor).Outputs["output"];
                var b = Eval(op, WebNnJson(c, "floor", "nhwc"), "input", nhwc).Outputs["output"];
                WithinBound(Layout.Map(a, Layout.ToChannelsLast), b.Value, op + " nchw vs nhwc");
            }
            string win = $"\"ksize\":{J(c.K)},\"strides\":{J(c.S)},\"padding\":\"SAME\"";
            foreach (var op in new[] { "tf.nn.max_pool", "tf.nn.avg_pool" })
            {
                var a = Eval(op, $$"""{{{win}},"data_format":"NCHW"}""", "input", c.Tensor).Outputs["output"];
                var b = Eval(op, $$"""{{{win}},"data_format":"NHWC"}""", "input", nhwc).Outputs["output"];
                WithinBound(Layout.Map(a, Layout.ToChannelsLast), b.Value, op + " NCHW vs NHWC");
            }
            var tf = Eval("tf.nn.max_pool_with_argmax", $$"""{{{win}},"include_batch_in_index":{{J(batchInIndex)}}}""", "input", nhwc);
            var same = Enumerable.Range(0, 2).Select(a => TfSame(c.L[a], c.K[a], c.S[a])).ToArray();
            var explicitCase = c with { Pb = same.Select(v => v.Pb).ToArray(), Pe = same.Select(v => v.Pe).ToArray() };
            var onnx = Eval("onnx.MaxPool", OnnxJson(explicitCase), "X", c.Tensor);
            var onnxY = Layout.ToChannelsLast(onnx.Outputs["Y"].Value);
            var onnxI = Layout.ToChannelsLast(onnx.Outputs["Indices"].Value);
            var (tv, ti) = (tf.Outputs["output"].Value, tf.Outputs["argmax"].Value);
            int hw = c.Plane, ch = c.C;
            for (int o = 0; o < tv.Data.Length; o++)
            {
                int oo = o;
                var co = tv.Unravel(o); // n, oh, ow, c
                long n = co[0], q = n * ch + co[3];
                long tfIdx = (long)ti.Data[o] - (batchInIndex ? n * hw * ch : 0);
                long perPlaneTf = tfIdx / ch, onnxPerPlane = (long)onnxI.Data[o] - q * hw;
                Require(SameBits(tv.Data[o], onnxY.Data[o]), () => $"output {oo}: tf {Fmt(tv.Data[oo])}, onnx {Fmt(onnxY.Data[oo])}");
                Require(tfIdx % ch == co[3] && perPlaneTf == onnxPerPlane,
                    () => $"output {oo}: tf argmax {ti.Data[oo]} → plane index {perPlaneTf} channel {tfIdx % ch}; onnx {onnxI.Data[oo]} → {onnxPerPlane} channel {co[3]}");
            }
            return true;
        });
    }
}
