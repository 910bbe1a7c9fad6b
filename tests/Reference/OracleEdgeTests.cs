using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Behaviour of the window-pooling core that ordinary inputs do not exercise (found by mutation testing, docs/mutation.md):
/// the compensated sum on cancelling input and its fallback on overflow, empty windows, the accumulation dtype reaching the
/// bound, the float32-versus-double decision of fractional pooling, ONNX MaxPool's Indices output by opset and for an
/// empty window, the defaults of ceil_mode and return_indices, the Lp bound's interval for p &lt; 1, the signed-zero
/// policy. Every expected value is worked out in the comments.
/// </summary>
[TestFixture]
public class OracleEdgeTests
{
    static readonly double U16 = Math.ScaleB(1, -11), U32 = Math.ScaleB(1, -24), Eta16 = Math.ScaleB(1, -24);

    // ---------------- AveragePool.Sum: Neumaier compensation ----------------

    [Test]
    public void Sum_Compensation_RecoversTheUnitLostTo1e16()
    {
        // 1e16 + 1 rounds to 1e16 (the spacing there is 2, the tie goes to the even 1e16), so the plain double sum of
        // [1e16, 1, −1e16, 1] is 1; Neumaier keeps the lost 1 in the correction: the exact sum 2.
        var (sum, abs, ints) = AveragePool.Sum([1e16, 1, -1e16, 1], 0, [0, 1, 2, 3]);
        Assert.That(sum, Is.EqualTo(2.0));
        Assert.That(abs, Is.EqualTo(2e16 + 2));
        Assert.That(ints, Is.True);
        // the same order with the small terms first: 1 + 1 = 2, 2 + 1e16 rounds to 1e16 + 2 exactly, − 1e16 → 2.
        Assert.That(AveragePool.Sum([1, 1, 1e16, -1e16], 0, [0, 1, 2, 3]).Sum, Is.EqualTo(2.0));
        // the correction's other branch (a term larger than the running sum): [1, 1e16, −1e16]. 1 + 1e16 rounds to 1e16 and the
        // lost 1 is recovered as (v − u) + s = (1e16 − 1e16) + 1 — the form (s − u) + v would give (1 − 1e16) + 1e16 = 0, since
        // 1 − 1e16 itself rounds to −1e16. Exact sum 1.
        Assert.That(AveragePool.Sum([1, 1e16, -1e16], 0, [0, 1, 2]).Sum, Is.EqualTo(1.0));
        // offset and tap order: taps 1..4 of [9, 1e16, 1, −1e16, 1].
        Assert.That(AveragePool.Sum([9, 1e16, 1, -1e16, 1], 1, [0, 1, 2, 3]).Sum, Is.EqualTo(2.0));
    }

    [Test]
    public void TorchAvgPool_Float64_MeanOfCancellingWindowIsExact()
    {
        // avg over k = 4 of [1e16, 1, −1e16, 1] in float64: 2/4 = 0.5 (the uncompensated sum would give 0.25).
        var x = T([1, 1, 4], 1e16, 1, -1e16, 1);
        Check.Exact(Check.V(Eval("torch.avg_pool1d", """{"kernel_size": 4}""", x)), [0.5]);
    }

    [Test]
    public void Sum_Overflow_FallsBackToThePlainSum()
    {
        // With an infinite partial sum the correction becomes NaN (∞ − ∞); the sum returned is the plain one, ±∞.
        Assert.That(AveragePool.Sum([double.PositiveInfinity, 1], 0, [0, 1]).Sum, Is.EqualTo(double.PositiveInfinity));
        Assert.That(AveragePool.Sum([1e308, 1e308], 0, [0, 1]).Sum, Is.EqualTo(double.PositiveInfinity));
        Assert.That(AveragePool.Sum([-1e308, -1e308, 5], 0, [0, 1, 2]).Sum, Is.EqualTo(double.NegativeInfinity));
        Assert.That(AveragePool.Sum([1, 2, 3.5], 0, [0, 1, 2]), Is.EqualTo((6.5, 6.5, false)));
    }

    // ---------------- AveragePool.Apply: empty windows and the accumulation dtype ----------------

    [TestCase(EmptyWindow.Zero, 0.0)]
    [TestCase(EmptyWindow.NegativeInfinity, double.NegativeInfinity)]
    public void Average_ZeroDivisor_GivesTheEmptyValue(EmptyWindow empty, double want)
    {
        // One window with no tap and an exclude-pad divisor 0, then a normal window [x0, x1] = (2 + 4)/2 = 3.
        var x = T([1, 1, 2], 2, 4);
        var sem = PoolSemantics.Generic with { Divisor = DivisorPolicy.ExcludePad, EmptyAverage = empty };
        Window[] ws = [new(0, [], 0, 2, 2), new(1, [0, 1], 2, 2, 2)];
        var e = AveragePool.Apply(x, ws, [2], sem, 0, "y");
        Check.Exact(e.Value.Data, [want, 3]);
        Assert.That(e.Unspecified, Is.Null, "a defined empty value is not unspecified");
    }

    [Test]
    public void Average_ZeroOverrideDivisor_UnderUnspecified_IsNaNAndUnspecified()
    {
        var x = T([1, 1, 2], 2, 4);
        var sem = PoolSemantics.Onnx with { Divisor = DivisorPolicy.Override };
        var e = AveragePool.Apply(x, [new Window(0, [0, 1], 2, 2, 2)], [1], sem, 0, "y");
        Assert.That(double.IsNaN(e.Value.Data[0]));
        Assert.That(e.Unspecified, Is.EqualTo(new[] { true }));
    }

    [Test]
    public void Average_AccumulationDtype_EntersTheBound()
    {
        // float16 input [0.5, 0.25, 0.125], one window, divisor 3: A = 0.875/3, mean 0.875/3, not integers → inexact regime.
        // bound = 5·u_acc·A + 2·u_out·|mean| + 5·η (ErrorBounds.Average, TESTING.md §3.2) with u_out = 2^−11, η = 2^−24.
        var x = new Tensor(DType.Float16, [1, 1, 3], [0.5, 0.25, 0.125]);
        Window[] ws = [new(0, [0, 1, 2], 3, 3, 3)];
        double a = 0.875 / 3;
        var sem = PoolSemantics.Generic;
        var own = AveragePool.Apply(x, ws, [1], sem, 0, "y");
        var f32 = AveragePool.Apply(x, ws, [1], sem, 0, "y", DType.Float32);
        Assert.That(own.Bound![0], Is.EqualTo(5 * U16 * a + 2 * U16 * a + 5 * Eta16).Within(1e-18), "accumulating in float16");
        Assert.That(f32.Bound![0], Is.EqualTo(5 * U32 * a + 2 * U16 * a + 5 * Eta16).Within(1e-18), "accumulating in float32");
    }

    // ---------------- LpPool.Apply ----------------

    [Test]
    public void Lp_EmptyWindow_IsZero_EvenWithTorchInflation()
    {
        // An empty window gives 0 (LpPool's definition) — not (0 · Πk/0)^{1/p} = NaN.
        var x = T([1, 1, 2], 3, 4);
        Window[] ws = [new(0, [], 0, 0, 2), new(1, [0, 1], 2, 2, 2)];
        var e = LpPool.Apply(x, ws, [2], PoolSemantics.Torch, 2, "y");
        Check.Close(e.Value.Data, [0, 5], 1e-15);   // √(9 + 16) = 5
    }

    [Test]
    public void Lp_NoWindows_GivesAnEmptyOutput()
    {
        // A problem with zero output cells (output shape 0): nothing to compute, an empty tensor of shape N×C×0.
        var e = LpPool.Apply(T([1, 1, 2], 3, 4), [], [0], PoolSemantics.Generic, 2, "y");
        Assert.That(e.Value.Shape, Is.EqualTo(new[] { 1, 1, 0 }));
        Assert.That(e.Value.Data, Is.Empty);
    }

    [TestCase(0.0)]
    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void Lp_NonPositiveOrNonFiniteP_IsRefused(double p)
    {
        var x = T([1, 1, 2], 3, 4);
        var ex = Assert.Throws<InvalidParameterException>(() => LpPool.Apply(x, [new Window(0, [0, 1], 2, 2, 2)], [1], PoolSemantics.Generic, p, "y"));
        Assert.That(ex!.Field, Is.EqualTo("p"));
        Assert.That(ex.Message, Does.Contain("p must be a finite positive number, got"));
    }

    [Test]
    public void Lp_AccumulationDtype_NarrowsTheBound()
    {
        // float16 [0.5, 0.25], p = 2: terms 0.25 + 0.0625 (not integers). Accumulating in float32 instead of float16 must give a
        // strictly smaller bound (u_acc 2^−24 vs 2^−11 in both the sum and the root terms); float16 declared = the default.
        var x = new Tensor(DType.Float16, [1, 1, 2], [0.5, 0.25]);
        Window[] ws = [new(0, [0, 1], 2, 2, 2)];
        var own = LpPool.Apply(x, ws, [1], PoolSemantics.Generic, 2, "y").Bound![0];
        var f16 = LpPool.Apply(x, ws, [1], PoolSemantics.Generic, 2, "y", DType.Float16).Bound![0];
        var f32 = LpPool.Apply(x, ws, [1], PoolSemantics.Generic, 2, "y", DType.Float32).Bound![0];
        Assert.That(f16, Is.EqualTo(own));
        Assert.That(f32, Is.LessThan(own * 0.6));
    }

    [Test]
    public void ErrorBoundsLp_PBelowOne_UsesTheUpperEndOfTheInterval()
    {
        // p = 0.5, float16, n = 2, Σ|t| = 1, Z = 1, inexact: c_pow = c_root = 8, δZ = (1 + 8)·u = 9u, y = Z² = 1.
        // The root z ↦ z² is convex, so the interval's upper end is the farther: (1 + 9u)² − 1 = 18u + 81u²,
        // against 1 − (1 − 9u)² = 18u − 81u². Bound = 18u + 81u² + (8u + 2u)·1 + (2 + 2)·η.
        double u = U16;
        Assert.That(ErrorBounds.Lp(2, 1, 1, 0.5, 1, false, DType.Float16, DType.Float16),
            Is.EqualTo(28 * u + 81 * u * u + 4 * Eta16).Within(1e-15));
    }

    // ---------------- fractional max pooling: float32 vs double starts ----------------

    [Test]
    public void FractionalStarts_Float32AndDoubleDiffer_WhereTheProductIsAnInteger()
    {
        // L = 11, O = 4, k = 1, u = 0.1: α = 10/3. In reals (2 + u)·α = 2.1 · 10/3 = 7 exactly, so the rounding decides:
        // double: α = 3.3333333333333335 (above), 2.1 = 2.100000000000000089 (above) → 7.000000000000001 → 7;
        // float32: α = 3.3333333 (3.33333325…, below), 0.1f = 0.100000001490116, 2 + 0.1f rounds to 2.0999999 (2.09999990…) → product
        // 6.9999995… → 6. u·α < 1 in both, (1 + u)·α ≈ 3.67 → 3. Starts: double [0, 3, 7, 10], float32/float16 [0, 3, 6, 10].
        // (Cross-checked with a float32 emulation in Python's struct module, independent of this code.)
        Assert.That(FractionalMaxPool.Starts(0.1, 11, 4, 1, DType.Float64), Is.EqualTo(new[] { 0, 3, 7, 10 }));
        Assert.That(FractionalMaxPool.Starts(0.1, 11, 4, 1, DType.Float32), Is.EqualTo(new[] { 0, 3, 6, 10 }));
        Assert.That(FractionalMaxPool.Starts(0.1, 11, 4, 1, DType.Float16), Is.EqualTo(new[] { 0, 3, 6, 10 }));
    }

    [Test]
    public void FractionalMaxPool2d_DtypeOfTheInputPicksTheArithmetic()
    {
        // 1×11 ramp (value = column), k = 1, output 1×4, u_W = 0.1: the output is the start columns themselves.
        const string P = """{"kernel_size": 1, "output_size": [1, 4]}""";
        var r64 = Eval("torch.fractional_max_pool2d", P, ("input", Ramp([1, 1, 1, 11], dtype: DType.Float64)), ("samples", T([1, 1, 2], 0.1, 0)));
        Check.Exact(Check.V(r64), [0, 3, 7, 10]);
        var r32 = Eval("torch.fractional_max_pool2d", P, ("input", Ramp([1, 1, 1, 11])), ("samples", T32([1, 1, 2], 0.1, 0)));
        Check.Exact(Check.V(r32), [0, 3, 6, 10]);
    }

    [Test]
    public void FractionalMaxPool2d_FourPlanes_EachWithItsSamples()
    {
        // N = 2, C = 2, each plane 1×6 (value 6q + column), k = 1, output 1×3: α = 5/2.
        // u = 0 → starts [0, trunc(2.5) = 2, 5]; u = 0.3 → [0, trunc(1.3·2.5 = 3.25) − trunc(0.75) = 3, 5].
        var x = Ramp([2, 2, 1, 6]);
        var s = T32([2, 2, 2], 0, 0, 0.3, 0, 0, 0, 0.3, 0);
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 1, "output_size": [1, 3], "return_indices": true}""", ("input", x), ("samples", s));
        Check.Exact(Check.V(r), [0, 2, 5, 6, 9, 11, 12, 14, 17, 18, 21, 23]);
        Check.Exact(Check.V(r, "indices"), [0, 2, 5, 0, 3, 5, 0, 2, 5, 0, 3, 5]);
    }

    [Test]
    public void FractionalMaxPool2d_EmptyBatch_GivesEmptyOutputAndNoWindows()
    {
        // N = 0 is a valid PyTorch batch: output 0×1×2×2, nothing to explain.
        var r = Eval("torch.fractional_max_pool2d", """{"kernel_size": 1, "output_size": 2}""", ("input", Ramp([0, 1, 4, 4])), ("samples", T32([0, 1, 2])));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 0, 1, 2, 2 }));
        Assert.That(Check.V(r), Is.Empty);
        Assert.That(r.Windows, Is.Null);
    }

    // ---------------- onnx.MaxPool Indices ----------------

    [Test]
    public void OnnxMaxPool_IndicesExistFromOpset8()
    {
        // MaxPool-8 added the optional Indices output; MaxPool-1 has Y only. Never a default output.
        var x = Ramp([1, 1, 4]);
        var r7 = Eval("onnx.MaxPool", """{"kernel_shape": [2], "strides": [2], "opset": 7}""", x, "X");
        Assert.That(r7.Outputs.Keys, Is.EqualTo(new[] { "Y" }));
        var r8 = Eval("onnx.MaxPool", """{"kernel_shape": [2], "strides": [2], "opset": 8}""", x, "X");
        Assert.That(r8.Outputs.Keys, Is.EquivalentTo(new[] { "Y", "Indices" }));
        Assert.That(r8.DefaultOutputs, Is.EqualTo(new[] { "Y" }));
        Check.Exact(Check.V(r8, "Indices"), [1, 3]);
        Assert.That(Check.E(r8, "Indices").IsIndex, Is.True);
        Assert.That(Check.E(r8, "Indices").Value.DType, Is.EqualTo(DType.Int64));
    }

    [Test]
    public void OnnxMaxPool_EmptyWindow_IndexIsMinusOneAndUnspecified()
    {
        // L = 1, k = 2, pads (2, 0): O = (1 + 2 − 2)/1 + 1 = 2; window 0 = [−2, −1] is all padding (unspecified in ONNX),
        // window 1 = [−1, 0] holds x0. Indices: −1 (the oracle's marker, not compared), then 0.
        var r = Eval("onnx.MaxPool", """{"kernel_shape": [2], "pads": [2, 0]}""", T([1, 1, 1], 5), "X");
        var idx = Check.E(r, "Indices");
        Check.Exact(idx.Value.Data, [-1, 0]);
        Assert.That(idx.Unspecified, Is.EqualTo(new[] { true, false }));
        Assert.That(Check.Unspecified(r, "Y"), Is.EqualTo(new[] { true, false }));
        Assert.That(Check.V(r, "Y")[1], Is.EqualTo(5));
    }

    [Test]
    public void OnnxMaxPool_3d_StorageOrder1_IsColumnMajorInsideThePlane_PlusPlaneOffset()
    {
        // N = 1, C = 2, 2×2×2 per plane (value 8q + 4t + 2h + w), k = (1, 2, 2): windows at t = 0 and t = 1, each won by (t, 1, 1).
        // Row-major in-plane index 4t + 2 + 1 → 3, 7; column-major t + h·T + w·T·H = t + 2 + 4 → 6, 7; plane 1 adds Π = 8.
        var x = Ramp([1, 2, 2, 2, 2]);
        var rm = Eval("onnx.MaxPool", """{"kernel_shape": [1, 2, 2]}""", x, "X");
        Check.Exact(Check.V(rm, "Indices"), [3, 7, 11, 15]);
        var cm = Eval("onnx.MaxPool", """{"kernel_shape": [1, 2, 2], "storage_order": 1}""", x, "X");
        Check.Exact(Check.V(cm, "Indices"), [6, 7, 14, 15]);
        Check.Exact(Check.V(cm, "Y"), [3, 7, 11, 15]);
    }

    // ---------------- torch defaults ----------------

    [TestCase("torch.max_pool1d", """{"kernel_size": 2}""")]
    [TestCase("torch.avg_pool1d", """{"kernel_size": 2}""")]
    [TestCase("torch.lp_pool1d", """{"norm_type": 1, "kernel_size": 2}""")]
    public void Torch_CeilModeDefaultsToFloor(string op, string json)
    {
        // L = 5, k = s = 2: floor gives (5 − 2)/2 + 1 = 2 outputs; ceil would give 3.
        Assert.That(Check.S(Eval(op, json, Ramp([1, 1, 5]))), Is.EqualTo(new[] { 1, 1, 2 }));
        var ceil = json.Replace("}", ", \"ceil_mode\": true}");
        Assert.That(Check.S(Eval(op, ceil, Ramp([1, 1, 5]))), Is.EqualTo(new[] { 1, 1, 3 }));
    }

    [Test]
    public void Torch_ReturnIndicesDefaultsToFalse()
    {
        var x = Ramp([1, 1, 4, 4]);
        Assert.That(Eval("torch.max_pool2d", """{"kernel_size": 2}""", x).DefaultOutputs, Is.EqualTo(new[] { "output" }));
        Assert.That(Eval("torch.max_pool2d", """{"kernel_size": 2, "return_indices": true}""", x).DefaultOutputs, Is.EqualTo(new[] { "output", "indices" }));
        Assert.That(Eval("torch.adaptive_max_pool2d", """{"output_size": 2}""", x).DefaultOutputs, Is.EqualTo(new[] { "output" }));
        Assert.That(Eval("torch.adaptive_max_pool2d", """{"output_size": 2, "return_indices": true}""", x).DefaultOutputs,
            Is.EqualTo(new[] { "output", "indices" }));
        var s = ("samples", T32([1, 1, 2], 0.5, 0.5));
        Assert.That(Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 2}""", ("input", x), s).DefaultOutputs,
            Is.EqualTo(new[] { "output" }));
        Assert.That(Eval("torch.fractional_max_pool2d", """{"kernel_size": 2, "output_size": 2, "return_indices": true}""", ("input", x), s).DefaultOutputs,
            Is.EqualTo(new[] { "output", "indices" }));
    }

    // ---------------- MaxPool: signed zero ----------------

    [Test]
    public void MaxPool_PositiveGreater_PrefersPlusZeroOverMinusZero()
    {
        // Under SignedZeroPolicy.PositiveGreater +0 beats −0 (and only that tie): [−0, +0] → +0 at tap 1; [+0, −0] → +0 at tap 0.
        var sem = PoolSemantics.Generic with { SignedZero = SignedZeroPolicy.PositiveGreater };
        var (v, i, empty) = MaxPool.Reduce([-0.0, 0.0], 0, [0, 1], sem, DType.Float32);
        Assert.That((i, double.IsNegative(v), empty), Is.EqualTo((1L, false, false)));
        (v, i, _) = MaxPool.Reduce([0.0, -0.0], 0, [0, 1], sem, DType.Float32);
        Assert.That((i, double.IsNegative(v)), Is.EqualTo((0L, false)));
        // −0 then −0: no replacement; 1 then +0 / −0: a zero never beats a positive max.
        (_, i, _) = MaxPool.Reduce([-0.0, -0.0], 0, [0, 1], sem, DType.Float32);
        Assert.That(i, Is.EqualTo(0L));
        (v, i, _) = MaxPool.Reduce([1.0, 0.0], 0, [0, 1], sem, DType.Float32);
        Assert.That((v, i), Is.EqualTo((1.0, 0L)));
        // FirstWins: [−0, +0] keeps −0 at tap 0.
        (v, i, _) = MaxPool.Reduce([-0.0, 0.0], 0, [0, 1], PoolSemantics.Generic, DType.Float32);
        Assert.That((i, double.IsNegative(v)), Is.EqualTo((0L, true)));
    }
    // ---------------- avg_pool3d's input-size check, Lp's exact regime ----------------

    [Test]
    public void TorchAvgPool_OnlyThe3dFormChecksInputAgainstKernel()
    {
        // 3-D: an input equal to the kernel on every axis is accepted (one window, the mean of 0..7 = 3.5) ...
        Check.Exact(Check.V(Eval("torch.avg_pool3d", """{"kernel_size": 2}""", Ramp([1, 1, 2, 2, 2], dtype: DType.Float64))), [3.5]);
        // ... one cell short on the last axis is refused (even though padding 1 would make room) ...
        Assert.Throws<InvalidParameterException>(() =>
            Eval("torch.avg_pool3d", """{"kernel_size": 2, "padding": 1}""", Ramp([1, 1, 2, 2, 1], dtype: DType.Float64)));
        // ... while 2-D lets padding make room: 1×1 input, k = 2, pad 1 → one window [−1, 0]², x0 = 8 over the include-pad divisor 4.
        Check.Exact(Check.V(Eval("torch.avg_pool2d", """{"kernel_size": 2, "padding": 1}""", T([1, 1, 1, 1], 8))), [2]);
    }

    [Test]
    public void OnnxLpPool_IntegerInputIntegerP_IsTheExactRegime()
    {
        // float64 [3, 4], p = 2: 9 + 16 = 25 is exact (integers, Σ ≤ 2^53), so δZ = 0 and the bound is only the root's and the
        // output's roundings: (c_root·u + 2·u)·5 + (2 + 2)·η = 15u + 4η with u = 2^−53, η = 2^−1074.
        var e = Check.E(Eval("onnx.LpPool", """{"kernel_shape": [2]}""", T([1, 1, 2], 3, 4), "X"), "Y");
        Check.Exact(e.Value.Data, [5]);
        Assert.That(e.Bound![0], Is.EqualTo(15 * Math.ScaleB(1, -53) + 4 * double.Epsilon).Within(1e-20));
        // p = 2.5 on the same integers: x^p is not an integer, so the sum is not exact. The roundings alone give (8u + 2u)·y;
        // δZ = (1 + 8)·u·Z with Z = 3^2.5 + 4^2.5 ≈ 47.59 adds ≈ (1/p)·y·9u ≈ 3.6u·y through the root, so the bound exceeds 12u·y.
        var f = Check.E(Eval("onnx.LpPool", """{"kernel_shape": [2], "p": 2.5, "opset": 1}""", T([1, 1, 2], 3, 4), "X"), "Y");
        Assert.That(f.Bound![0], Is.GreaterThan(12 * Math.ScaleB(1, -53) * f.Value.Data[0]));
    }
}
