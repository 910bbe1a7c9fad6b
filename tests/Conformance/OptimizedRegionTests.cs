using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The region part of the <c>optimized</c> backend — <c>poolconf.spp</c>, <c>caffe.spp</c>, <c>tf.image.crop_and_resize</c>,
/// <c>torchvision.ps_roi_pool</c> / <c>ps_roi_align</c> / <c>multiscale_roi_align</c>, <c>torch.fractional_max_pool2d/3d</c>,
/// <c>onnx.MaxUnpool</c> and the float64 path of window pooling — case by case against the reference op (through
/// <see cref="OpRegistry"/>) with the tolerance object <c>verify</c> uses, over channel counts derived from the vector width
/// (tails 1, width − 1, width + 1, …) and the fixture families of TESTING.md §5; thread counts 1 and 2 give identical bits; a few
/// hand-computed cases per op; and the refusals, which name the same field as the reference's. Rerun by <c>.ci/run</c> in each
/// ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedRegionTests
{
    static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    static Dictionary<string, Tensor> RunBackend(string op, string json, Dictionary<string, Tensor> inputs, int threads, params string[] outputs) =>
        OptimizedBackend.Run(new CaseSpec("t", op, Json(json), new Dictionary<string, string>(), outputs.Length == 0 ? ["output"] : outputs, null), inputs, threads);

    static long[] Bits(Tensor t) => t.Data.Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>
    /// The backend (threads 1 and 2, bit-identical) against the reference op; where the reference refuses the case, the backend
    /// must refuse it naming the same field. Returns the number of outputs compared.
    /// </summary>
    /// <summary>Per op given to <see cref="Check"/> in the running test: the cases it compared (not refused).</summary>
    readonly Dictionary<string, int> comparedBy = new(StringComparer.Ordinal);

    [SetUp]
    public void ClearCompared() => comparedBy.Clear();

    /// <summary>
    /// Every op a test checks must have compared at least one case: where the reference and the backend refuse every case of a
    /// sweep alike, Check passes without comparing anything.
    /// </summary>
    [TearDown]
    public void EveryCheckedOpCompared()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Passed) return;
        foreach (var (op, n) in comparedBy) Assert.That(n, Is.GreaterThan(0), $"{op}: every case the test checked was refused, nothing compared");
    }

    int Check(string op, string json, Dictionary<string, Tensor> inputs, string what)
    {
        comparedBy.TryAdd(op, 0);
        OpResult expected;
        try { expected = OpRegistry.Find(op)!.Evaluate(new ParamReader(Json(json)), inputs); }
        catch (InvalidParameterException e)
        {
            var got = Assert.Throws<InvalidParameterException>(() => RunBackend(op, json, inputs, 1), $"{op} {json}: the reference refuses ({e.Message}), the backend must too; {what}");
            Assert.That(got!.Field, Is.EqualTo(e.Field), $"{op} {json}: refusal field; {what}");
            return 0;
        }
        var outputs = expected.Outputs.Keys.ToArray();
        var one = RunBackend(op, json, inputs, 1, outputs);
        var two = RunBackend(op, json, inputs, 2, outputs);
        int compared = 0;
        foreach (var (name, exp) in expected.Outputs)
        {
            if (!one.TryGetValue(name, out var actual)) continue;
            var cmp = OutputComparer.Compare(exp, actual, Tolerance.Derived);
            Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {op} {json} {what}");
            Assert.That(actual.Shape, Is.EqualTo(exp.Value.Shape), $"{op} {json} output {name} shape; {what}");
            Assert.That(Bits(two[name]), Is.EqualTo(Bits(actual)), $"{op} {json} output {name}: threads 1 and 2 differ; {what}");
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(0), $"{op}: no output compared; {what}");
        comparedBy[op]++;
        return compared;
    }

    static Tensor T(DType t, int[] shape, params double[] d) => new(t, shape, d);
    static Tensor F32(int[] shape, params double[] d) => new(DType.Float32, shape, d);
    static Tensor I64(int[] shape, params double[] d) => new(DType.Int64, shape, d);

    static void AssertRefused(string op, string json, Dictionary<string, Tensor> inputs, string field)
    {
        var e = Assert.Throws<InvalidParameterException>(() => RunBackend(op, json, inputs, 1), $"{op} {json}");
        Assert.That(e!.Field, Is.EqualTo(field), $"{op} {json}: {e.Message}");
    }

    // ---------------------------------------------------------------- spatial pyramid pooling

    [Test]
    public void Spp_PoolconfAndCaffe_MatchTheReference()
    {
        (int H, int W)[] sizes = [(13, 13), (10, 6), (7, 11), (1, 1)];
        string[] poolconf =
        [
            """{"levels":[1,2,4],"mode":"max"}""", """{"levels":[6,3,2,1],"mode":"avg"}""", """{"levels":[3,1],"mode":"max","binning":"paper"}""",
            """{"levels":[2,1],"mode":"avg","binning":"paper"}""", """{"levels":[1,2,4],"mode":"max","binning":"caffe"}""", """{"levels":[2,3],"mode":"avg","binning":"caffe"}""",
        ];
        string[] caffe = ["""{"pyramid_height":1}""", """{"pyramid_height":3,"pool":"MAX"}""", """{"pyramid_height":2,"pool":"AVE"}""", """{"pyramid_height":3,"pool":"AVE"}"""];
        var tails = ChannelTails();
        int i = 0;
        foreach (var (h, w) in sizes)
            foreach (var fixture in Fixtures)
            {
                int c = tails[i % tails.Length];
                var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 31 + 5));
                var inputs = new Dictionary<string, Tensor> { ["input"] = x };
                string what = $"fixture {fixture} shape [2,{c},{h},{w}]";
                foreach (var json in poolconf) Check("poolconf.spp", json, inputs, what);
                foreach (var json in caffe) Check("caffe.spp", json, inputs, what);
            }
    }

    [Test]
    public void Spp_HandComputed()
    {
        // 2×2 plane [[1, 2], [3, 4]]: level 1 is the whole plane, level 2 the pixels themselves.
        var x = new Dictionary<string, Tensor> { ["input"] = F32([1, 1, 2, 2], 1, 2, 3, 4) };
        Assert.That(RunBackend("poolconf.spp", """{"levels":[1,2]}""", x, 1)["output"].Data, Is.EqualTo(new double[] { 4, 1, 2, 3, 4 }));
        Assert.That(RunBackend("poolconf.spp", """{"levels":[1,2],"mode":"avg"}""", x, 1)["output"].Data, Is.EqualTo(new double[] { 2.5, 1, 2, 3, 4 }));
        // Caffe MAX scans from −FLT_MAX with a strict >: NaN never wins, −∞ gives −FLT_MAX; PyTorch's rule propagates NaN.
        var odd = new Dictionary<string, Tensor> { ["input"] = F32([1, 2, 1, 2], double.NaN, -1, double.NaN, double.NegativeInfinity) };
        var caffe = RunBackend("caffe.spp", """{"pyramid_height":1}""", odd, 1)["output"];
        Assert.That(caffe.Shape, Is.EqualTo(new[] { 1, 2, 1, 1 }));
        Assert.That(caffe.Data, Is.EqualTo(new double[] { -1, -float.MaxValue }));
        Assert.That(double.IsNaN(RunBackend("poolconf.spp", """{"levels":[1]}""", odd, 1)["output"].Data[0]), Is.True);
    }

    [Test]
    public void Spp_Refusals()
    {
        var x = new Dictionary<string, Tensor> { ["input"] = F32([1, 1, 5, 5], new double[25]) };
        AssertRefused("poolconf.spp", """{"levels":[]}""", x, "levels");
        AssertRefused("poolconf.spp", """{"levels":[0]}""", x, "levels");
        AssertRefused("poolconf.spp", """{"levels":[3],"binning":"paper"}""", x, "levels"); // window 2, stride 1: 4 bins
        AssertRefused("poolconf.spp", """{"levels":[4],"binning":"caffe"}""", x, "levels"); // kernel 2, pad 2
        AssertRefused("poolconf.spp", """{"levels":[1],"mode":"min"}""", x, "mode");
        AssertRefused("caffe.spp", """{"pyramid_height":0}""", x, "pyramid_height");
        AssertRefused("caffe.spp", "{}", x, "pyramid_height");
        AssertRefused("caffe.spp", """{"pyramid_height":1,"pool":"STOCHASTIC"}""", x, "pool");
        AssertRefused("poolconf.spp", """{"levels":[1]}""", new() { ["input"] = F32([1, 5, 5], new double[25]) }, "inputs.input");
        // 10^10 bins (an int per-sample size overflowed: OverflowException / OutOfMemoryException before the fix; the reference
        // overflows too): refused naming levels.
        AssertRefused("poolconf.spp", """{"levels":[1,100000]}""", x, "levels");
        AssertRefused("poolconf.spp", """{"levels":[100000,100000]}""", x, "levels");
    }

    // ---------------------------------------------------------------- crop and resize

    [Test]
    public void CropAndResize_MatchesTheReference()
    {
        double[][] boxes = [[0, 0, 1, 1], [0.1, 0.2, 0.8, 0.7], [0.9, 0.6, 0.2, 0.1], [-0.3, -0.2, 1.2, 1.4], [0.5, 0.5, 0.5, 0.5], [0.25, 0.3, 0.75, 0.3]];
        int i = 0;
        foreach (var c in ChannelTails())
            foreach (var fixture in Fixtures)
            {
                var nchw = Fill(fixture, [2, c, 7, 9], (ulong)(i++ * 17 + 3));
                var image = Reference.Dialects.Layout.ToChannelsLast(nchw);
                var inputs = new Dictionary<string, Tensor>
                {
                    ["image"] = image,
                    ["boxes"] = F32([boxes.Length, 4], boxes.SelectMany(b => b.Select(v => (double)(float)v)).ToArray()),
                    ["box_indices"] = T(DType.Int32, [boxes.Length], 0, 1, 1, 0, 1, 0),
                };
                string what = $"fixture {fixture} image [2,7,9,{c}]";
                foreach (var json in new[]
                {
                    """{"crop_size":[3,4],"extrapolation_value":-1.5}""", """{"crop_size":[5,1],"method":"nearest"}""",
                    """{"crop_size":[1,6],"method":"bilinear","extrapolation_value":2}""", """{"crop_size":[4,4],"method":"nearest","extrapolation_value":-1.5}""",
                })
                    Check("tf.image.crop_and_resize", json, inputs, what);
            }
    }

    [Test]
    public void CropAndResize_HandComputed_AndRefusals()
    {
        // Image [[0, 1], [2, 3]], the whole box, 3×3: source coordinates 0, 0.5, 1 on both axes.
        var inputs = new Dictionary<string, Tensor> { ["image"] = F32([1, 2, 2, 1], 0, 1, 2, 3), ["boxes"] = F32([1, 4], 0, 0, 1, 1), ["box_indices"] = I64([1], 0) };
        Assert.That(RunBackend("tf.image.crop_and_resize", """{"crop_size":[3,3]}""", inputs, 1)["output"].Data,
            Is.EqualTo(new double[] { 0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3 }));
        // Nearest rounds 0.5 away from zero.
        Assert.That(RunBackend("tf.image.crop_and_resize", """{"crop_size":[3,3],"method":"nearest"}""", inputs, 1)["output"].Data,
            Is.EqualTo(new double[] { 0, 1, 1, 2, 3, 3, 2, 3, 3 }));
        // A box reaching past the image: rows / columns outside [0, H − 1] take the extrapolation value.
        var outside = new Dictionary<string, Tensor>(inputs) { ["boxes"] = F32([1, 4], 0, 0, 2, 1) };
        Assert.That(RunBackend("tf.image.crop_and_resize", """{"crop_size":[3,1],"extrapolation_value":-7}""", outside, 1)["output"].Data,
            Is.EqualTo(new double[] { 0.5, 2.5, -7 }));
        AssertRefused("tf.image.crop_and_resize", """{"crop_size":[0,3]}""", inputs, "crop_size");
        AssertRefused("tf.image.crop_and_resize", """{"crop_size":[100000,100000]}""", inputs, "crop_size"); // 10^10 per box
        AssertRefused("tf.image.crop_and_resize", """{"crop_size":[3,3],"method":"cubic"}""", inputs, "method");
        AssertRefused("tf.image.crop_and_resize", """{"crop_size":[3,3]}""", new(inputs) { ["box_indices"] = I64([1], 1) }, "inputs.box_indices");
        AssertRefused("tf.image.crop_and_resize", """{"crop_size":[3,3]}""", new(inputs) { ["boxes"] = F32([1, 4], 0, double.NaN, 1, 1) }, "inputs.boxes");
    }

    // ---------------------------------------------------------------- position-sensitive ROI ops

    static Tensor Boxes(DType t, int batch, int h, int w, double scale)
    {
        double H = h / scale, W = w / scale;
        double[][] b = [[0, 0, 0, W - 1, H - 1], [0, 0.3 * W, 0.2 * H, 0.9 * W, 0.7 * H], [batch - 1, -0.2 * W, 0.5 * H, 0.4 * W, 1.3 * H],
            [0, 0.6 * W, 0.6 * H, 0.2 * W, 0.1 * H], [batch - 1, 2.5, 1.5, 2.5, 1.5], [0, 1, 1, 1 + 0.4 / scale, 1 + 0.3 / scale]];
        return new Tensor(t, [b.Length, 5], b.SelectMany(r => r.Select(v => t.Round(v))).ToArray());
    }

    [Test]
    public void PsRoiPoolAndAlign_MatchTheReference()
    {
        (int Ph, int Pw, double Scale)[] grids = [(2, 2, 1), (3, 1, 0.5), (1, 3, 0.25)];
        int i = 0;
        foreach (var cOut in ChannelTails().Take(4))
            foreach (var fixture in Fixtures)
                foreach (var (ph, pw, scale) in grids)
                {
                    var dtype = i % 5 == 4 ? DType.Float16 : DType.Float32;
                    var x = Fill(fixture, [2, cOut * ph * pw, 9, 8], (ulong)(i++ * 13 + 1));
                    x = new Tensor(dtype, x.Shape, x.Data.Select(v => dtype.Round(v)).ToArray());
                    var inputs = new Dictionary<string, Tensor> { ["input"] = x, ["boxes"] = Boxes(dtype, 2, 9, 8, scale) };
                    string what = $"fixture {fixture} {dtype.Name()} shape [2,{cOut * ph * pw},9,8]";
                    Check("torchvision.ps_roi_pool", $$"""{"output_size":[{{ph}},{{pw}}],"spatial_scale":{{scale}}}""", inputs, what);
                    foreach (var sr in new[] { -1, 0, 2 })
                        Check("torchvision.ps_roi_align", $$"""{"output_size":[{{ph}},{{pw}}],"spatial_scale":{{scale}},"sampling_ratio":{{sr}}}""", inputs, what);
                }
    }

    [Test]
    public void PsRoiPool_HandComputed_AndRefusals()
    {
        // Output 1×2 over a 4×4 plane, box [0, 0, 4, 4]: rows [0, 3) (the last row is never pooled), columns [0, 2) and [2, 3).
        // Bin (0, 0) reads channel 0 (all ones), bin (0, 1) channel 1 (10·row + col): mean of 2, 12, 22.
        var d = new double[32];
        for (int p = 0; p < 16; p++) { d[p] = 1; d[16 + p] = 10 * (p / 4) + p % 4; }
        var inputs = new Dictionary<string, Tensor> { ["input"] = F32([1, 2, 4, 4], d), ["boxes"] = F32([1, 5], 0, 0, 0, 4, 4) };
        var y = RunBackend("torchvision.ps_roi_pool", """{"output_size":[1,2]}""", inputs, 1)["output"];
        Assert.That(y.Shape, Is.EqualTo(new[] { 1, 1, 1, 2 }));
        Assert.That(y.Data, Is.EqualTo(new double[] { 1, 12 }));
        AssertRefused("torchvision.ps_roi_pool", """{"output_size":[2,2]}""", inputs, "inputs.input"); // 2 channels, 4 bins
        AssertRefused("torchvision.ps_roi_align", """{"output_size":[1,2],"aligned":true}""", inputs, "aligned");
        AssertRefused("torchvision.ps_roi_align", """{"output_size":[1,2],"spatial_scale":0}""", inputs, "spatial_scale");
        AssertRefused("torchvision.ps_roi_pool", """{"output_size":[1,2]}""", new(inputs) { ["boxes"] = F32([1, 5], 1, 0, 0, 4, 4) }, "inputs.boxes");
        // An inverted box of height 4 − 1e30: its row grid ceil(height/1) saturates to int.MinValue, the divisor is the int
        // product int.MinValue·2 = 0 (wrapped, as torchvision's C++ computes it) over no samples: 0/0 = NaN in every bin.
        var inverted = new Dictionary<string, Tensor>(inputs) { ["boxes"] = F32([1, 5], 0, 0, (float)1e30, 4, 4) };
        var yi = RunBackend("torchvision.ps_roi_align", """{"output_size":[1,2],"sampling_ratio":-1}""", inverted, 1)["output"];
        Assert.That(yi.Data, Is.All.NaN, "0/0 for a grid product that wraps to 0");
        Check("torchvision.ps_roi_align", """{"output_size":[1,2],"sampling_ratio":-1}""", inverted, "inverted huge box");
    }

    [Test]
    public void MultiScaleRoiAlign_MatchesTheReference()
    {
        int i = 0;
        foreach (var c in ChannelTails().Take(4))
            foreach (var fixture in new[] { "rand", "nan", "ties" })
            {
                var inputs = new Dictionary<string, Tensor>
                {
                    ["x0"] = Fill(fixture, [2, c, 16, 16], (ulong)(i * 7 + 1)), ["x1"] = Fill(fixture, [2, c, 8, 8], (ulong)(i * 7 + 2)),
                    ["x2"] = Fill(fixture, [2, c, 4, 4], (ulong)(i * 7 + 3)),
                    ["boxes"] = F32([5, 5], 0, 1, 1, 9, 7, 1, 0, 0, 63, 63, 0, 10, 12, 40, 50, 1, 30, 30, 31, 31, 1, 5, 50, 20, 20),
                    ["image_shapes"] = I64([2, 2], 64, 64, 60, 64),
                };
                i++;
                foreach (var sr in new[] { -1, 2 })
                    Check("torchvision.multiscale_roi_align", $$"""{"output_size":[3,2],"sampling_ratio":{{sr}},"canonical_scale":32,"canonical_level":4}""", inputs, $"fixture {fixture} C {c}");
                var one = new Dictionary<string, Tensor>(inputs);
                one.Remove("x1"); one.Remove("x2");
                Check("torchvision.multiscale_roi_align", """{"output_size":2,"sampling_ratio":1}""", one, $"one map, fixture {fixture} C {c}");
                AssertRefused("torchvision.multiscale_roi_align", """{"output_size":2}""", inputs, "sampling_ratio");
                // 10^10 outputs per box: refused naming output_size (an int size overflowed: OverflowException before the fix).
                AssertRefused("torchvision.multiscale_roi_align", """{"output_size":100000,"sampling_ratio":1}""", inputs, "output_size");
            }
    }

    // ---------------------------------------------------------------- fractional max pooling

    [Test]
    public void FractionalMaxPool_MatchesTheReference()
    {
        int i = 0;
        foreach (var c in ChannelTails().Take(4))
            foreach (var fixture in Fixtures)
            {
                var x2 = Fill(fixture, [2, c, 11, 9], (ulong)(i * 5 + 1));
                var x3 = Fill(fixture, [1, c, 7, 6, 9], (ulong)(i * 5 + 2));
                var u2 = Fill("rand", [2, c, 2], (ulong)(i * 5 + 3));
                var u3 = Fill("rand", [1, c, 3], (ulong)(i * 5 + 4));
                i++;
                Tensor Unit(Tensor u) => new(u.DType, u.Shape, u.Data.Select(v => (double)(float)Math.Min(Math.Abs(v), 0.999)).ToArray());
                var in2 = new Dictionary<string, Tensor> { ["input"] = x2, ["samples"] = Unit(u2) };
                var in3 = new Dictionary<string, Tensor> { ["input"] = x3, ["samples"] = Unit(u3) };
                string what = $"fixture {fixture} C {c}";
                foreach (var json in new[] { """{"kernel_size":2,"output_size":4,"return_indices":true}""", """{"kernel_size":[3,2],"output_size":[5,7]}""",
                    """{"kernel_size":2,"output_ratio":0.5,"return_indices":true}""", """{"kernel_size":3,"output_size":1}""" })
                    Check("torch.fractional_max_pool2d", json, in2, what);
                foreach (var json in new[] { """{"kernel_size":2,"output_size":3,"return_indices":true}""", """{"kernel_size":[2,1,3],"output_ratio":[0.5,0.6,0.5]}""" })
                    Check("torch.fractional_max_pool3d", json, in3, what);
            }
    }

    [Test]
    public void FractionalMaxPool_HandComputed_AndRefusals()
    {
        // 5×5 plane of 0…24, kernel 2, output 2, samples 0: α = 3, starts 0 and 3 on both axes.
        var inputs = new Dictionary<string, Tensor> { ["input"] = F32([1, 1, 5, 5], Enumerable.Range(0, 25).Select(v => (double)v).ToArray()), ["samples"] = F32([1, 1, 2], 0, 0) };
        var r = RunBackend("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":2,"return_indices":true}""", inputs, 1, "output", "indices");
        Assert.That(r["output"].Data, Is.EqualTo(new double[] { 6, 9, 21, 24 }));
        Assert.That(r["indices"].Data, Is.EqualTo(new double[] { 6, 9, 21, 24 }));
        // NaN propagates with the last NaN's index; ties keep the first.
        var nan = new Dictionary<string, Tensor> { ["input"] = F32([1, 1, 2, 2], double.NaN, 1, double.NaN, 1), ["samples"] = F32([1, 1, 2], 0, 0) };
        var rn = RunBackend("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":1}""", nan, 1, "output", "indices");
        Assert.That(double.IsNaN(rn["output"].Data[0]) && rn["indices"].Data[0] == 2, Is.True, $"NaN, index 2: got {rn["output"].Data[0]}, {rn["indices"].Data[0]}");
        var ties = new Dictionary<string, Tensor> { ["input"] = F32([1, 1, 2, 2], 0, 3, 3, 3), ["samples"] = F32([1, 1, 2], 0.5, 0.5) };
        Assert.That(RunBackend("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":1}""", ties, 1, "output", "indices")["indices"].Data[0], Is.EqualTo(1));
        AssertRefused("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":2,"output_ratio":0.5}""", inputs, "output_size");
        AssertRefused("torch.fractional_max_pool2d", """{"kernel_size":2,"output_ratio":1.5}""", inputs, "output_ratio");
        // Hostile shapes of the fields (the reference's parser crashes on these: IndexOutOfRange / InvalidOperation): one clear refusal.
        AssertRefused("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":[]}""", inputs, "output_size");
        AssertRefused("torch.fractional_max_pool3d", """{"kernel_size":2,"output_size":[]}""", inputs, "output_size");
        foreach (var bad in new[] { "\"half\"", "true", "{}", "[0.5,\"x\"]", "[null,0.5]" })
            AssertRefused("torch.fractional_max_pool2d", $$"""{"kernel_size":2,"output_ratio":{{bad}}}""", inputs, "output_ratio");
        AssertRefused("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":5}""", inputs, "output_size");
        AssertRefused("torch.fractional_max_pool2d", """{"kernel_size":2,"output_size":2}""", new(inputs) { ["samples"] = F32([1, 1, 2], 0, 1) }, "inputs.samples");
        AssertRefused("torch.fractional_max_pool3d", """{"kernel_size":2,"output_size":2}""", new(inputs) { ["input"] = F32([5, 5], new double[25]) }, "inputs.input");
    }

    // ---------------------------------------------------------------- onnx.MaxUnpool

    [Test]
    public void OnnxMaxUnpool_MatchesTheReference()
    {
        int i = 0;
        foreach (var c in ChannelTails().Take(4))
            foreach (var (spatial, json) in new (int[], string)[]
            {
                ([9], """{"kernel_shape":[2],"strides":[2]}"""), ([6, 7], """{"kernel_shape":[3,3],"strides":[2,2],"pads":[1,0,1,1]}"""),
                ([3, 4, 5], """{"kernel_shape":[2,2,2],"strides":[1,1,1]}"""),
            })
            {
                var x = Fill("rand", [2, c, .. spatial], (ulong)(i * 3 + 1));
                // Indices flat over the inferred N×C×spatial output (duplicates included, from a pseudo-random draw).
                var p = JsonDocument.Parse(json).RootElement;
                int nd = spatial.Length;
                var k = p.GetProperty("kernel_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var s = p.GetProperty("strides").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var pads = p.TryGetProperty("pads", out var pp) ? pp.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new int[2 * nd];
                var inferred = Enumerable.Range(0, nd).Select(a => (spatial[a] - 1) * s[a] - pads[a] - pads[nd + a] + k[a]).ToArray();
                long total = 2L * c * inferred.Aggregate(1, (m, v) => m * v);
                var u = Fill("rand", x.Shape, (ulong)(i * 3 + 2));
                var idx = I64(x.Shape, u.Data.Select(v => Math.Floor(Math.Abs(v) * total * 0.999)).ToArray());
                i++;
                var inputs = new Dictionary<string, Tensor> { ["X"] = x, ["I"] = idx };
                Check("onnx.MaxUnpool", json, inputs, $"C {c} spatial {string.Join("x", spatial)}");
                int[] bigger = [2, c, .. inferred.Select((v, a) => v + a + 1)];
                Check("onnx.MaxUnpool", json, new(inputs) { ["output_shape"] = I64([nd + 2], bigger.Select(v => (double)v).ToArray()) }, $"output_shape C {c}");
            }
    }

    [Test]
    public void OnnxMaxUnpool_HandComputed_AndRefusals()
    {
        var inputs = new Dictionary<string, Tensor> { ["X"] = F32([1, 1, 2], 5, 7), ["I"] = I64([1, 1, 2], 1, 2) };
        Assert.That(RunBackend("onnx.MaxUnpool", """{"kernel_shape":[2],"strides":[2]}""", inputs, 1)["output"].Data, Is.EqualTo(new double[] { 0, 5, 7, 0 }));
        Assert.That(RunBackend("onnx.MaxUnpool", """{"kernel_shape":[2],"strides":[2]}""", new(inputs) { ["output_shape"] = I64([3], 1, 1, 6) }, 1)["output"].Data,
            Is.EqualTo(new double[] { 0, 5, 7, 0, 0, 0 }));
        // 2-D: the inferred 2×2 [[0, 0], [0, 3]] sits in the top-left corner of a 3×3 output.
        var two = new Dictionary<string, Tensor> { ["X"] = F32([1, 1, 1, 1], 3), ["I"] = I64([1, 1, 1, 1], 3), ["output_shape"] = I64([4], 1, 1, 3, 3) };
        Assert.That(RunBackend("onnx.MaxUnpool", """{"kernel_shape":[2,2],"strides":[2,2]}""", two, 1)["output"].Data, Is.EqualTo(new double[] { 0, 0, 0, 0, 3, 0, 0, 0, 0 }));
        AssertRefused("onnx.MaxUnpool", """{"kernel_shape":[2],"strides":[2]}""", new(inputs) { ["I"] = I64([1, 1, 2], 1, 4) }, "inputs.I");
        AssertRefused("onnx.MaxUnpool", """{"kernel_shape":[2],"strides":[2]}""", new(inputs) { ["output_shape"] = I64([3], 1, 1, 3) }, "inputs.output_shape");
        AssertRefused("onnx.MaxUnpool", """{"kernel_shape":[2,2]}""", inputs, "kernel_shape");
        AssertRefused("onnx.MaxUnpool", """{"kernel_shape":[2],"opset":8}""", inputs, "opset");
    }

    // ---------------------------------------------------------------- float64 window pooling

    static readonly (string Op, string Json, int[] Shape, string Input)[] Float64Cases =
    [
        ("torch.max_pool2d", """{"kernel_size":3,"stride":2,"padding":1,"ceil_mode":true,"return_indices":true}""", [2, 3, 9, 8], "input"),
        ("torch.avg_pool1d", """{"kernel_size":3,"stride":2,"padding":1,"ceil_mode":true,"count_include_pad":false}""", [2, 3, 10], "input"),
        ("torch.lp_pool2d", """{"norm_type":2,"kernel_size":3,"stride":2,"ceil_mode":true}""", [1, 4, 9, 9], "input"),
        ("torch.lp_pool1d", """{"norm_type":3,"kernel_size":2}""", [1, 4, 9], "input"),
        ("torch.max_pool3d", """{"kernel_size":2,"dilation":2,"return_indices":true}""", [1, 2, 5, 6, 7], "input"),
        ("torch.adaptive_max_pool2d", """{"output_size":[3,4],"return_indices":true}""", [1, 3, 7, 9], "input"),
        ("torch.adaptive_avg_pool3d", """{"output_size":[2,2,3]}""", [1, 2, 5, 4, 7], "input"),
        ("onnx.MaxPool", """{"kernel_shape":[3,3],"strides":[2,2],"pads":[1,1,1,1],"storage_order":1}""", [2, 3, 7, 6], "X"),
        ("onnx.AveragePool", """{"kernel_shape":[3],"strides":[2],"pads":[1,1],"count_include_pad":1}""", [1, 3, 8], "X"),
        ("onnx.GlobalLpPool", """{"p":3}""", [2, 3, 4, 5], "X"),
        ("tf.nn.max_pool", """{"ksize":3,"strides":2,"padding":"SAME","data_format":"NHWC"}""", [2, 7, 6, 5], "input"),
        ("tf.nn.avg_pool", """{"ksize":2,"strides":2,"padding":"SAME"}""", [1, 5, 7, 3], "input"),
        ("webnn.averagePool2d", """{"windowDimensions":[3,3],"strides":[2,2],"padding":[1,1,1,1]}""", [1, 3, 7, 7], "input"),
        ("webnn.l2Pool2d", """{"windowDimensions":[2,2],"layout":"nhwc"}""", [1, 6, 5, 4], "input"),
    ];

    [Test]
    public void Float64WindowPooling_MatchesTheReference()
    {
        int i = 0;
        foreach (var (op, json, shape, name) in Float64Cases)
            foreach (var fixture in Fixtures)
            {
                var f = Fill(fixture, shape, (ulong)(i++ * 11 + 9));
                // Values off the float32 grid (a float32 path would lose them), keeping the fixture's specials.
                var x = new Tensor(DType.Float64, shape, f.Data.Select((v, j) => double.IsFinite(v) && v != 0 ? v * (1 + 1e-9 * (j % 7 + 1)) : v).ToArray());
                Check(op, json, new Dictionary<string, Tensor> { [name] = x }, $"float64 fixture {fixture} shape [{string.Join(",", shape)}]");
            }
    }

    [Test]
    public void Float64_HandComputed_KeepsDoublePrecision()
    {
        var x = new Dictionary<string, Tensor> { ["input"] = T(DType.Float64, [1, 1, 3], 0.1, 0.2, 0.4) };
        var y = RunBackend("torch.avg_pool1d", """{"kernel_size":3}""", x, 1)["output"];
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        Assert.That(y.Data[0], Is.EqualTo((0.1 + 0.2 + 0.4) / 3).Within(1e-16));
        Assert.That(y.Data[0], Is.Not.EqualTo((double)(float)y.Data[0]), "a float64 result, not a float32 one");
        // TensorFlow's max scans from lowest(): −DBL_MAX for float64, so an all −∞ window gives −DBL_MAX.
        var neg = new Dictionary<string, Tensor> { ["input"] = T(DType.Float64, [1, 2, 2, 1], double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity) };
        Assert.That(RunBackend("tf.nn.max_pool", """{"ksize":2,"strides":2,"padding":"VALID"}""", neg, 1)["output"].Data[0], Is.EqualTo(-double.MaxValue));
        // A max over values that differ only beyond float32's precision picks the right one, with its index.
        var fine = new Dictionary<string, Tensor> { ["input"] = T(DType.Float64, [1, 1, 3], 1.0 + 1e-12, 1.0 + 3e-12, 1.0 + 2e-12) };
        var m = RunBackend("torch.max_pool1d", """{"kernel_size":3,"return_indices":true}""", fine, 1, "output", "indices");
        Assert.That(m["output"].Data[0], Is.EqualTo(1.0 + 3e-12));
        Assert.That(m["indices"].Data[0], Is.EqualTo(1));
    }

    [Test]
    public void Int64AverageAndEmptyBatch_MatchTheReference()
    {
        // PyTorch's int64 average divides with truncation toward zero: (1 + 2)/2 → 1, (−3 − 4)/2 → −3.
        var ints = new Dictionary<string, Tensor> { ["input"] = I64([1, 1, 4], 1, 2, -3, -4) };
        var y = RunBackend("torch.avg_pool1d", """{"kernel_size":2}""", ints, 1)["output"];
        Assert.That(y.DType, Is.EqualTo(DType.Int64));
        Assert.That(y.Data, Is.EqualTo(new double[] { 1, -3 }));
        var big = Fill("ties", [2, 3, 7, 6], 5);
        var i64 = new Tensor(DType.Int64, big.Shape, big.Data.Select(v => v * 1000 + 7).ToArray());
        foreach (var json in new[] { """{"kernel_size":2,"stride":2,"padding":1,"ceil_mode":true}""", """{"kernel_size":3,"count_include_pad":false,"padding":1}""", """{"kernel_size":2,"divisor_override":3}""" })
            Check("torch.avg_pool2d", json, new() { ["input"] = i64 }, "int64");
        // N = 0: outputs of N = 0 in the op's output shape, indices too.
        var empty = new Dictionary<string, Tensor> { ["input"] = F32([0, 3, 5, 5]) };
        var e = RunBackend("torch.max_pool2d", """{"kernel_size":2,"return_indices":true}""", empty, 1, "output", "indices");
        Assert.That(e["output"].Shape, Is.EqualTo(new[] { 0, 3, 2, 2 }));
        Assert.That(e["indices"].Shape, Is.EqualTo(new[] { 0, 3, 2, 2 }));
        Check("torch.avg_pool3d", """{"kernel_size":2}""", new() { ["input"] = F32([0, 2, 4, 4, 4]) }, "batch 0");
        Check("torch.avg_pool1d", """{"kernel_size":2}""", new() { ["input"] = F32([0, 2, 4]) }, "batch 0");
        // An unbatched input's first axis is C: C = 0 stays a refusal.
        AssertRefused("torch.avg_pool1d", """{"kernel_size":2}""", new() { ["input"] = F32([0, 4]) }, "input");
    }

    // ---------------------------------------------------------------- registry and served ops across the partial files

    /// <summary>
    /// KernelRegistry.Names and OptimizedBackend.Served are built by static initializers that read the partial files' lists
    /// (RegionKernelNames, SurveyKernelNames, FeatureKernelNames; RegionOps, SurveyWindowOps, FeatureOps); C# runs the static
    /// initializers of partial files in no fixed order, so a list that read another file's static property instead of a name
    /// would hold null. Pins: no null or duplicate entry; every kernel instance the registry exposes (any public static property
    /// with a Name) is non-null and listed in Names; every op of the three families is served, known to the reference, and
    /// dispatched (a run with no params reaches the op's own checks: a refusal or NotServed, never the "is not served" default).
    /// </summary>
    [Test]
    public void RegistryNames_AndServedOps_ListEveryKernelAndOp_WithoutNulls()
    {
        var names = KernelRegistry.Names;
        Assert.That(names, Has.None.Null, "KernelRegistry.Names holds a null: a static read before its initializer ran");
        Assert.That(names, Is.Unique, "KernelRegistry.Names lists a kernel twice");
        int exposed = 0;
        foreach (var prop in typeof(KernelRegistry).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var nameProp = prop.PropertyType.GetProperty("Name", typeof(string));
            if (nameProp is null) continue;
            var kernel = prop.GetValue(null);
            Assert.That(kernel, Is.Not.Null, $"KernelRegistry.{prop.Name} is null");
            Assert.That(names, Does.Contain((string)nameProp.GetValue(kernel)!), $"KernelRegistry.{prop.Name} is not listed in Names");
            exposed++;
        }
        Assert.That(exposed, Is.GreaterThanOrEqualTo(22 + 9), "the registry's kernel properties were not found");

        var served = OptimizedBackend.Served;
        Assert.That(served, Has.None.Null.And.Unique);
        string[] families =
        [
            "poolconf.spp", "caffe.spp", "tf.image.crop_and_resize", "torchvision.ps_roi_pool", "torchvision.ps_roi_align", "onnx.MaxUnpool",
            "torch.fractional_max_pool2d", "torch.fractional_max_pool3d", "torchvision.multiscale_roi_align",
            "poolconf.mixed_pool2d", "poolconf.median_pool2d", "poolconf.combined_pool2d", "poolconf.rank_avg_pool2d", "poolconf.stochastic_pool2d",
            "poolconf.rank_stochastic_pool2d", "poolconf.rank_weighted_pool2d", "poolconf.weighted_pool2d", "poolconf.gated_pool2d",
            "poolconf.spectral_pool2d", "poolconf.bilinear_pool", "poolconf.edge_aware_pyramid_pool", "poolconf.netvlad", "poolconf.compact_bilinear_pool", "poolconf.mop",
        ];
        foreach (var op in families)
        {
            Assert.That(served, Does.Contain(op), $"{op} is not served");
            Assert.That(OpRegistry.Find(op), Is.Not.Null, $"{op} is not a reference op");
            var spec = new CaseSpec("t", op, Json("{}"), new Dictionary<string, string>(), ["output"], null);
            Assert.That(OptimizedBackend.Unsupported(spec), Is.Null, op);
            try { OptimizedBackend.Run(spec, new Dictionary<string, Tensor>(), 1); Assert.Fail($"{op} ran without inputs"); }
            catch (InvalidParameterException) { }
            catch (OptimizedBackend.NotServed e) { Assert.That(e.Message, Does.Not.Contain("is not served"), $"{op} is listed but not dispatched"); }
        }
        foreach (var op in served) Assert.That(OpRegistry.Find(op), Is.Not.Null, $"served op {op} is not a reference op");
    }
}
