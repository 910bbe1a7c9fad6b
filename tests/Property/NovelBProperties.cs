using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.IntegralTransforms;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// Invariants of METHODS.md §17 for issue 4 part B. Inputs are float64 drawn from a generated seed (shapes and values from
/// one SplitMix-style stream), so the op's own bounds are ~1e−15 relative; comparisons allow 1e−10 relative. The FFT
/// cross-checks use MathNet.Numerics 5.0.0 1-D transforms (2-D as rows then columns; STACK.md §4), in this test project only.
/// </summary>
[TestFixture]
public class NovelBProperties
{
    const double Tol = 1e-10;

    static Arbitrary<int> Seeds => Arb.From(Gen.Choose(0, int.MaxValue));

    static double[] Rand(Random g, int n, double scale = 2) => Enumerable.Range(0, n).Select(_ => Math.Round((g.NextDouble() * 2 - 1) * scale, 3)).ToArray();

    static bool Close(double[] a, double[] b, double tol = Tol)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (!(Math.Abs(a[i] - b[i]) <= tol * Math.Max(1, Math.Abs(b[i])))) return false;
        return true;
    }

    static double[] Spec(Tensor x, int h, int w, string rule = "fold", string norm = "mean") =>
        Eval("poolconf.spectral_pool2d", $"{{\"output_size\":[{h},{w}],\"nyquist\":\"{rule}\",\"norm\":\"{norm}\"}}", x).Outputs["output"].Value.Data;

    // ------------------------------------------------------------------ spectral
    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Spectral_ToFullSize_IsTheIdentity() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int m = g.Next(1, 9), n = g.Next(1, 9);
        var x = T([1, 2, m, n], Rand(g, 2 * m * n));
        return Close(Spec(x, m, n, g.Next(2) == 0 ? "fold" : "hermitian"), x.Data);
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Spectral_Composition_PoolTwiceEqualsPoolOnce() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int m = g.Next(2, 11), n = g.Next(2, 11);
        int h1 = g.Next(1, m + 1), w1 = g.Next(1, n + 1), h2 = g.Next(1, h1 + 1), w2 = g.Next(1, w1 + 1);
        string rule = g.Next(2) == 0 ? "fold" : "hermitian";
        var x = T([1, 1, m, n], Rand(g, m * n));
        var once = Spec(x, h2, w2, rule);
        var twice = Spec(T([1, 1, h1, w1], Spec(x, h1, w1, rule)), h2, w2, rule);
        return Close(twice, once).Label($"{m}x{n} -> {h1}x{w1} -> {h2}x{w2} {rule}");
    });

    /// <summary>scipy.signal.resample along one axis for an odd target: keep bins −(H−1)/2 … (H−1)/2, inverse, × H/M.</summary>
    static double[] Resample1D(double[] v, int h)
    {
        int m = v.Length;
        var spec = v.Select(t => new Complex(t, 0)).ToArray();
        Fourier.Forward(spec, FourierOptions.Matlab);
        var y = new Complex[h];
        for (int t = 0; t < h; t++) { int f = t <= (h - 1) / 2 ? t : t - h; y[t] = spec[((f % m) + m) % m]; }
        Fourier.Inverse(y, FourierOptions.Matlab);
        return y.Select(c => c.Real * h / m).ToArray();
    }

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Spectral_OddSizes_EqualPerAxisFourierResampling_InBothRules() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int m = g.Next(1, 10), n = g.Next(1, 10);
        int h = 2 * g.Next(0, (m + 1) / 2) + 1, w = 2 * g.Next(0, (n + 1) / 2) + 1;
        var x = Rand(g, m * n);
        var rows = Enumerable.Range(0, m).Select(a => Resample1D(x[(a * n)..((a + 1) * n)], w)).ToArray();
        var expect = new double[h * w];
        for (int b = 0; b < w; b++)
        {
            var col = Resample1D(rows.Select(r => r[b]).ToArray(), h);
            for (int a = 0; a < h; a++) expect[a * w + b] = col[a];
        }
        var t = T([1, 1, m, n], x);
        return (Close(Spec(t, h, w, "fold"), expect, 1e-9) && Close(Spec(t, h, w, "hermitian"), expect, 1e-9)).Label($"{m}x{n} -> {h}x{w}");
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Spectral_MeanNorm_PreservesTheMean() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int m = g.Next(1, 9), n = g.Next(1, 9), h = g.Next(1, m + 1), w = g.Next(1, n + 1);
        var x = Rand(g, m * n);
        var y = Spec(T([1, 1, m, n], x), h, w, g.Next(2) == 0 ? "fold" : "hermitian");
        return Math.Abs(y.Average() - x.Average()) <= 1e-12;
    });

    // ------------------------------------------------------------------ netvlad
    static double[] Vlad(double[] x, int d, int n, double[] w, double[] b, double[] c, int k, bool ni) =>
        Eval("poolconf.netvlad", $"{{\"normalize_input\":{(ni ? "true" : "false")}}}", ("input", T([1, d, 1, n], x)), ("weight", T([k, d], w)), ("bias", T([k], b)), ("centers", T([k, d], c))).Outputs["output"].Value.Data;

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property NetVlad_HasUnitNorm_AndIgnoresTheOrderOfLocations() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int d = g.Next(1, 6), n = g.Next(1, 8), k = g.Next(1, 5);
        var x = Rand(g, d * n); var w = Rand(g, k * d); var b = Rand(g, k); var c = Rand(g, k * d, 0.5);
        bool ni = g.Next(2) == 0;
        var y = Vlad(x, d, n, w, b, c, k, ni);
        var perm = Enumerable.Range(0, n).OrderBy(_ => g.Next()).ToArray();
        var xp = new double[d * n];
        for (int j = 0; j < d; j++) for (int i = 0; i < n; i++) xp[j * n + i] = x[j * n + perm[i]];
        double norm = Math.Sqrt(y.Sum(v => v * v));
        return (Math.Abs(norm - 1) < 1e-12 && Close(Vlad(xp, d, n, w, b, c, k, ni), y)).Label($"norm {norm}");
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property NetVlad_PaperInit_SoftmaxOfLogitsEqualsSoftmaxOfMinusAlphaSquaredDistance() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int d = g.Next(1, 6), k = g.Next(1, 6);
        double alpha = Math.Round(g.NextDouble() * 10, 2);
        var c = Rand(g, k * d); var x = Rand(g, d);
        var (w, b) = NetVlad.PaperInit(c, k, d, alpha);
        var logits = Enumerable.Range(0, k).Select(q => b[q] + Enumerable.Range(0, d).Sum(j => w[q * d + j] * x[j])).ToArray();
        var dist = Enumerable.Range(0, k).Select(q => -alpha * Enumerable.Range(0, d).Sum(j => (x[j] - c[q * d + j]) * (x[j] - c[q * d + j]))).ToArray();
        return Close(NetVlad.Softmax(logits), NetVlad.Softmax(dist), 1e-12);
    });

    // ------------------------------------------------------------------ bilinear
    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Bilinear_SumAndMean_GiveTheSameNormalizedOutput() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int ca = g.Next(1, 5), cb = g.Next(1, 5), h = g.Next(1, 4), w = g.Next(1, 4);
        var a = T([1, ca, h, w], Rand(g, ca * h * w)); var b2 = T([1, cb, h, w], Rand(g, cb * h * w));
        string sq = g.Next(2) == 0 ? "signed" : "none";
        double[] Run(string red) => Eval("poolconf.bilinear_pool", $"{{\"reduce\":\"{red}\",\"sqrt\":\"{sq}\"}}", ("input", a), ("input2", b2)).Outputs["output"].Value.Data;
        return Close(Run("sum"), Run("mean"));
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Bilinear_IsInvariantToPermutingLocations_AndSymmetricForOneInput() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 5), l = g.Next(1, 8);
        var x = Rand(g, c * l);
        var perm = Enumerable.Range(0, l).OrderBy(_ => g.Next()).ToArray();
        var xp = new double[c * l];
        for (int i = 0; i < c; i++) for (int t = 0; t < l; t++) xp[i * l + t] = x[i * l + perm[t]];
        var y = Eval("poolconf.bilinear_pool", "{}", T([1, c, 1, l], x)).Outputs["output"].Value.Data;
        var yp = Eval("poolconf.bilinear_pool", "{}", T([1, c, 1, l], xp)).Outputs["output"].Value.Data;
        bool sym = Enumerable.Range(0, c).All(i => Enumerable.Range(0, c).All(j => y[i * c + j] == y[j * c + i]));
        return Close(yp, y) && sym;
    });

    // ------------------------------------------------------------------ compact bilinear
    [FsProperty(MaxTest = 100)]
    public FsCheck.Property TensorSketch_DirectForm_EqualsTheFftForm() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 6), l = g.Next(1, 5), d = g.Next(1, 9);
        var x = Rand(g, c * l);
        long[] h1 = Enumerable.Range(0, c).Select(_ => (long)g.Next(d)).ToArray(), h2 = Enumerable.Range(0, c).Select(_ => (long)g.Next(d)).ToArray();
        double[] s1 = Enumerable.Range(0, c).Select(_ => g.Next(2) * 2.0 - 1).ToArray(), s2 = Enumerable.Range(0, c).Select(_ => g.Next(2) * 2.0 - 1).ToArray();
        var direct = Eval("poolconf.compact_bilinear_pool", $"{{\"output_dim\":{d},\"sqrt\":\"none\",\"l2_normalize\":false}}", ("input", T([1, c, 1, l], x)),
            ("h1", I64([c], h1)), ("s1", T([c], s1)), ("h2", I64([c], h2)), ("s2", T([c], s2))).Outputs["output"];
        var fft = new double[d];
        for (int t = 0; t < l; t++)
        {
            var p1 = new Complex[d]; var p2 = new Complex[d];
            for (int i = 0; i < c; i++) { p1[h1[i]] += s1[i] * x[i * l + t]; p2[h2[i]] += s2[i] * x[i * l + t]; }
            Fourier.Forward(p1, FourierOptions.Matlab); Fourier.Forward(p2, FourierOptions.Matlab);
            var prod = p1.Zip(p2, (u, v) => u * v).ToArray();
            Fourier.Inverse(prod, FourierOptions.Matlab);
            for (int k = 0; k < d; k++) fft[k] += prod[k].Real;
        }
        // The FFT form must also lie within the op's own derived bound (which admits an FFT of length d).
        bool inBound = Enumerable.Range(0, d).All(k => Math.Abs(fft[k] - direct.Value.Data[k]) <= direct.Bound![k]);
        return (Close(fft, direct.Value.Data, 1e-9) && inBound).Label($"c{c} l{l} d{d}");
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property TensorSketch_OneBin_IsTheProductOfSignedSums() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 6);
        var x = Rand(g, c);
        double[] s1 = Enumerable.Range(0, c).Select(_ => g.Next(2) * 2.0 - 1).ToArray(), s2 = Enumerable.Range(0, c).Select(_ => g.Next(2) * 2.0 - 1).ToArray();
        var y = Eval("poolconf.compact_bilinear_pool", "{\"output_dim\":1,\"sqrt\":\"none\",\"l2_normalize\":false}", ("input", T([1, c, 1, 1], x)),
            ("h1", I64([c], new long[c])), ("s1", T([c], s1)), ("h2", I64([c], new long[c])), ("s2", T([c], s2))).Outputs["output"].Value.Data;
        double e = x.Zip(s1, (a, b) => a * b).Sum() * x.Zip(s2, (a, b) => a * b).Sum();
        return Close(y, [e], 1e-12);
    });

    // ------------------------------------------------------------------ edge-aware pyramid
    [FsProperty(MaxTest = 100)]
    public FsCheck.Property EdgeAware_BetaZero_OrConstantEdges_IsThePlainAdaptiveAveragePyramid() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 3), h = g.Next(1, 9), w = g.Next(1, 9);
        var levels = Enumerable.Range(0, g.Next(1, 4)).Select(_ => g.Next(1, 7)).ToArray();
        var x = T([1, c, h, w], Rand(g, c * h * w));
        bool constant = g.Next(2) == 0;
        double e0 = Math.Round(g.NextDouble(), 3);
        var edge = T([1, 1, h, w], Enumerable.Range(0, h * w).Select(_ => constant ? e0 : Math.Round(g.NextDouble(), 3)).ToArray());
        double beta = constant ? Math.Round(g.NextDouble() * 5, 2) : 0;
        var y = Eval("poolconf.edge_aware_pyramid_pool", $"{{\"levels\":[{string.Join(",", levels)}],\"beta\":{beta},\"upsample\":\"none\"}}", ("input", x), ("edge", edge)).Outputs["output"].Value.Data;
        var plain = new List<double>();
        var per = levels.Select(n => AdaptivePool.Average(x, [n, n], "y").Value.Data).ToArray();
        for (int ch = 0; ch < c; ch++)
            for (int li = 0; li < levels.Length; li++)
                plain.AddRange(per[li].Skip(ch * levels[li] * levels[li]).Take(levels[li] * levels[li]));
        return Close(y, plain.ToArray(), 1e-12);
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property EdgeAware_EachBin_LiesBetweenItsMinAndMax() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int h = g.Next(1, 9), w = g.Next(1, 9), n = g.Next(1, 5);
        var x = Rand(g, h * w);
        var edge = T([1, 1, h, w], Enumerable.Range(0, h * w).Select(_ => Math.Round(g.NextDouble(), 3)).ToArray());
        var y = Eval("poolconf.edge_aware_pyramid_pool", $"{{\"levels\":[{n}],\"beta\":3,\"upsample\":\"none\"}}", ("input", T([1, 1, h, w], x)), ("edge", edge)).Outputs["output"].Value.Data;
        for (int bi = 0; bi < n; bi++)
            for (int bj = 0; bj < n; bj++)
            {
                var (a0, a1) = PoolGeometry.AdaptiveBin(bi, h, n); var (b0, b1) = PoolGeometry.AdaptiveBin(bj, w, n);
                var vals = Enumerable.Range(a0, a1 - a0).SelectMany(a => Enumerable.Range(b0, b1 - b0).Select(b => x[a * w + b])).ToArray();
                double v = y[bi * n + bj];
                if (v < vals.Min() - 1e-12 || v > vals.Max() + 1e-12) return false;
            }
        return true;
    });

    // ------------------------------------------------------------------ mop
    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Mop_LevelIsOrderless_PermutingOneByOneWindowsLeavesItUnchanged() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 4), h = g.Next(1, 5), w = g.Next(1, 5), k = g.Next(1, 4);
        var x = Rand(g, c * h * w);
        var cb = T([k, c], Rand(g, k * c));
        var perm = Enumerable.Range(0, h * w).OrderBy(_ => g.Next()).ToArray();
        var xp = new double[x.Length];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) xp[ch * h * w + i] = x[ch * h * w + perm[i]];
        const string json = "{\"levels\":[{\"window\":1,\"reduce\":\"avg\"}]}";
        var a = Eval("poolconf.mop", json, ("input", T([1, c, h, w], x)), ("codebook_0", cb)).Outputs["output"];
        var b = Eval("poolconf.mop", json, ("input", T([1, c, h, w], xp)), ("codebook_0", cb)).Outputs["output"];
        return a.Unspecified is not null || Close(b.Value.Data, a.Value.Data, 1e-12);
    });

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Mop_OneZeroCodeword_IsTheNormalizedSignedRootOfTheDescriptorSum() => Prop.ForAll(Seeds, s =>
    {
        var g = new Random(s);
        int c = g.Next(1, 4), h = g.Next(2, 6), w = g.Next(2, 6), win = g.Next(1, Math.Min(h, w) + 1), st = g.Next(1, 3);
        var x = Rand(g, c * h * w);
        var y = Eval("poolconf.mop", $"{{\"levels\":[{{\"window\":{win},\"stride\":{st},\"reduce\":\"max\"}}]}}", ("input", T([1, c, h, w], x)), ("codebook_0", T([1, c], new double[c]))).Outputs["output"].Value.Data;
        var sum = new double[c];
        for (int i = 0; i + win <= h; i += st)
            for (int j = 0; j + win <= w; j += st)
                for (int ch = 0; ch < c; ch++)
                    sum[ch] += Enumerable.Range(i, win).SelectMany(a => Enumerable.Range(j, win).Select(b => x[(ch * h + a) * w + b])).Max();
        var r = sum.Select(v => Math.Sign(v) * Math.Sqrt(Math.Abs(v))).ToArray();
        double n = Math.Max(Math.Sqrt(r.Sum(v => v * v)), 1e-12);
        return Close(y, r.Select(v => v / n).ToArray(), 1e-12);
    });
}
