using NUnit.Framework;
using PoolingConformance.Adapters;
using PoolingConformance.Cli.Bench;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The bench workloads themselves: the fill is the SplitMix64 the Python peer reimplements, shapes are those of issue 6 worked
/// by hand, the two W5 layouts hold the same problem, boxes lie inside the image, and every backend that serves a workload
/// agrees with the oracle on it (the check <c>poolconf bench</c> makes before timing).
/// </summary>
[TestFixture, Category("Bench")]
public class BenchWorkloadTests
{
    [Test]
    public void Uniform_IsSplitMix64_TopTwentyFourBits()
    {
        // SplitMix64 seeded with 0: first output 0xE220A8397B1DCDAF (the generator's published test value); top 24 bits 0xE220A8.
        Assert.That(BenchWorkload.Uniform(0, 0), Is.EqualTo((float)(0xE220A8 / 8388608.0 - 1)));
        // The NumPy reimplementation in adapters/python/torch_bench.py printed these for seed 42, i = 0..4 (8 digits).
        float[] numpy = [0.48312974f, -0.68017924f, -0.44279778f, -0.3116187f, -0.9239397f];
        for (int i = 0; i < numpy.Length; i++) Assert.That(BenchWorkload.Uniform(42, i), Is.EqualTo(numpy[i]).Within(1e-7), $"i = {i}");
    }

    [Test]
    public void Uniform_StaysInMinusOneToOne_OnTheFloat32Grid()
    {
        for (long i = 0; i < 100_000; i++)
        {
            float v = BenchWorkload.Uniform(7, i);
            Assert.That(v, Is.GreaterThanOrEqualTo(-1f).And.LessThan(1f));
            Assert.That(v * 8388608.0, Is.EqualTo(Math.Round(v * 8388608.0)), "a multiple of 2^-23");
        }
    }

    static readonly Dictionary<string, int[]> HandShapes = new()
    {
        ["W1"] = [1, 64, 56, 56],          // (112 + 2 − 3) / 2 + 1 = 56
        ["W2"] = [1, 64, 112, 112],        // (224 − 2) / 2 + 1 = 112
        ["W3"] = [1, 256, 56, 56],         // (56 + 2 − 3) / 1 + 1 = 56
        ["W4"] = [8, 2048, 1, 1],
        ["W5-NCHW"] = [32, 64, 28, 28],    // (56 + 2 − 3) / 2 + 1 = 28
        ["W5-NHWC"] = [32, 28, 28, 64],
        ["W6"] = [512, 256, 7, 7],
        ["W7"] = [1, 64, 55, 55],          // (112 − 3) / 2 + 1 = 55
        ["W8"] = [1, 2048, 20, 20],        // [x, mp5, mp9, mp13]: 4 · 512 channels, size kept
    };

    [Test]
    public void OutputShapes_AreTheHandComputedOnes()
    {
        Assert.That(BenchWorkload.All.Select(w => w.Name), Is.EquivalentTo(HandShapes.Keys));
        foreach (var w in BenchWorkload.All) Assert.That(w.OutputShape, Is.EqualTo(HandShapes[w.Name]), w.Name);
        Assert.That(BenchWorkload.Find("W6")!.InputBytes, Is.EqualTo(4L * (256 * 50 * 50 + 512 * 5)), "features and the K×5 box rows");
    }

    [Test]
    public void W5_Nhwc_HoldsTheNchwValues_Transposed()
    {
        var a = BenchWorkload.Find("W5-NCHW")!;
        var b = BenchWorkload.Find("W5-NHWC")!;
        var x = a.CreateInput();
        var y = b.CreateInput();
        int c = a.C, h = a.H, w = a.W;
        foreach (var (n, ch, i, j) in new[] { (0, 0, 0, 0), (0, 63, 55, 55), (31, 17, 3, 41), (5, 1, 54, 0) })
            Assert.That(y[((n * h + i) * w + j) * c + ch], Is.EqualTo(x[((n * c + ch) * h + i) * w + j]), $"(n, c, h, w) = ({n}, {ch}, {i}, {j})");
    }

    [Test]
    public void Boxes_LieInsideTheImage_WithSidesOfAtLeast32Pixels()
    {
        var wl = BenchWorkload.Find("W6")!;
        var b = wl.CreateBoxes()!;
        Assert.That(b, Has.Length.EqualTo(5 * 512));
        double imgW = wl.W / wl.Roi!.SpatialScale, imgH = wl.H / wl.Roi.SpatialScale;
        for (int k = 0; k < 512; k++)
        {
            Assert.That(b[5 * k], Is.EqualTo(0f));
            Assert.That(b[5 * k + 1], Is.GreaterThanOrEqualTo(0f)); Assert.That(b[5 * k + 2], Is.GreaterThanOrEqualTo(0f));
            Assert.That(b[5 * k + 3], Is.LessThanOrEqualTo((float)imgW)); Assert.That(b[5 * k + 4], Is.LessThanOrEqualTo((float)imgH));
            Assert.That(b[5 * k + 3] - b[5 * k + 1], Is.GreaterThanOrEqualTo(31.75f)); Assert.That(b[5 * k + 4] - b[5 * k + 2], Is.GreaterThanOrEqualTo(31.75f));
        }
    }

    static readonly Dictionary<string, Expectation> Oracle = [];

    static Expectation Expected(BenchWorkload w)
    {
        lock (Oracle)
        {
            if (!Oracle.TryGetValue(w.Name, out var e)) Oracle[w.Name] = e = BenchOracle.Compute(w, BenchOracle.Input(w), BenchOracle.Boxes(w));
            return e;
        }
    }

    public static IEnumerable<TestCaseData> BackendsAndWorkloads() =>
        from b in new[] { "optimized", "onnxruntime" } from w in BenchWorkload.All select new TestCaseData(b, w.Name).SetName($"{b}_{w.Name}_AgreesWithTheOracle");

    [TestCaseSource(nameof(BackendsAndWorkloads))]
    public void Backend_AgreesWithTheOracle(string backend, string workload)
    {
        var w = BenchWorkload.Find(workload)!;
        IBenchBackend b = backend == "optimized" ? new OptimizedBench() : new OnnxRuntimeBench();
        if (b.Unsupported(w) is { } why) Assert.Ignore($"{backend} does not serve {workload}: {why}");
        using var p = b.Prepare(w, 2);
        var y = ((IBenchOutput)p).ReadOutput();
        Assert.That(BenchOracle.Check(w, Expected(w), y), Is.Null);
        Array.Clear(y);
        p.Run();
        Assert.That(BenchOracle.Check(w, Expected(w), ((IBenchOutput)p).ReadOutput()), Is.Null, "a timed run recomputes the whole output");
    }

    [Test]
    public void OracleCheck_CatchesAWrongNhwcTranspose()
    {
        // The W5-NHWC output read as if it were NCHW must fail: the check really transposes, it does not just count elements.
        var w = BenchWorkload.Find("W5-NHWC")!;
        using var p = new OptimizedBench().Prepare(w, 1);
        var y = ((IBenchOutput)p).ReadOutput();
        Assert.That(BenchOracle.Check(w, Expected(w), y), Is.Null);
        Assert.That(BenchOracle.Check(w with { Layout = TensorLayout.Nchw }, Expected(w), y), Does.Contain("outside"));
    }

    [Test]
    public void OnnxRuntimeModel_ForSpp_IsThreeMaxPoolsAndAConcat()
    {
        var (model, inputs, output) = OnnxRuntimeBench.Model(BenchWorkload.Find("W8")!);
        var text = System.Text.Encoding.Latin1.GetString(model);
        Assert.That(System.Text.RegularExpressions.Regex.Matches(text, "MaxPool").Count, Is.EqualTo(3));
        Assert.That(text, Does.Contain("Concat"));
        Assert.That(inputs.Select(i => i.Name), Is.EqualTo(new[] { "X" }));
        Assert.That(output, Is.EqualTo("Y"));
    }
}
