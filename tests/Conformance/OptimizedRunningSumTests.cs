using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Planning;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The exact running-sum path of stride-1 averages (<see cref="RunningSumDriver"/>): taken where the plan and the input's
/// statistics allow it (<see cref="RunningSumDriver.TakesRunningSumPath"/>) and not elsewhere; within the oracle's derived bound
/// on every dialect's stride-1 average (PyTorch count_include_pad, ceil_mode, divisor_override; ONNX count_include_pad and
/// asymmetric pads; TensorFlow SAME/VALID in both data formats; WebNN); NCHW and NHWC bit-identical and 1 and 2 threads alike on
/// both paths; a hand-computed case; and the counterexample that rules out a float32 running sum. Expected values come from
/// the reference oracle, from hand computation, or from an independent naive implementation written here.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedRunningSumTests
{
    // ------------------------------------------------------------------------------------------------ data

    /// <summary>Float32-representable NCHW data: integers, dyadic fractions, uniform and normal floats, and the fallback families.</summary>
    static Tensor Fill(string fixture, int[] shape, ulong seed)
    {
        var rng = new SplitMix64(seed);
        double U() => rng.NextDouble();
        var d = new double[Tensor.ElementCount(shape)];
        for (int i = 0; i < d.Length; i++)
            d[i] = fixture switch
            {
                "int" => Math.Floor(U() * 17) - 8,
                "dyadic" => Math.Floor(U() * 8192 - 4096) / 1024,              // multiples of 2^-10 in [-4, 4)
                "uniform" => (float)(U() * 2 - 1),
                "normal" => (float)(Math.Sqrt(-2 * Math.Log(1 - U())) * Math.Cos(2 * Math.PI * U())),
                "nan" => i % 37 == 5 ? double.NaN : (float)(U() * 2 - 1),
                "inf" => i % 41 == 3 ? double.PositiveInfinity : (float)(U() * 2 - 1),
                "wide" => i % 2 == 0 ? (float)(1e30 * (U() + 0.5)) : (float)(1e-30 * (U() + 0.5)),
                "negzero" => i % 11 == 0 ? -0.0 : (float)(U() * 2 - 1),
                _ => throw new ArgumentException(fixture),
            };
        return new Tensor(DType.Float32, shape, d);
    }

    static readonly string[] Exact = ["int", "dyadic", "uniform", "normal"];
    static readonly string[] Fallback = ["nan", "inf", "wide", "negzero"];

    static int[] Bits(float[] y) => y.Select(v => float.IsNaN(v) ? -1 : BitConverter.SingleToInt32Bits(v)).ToArray();

    static float[] Floats(Tensor t) => t.Data.Select(v => (float)v).ToArray();

    static KernelEntry Kernel(int rank, TensorLayout layout) =>
        KernelRegistry.All.Single(k => k.Kind == KernelKind.Window && k.Reduction == Reduction.Average && k.Rank == rank && k.Layout == layout);

    /// <summary>Runs the average kernel of a layout on an NCHW tensor (transposed for NHWC); returns NCHW float32 values.</summary>
    static float[] Run(PoolPlan plan, Tensor x, TensorLayout layout, int threads)
    {
        int n = x.Shape[0], c = x.Shape[1], rank = x.Rank - 2;
        var input = layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x;
        var y = new float[n * c * plan.OutputPlane];
        Array.Fill(y, BitConverter.Int32BitsToSingle(0x7FA5A5A5));
        Kernel(rank, layout).Run(plan, n, c, Floats(input), y, null, threads);
        foreach (var v in y) Assert.That(BitConverter.SingleToInt32Bits(v), Is.Not.EqualTo(0x7FA5A5A5), "an output was never written");
        if (layout == TensorLayout.Nchw) return y;
        int[] outSpatial = rank == 2 ? [plan.OH, plan.OW] : [plan.OW];
        return Floats(Layout.ToChannelsFirst(new Tensor(DType.Float32, [n, .. outSpatial, c], y.Select(v => (double)v).ToArray())));
    }

    /// <summary>The running path called directly, whatever <see cref="RunningSumDriver.MinWindowTaps"/> says (it must admit the input); NCHW values.</summary>
    static float[] Forced(PoolPlan plan, Tensor x, TensorLayout layout, int threads = 1)
    {
        int n = x.Shape[0], c = x.Shape[1], rank = x.Rank - 2;
        var input = Floats(layout == TensorLayout.Nhwc ? Layout.ToChannelsLast(x) : x);
        var y = new float[n * c * plan.OutputPlane];
        bool ran = layout == TensorLayout.Nchw ? RunningSumDriver.Nchw(plan, n * c, input, y, threads) : RunningSumDriver.Nhwc(plan, n, c, input, y, threads);
        Assert.That(ran, Is.True, "the running path must admit this input");
        if (layout == TensorLayout.Nchw) return y;
        int[] outSpatial = rank == 2 ? [plan.OH, plan.OW] : [plan.OW];
        return Floats(Layout.ToChannelsFirst(new Tensor(DType.Float32, [n, .. outSpatial, c], y.Select(v => (double)v).ToArray())));
    }

    static Tensor AsTensor(float[] y, int[] shape) => new(DType.Float32, shape, y.Select(v => (double)v).ToArray());

    static PoolDescriptor Describe(int[] sizes, int[] k, int[] padB, int[] padE, PoolSemantics sem, bool ceil = false, int stride = 1, int dilation = 1, double divisor = 7) =>
        new(Reduction.Average, sizes.Select((l, a) => PoolGeometry.Explicit(l, k[a], stride, dilation, padB[a], padE[a], ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor)).ToArray(),
            sem, 2, DivisorOverride: sem.Divisor == DivisorPolicy.Override ? divisor : 0);

    // ------------------------------------------------------------------------------------------------ dialects

    public sealed record DialectCase(string Name, string Op, string Json, int[] Shape, string Input, bool ChannelsLast = false)
    {
        public override string ToString() => Name;
    }

    static readonly DialectCase[] Dialects =
    [
        new("torch_k7p3_cip", "torch.avg_pool2d", "{\"kernel_size\":7,\"stride\":1,\"padding\":3}", [2, 3, 11, 40], "input"),
        new("torch_k7p3_nocip", "torch.avg_pool2d", "{\"kernel_size\":7,\"stride\":1,\"padding\":3,\"count_include_pad\":false}", [1, 4, 9, 21], "input"),
        new("torch_k7x9p2_ceil", "torch.avg_pool2d", "{\"kernel_size\":[7,9],\"stride\":1,\"padding\":[2,4],\"ceil_mode\":true}", [1, 3, 8, 17], "input"),
        new("torch_k7p3_ceil_nocip", "torch.avg_pool2d", "{\"kernel_size\":7,\"stride\":1,\"padding\":3,\"ceil_mode\":true,\"count_include_pad\":false}", [1, 2, 12, 33], "input"),
        new("torch_k7_override7", "torch.avg_pool2d", "{\"kernel_size\":7,\"stride\":1,\"padding\":3,\"divisor_override\":7}", [1, 3, 7, 33], "input"),
        new("torch_k7_override_neg3", "torch.avg_pool2d", "{\"kernel_size\":7,\"stride\":1,\"divisor_override\":-3}", [1, 2, 9, 12], "input"),
        new("torch_1d_k49p24", "torch.avg_pool1d", "{\"kernel_size\":49,\"stride\":1,\"padding\":24}", [2, 3, 70], "input"),
        new("onnx_k7_cip0", "onnx.AveragePool", "{\"kernel_shape\":[7,7],\"pads\":[3,3,3,3]}", [1, 3, 10, 40], "X"),
        new("onnx_k7_cip1", "onnx.AveragePool", "{\"kernel_shape\":[7,7],\"pads\":[3,3,3,3],\"count_include_pad\":1}", [1, 3, 10, 18], "X"),
        new("onnx_k7x8_asym_ceil", "onnx.AveragePool", "{\"kernel_shape\":[7,8],\"pads\":[1,3,5,0],\"ceil_mode\":1,\"count_include_pad\":1}", [1, 2, 9, 23], "X"),
        new("onnx_k7_pads_past_half", "onnx.AveragePool", "{\"kernel_shape\":[7,7],\"pads\":[6,0,0,6]}", [1, 2, 9, 20], "X"),
        new("tf_k7_same_nhwc", "tf.nn.avg_pool", "{\"ksize\":7,\"strides\":1,\"padding\":\"SAME\"}", [1, 9, 20, 5], "input", true),
        new("tf_k8_same_nchw", "tf.nn.avg_pool", "{\"ksize\":8,\"strides\":1,\"padding\":\"SAME\",\"data_format\":\"NCHW\"}", [1, 3, 10, 41], "input"),
        new("tf_k7_valid_nhwc", "tf.nn.avg_pool", "{\"ksize\":7,\"strides\":1,\"padding\":\"VALID\"}", [2, 9, 19, 3], "input", true),
        new("webnn_k7_nchw", "webnn.averagePool2d", "{\"windowDimensions\":[7,7],\"padding\":[3,3,3,3],\"strides\":[1,1]}", [1, 3, 9, 37], "input"),
        new("webnn_k7x9_nhwc_ceil", "webnn.averagePool2d", "{\"windowDimensions\":[7,9],\"padding\":[1,2,3,0],\"strides\":[1,1],\"layout\":\"nhwc\",\"outputShapeRounding\":\"ceil\"}", [1, 9, 21, 4], "input", true),
    ];

    public static IEnumerable<TestCaseData> DialectCases() => Dialects.Select(d => new TestCaseData(d).SetName($"RunningSum_{d.Name}"));

    static CaseSpec Case(DialectCase d, IEnumerable<string> outputs) =>
        new("runsum-test", d.Op, JsonDocument.Parse(d.Json).RootElement.Clone(), new Dictionary<string, string>(), outputs.ToList(), null);

    /// <summary>
    /// Every stride-1 average spelling of the suite's dialects, on integer, dyadic, uniform and normal data: the running path is
    /// taken (predicate on the plan the backend builds), the backend's outputs are within the oracle's derived bound, 1 and 2
    /// threads give the same bits; and on the fallback families (NaN, ∞, 1e30 next to 1e−30, −0) the path is not taken and the
    /// outputs still pass.
    /// </summary>
    [TestCaseSource(nameof(DialectCases))]
    public void Dialect_TakesThePathWhereAllowed_AndMatchesTheReference(DialectCase d)
    {
        int taken = 0, fellBack = 0;
        foreach (var fixture in Exact.Concat(Fallback))
        {
            var x = Fill(fixture, d.Shape, (ulong)(d.Name.Length * 131 + Array.IndexOf(Exact.Concat(Fallback).ToArray(), fixture)));
            var inputs = new Dictionary<string, Tensor> { [d.Input] = x };
            var expected = OpRegistry.Find(d.Op)!.Evaluate(d.Json, inputs);
            var c = Case(d, expected.Outputs.Keys);
            var wp = CasePlanner.Plan(c, inputs);
            var plan = PoolPlan.From(wp);
            RunningSumDriver.OptIn(plan); // whatever MinWindowTaps says; the backend's own plan below follows it
            bool takes = RunningSumDriver.TakesRunningSumPath(plan, wp.X, wp.X.Length);
            string what = $"{d.Name} fixture {fixture} [{Cascade.Name(Cascade.Widest)}]";
            if (Exact.Contains(fixture)) Assert.That(takes, Is.True, $"the running path must serve {what} (T = {RunningSumDriver.Terms(plan)})");
            else Assert.That(takes, Is.False, $"{what} must fall back");
            if (takes) taken++; else fellBack++;
            // The planned case through its registry kernel (as the backend runs it) at 1 and 2 threads, and the backend itself.
            var kernel = OptimizedBackend.KernelFor(wp, plan);
            float[] RunPlanned(int threads)
            {
                var y = new float[wp.OutputElements];
                kernel.Run(plan, wp.N, wp.C, wp.X, y, null, threads);
                return y;
            }
            var y1 = RunPlanned(1);
            Assert.That(Bits(RunPlanned(2)), Is.EqualTo(Bits(y1)), $"2 threads differ from 1: {what}");
            var (name, exp) = expected.Outputs.Single();
            var cmp = OutputComparer.Compare(exp, AsTensor(y1, wp.OutputShape), Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
            var backend = OptimizedBackend.Run(c, inputs, 2);
            var cmpBackend = OutputComparer.Compare(exp, backend[name], Tolerance.Derived);
            Assert.That(cmpBackend.Passed, Is.True, $"backend: {cmpBackend.Describe()}\n  {what}");
        }
        Assert.That((taken, fellBack), Is.EqualTo((Exact.Length, Fallback.Length)));
    }

    // ------------------------------------------------------------------------------------------------ layouts and threads

    public static IEnumerable<TestCaseData> LayoutCases()
    {
        var sems = new (string, PoolSemantics)[]
        {
            ("includepad", PoolSemantics.Torch), ("excludepad", PoolSemantics.Onnx),
            ("override", PoolSemantics.Torch with { Divisor = DivisorPolicy.Override }), ("fullkernel", PoolSemantics.Onnx with { Divisor = DivisorPolicy.FullKernel }),
        };
        foreach (var (name, sem) in sems) yield return new TestCaseData(name, sem).SetName($"RunningSum_Layouts_{name}");
    }

    /// <summary>
    /// NCHW and NHWC give identical bits and 1 and 2 threads too, on the running path (exact families) and on the fallback path
    /// (NaN, ∞, wide range, −0), over widths around every vector width (the overlapping last vectors of the float64 passes),
    /// channel counts around them (the channel tails of NHWC), pads 0 to 3 on either side and ceil; every output within the bound.
    /// </summary>
    [TestCaseSource(nameof(LayoutCases))]
    public void Layouts_AndThreadCounts_GiveIdenticalBits_OnBothPaths(string name, PoolSemantics sem)
    {
        int[] widths = [9, 10, 15, 16, 17, 23, 24, 31, 32, 33, 40, 47];
        int[] channels = [1, 3, 4, 7, 8, 9, 16, 17, 33];
        var fixtures = Exact.Concat(Fallback).ToArray();
        int running = 0, fixedOrder = 0, i = 0;
        foreach (int w in widths)
        {
            int h = 7 + i % 4, k = 7 + i % 3, pb = i % 4, pe = (i / 2) % 4, c = channels[i % channels.Length];
            string fixture = fixtures[i % fixtures.Length];
            bool ceil = i % 3 == 1;
            i++;
            PoolDescriptor desc;
            try { desc = Describe([h, w], [k, k], [pb, pe], [pe, pb], sem, ceil); }
            catch (InvalidParameterException) { continue; }
            var x = Fill(fixture, [2, c, h, w], (ulong)(w * 1009 + c));
            var plan = new PoolPlan(desc);
            RunningSumDriver.OptIn(plan);
            bool takes = RunningSumDriver.TakesRunningSumPath(plan, Floats(x), x.Data.Length);
            Assert.That(takes, Is.EqualTo(Exact.Contains(fixture)), $"path for {fixture} on {desc}");
            if (takes) running++; else fixedOrder++;
            var a = Run(plan, x, TensorLayout.Nchw, 1);
            var b = Run(plan, x, TensorLayout.Nhwc, 2);
            var a2 = Run(plan, x, TensorLayout.Nchw, 2);
            var b1 = Run(plan, x, TensorLayout.Nhwc, 1);
            string what = $"{name} {fixture} C={c} [{Cascade.Name(Cascade.Widest)}] {desc}";
            Assert.That(Bits(b), Is.EqualTo(Bits(a)), $"NHWC differs from NCHW: {what}");
            Assert.That(Bits(a2), Is.EqualTo(Bits(a)), $"NCHW 2 threads differ from 1: {what}");
            Assert.That(Bits(b1), Is.EqualTo(Bits(a)), $"NHWC 1 thread differs: {what}");
            var cmp = OutputComparer.Compare(AveragePool.Compute(x, desc, "output"), AsTensor(a, [2, c, desc.Axes[0].Output, desc.Axes[1].Output]), Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {what}");
        }
        Assert.That(running, Is.GreaterThan(3), "too few cases took the running path");
        Assert.That(fixedOrder, Is.GreaterThan(2), "too few cases took the fixed-order path");
    }

    /// <summary>On a fallback input the running plan gives the bits of a plan opted out of the running path (the fixed-order path).</summary>
    [Test]
    public void Fallback_GivesTheFixedOrderBits()
    {
        var desc = Describe([9, 20], [7, 7], [3, 3], [3, 3], PoolSemantics.Torch);
        foreach (var fixture in Fallback)
        {
            var x = Fill(fixture, [1, 5, 9, 20], 77);
            var plan = new PoolPlan(desc);
            RunningSumDriver.OptIn(plan);
            var opted = new PoolPlan(desc);
            RunningSumDriver.OptOut(opted);
            Assert.That(RunningSumDriver.PlanQualifies(plan), Is.True);
            Assert.That(RunningSumDriver.PlanQualifies(opted), Is.False);
            foreach (var layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
                Assert.That(Bits(Run(plan, x, layout, 2)), Is.EqualTo(Bits(Run(opted, x, layout, 1))), $"{fixture} {layout}");
        }
    }

    // ------------------------------------------------------------------------------------------------ where the plan does not qualify

    [Test]
    public void PlansOutsideTheRule_TakeTheFixedOrderPath()
    {
        int big = (int)Math.Ceiling(Math.Sqrt(RunningSumDriver.MinWindowTaps)), size = big + 6;
        var x = Floats(Fill("int", [1, 2, size, size], 5));
        bool Takes(PoolDescriptor d) => RunningSumDriver.TakesRunningSumPath(new PoolPlan(d), x, x.Length);
        Assert.That(Takes(Describe([size, size], [big, big], [big / 2, big / 2], [big / 2, big / 2], PoolSemantics.Torch)), Is.True,
            $"k{big} s1 ({big * big} ≥ {RunningSumDriver.MinWindowTaps} taps): the rule's own case");
        var x12 = Floats(Fill("int", [1, 2, 12, 12], 5));
        var k3 = new PoolPlan(Describe([12, 12], [3, 3], [1, 1], [1, 1], PoolSemantics.Torch));
        Assert.That(RunningSumDriver.TakesRunningSumPath(k3, x12, x12.Length), Is.False, $"k3 (9 taps < {RunningSumDriver.MinWindowTaps}): the fixed-order path is faster");
        RunningSumDriver.OptIn(k3);
        Assert.That(RunningSumDriver.TakesRunningSumPath(k3, x12, x12.Length), Is.True, "k3 opted in");
        x = x12;
        bool TakesOptedIn(PoolDescriptor d) { var p = new PoolPlan(d); RunningSumDriver.OptIn(p); return RunningSumDriver.TakesRunningSumPath(p, x, x.Length); }
        Assert.That(TakesOptedIn(Describe([12, 12], [7, 7], [3, 3], [3, 3], PoolSemantics.Torch, stride: 2)), Is.False, "stride 2");
        Assert.That(TakesOptedIn(Describe([12, 12], [7, 7], [3, 3], [3, 3], PoolSemantics.Torch, dilation: 2)), Is.False, "dilation 2");
        var lp = new PoolDescriptor(Reduction.Lp, [PoolGeometry.Explicit(12, 7, 1, 1, 3, 3, CeilRule.Floor), PoolGeometry.Explicit(12, 7, 1, 1, 3, 3, CeilRule.Floor)], PoolSemantics.Onnx, 1);
        Assert.That(TakesOptedIn(lp), Is.False, "Lp (sums of |x|^p, not of x)");
        var x3 = Floats(Fill("int", [1, 1, 8, 8, 8], 5));
        var d3 = new PoolDescriptor(Reduction.Average, Enumerable.Repeat(PoolGeometry.Explicit(8, 7, 1, 1, 3, 3, CeilRule.Floor), 3).ToArray(), PoolSemantics.Torch);
        var p3 = new PoolPlan(d3);
        RunningSumDriver.OptIn(p3);
        Assert.That(RunningSumDriver.TakesRunningSumPath(p3, x3, x3.Length), Is.False, "3-D");
        var adaptive = PoolPlan.Adaptive(Reduction.Average, [12, 12], [12, 12], PoolSemantics.Torch);
        RunningSumDriver.OptIn(adaptive);
        Assert.That(RunningSumDriver.TakesRunningSumPath(adaptive, x, x.Length), Is.False, "adaptive bins");
    }

    // ------------------------------------------------------------------------------------------------ the admission rule by hand

    /// <summary>
    /// T by hand for k5 p2 on 9 rows/columns: row windows [0,3) [0,4) [0,5) [1,6) …, the move from [0,5) to [1,6) adds row 5 before
    /// row 0 leaves: 6 rows held; the same for columns, each column sum holding ≤ 5 rows: T = max(6, 5·6) = 30.
    /// </summary>
    [Test]
    public void Terms_AndStatistics_ByHand()
    {
        var plan = new PoolPlan(Describe([9, 9], [5, 5], [2, 2], [2, 2], PoolSemantics.Torch));
        Assert.That(RunningSumDriver.Terms(plan), Is.EqualTo(30));

        var s = RunningSumDriver.InputStats.Of([0f, 1f, -3f, 0.5f, 2f, 0f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 19, 1);
        Assert.That(s.MaxAbs, Is.EqualTo(3.0));
        Assert.That(s.Quantum, Is.EqualTo(Math.ScaleB(1, -24)), "0.5 = 2^-1 has quantum 2^(-1-23)");
        Assert.That(s.NegativeZero, Is.False);
        Assert.That(s.AllFinite, Is.True);
        var sub = RunningSumDriver.InputStats.Of([float.Epsilon * 3, -1f], 2, 1);
        Assert.That(sub.Quantum, Is.EqualTo(Math.ScaleB(1, -149)), "subnormals: 2^-149");
        Assert.That(RunningSumDriver.InputStats.Of([1f, -0f], 2, 1).NegativeZero, Is.True);
        Assert.That(RunningSumDriver.InputStats.Of([1f, float.NaN], 2, 1).AllFinite, Is.False);
        Assert.That(RunningSumDriver.InputStats.Of([0f, 0f], 2, 1).Admits(1 << 30), Is.True, "all +0: every sum is 0");
        // Integers 1..M: q = 2^-23, so T·M < 2^30: M = 2^24 admits T < 64, refuses T = 64.
        var big = RunningSumDriver.InputStats.Of([1f, 16777216f], 2, 1);
        Assert.That(big.Admits(63), Is.True);
        Assert.That(big.Admits(64), Is.False);
        // Over a long input the chunked, parallel scan agrees with the single scan (order-free statistics).
        var x = Floats(Fill("normal", [1, 3, 300, 300], 9));
        Assert.That(RunningSumDriver.InputStats.Of(x, x.Length, 2), Is.EqualTo(RunningSumDriver.InputStats.Of(x, x.Length, 1)));
    }

    /// <summary>
    /// By hand (the running path called directly: 25 taps may lie below the threshold): the 3×4 input 1..12, k5 s1 p2, PyTorch count_include_pad (divisor 25): out[0][0] = (1+2+3+5+6+7+9+10+11)/25
    /// = 54/25, out[1][1] = 78/25 (the whole input), out[0][3] = (2+3+4+6+7+8+10+11+12)/25 = 63/25, out[2][0] = 54/25 by
    /// symmetry… all twelve written out below; the exact quotient rounded once to float32.
    /// </summary>
    [Test]
    public void HandComputed_k5p2_IncludePad()
    {
        var x = new Tensor(DType.Float32, [1, 1, 3, 4], Enumerable.Range(1, 12).Select(v => (double)v).ToArray());
        var desc = Describe([3, 4], [5, 5], [2, 2], [2, 2], PoolSemantics.Torch);
        var plan = new PoolPlan(desc);
        Assert.That(RunningSumDriver.InputStats.Of(Floats(x), 12, 1).Admits(RunningSumDriver.Terms(plan)!.Value), Is.True);
        // Window sums: columns 0..2 of all rows = 54, 0..3 = 78, 1..3 = 63 (every output row covers all three rows).
        double[] sums = [54, 78, 78, 63, 54, 78, 78, 63, 54, 78, 78, 63];
        var expected = sums.Select(v => (float)(v / 25)).ToArray();
        foreach (var layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
            Assert.That(Forced(plan, x, layout), Is.EqualTo(expected), $"{layout}");
        // ONNX's exclude-pad divisor: out[0][0] has 3×3 in-bounds taps → 54/9, out[0][1] 3×4 → 78/12, out[0][3] 3×3 → 63/9.
        var onnx = new PoolPlan(Describe([3, 4], [5, 5], [2, 2], [2, 2], PoolSemantics.Onnx));
        float[] ex = [(float)(54.0 / 9), (float)(78.0 / 12), (float)(78.0 / 12), (float)(63.0 / 9)];
        Assert.That(Forced(onnx, x, TensorLayout.Nchw), Is.EqualTo(ex.Concat(ex).Concat(ex).ToArray()));
    }

    // ------------------------------------------------------------------------------------------------ why not float32

    /// <summary>
    /// A float32 running sum (<c>s += x_new − x_old</c>, vertical then horizontal) written here as an independent naive
    /// implementation, on data the exact rule admits: one value 2^14 among values 0.001·j. While the big value is in the window,
    /// s has the quantum of 2^14 (2^−9 ≈ 0.002) and each small value added is rounded by up to 0.001; after the big value leaves,
    /// that residue stays, so windows of small values come out with errors of the order of their own sum — far past the bound
    /// (n + 2)·u·Σ|x|/D, which scales with the window's own values. The driver's float64 running sum is exact on the same input
    /// and passes.
    /// </summary>
    [Test]
    public void Float32RunningSum_BreaksTheBound_TheExactOneDoesNot()
    {
        int H = 9, W = 40, k = 5;
        var d = new double[H * W];
        for (int i = 0; i < d.Length; i++) d[i] = (float)(0.001 * (1 + i % 13));
        d[4 * W + 3] = 16384;
        var x = new Tensor(DType.Float32, [1, 1, H, W], d);
        var desc = Describe([H, W], [k, k], [0, 0], [0, 0], PoolSemantics.Torch);
        var plan = new PoolPlan(desc);
        var xf = Floats(x);
        Assert.That(RunningSumDriver.InputStats.Of(xf, xf.Length, 1).Admits(RunningSumDriver.Terms(plan)!.Value), Is.True, "the exact rule admits this input");
        int OH = H - k + 1, OW = W - k + 1;
        var expected = AveragePool.Compute(x, desc, "output");

        // Naive float32 running sums: column sums over k rows, then along W.
        var naive = new float[OH * OW];
        var col = new float[W];
        for (int oh = 0; oh < OH; oh++)
        {
            if (oh == 0) { for (int w = 0; w < W; w++) for (int r = 0; r < k; r++) col[w] += xf[r * W + w]; }
            else for (int w = 0; w < W; w++) col[w] += xf[(oh + k - 1) * W + w] - xf[(oh - 1) * W + w];
            float s = 0;
            for (int w = 0; w < k; w++) s += col[w];
            naive[oh * OW] = s / (k * k);
            for (int ow = 1; ow < OW; ow++) { s += col[ow + k - 1] - col[ow - 1]; naive[oh * OW + ow] = s / (k * k); }
        }
        var naiveCmp = OutputComparer.Compare(expected, AsTensor(naive, [1, 1, OH, OW]), Tolerance.Derived);
        Assert.That(naiveCmp.Passed, Is.False, "the float32 running sum should break the derived bound on this input");

        foreach (var layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
        {
            var cmp = OutputComparer.Compare(expected, AsTensor(Forced(plan, x, layout), [1, 1, OH, OW]), Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{layout}: {cmp.Describe()}");
        }
    }
}
