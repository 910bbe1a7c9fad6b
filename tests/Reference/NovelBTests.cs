using NUnit.Framework;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// Hand-computed examples for issue 4 part B (edge-aware pyramid, spectral, NetVLAD, bilinear, compact bilinear, MOP). Each
/// expected value is worked in the comment above it.
/// </summary>
[TestFixture]
public class NovelBTests
{
    // ---------------------------------------------------------------- spectral_pool2d
    // x = [1, 0, −1, 0] (one row, N = 4 → W = 2). X[q] = Σ_b x_b·e^{−iπqb/2}: X[0] = 0, X[1] = 1 − (−1) = 2, X[2] = 0, X[3] = 2.
    // Kept bins: t = 0 (f = 0) and t = 1 (f = −1 ≡ 3). Fold adds X[+1] into it: Y = [0, 4]; Hermitian keeps Y = [0, 2].
    // IDFT_2 of [0, Y1] is [Y1, −Y1]; mean scale 1/(MN) = 1/4 → fold [1, −1] (the cos(πn/2) samples), hermitian [0.5, −0.5].
    [TestCase("fold", "mean", 1.0)]
    [TestCase("hermitian", "mean", 0.5)]
    [TestCase("fold", "ortho", 1.4142135623730951)] // 4/√(4·2)
    [TestCase("fold", "backward", 2.0)]             // 4/(1·2)
    public void Spectral_CosineAtTheCut_FollowsTheNyquistRuleAndScale(string rule, string norm, double amp)
    {
        var r = Eval("poolconf.spectral_pool2d", $"{{\"output_size\":[1,2],\"nyquist\":\"{rule}\",\"norm\":\"{norm}\"}}", T([1, 1, 1, 4], 1, 0, -1, 0));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 1, 1, 2 }));
        Check.Close(Check.V(r), [amp, -amp], 1e-14);
    }

    // H = W = 1 keeps only X[0,0] = Σx = 12; mean scale 1/4 → the mean 3.
    [Test]
    public void Spectral_ToOneByOne_IsTheMean() =>
        Check.Close(Check.V(Eval("poolconf.spectral_pool2d", "{\"output_size\":1}", T([1, 1, 2, 2], 1, 2, 3, 6))), [3], 1e-14);

    [Test]
    public void Spectral_FullSize_IsTheIdentity() =>
        Check.Close(Check.V(Eval("poolconf.spectral_pool2d", "{\"output_size\":[2,3],\"nyquist\":\"hermitian\"}", T([1, 1, 2, 3], 1, -2, 3, 0.5, 7, -1))), [1, -2, 3, 0.5, 7, -1], 1e-14);

    // A NaN in plane 0 spreads over plane 0 only; plane 1 (constant 2) stays 2 at any size.
    [Test]
    public void Spectral_NaN_SpreadsOverItsPlaneOnly() =>
        Check.Close(Check.V(Eval("poolconf.spectral_pool2d", "{\"output_size\":1}", T([1, 2, 1, 2], double.NaN, 1, 2, 2))), [double.NaN, 2], 1e-14);

    [Test]
    public void Spectral_Refuses_OutputLargerThanInput_AndBadRule()
    {
        Check.Refuses(() => Eval("poolconf.spectral_pool2d", "{\"output_size\":[3,1]}", T([1, 1, 2, 2], 1, 2, 3, 4)), "output_size");
        Check.Refuses(() => Eval("poolconf.spectral_pool2d", "{\"output_size\":[0,1]}", T([1, 1, 2, 2], 1, 2, 3, 4)), "output_size");
        Check.Refuses(() => Eval("poolconf.spectral_pool2d", "{\"output_size\":1,\"nyquist\":\"round\"}", T([1, 1, 2, 2], 1, 2, 3, 4)), "nyquist");
        Check.Refuses(() => Eval("poolconf.spectral_pool2d", "{\"output_size\":1,\"norm\":\"forward\"}", T([1, 1, 2, 2], 1, 2, 3, 4)), "norm");
    }

    // ---------------------------------------------------------------- netvlad
    static OpResult Vlad(string json, Tensor x, double[] w, double[] b, double[] c, int k, int d) =>
        Eval("poolconf.netvlad", json, ("input", x), ("weight", T([k, d], w)), ("bias", T([k], b)), ("centers", T([k, d], c)));

    // K = 1, c = 0, no input normalization: V = Σ x_i = (3, 0) + (0, 4) = (3, 4); intra and global L2 → (0.6, 0.8).
    [Test]
    public void NetVlad_OneCluster_IsTheNormalizedSum() =>
        Check.Close(Check.V(Vlad("{\"normalize_input\":false}", T([1, 2, 1, 2], 3, 0, 0, 4), [0, 0], [0], [0, 0], 1, 2)), [0.6, 0.8], 1e-14);

    // w = 0, b = 0 → a_k = 1/2. Locations (1, 0), (0, 1); c0 = (0, 0), c1 = (1, 1).
    // V0 = ½·((1,0) + (0,1)) = (½, ½) → (1/√2, 1/√2); V1 = ½·((0,−1) + (−1,0)) = (−½, −½) → (−1/√2, −1/√2);
    // global norm √2 → (½, ½, −½, −½), k-major.
    [Test]
    public void NetVlad_UniformAssignment_IntraThenGlobalNormalized() =>
        Check.Close(Check.V(Vlad("{\"normalize_input\":false}", T([1, 2, 1, 2], 1, 0, 0, 1), [0, 0, 0, 0], [0, 0], [0, 0, 1, 1], 2, 2)), [0.5, 0.5, -0.5, -0.5], 1e-14);

    // x = (3, 4), c = (1, 0). Raw: x − c = (2, 4) → (1, 2)/√5. Normalized input (0.6, 0.8): (−0.4, 0.8) → (−1, 2)/√5.
    [TestCase(false, 1.0)]
    [TestCase(true, -1.0)]
    public void NetVlad_NormalizeInput_ActsBeforeTheResidual(bool ni, double first) =>
        Check.Close(Check.V(Vlad($"{{\"normalize_input\":{(ni ? "true" : "false")}}}", T([1, 2, 1, 1], 3, 4), [0, 0], [0], [1, 0], 1, 2)), [first / Math.Sqrt(5), 2 / Math.Sqrt(5)], 1e-14);

    // Centers (1, 2) and (0, −1), α = 0.5: w = 2α·c = c; b = −α‖c‖² = (−2.5, −0.5).
    [Test]
    public void NetVlad_PaperInit_BuildsTwoAlphaCAndMinusAlphaNormSquared()
    {
        var (w, b) = NetVlad.PaperInit([1, 2, 0, -1], 2, 2, 0.5);
        Check.Close(w, [1, 2, 0, -1], 0);
        Check.Close(b, [-2.5, -0.5], 0);
    }

    [Test]
    public void NetVlad_Refuses_MismatchedShapesAndEps()
    {
        var x = T([1, 2, 1, 1], 1, 2);
        Check.Refuses(() => Vlad("{}", x, [0, 0, 0], [0], [0, 0, 0], 1, 3), "inputs.centers");
        Check.Refuses(() => Eval("poolconf.netvlad", "{}", ("input", x), ("weight", T([1, 3], 0, 0, 0)), ("bias", T([1], 0)), ("centers", T([1, 2], 0, 0))), "inputs.weight");
        Check.Refuses(() => Vlad("{\"eps\":0}", x, [0, 0], [0], [0, 0], 1, 2), "eps");
    }

    // ---------------------------------------------------------------- bilinear_pool
    // One location x = (1, −2): Φ = [[1, −2], [−2, 4]]; signed root [1, −√2, −√2, 2]; norm √(1 + 2 + 2 + 4) = 3.
    [Test]
    public void Bilinear_OneLocation_IsTheNormalizedSignedRootOfTheOuterProduct()
    {
        double s = Math.Sqrt(2) / 3;
        Check.Close(Check.V(Eval("poolconf.bilinear_pool", "{}", T([1, 2, 1, 1], 1, -2))), [1.0 / 3, -s, -s, 2.0 / 3], 1e-14);
    }

    // a = (1, 2), b = (3, 5) at one location: Φ = [[3, 5], [6, 10]]; row-major vec [3, 5, 6, 10] (column-major would be [3, 6, 5, 10]).
    [Test]
    public void Bilinear_Asymmetric_VecIsRowMajor() =>
        Check.Close(Check.V(Eval("poolconf.bilinear_pool", "{\"sqrt\":\"none\",\"l2_normalize\":false}", ("input", T([1, 2, 1, 1], 1, 2)), ("input2", T([1, 2, 1, 1], 3, 5)))), [3, 5, 6, 10], 0);

    // a at l0 = (1, 0), l1 = (0, 2); b = 3, 1: Φ = [1·3 + 0·1, 0·3 + 2·1] = [3, 2]; mean over 2 locations [1.5, 1].
    [TestCase("sum", 3.0, 2.0)]
    [TestCase("mean", 1.5, 1.0)]
    public void Bilinear_Reduce_SumsOrAveragesOverLocations(string reduce, double e0, double e1) =>
        Check.Close(Check.V(Eval("poolconf.bilinear_pool", $"{{\"reduce\":\"{reduce}\",\"sqrt\":\"none\",\"l2_normalize\":false}}", ("input", T([1, 2, 1, 2], 1, 0, 0, 2)), ("input2", T([1, 1, 1, 2], 3, 1)))), [e0, e1], 0);

    // A NaN input (x = (NaN, 1)): Φ = [[NaN, NaN], [NaN, 1]]; the signed root of NaN is NaN (Math.Sign throws on NaN, so the
    // oracle must not reach it), and the L2 norm of a vector holding NaN is NaN, so every element is NaN — without sqrt or L2,
    // the one finite product stays 1. Also the signed root alone: [NaN, 4, −4, 0] → [NaN, 2, −2, 0].
    [Test]
    public void Bilinear_NaNInput_PropagatesInsteadOfThrowing()
    {
        foreach (var v in Check.V(Eval("poolconf.bilinear_pool", "{}", T([1, 2, 1, 1], double.NaN, 1)))) Assert.That(v, Is.NaN);
        var raw = Check.V(Eval("poolconf.bilinear_pool", "{\"sqrt\":\"none\",\"l2_normalize\":false}", T([1, 2, 1, 1], double.NaN, 1)));
        Assert.That(raw[3], Is.EqualTo(1));
        var (y, _) = NormalizeSteps.Sqrt([double.NaN, 4, -4, 0], [0, 0, 0, 0], SqrtRule.Signed, 0, 1e-16);
        Assert.That(y[0], Is.NaN);
        Assert.That(y[1..], Is.EqualTo(new[] { 2.0, -2.0, 0.0 }));
    }

    // Zero input: Φ = 0; signed root with eps: sign(0)·√eps = 0; unsigned: √eps = 0.01 (eps = 1e-4); L2 of zeros stays zero.
    [Test]
    public void Bilinear_ZeroInput_SignedStaysZero_UnsignedGivesRootEps()
    {
        Check.Close(Check.V(Eval("poolconf.bilinear_pool", "{\"eps\":1e-4}", T([1, 1, 1, 2], 0, 0))), [0], 0);
        Check.Close(Check.V(Eval("poolconf.bilinear_pool", "{\"eps\":1e-4,\"sqrt\":\"unsigned\",\"l2_normalize\":false}", T([1, 1, 1, 2], 0, 0))), [0.01], 1e-15);
    }

    [Test]
    public void Bilinear_Refuses_MismatchedSecondInputAndNegativeEps()
    {
        Check.Refuses(() => Eval("poolconf.bilinear_pool", "{}", ("input", T([1, 1, 1, 2], 1, 2)), ("input2", T([1, 1, 2, 1], 1, 2))), "inputs.input2");
        Check.Refuses(() => Eval("poolconf.bilinear_pool", "{\"eps\":-1}", T([1, 1, 1, 2], 1, 2)), "eps");
        Check.Refuses(() => Eval("poolconf.bilinear_pool", "{\"reduce\":\"max\"}", T([1, 1, 1, 2], 1, 2)), "reduce");
    }

    // ---------------------------------------------------------------- compact_bilinear_pool
    static OpResult Ts(string extra, Tensor x, long[] h1, double[] s1, long[] h2, double[] s2) =>
        Eval("poolconf.compact_bilinear_pool", "{\"output_dim\":2,\"sqrt\":\"none\",\"l2_normalize\":false" + extra + "}", ("input", x),
            ("h1", I64([h1.Length], h1)), ("s1", T([s1.Length], s1)), ("h2", I64([h2.Length], h2)), ("s2", T([s2.Length], s2)));

    // x = (1, 2), d = 2, h1 = (0, 1), s1 = (1, 1), h2 = (0, 0), s2 = (1, −1). Pairs (i, j) → (h1i + h2j) mod 2, s1i·s2j·xi·xj:
    // (0,0) → 0, +1; (0,1) → 0, −2; (1,0) → 1, +2; (1,1) → 1, −4: z = [−1, −2].
    // FFT check: ψ1 = [1, 2], ψ2 = [1 − 2, 0] = [−1, 0]; circular convolution [−1, −2].
    [Test]
    public void TensorSketch_TwoChannels_IsTheHashedOuterProduct() =>
        Check.Close(Check.V(Ts("", T([1, 2, 1, 1], 1, 2), [0, 1], [1, 1], [0, 0], [1, -1])), [-1, -2], 0);

    // W1 = [[1, 1], [1, −1]], W2 = [[1, −1], [−1, −1]], x = (1, 2): W1x = (3, −1), W2x = (−1, −3); (1/√2)·(−3, 3).
    [Test]
    public void RandomMaclaurin_TwoChannels_IsTheScaledProductOfProjections()
    {
        var r = Eval("poolconf.compact_bilinear_pool", "{\"method\":\"random_maclaurin\",\"sqrt\":\"none\",\"l2_normalize\":false}",
            ("input", T([1, 2, 1, 1], 1, 2)), ("w1", T([2, 2], 1, 1, 1, -1)), ("w2", T([2, 2], 1, -1, -1, -1)));
        Check.Close(Check.V(r), [-3 / Math.Sqrt(2), 3 / Math.Sqrt(2)], 1e-15);
    }

    [Test]
    public void CompactBilinear_Refuses_BadHashesSignsAndMatrices()
    {
        var x = T([1, 2, 1, 1], 1, 2);
        Check.Refuses(() => Ts("", x, [0, 2], [1, 1], [0, 0], [1, -1]), "inputs.h1");
        Check.Refuses(() => Ts("", x, [0, 1], [1, 0], [0, 0], [1, -1]), "inputs.s1");
        Check.Refuses(() => Eval("poolconf.compact_bilinear_pool", "{}", ("input", x), ("h1", I64([2], 0, 0)), ("s1", T([2], 1, 1)), ("h2", I64([2], 0, 0)), ("s2", T([2], 1, 1))), "output_dim");
        Check.Refuses(() => Eval("poolconf.compact_bilinear_pool", "{\"method\":\"random_maclaurin\"}", ("input", x), ("w1", T([1, 2], 1, 2)), ("w2", T([1, 2], 1, 1))), "inputs.w1");
    }

    // ---------------------------------------------------------------- edge_aware_pyramid_pool
    // F = [[1, 2], [3, 4]], E = [[0, 1], [0, 0]], β = ln 2 → ω = [1, ½, 1, 1]. Level 1: (1 + 1 + 3 + 4)/3.5 = 18/7.
    // Level 2 (one tap per bin): F itself. upsample "none": [18/7, 1, 2, 3, 4].
    [Test]
    public void EdgeAware_WeightsAreExpMinusBetaE()
    {
        var r = Eval("poolconf.edge_aware_pyramid_pool", $"{{\"levels\":[1,2],\"beta\":{Math.Log(2):R},\"upsample\":\"none\"}}",
            ("input", T([1, 1, 2, 2], 1, 2, 3, 4)), ("edge", T([1, 1, 2, 2], 0, 1, 0, 0)));
        Check.Close(Check.V(r), [18.0 / 7, 1, 2, 3, 4], 1e-14);
    }

    // F = [1, 2, 4] (3×1), level 2: bins [0, 2) and [1, 3) → 1.5 and 3; nearest rows ⌊h·2/3⌋ = 0, 0, 1 → [1.5, 1.5, 3].
    // Output channels: [F, level]: [1, 2, 4, 1.5, 1.5, 3].
    [Test]
    public void EdgeAware_Nearest_ConcatenatesInputThenLevels()
    {
        var r = Eval("poolconf.edge_aware_pyramid_pool", "{\"levels\":[2],\"beta\":0}", ("input", T([1, 1, 3, 1], 1, 2, 4)), ("edge", T([1, 1, 3, 1], 1, 0, 0.5)));
        Assert.That(Check.S(r), Is.EqualTo(new[] { 1, 2, 3, 1 }));
        Check.Close(Check.V(r), [1, 2, 4, 1.5, 1.5, 3], 1e-15);
    }

    [Test]
    public void EdgeAware_Refuses_NegativeBetaZeroLevelAndEdgeOutsideUnitInterval()
    {
        var x = T([1, 1, 1, 2], 1, 2);
        Check.Refuses(() => Eval("poolconf.edge_aware_pyramid_pool", "{\"beta\":-1}", ("input", x), ("edge", T([1, 1, 1, 2], 0, 0))), "beta");
        Check.Refuses(() => Eval("poolconf.edge_aware_pyramid_pool", "{\"levels\":[0]}", ("input", x), ("edge", T([1, 1, 1, 2], 0, 0))), "levels");
        Check.Refuses(() => Eval("poolconf.edge_aware_pyramid_pool", "{}", ("input", x), ("edge", T([1, 1, 1, 2], 0, 2))), "inputs.edge");
    }

    // ---------------------------------------------------------------- mop
    static OpResult Mop(string levels, Tensor x, params (string, Tensor)[] extra) =>
        Eval("poolconf.mop", $"{{\"levels\":{levels},\"sqrt\":\"none\",\"l2_normalize\":false}}", [("input", x), .. extra]);

    // x = [[1, 2], [3, 4]], level 0: 1×1 windows (descriptors 1, 2, 3, 4), codebook [0, 2.5]: 1 → c0 (1 vs 2.25), 2, 3, 4 → c1;
    // v0 = 1 − 0 = 1, v1 = (2 − 2.5) + (3 − 2.5) + (4 − 2.5) = 1.5. Level 1: whole map, avg, no VLAD: 2.5. Output [1, 1.5, 2.5].
    [Test]
    public void Mop_HardVladThenGlobalLevel_ConcatenatedInOrder()
    {
        var r = Mop("[{\"window\":1},{\"window\":2,\"vlad\":false}]", T([1, 1, 2, 2], 1, 2, 3, 4), ("codebook_0", T([2, 1], 0, 2.5)));
        Check.Close(Check.V(r), [1, 1.5, 2.5], 1e-15);
    }

    // The same with signed root and L2 on level 0: [1, √1.5]/√2.5.
    [Test]
    public void Mop_SignedRootAndL2_PerLevel()
    {
        var r = Eval("poolconf.mop", "{\"levels\":[{\"window\":1}]}", ("input", T([1, 1, 2, 2], 1, 2, 3, 4)), ("codebook_0", T([2, 1], 0, 2.5)));
        Check.Close(Check.V(r), [1 / Math.Sqrt(2.5), Math.Sqrt(1.5 / 2.5)], 1e-15);
    }

    // PCA P = [[2]], μ = [1]: z = 2(d − 1) = 0, 2, 4, 6; codebook [0, 5]: 0, 2 → c0 (2: 4 vs 9); 4, 6 → c1.
    // v0 = 0 + 2 = 2, v1 = −1 + 1 = 0.
    [Test]
    public void Mop_PcaBeforeTheCodebook()
    {
        var r = Mop("[{\"window\":1,\"reduce\":\"max\"}]", T([1, 1, 2, 2], 1, 2, 3, 4), ("codebook_0", T([2, 1], 0, 5)), ("pca_mean_0", T([1], 1)), ("pca_matrix_0", T([1, 1], 2)));
        Check.Close(Check.V(r), [2, 0], 0);
    }

    // Descriptor 1 is equidistant from codewords 0 and 2: ties go to the lowest k, but a rounding may flip it — unspecified.
    [Test]
    public void Mop_AmbiguousAssignment_LeavesTheLevelUnspecified()
    {
        var r = Mop("[{\"window\":1}]", T([1, 1, 2, 2], 1, 2, 3, 4), ("codebook_0", T([2, 1], 0, 2)));
        Assert.That(Check.Unspecified(r), Is.All.True);
    }

    [Test]
    public void Mop_Refuses_MismatchedCodebookWindowTooLargeAndMissingCodebook()
    {
        var x = T([1, 2, 2, 2], 1, 2, 3, 4, 5, 6, 7, 8);
        Check.Refuses(() => Mop("[{\"window\":1}]", x, ("codebook_0", T([2, 1], 0, 1))), "inputs.codebook_0");
        Check.Refuses(() => Mop("[{\"window\":3}]", x, ("codebook_0", T([1, 2], 0, 1))), "levels[0].window");
        Check.Refuses(() => Mop("[{\"window\":1}]", x), "inputs.codebook_0");
        Check.Refuses(() => Mop("[{\"window\":1,\"reduce\":\"median\"}]", x, ("codebook_0", T([1, 2], 0, 1))), "levels[0].reduce");
        Check.Refuses(() => Mop("[{\"window\":1}]", x, ("codebook_0", T([1, 2], 0, 1)), ("pca_mean_0", T([2], 0, 0))), "inputs.pca_matrix_0");
    }

    // ---------------------------------------------------------------- the suite cases
    [Test]
    public void NovelBSuite_CasesGenerate_AndTheReferencePassesItsOwnExpectations()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float16 })
        {
            var b = new SuiteBuilder(7, dtype);
            NovelBSuite.Add(b, smoke: false);
            Assert.That(b.Cases.Select(c => c.Op).Distinct().Count(), Is.EqualTo(6));
            foreach (var c in b.Cases)
            {
                var r = OpRegistry.Find(c.Op)!.Evaluate(c.Params.ToJsonString(), c.Inputs);
                foreach (var o in c.Outputs)
                {
                    var e = r.Outputs[o];
                    Assert.That(e.Unspecified, Is.Null, c.Id);
                    var cmp = OutputComparer.Compare(e, e.Value, Tolerance.Derived);
                    Assert.That(cmp.Passed, c.Id);
                    Assert.That(e.Bound!.All(v => v >= 0 && !double.IsNaN(v)), c.Id);
                }
            }
            TestContext.Out.WriteLine($"{dtype.Name()}: {b.Cases.Count} cases");
        }
    }
}
