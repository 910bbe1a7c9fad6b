using System.Text.Json;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Conformance.OptimizedKernelTests;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The feature-level kernels of the optimized backend (spectral, bilinear, edge-aware pyramid, NetVLAD, compact bilinear, MOP)
/// through <see cref="OptimizedBackend.Run"/> against the reference ops (<see cref="OpRegistry"/>) with the tolerance object
/// <c>verify</c> uses: sizes derived from the vector width (tails 1, width − 1, width + 1, primes), the fixture families of
/// TESTING.md §5 where an op admits them, threads 1 and 2 giving identical bits; hand-computed cases per op; the refusals (the
/// same field as the reference's); float64 skipped. Rerun by <c>.ci/run</c> in each ISA tier.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedFeatureTests
{
    static int[] Lengths() => new[] { 1, Width - 1, Width + 1, 2 * Width + 1, 13 }.Where(v => v >= 1).Distinct().ToArray();

    static Dictionary<string, Tensor> Run(string op, string json, Dictionary<string, Tensor> inputs, int threads)
    {
        var spec = new CaseSpec(op, op, JsonDocument.Parse(json).RootElement.Clone(), new Dictionary<string, string>(), ["output"], null);
        Assert.That(OptimizedBackend.Unsupported(spec), Is.Null, $"the backend serves {op}");
        return OptimizedBackend.Run(spec, inputs, threads);
    }

    static Expectation Expected(string op, string json, Dictionary<string, Tensor> inputs) =>
        OpRegistry.Find(op)!.Evaluate(new ParamReader(JsonDocument.Parse(json).RootElement), inputs).Outputs["output"];

    /// <summary>The backend with 1 and 2 threads (identical bits) against the reference's expectation.</summary>
    static void Check(string op, string json, Dictionary<string, Tensor> inputs, string what)
    {
        var exp = Expected(op, json, inputs);
        var one = Run(op, json, inputs, 1)["output"];
        var two = Run(op, json, inputs, 2)["output"];
        Assert.That(Bits(two), Is.EqualTo(Bits(one)), $"{op} {json}: threads 1 and 2 differ; {what}");
        var cmp = OutputComparer.Compare(exp, one, Tolerance.Derived);
        Assert.That(cmp.Passed, Is.True, $"{cmp.Describe()}\n  {op} {json} [{Cascade.Name(Cascade.Widest)}] {what}");
    }

    static Tensor T(int[] shape, params double[] v) => new(DType.Float32, shape, v);

    /// <summary>The "rand" fixture's values in [−1, 1) for a shape of any rank.</summary>
    static double[] Random(int[] shape, ulong seed) => Fill("rand", [1, 1, (int)Tensor.ElementCount(shape)], seed).Data;

    static Tensor Uniform(int[] shape, ulong seed, double lo = -1, double hi = 1)
    {
        var t = Random(shape, seed);
        return new Tensor(DType.Float32, shape, t.Select(v => (double)(float)(lo + (v + 1) / 2 * (hi - lo))).ToArray());
    }

    static Tensor Ints(int[] shape, ulong seed, int lo, int hiExclusive)
    {
        var t = Random(shape, seed);
        return new Tensor(DType.Int64, shape, t.Select(v => Math.Min(hiExclusive - 1, lo + Math.Floor((v + 1) / 2 * (hiExclusive - lo)))).ToArray());
    }

    static Tensor Signs(int[] shape, ulong seed) => new(DType.Float32, shape, Random(shape, seed).Select(v => v < 0 ? -1.0 : 1.0).ToArray());

    static float[] Values(Tensor t) => t.Data.Select(v => (float)v).ToArray();

    // ---------------------------------------------------------------- spectral

    [Test]
    public void Spectral_MatchesReference_OverWidthSizesRulesNormsAndFixtures()
    {
        var lengths = Lengths();
        int i = 0;
        foreach (int n in lengths)
            foreach (var fixture in Fixtures)
            {
                int m = lengths[(i + 2) % lengths.Length];
                var x = Fill(fixture, [2, 2, m, n], (ulong)(i++ * 31 + 5));
                foreach (var (h, w) in new[] { (m, n), ((m + 1) / 2, Math.Max(1, n / 2)), (Math.Max(1, m - 1), n), (1, 1) })
                    foreach (var rule in new[] { "fold", "hermitian" })
                        foreach (var norm in new[] { "mean", "ortho", "backward" })
                            Check("poolconf.spectral_pool2d", $"{{\"output_size\":[{h},{w}],\"nyquist\":\"{rule}\",\"norm\":\"{norm}\"}}",
                                new() { ["input"] = x }, $"fixture {fixture} {m}×{n} → {h}×{w}");
            }
    }

    [Test]
    public void Spectral_HandComputed_IdentityConstantAndTwoPointMean()
    {
        // Same size, mean scale: the crop keeps every frequency, so the pool is the identity.
        var x = Uniform([1, 1, 4, 6], 3);
        var y = Run("poolconf.spectral_pool2d", "{\"output_size\":[4,6],\"nyquist\":\"hermitian\"}", new() { ["input"] = x }, 1)["output"];
        for (int i = 0; i < x.Data.Length; i++) Assert.That(y.Data[i], Is.EqualTo(x.Data[i]).Within(1e-6), $"identity element {i}");
        // A constant plane keeps only its DC term: mean-preserving scale gives the constant back at any size.
        var c = T([1, 1, 4, 4], Enumerable.Repeat(3.0, 16).ToArray());
        y = Run("poolconf.spectral_pool2d", "{\"output_size\":[2,3]}", new() { ["input"] = c }, 1)["output"];
        Assert.That(y.Data, Is.All.EqualTo(3.0).Within(1e-6));
        // 1×2 → 1×1: the DC bin alone, scaled by 1/(MN): the mean of the two; backward scale 1/(HW): their sum.
        var two = T([1, 1, 1, 2], 1, 4);
        Assert.That(Run("poolconf.spectral_pool2d", "{\"output_size\":[1,1]}", new() { ["input"] = two }, 1)["output"].Data[0], Is.EqualTo(2.5).Within(1e-6));
        Assert.That(Run("poolconf.spectral_pool2d", "{\"output_size\":[1,1],\"norm\":\"backward\"}", new() { ["input"] = two }, 1)["output"].Data[0], Is.EqualTo(5).Within(1e-6));
        // A NaN anywhere makes the whole plane NaN, the other plane untouched.
        var nan = T([1, 2, 1, 2], double.NaN, 1, 2, 4);
        var yn = Run("poolconf.spectral_pool2d", "{\"output_size\":[1,1]}", new() { ["input"] = nan }, 1)["output"];
        Assert.That(double.IsNaN(yn.Data[0]), Is.True);
        Assert.That(yn.Data[1], Is.EqualTo(3).Within(1e-6));
    }

    // ---------------------------------------------------------------- bilinear

    [Test]
    public void Bilinear_MatchesReference_OverWidthLengthsAndFixtures()
    {
        int i = 0;
        foreach (int l in Lengths())
            foreach (var fixture in new[] { "rand", "ties", "zeros", "subnormal", "nan", "neginf" })
            {
                var a = Fill(fixture, [2, 3, 1, l], (ulong)(i++ * 17 + 1));
                var b = Fill("rand", [2, 2, 1, l], (ulong)(i * 13 + 2));
                // The reference's signed root takes Math.Sign, which refuses NaN: NaN fixtures run with the other roots.
                bool nan = fixture is "nan" or "neginf";
                foreach (var json in new[] { "{\"reduce\":\"sum\",\"sqrt\":\"signed\"}", "{\"reduce\":\"mean\",\"sqrt\":\"none\",\"l2_normalize\":false}",
                             "{\"reduce\":\"mean\",\"sqrt\":\"unsigned\",\"eps\":1e-5}", "{\"sqrt\":\"signed\",\"eps\":1e-10}" })
                {
                    if (nan && json.Contains("signed\"") && !json.Contains("unsigned")) continue;
                    Check("poolconf.bilinear_pool", json, new() { ["input"] = a }, $"fixture {fixture} L {l} symmetric");
                    Check("poolconf.bilinear_pool", json, new() { ["input"] = a, ["input2"] = b }, $"fixture {fixture} L {l} two inputs");
                }
            }
    }

    [Test]
    public void Bilinear_HandComputed_GramRootAndL2()
    {
        // Channels a = [1, 2], b = [3, 4] over two locations: Φ = [[5, 11], [11, 25]].
        var x = T([1, 2, 1, 2], 1, 2, 3, 4);
        var raw = Run("poolconf.bilinear_pool", "{\"sqrt\":\"none\",\"l2_normalize\":false}", new() { ["input"] = x }, 1)["output"];
        Assert.That(raw.Data, Is.EqualTo(new double[] { 5, 11, 11, 25 }));
        Assert.That(raw.Shape, Is.EqualTo(new[] { 1, 4 }));
        var mean = Run("poolconf.bilinear_pool", "{\"reduce\":\"mean\",\"sqrt\":\"none\",\"l2_normalize\":false}", new() { ["input"] = x }, 1)["output"];
        Assert.That(mean.Data, Is.EqualTo(new double[] { 2.5, 5.5, 5.5, 12.5 }));
        // Signed root then L2: [√5, √11, √11, 5] / √52.
        var y = Run("poolconf.bilinear_pool", "{}", new() { ["input"] = x }, 1)["output"];
        double g = Math.Sqrt(52);
        Assert.That(y.Data, Is.EqualTo(new[] { Math.Sqrt(5) / g, Math.Sqrt(11) / g, Math.Sqrt(11) / g, 5 / g }).Within(1e-6));
        // Two inputs, the row-major i·C_B + j order: a = [1, 2] with b = [[1, 0], [0, 1]] gives [1, 2].
        var two = Run("poolconf.bilinear_pool", "{\"sqrt\":\"none\",\"l2_normalize\":false}",
            new() { ["input"] = T([1, 1, 1, 2], 1, 2), ["input2"] = T([1, 2, 1, 2], 1, 0, 0, 1) }, 1)["output"];
        Assert.That(two.Data, Is.EqualTo(new double[] { 1, 2 }));
    }

    // ---------------------------------------------------------------- edge-aware pyramid

    [Test]
    public void EdgeAware_MatchesReference_OverWidthSizesLevelsAndFixtures()
    {
        var lengths = Lengths();
        int i = 0;
        foreach (int w in lengths)
            foreach (var fixture in new[] { "rand", "ties", "zeros", "subnormal", "nan", "neginf" })
            {
                int h = lengths[(i + 1) % lengths.Length];
                var x = Fill(fixture, [2, 3, h, w], (ulong)(i++ * 7 + 3));
                var e = Uniform([2, 1, h, w], (ulong)(i * 5 + 1), 0, 1);
                foreach (var json in new[] { "{}", "{\"levels\":[1,3],\"beta\":0,\"upsample\":\"none\"}", "{\"levels\":[2,4],\"beta\":4,\"upsample\":\"none\"}",
                             $"{{\"levels\":[{Width + 1},5],\"beta\":2.5}}" })
                    Check("poolconf.edge_aware_pyramid_pool", json, new() { ["input"] = x, ["edge"] = e }, $"fixture {fixture} {h}×{w}");
            }
    }

    [Test]
    public void EdgeAware_HandComputed_PlainAndWeightedMeans()
    {
        var x = T([1, 1, 2, 2], 1, 2, 3, 4);
        // β = 0: the plain mean 2.5; levels [1, 2] without upsampling: [2.5, 1, 2, 3, 4].
        var y = Run("poolconf.edge_aware_pyramid_pool", "{\"levels\":[1,2],\"beta\":0,\"upsample\":\"none\"}",
            new() { ["input"] = x, ["edge"] = T([1, 1, 2, 2], 0, 0, 0, 0) }, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new double[] { 2.5, 1, 2, 3, 4 }));
        // β = ln 2, edges [0, 1, 0, 1]: weights [1, ½, 1, ½], (1 + 1 + 3 + 2) / 3 = 7/3.
        y = Run("poolconf.edge_aware_pyramid_pool", $"{{\"levels\":[1],\"beta\":{Math.Log(2):R},\"upsample\":\"none\"}}",
            new() { ["input"] = x, ["edge"] = T([1, 1, 2, 2], 0, 1, 0, 1) }, 1)["output"];
        Assert.That(y.Data[0], Is.EqualTo(7.0 / 3).Within(1e-6));
        // Nearest upsampling: [F, level 1] — the input copied, then the one bin everywhere.
        y = Run("poolconf.edge_aware_pyramid_pool", "{\"levels\":[1],\"beta\":0}", new() { ["input"] = x, ["edge"] = T([1, 1, 2, 2], 0, 0, 0, 0) }, 1)["output"];
        Assert.That(y.Shape, Is.EqualTo(new[] { 1, 2, 2, 2 }));
        Assert.That(y.Data, Is.EqualTo(new double[] { 1, 2, 3, 4, 2.5, 2.5, 2.5, 2.5 }));
    }

    // ---------------------------------------------------------------- NetVLAD

    [Test]
    public void NetVlad_MatchesReference_OverWidthSizesClustersAndFixtures()
    {
        var lengths = Lengths();
        int i = 0;
        foreach (int l in lengths)
            foreach (var fixture in Fixtures)
                foreach (int d in new[] { 1, 3, Width + 1 })
                {
                    int k = 1 + i % 4;
                    var x = Fill(fixture, [2, d, 1, l], (ulong)(i++ * 11 + 9));
                    var inputs = new Dictionary<string, Tensor>
                    {
                        ["input"] = x, ["weight"] = Uniform([k, d], (ulong)i * 3, -2, 2), ["bias"] = Uniform([k], (ulong)i * 5), ["centers"] = Uniform([k, d], (ulong)i * 7),
                    };
                    Check("poolconf.netvlad", "{}", inputs, $"fixture {fixture} D {d} L {l} K {k}");
                    Check("poolconf.netvlad", "{\"normalize_input\":false}", inputs, $"fixture {fixture} D {d} L {l} K {k} raw");
                }
    }

    [Test]
    public void NetVlad_HandComputed_OneClusterIsTheNormalizedResidualSum()
    {
        // K = 1: every assignment is 1; V = Σ_i (x_i − c) = (1, 0) + (0, 1) − 2·(0, 0) = (1, 1), normalized (1/√2, 1/√2).
        var inputs = new Dictionary<string, Tensor>
        {
            ["input"] = T([1, 2, 1, 2], 1, 0, 0, 1), ["weight"] = T([1, 2], 0.5, -0.25), ["bias"] = T([1], 3), ["centers"] = T([1, 2], 0, 0),
        };
        var y = Run("poolconf.netvlad", "{\"normalize_input\":false}", inputs, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new[] { Math.Sqrt(0.5), Math.Sqrt(0.5) }).Within(1e-7));
        // Two clusters, equal logits: assignments ½ each; c_0 = (1, 0), c_1 = (0, 1): V_0 = ½(0, 0) + ½(−1, 1) = (−½, ½),
        // V_1 = ½(1, −1) + ½(0, 0) = (½, −½); each row normalized to (∓1/√2, ±1/√2), then globally: every element ±½.
        inputs["weight"] = T([2, 2], 0, 0, 0, 0); inputs["bias"] = T([2], 0, 0); inputs["centers"] = T([2, 2], 1, 0, 0, 1);
        y = Run("poolconf.netvlad", "{\"normalize_input\":false}", inputs, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new[] { -0.5, 0.5, 0.5, -0.5 }).Within(1e-7));
    }

    // ---------------------------------------------------------------- compact bilinear

    [Test]
    public void CompactBilinear_MatchesReference_OverWidthLengthsMethodsAndFixtures()
    {
        int i = 0;
        foreach (int l in Lengths())
            foreach (var fixture in Fixtures)
                foreach (int c in new[] { 1, 3, Width + 1 })
                {
                    int d = new[] { 1, 5, 8, Width + 3 }[i % 4];
                    var x = Fill(fixture, [2, c, 1, l], (ulong)(i++ * 19 + 4));
                    var ts = new Dictionary<string, Tensor>
                    {
                        ["input"] = x, ["h1"] = Ints([c], (ulong)i, 0, d), ["h2"] = Ints([c], (ulong)i + 100, 0, d), ["s1"] = Signs([c], (ulong)i + 200), ["s2"] = Signs([c], (ulong)i + 300),
                    };
                    var rm = new Dictionary<string, Tensor> { ["input"] = x, ["w1"] = Signs([d, c], (ulong)i + 400), ["w2"] = Signs([d, c], (ulong)i + 500) };
                    // The reference's signed root takes Math.Sign, which refuses NaN: NaN-making fixtures run with the other roots.
                    bool nan = fixture is "nan" or "neginf";
                    if (!nan) Check("poolconf.compact_bilinear_pool", $"{{\"output_dim\":{d}}}", ts, $"TS fixture {fixture} C {c} L {l} d {d}");
                    Check("poolconf.compact_bilinear_pool", $"{{\"output_dim\":{d},\"reduce\":\"mean\",\"sqrt\":\"none\",\"l2_normalize\":false}}", ts, $"TS raw fixture {fixture} C {c} L {l} d {d}");
                    Check("poolconf.compact_bilinear_pool", $"{{\"method\":\"random_maclaurin\",\"reduce\":\"mean\"{(nan ? ",\"sqrt\":\"unsigned\"" : "")}}}", rm, $"RM fixture {fixture} C {c} L {l} d {d}");
                }
    }

    [Test]
    public void CompactBilinear_HandComputed_OneChannelSketches()
    {
        // C = 1, d = 1: z = s1·s2·Σ_l x_l² = ±(1 + 4); Random Maclaurin with w1 = w2 = [[1]]: z = Σ_l x_l² / √1 = 5.
        var x = T([1, 1, 1, 2], 1, 2);
        string raw = "{\"output_dim\":1,\"sqrt\":\"none\",\"l2_normalize\":false}";
        var one = new Tensor(DType.Int64, [1], [0]);
        Assert.That(Run("poolconf.compact_bilinear_pool", raw, new() { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([1], 1), ["s2"] = T([1], 1) }, 1)["output"].Data, Is.EqualTo(new double[] { 5 }));
        Assert.That(Run("poolconf.compact_bilinear_pool", raw, new() { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([1], -1), ["s2"] = T([1], 1) }, 1)["output"].Data, Is.EqualTo(new double[] { -5 }));
        Assert.That(Run("poolconf.compact_bilinear_pool", "{\"method\":\"random_maclaurin\",\"sqrt\":\"none\",\"l2_normalize\":false}",
            new() { ["input"] = x, ["w1"] = T([1, 1], 1), ["w2"] = T([1, 1], 1) }, 1)["output"].Data, Is.EqualTo(new double[] { 5 }));
        // C = 2, d = 2, h1 = [0, 1], h2 = [0, 0], signs +: bin 0 gets G_00 + G_01, bin 1 gets G_10 + G_11; x = [[1, 0], [1, 1]]:
        // G = [[1, 1], [1, 2]] → [2, 3].
        var x2 = T([1, 2, 1, 2], 1, 0, 1, 1);
        var y = Run("poolconf.compact_bilinear_pool", "{\"output_dim\":2,\"sqrt\":\"none\",\"l2_normalize\":false}", new()
        {
            ["input"] = x2, ["h1"] = new Tensor(DType.Int64, [2], [0, 1]), ["h2"] = new Tensor(DType.Int64, [2], [0, 0]), ["s1"] = T([2], 1, 1), ["s2"] = T([2], 1, 1),
        }, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new double[] { 2, 3 }));
    }

    // ---------------------------------------------------------------- MOP

    const string MopLevels = "[{\"window\":0,\"reduce\":\"avg\",\"vlad\":false},{\"window\":3,\"stride\":2,\"reduce\":\"max\"},{\"window\":2,\"stride\":1,\"reduce\":\"avg\"},{\"window\":2,\"stride\":2,\"reduce\":\"none\"}]";

    [Test]
    public void Mop_MatchesReference_WithAndWithoutPca()
    {
        int i = 0;
        foreach (var (c, h, w) in new[] { (3, 5, Math.Max(3, Width + 1)), (1, 4, 4), (Width + 1, 3, 7) })
            foreach (var fixture in Fixtures)
                foreach (bool pca in new[] { false, true })
                {
                    string levels = MopLevels.Replace("\"window\":0", $"\"window\":{Math.Min(h, w)}");
                    var x = Fill(fixture, [2, c, h, w], (ulong)(i++ * 23 + 6));
                    var inputs = new Dictionary<string, Tensor> { ["input"] = x };
                    int[] lens = [c, c, c * 4];
                    for (int li = 1; li <= 3; li++)
                    {
                        int len = lens[li - 1], dim = len;
                        if (pca)
                        {
                            dim = Math.Max(1, len - 1);
                            inputs[$"pca_mean_{li}"] = Uniform([len], (ulong)(i * 10 + li), -0.5, 0.5);
                            inputs[$"pca_matrix_{li}"] = Uniform([dim, len], (ulong)(i * 20 + li));
                        }
                        inputs[$"codebook_{li}"] = Uniform([3, dim], (ulong)(i * 30 + li));
                    }
                    if (fixture is not ("nan" or "neginf")) // the reference's signed root refuses NaN (Math.Sign)
                        Check("poolconf.mop", $"{{\"levels\":{levels}}}", inputs, $"fixture {fixture} [{c},{h},{w}] pca {pca}");
                    Check("poolconf.mop", $"{{\"levels\":{levels},\"sqrt\":\"none\",\"l2_normalize\":false}}", inputs, $"raw fixture {fixture} [{c},{h},{w}] pca {pca}");
                }
    }

    [Test]
    public void Mop_HandComputed_MeansAndHardVlad()
    {
        var x = T([1, 1, 2, 2], 1, 2, 3, 4);
        string raw = ",\"sqrt\":\"none\",\"l2_normalize\":false}";
        // One window over the map, averaged, no VLAD: the mean 2.5.
        Assert.That(Run("poolconf.mop", "{\"levels\":[{\"window\":2,\"vlad\":false}]" + raw, new() { ["input"] = x }, 1)["output"].Data, Is.EqualTo(new double[] { 2.5 }));
        // 1×1 windows against codewords 0 and 10: every descriptor (1…4) is nearer 0, so v_0 = 1 + 2 + 3 + 4 = 10, v_1 = 0.
        var y = Run("poolconf.mop", "{\"levels\":[{\"window\":1}]" + raw, new() { ["input"] = x, ["codebook_0"] = T([2, 1], 0, 10) }, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new double[] { 10, 0 }));
        // Codewords 0 and 3: 1 → 0 (residual 1); 2, 3, 4 → 3 (residuals −1, 0, 1).
        y = Run("poolconf.mop", "{\"levels\":[{\"window\":1}]" + raw, new() { ["input"] = x, ["codebook_0"] = T([2, 1], 0, 3) }, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new double[] { 1, 0 }));
        // One 2×2 max window: 4; 1×1 windows summed without VLAD: 1 + 2 + 3 + 4 = 10.
        y = Run("poolconf.mop", "{\"levels\":[{\"window\":2,\"reduce\":\"max\",\"vlad\":false},{\"window\":1,\"vlad\":false}]" + raw, new() { ["input"] = x }, 1)["output"];
        Assert.That(y.Data, Is.EqualTo(new double[] { 4, 10 }));
    }

    // ---------------------------------------------------------------- refusals and dtypes

    public static IEnumerable<TestCaseData> Refusals()
    {
        var x = T([1, 2, 3, 3], Enumerable.Range(0, 18).Select(v => v / 10.0).ToArray());
        var e = T([1, 1, 3, 3], Enumerable.Repeat(0.5, 9).ToArray());
        var one = new Tensor(DType.Int64, [2], [0, 1]);
        yield return new TestCaseData("poolconf.spectral_pool2d", "{\"output_size\":[4,2]}", new Dictionary<string, Tensor> { ["input"] = x }, "output_size").SetName("Spectral_Upsampling");
        yield return new TestCaseData("poolconf.spectral_pool2d", "{}", new Dictionary<string, Tensor> { ["input"] = x }, "output_size").SetName("Spectral_NoOutputSize");
        yield return new TestCaseData("poolconf.spectral_pool2d", "{\"output_size\":2,\"norm\":\"l1\"}", new Dictionary<string, Tensor> { ["input"] = x }, "norm").SetName("Spectral_BadNorm");
        yield return new TestCaseData("poolconf.bilinear_pool", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["input2"] = T([1, 1, 2, 3], 1, 2, 3, 4, 5, 6) }, "inputs.input2").SetName("Bilinear_Input2Shape");
        yield return new TestCaseData("poolconf.bilinear_pool", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["input2"] = new Tensor(DType.Float64, [1, 1, 3, 3], new double[9]) }, "inputs.input2").SetName("Bilinear_Input2Dtype");
        yield return new TestCaseData("poolconf.bilinear_pool", "{\"eps\":-1}", new Dictionary<string, Tensor> { ["input"] = x }, "eps").SetName("Bilinear_NegativeEps");
        yield return new TestCaseData("poolconf.bilinear_pool", "{\"reduce\":\"max\"}", new Dictionary<string, Tensor> { ["input"] = x }, "reduce").SetName("Bilinear_BadReduce");
        yield return new TestCaseData("poolconf.edge_aware_pyramid_pool", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["edge"] = T([1, 1, 3, 3], 0, 0, 0, 0, 2, 0, 0, 0, 0) }, "inputs.edge").SetName("EdgeAware_EdgeOutOfRange");
        yield return new TestCaseData("poolconf.edge_aware_pyramid_pool", "{\"levels\":[0]}", new Dictionary<string, Tensor> { ["input"] = x, ["edge"] = e }, "levels").SetName("EdgeAware_ZeroLevel");
        yield return new TestCaseData("poolconf.edge_aware_pyramid_pool", "{\"beta\":-1}", new Dictionary<string, Tensor> { ["input"] = x, ["edge"] = e }, "beta").SetName("EdgeAware_NegativeBeta");
        yield return new TestCaseData("poolconf.netvlad", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["weight"] = T([1, 2], 1, 1), ["bias"] = T([1], 0), ["centers"] = T([1, 3], 0, 0, 0) }, "inputs.centers").SetName("NetVlad_CentersWidth");
        yield return new TestCaseData("poolconf.netvlad", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["weight"] = T([1, 3], 1, 1, 1), ["bias"] = T([1], 0), ["centers"] = T([1, 2], 0, 0) }, "inputs.weight").SetName("NetVlad_WeightShape");
        yield return new TestCaseData("poolconf.netvlad", "{\"eps\":0}", new Dictionary<string, Tensor> { ["input"] = x, ["weight"] = T([1, 2], 1, 1), ["bias"] = T([1], 0), ["centers"] = T([1, 2], 0, 0) }, "eps").SetName("NetVlad_ZeroEps");
        yield return new TestCaseData("poolconf.compact_bilinear_pool", "{}", new Dictionary<string, Tensor> { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([2], 1, 1), ["s2"] = T([2], 1, 1) }, "output_dim").SetName("Compact_NoOutputDim");
        yield return new TestCaseData("poolconf.compact_bilinear_pool", "{\"output_dim\":1}", new Dictionary<string, Tensor> { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([2], 1, 1), ["s2"] = T([2], 1, 1) }, "inputs.h1").SetName("Compact_HashOutOfRange");
        yield return new TestCaseData("poolconf.compact_bilinear_pool", "{\"output_dim\":2}", new Dictionary<string, Tensor> { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([2], 1, 0), ["s2"] = T([2], 1, 1) }, "inputs.s1").SetName("Compact_BadSign");
        yield return new TestCaseData("poolconf.compact_bilinear_pool", "{\"output_dim\":2}", new Dictionary<string, Tensor> { ["input"] = x, ["h1"] = one, ["h2"] = one, ["s1"] = T([2], 1, 1), ["s2"] = T([2], 1, 1), ["w1"] = T([1, 2], 1, 1) }, "inputs.w1").SetName("Compact_UnusedW1");
        yield return new TestCaseData("poolconf.compact_bilinear_pool", "{\"method\":\"random_maclaurin\",\"output_dim\":3}", new Dictionary<string, Tensor> { ["input"] = x, ["w1"] = T([1, 2], 1, 1), ["w2"] = T([1, 2], 1, 1) }, "output_dim").SetName("Compact_OutputDimDisagrees");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":4,\"vlad\":false}]}", new Dictionary<string, Tensor> { ["input"] = x }, "levels[0].window").SetName("Mop_WindowTooLarge");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":2,\"vlad\":false}]}", new Dictionary<string, Tensor> { ["input"] = x, ["codebook_0"] = T([1, 2], 0, 0) }, "inputs.codebook_0").SetName("Mop_UnusedCodebook");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":2}]}", new Dictionary<string, Tensor> { ["input"] = x }, "inputs.codebook_0").SetName("Mop_MissingCodebook");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":2,\"reduce\":\"min\"}]}", new Dictionary<string, Tensor> { ["input"] = x }, "levels[0].reduce").SetName("Mop_BadReduce");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":2,\"vlad\":false}],\"reduce\":\"mean\"}", new Dictionary<string, Tensor> { ["input"] = x }, "reduce").SetName("Mop_NoReduceParameter");
        yield return new TestCaseData("poolconf.mop", "{\"levels\":[{\"window\":2}]}", new Dictionary<string, Tensor> { ["input"] = x, ["codebook_0"] = T([1, 2], 0, 0), ["pca_mean_0"] = T([2], 0, 0) }, "inputs.pca_matrix_0").SetName("Mop_PcaMeanAlone");
    }

    [Test]
    public void EdgeAware_LevelsPastTheOutputLimit_AreRefused()
    {
        // Σl² = 10^10 + 1 bins per plane: an int sum overflowed or the bins' allocation failed (OverflowException /
        // OutOfMemoryException, as in the reference); now one refusal naming levels, in both upsample modes.
        var x = T([1, 1, 3, 3], 1, 2, 3, 4, 5, 6, 7, 8, 9);
        var e = T([1, 1, 3, 3], new double[9]);
        foreach (var json in new[] { "{\"levels\":[1,100000]}", "{\"levels\":[100000,100000],\"upsample\":\"none\"}" })
        {
            var ours = Assert.Throws<InvalidParameterException>(() => Run("poolconf.edge_aware_pyramid_pool", json, new() { ["input"] = x, ["edge"] = e }, 1))!;
            Assert.That(ours.Field, Is.EqualTo("levels"), ours.Message);
        }
    }

    [TestCaseSource(nameof(Refusals))]
    public void Refusal_NamesTheSameFieldAsTheReference(string op, string json, Dictionary<string, Tensor> inputs, string field)
    {
        var reference = Assert.Throws<InvalidParameterException>(() => Expected(op, json, inputs))!;
        Assert.That(reference.Field, Is.EqualTo(field), $"the reference refuses {op} {json} on '{reference.Field}'");
        var ours = Assert.Throws<InvalidParameterException>(() => Run(op, json, inputs, 1))!;
        Assert.That(ours.Field, Is.EqualTo(field), ours.Message);
    }

    [Test]
    public void Float64_IsSkipped_Float16_IsServed()
    {
        var x64 = new Tensor(DType.Float64, [1, 1, 2, 2], [1, 2, 3, 4]);
        Assert.Throws<OptimizedBackend.NotServed>(() => Run("poolconf.bilinear_pool", "{}", new() { ["input"] = x64 }, 1));
        var x16 = new Tensor(DType.Float16, [1, 2, 4, 4], Fill("rand", [1, 2, 4, 4], 9).Data.Select(v => DType.Float16.Round(v)).ToArray());
        Check("poolconf.spectral_pool2d", "{\"output_size\":[3,2]}", new() { ["input"] = x16 }, "float16");
        Check("poolconf.bilinear_pool", "{\"reduce\":\"mean\"}", new() { ["input"] = x16 }, "float16");
        Check("poolconf.edge_aware_pyramid_pool", "{\"levels\":[1,2]}", new() { ["input"] = x16, ["edge"] = new Tensor(DType.Float16, [1, 1, 4, 4], Enumerable.Repeat(0.25, 16).ToArray()) }, "float16");
    }
}
