using System.Text.Json.Nodes;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli.Suites;

/// <summary>
/// Cases for the novel ops of issue 4 part B: edge-aware pyramid, spectral, NetVLAD, bilinear, compact bilinear, MOP.
/// Random inputs (hashes, signs, ±1 matrices, codebooks, PCA) are drawn from the case seed and written as input files.
/// MOP cases whose hard assignment is ambiguous (the oracle marks elements unspecified) are redrawn.
/// </summary>
public static class NovelBSuite
{
    static JsonArray Arr(params int[] v) => StandardSuite.Arr(v);

    static Tensor Draw(SuiteBuilder b, string id, string role, int[] shape, string family = "rand") =>
        new(b.DType, shape, Fills.Draw(family, (int)Tensor.ElementCount(shape), b.DType, b.CaseSeed(id), role));

    static Tensor Signs(SuiteBuilder b, string id, string role, DType t, params int[] shape) =>
        new(t, shape, SplitMix64.Fill((int)Tensor.ElementCount(shape), b.CaseSeed(id), role, g => g.NextInt(0, 1) * 2 - 1));

    public static void Add(SuiteBuilder b, bool smoke)
    {
        var t = b.DType;
        var fills = smoke ? new[] { "rand" } : new[] { "rand", "int_small", "pos", "nan_mid" };
        int i = 0;

        // Edge-aware pyramid pooling: levels x beta x upsample x shapes (non-divisible sizes make overlapping bins).
        foreach (var (n, c, h, w) in new[] { (1, 2, 6, 6), (2, 3, 7, 5), (1, 1, 13, 9) })
            foreach (var (levels, beta, up) in new[] { (new[] { 1, 2, 3, 6 }, 1.0, "nearest"), (new[] { 1, 3 }, 0.0, "none"), (new[] { 2, 4 }, 4.0, "none") })
                foreach (var f in fills)
                {
                    var edge = new Tensor(t, [n, 1, h, w], Fills.Draw("pos", n * h * w, t, b.CaseSeed($"eapp/{i++}"), "edge"));
                    b.Add("poolconf.edge_aware_pyramid_pool", $"{h}x{w}-b{beta}-{up}", new JsonObject { ["levels"] = Arr(levels), ["beta"] = beta, ["upsample"] = up },
                        [n, c, h, w], f, extra: new() { ["edge"] = edge });
                }

        // Spectral pooling: even/odd cuts, identity, H = 1, both Nyquist rules, three scalings.
        foreach (var (m, nn, hh, ww) in new[] { (8, 8, 4, 4), (9, 7, 5, 3), (8, 6, 5, 6), (6, 6, 6, 6), (10, 7, 1, 2), (7, 12, 4, 7) })
            foreach (var rule in new[] { "fold", "hermitian" })
                foreach (var norm in smoke ? new[] { "mean" } : new[] { "mean", "ortho", "backward" })
                    foreach (var f in smoke ? new[] { "rand" } : new[] { "rand", "int_small", "nan_mid" })
                        b.Add("poolconf.spectral_pool2d", $"{m}x{nn}-to-{hh}x{ww}-{rule}-{norm}", new JsonObject { ["output_size"] = Arr(hh, ww), ["nyquist"] = rule, ["norm"] = norm },
                            [1 + i++ % 2, 2, m, nn], f);

        // NetVLAD: explicit weight, bias, centers (random, and the paper's initialisation from the centers).
        foreach (var (n, d, h, w, k) in new[] { (1, 4, 3, 3, 2), (2, 8, 4, 5, 5), (1, 3, 1, 1, 1) })
            foreach (var ni in new[] { true, false })
                foreach (var init in new[] { "random", "paper" })
                {
                    var id = $"netvlad/{i++}";
                    var centers = Draw(b, id, "centers", [k, d]);
                    Tensor weight, bias;
                    if (init == "paper")
                    {
                        var (wv, bv) = NetVlad.PaperInit(centers.Data, k, d, 10);
                        weight = new Tensor(t, [k, d], wv.Select(v => t.Round(v)).ToArray());
                        bias = new Tensor(t, [k], bv.Select(v => t.Round(v)).ToArray());
                    }
                    else { weight = Draw(b, id, "weight", [k, d]); bias = Draw(b, id, "bias", [k]); }
                    foreach (var f in smoke ? new[] { "rand" } : new[] { "rand", "pos" })
                        b.Add("poolconf.netvlad", $"d{d}k{k}-{init}-ni{(ni ? 1 : 0)}", new JsonObject { ["normalize_input"] = ni },
                            [n, d, h, w], f, extra: new() { ["weight"] = weight, ["bias"] = bias, ["centers"] = centers });
                }

        // Bilinear: symmetric and asymmetric, sum/mean, root variants.
        foreach (var (n, ca, cb, h, w) in new[] { (1, 3, 0, 4, 4), (2, 4, 2, 3, 5), (1, 2, 3, 1, 1) })
            foreach (var (reduce, sq, eps) in new[] { ("sum", "signed", 0.0), ("mean", "signed", 1e-5), ("mean", "none", 0.0), ("sum", "signed", 1e-10) })
                foreach (var f in smoke ? new[] { "rand" } : new[] { "rand", "pos", "int_small" })
                {
                    var extra = new Dictionary<string, Tensor>();
                    if (cb > 0) extra["input2"] = Draw(b, $"bilinear/{i++}", "input2", [n, cb, h, w], f == "int_small" ? "int_small" : "rand");
                    b.Add("poolconf.bilinear_pool", $"{ca}x{cb}-{reduce}-{sq}", new JsonObject { ["reduce"] = reduce, ["sqrt"] = sq, ["eps"] = eps }, [n, ca, h, w], f, extra: extra);
                }
        // Unsigned root on non-negative input (HaoMood's post-ReLU pattern).
        b.Add("poolconf.bilinear_pool", "unsigned", new JsonObject { ["reduce"] = "mean", ["sqrt"] = "unsigned", ["eps"] = 1e-5 }, [2, 3, 4, 4], "pos");

        // Compact bilinear: Tensor Sketch and Random Maclaurin.
        foreach (var (n, c, h, w, d) in new[] { (1, 4, 3, 3, 8), (2, 6, 2, 5, 5), (1, 3, 1, 1, 1) })
            foreach (var f in smoke ? new[] { "rand" } : new[] { "rand", "pos", "int_small" })
            {
                var id = $"cbp/{i++}";
                var hashes = (string r) => new Tensor(DType.Int64, [c], SplitMix64.Fill(c, b.CaseSeed(id), r, g => g.NextInt(0, d - 1)));
                b.Add("poolconf.compact_bilinear_pool", $"ts-c{c}-d{d}", new JsonObject { ["method"] = "tensor_sketch", ["output_dim"] = d }, [n, c, h, w], f,
                    extra: new() { ["h1"] = hashes("h1"), ["h2"] = hashes("h2"), ["s1"] = Signs(b, id, "s1", t, c), ["s2"] = Signs(b, id, "s2", t, c) });
                b.Add("poolconf.compact_bilinear_pool", $"rm-c{c}-d{d}", new JsonObject { ["method"] = "random_maclaurin", ["reduce"] = "mean" }, [n, c, h, w], f,
                    extra: new() { ["w1"] = Signs(b, id, "w1", t, d, c), ["w2"] = Signs(b, id, "w2", t, d, c) });
            }

        // MOP: three levels in the paper's shape (global without VLAD, two VLAD levels), with and without PCA.
        foreach (var (n, c, h, w) in new[] { (1, 4, 8, 8), (2, 3, 9, 7) })
            foreach (var pca in new[] { false, true })
                foreach (var f in smoke ? new[] { "rand" } : new[] { "rand", "pos", "int_small" })
                    for (int attempt = 0; attempt < 8; attempt++)
                    {
                        var id = $"mop/{i++}";
                        var levels = new JsonArray(
                            new JsonObject { ["window"] = Math.Min(h, w), ["reduce"] = "avg", ["vlad"] = false },
                            new JsonObject { ["window"] = 4, ["stride"] = 2, ["reduce"] = "max" },
                            new JsonObject { ["window"] = 2, ["stride"] = 1, ["reduce"] = attempt % 2 == 0 ? "avg" : "none" });
                        var extra = new Dictionary<string, Tensor>();
                        int[] lens = [c, c, attempt % 2 == 0 ? c : c * 4];
                        for (int li = 1; li < 3; li++)
                        {
                            int dim = lens[li];
                            if (pca)
                            {
                                dim = Math.Max(2, lens[li] / 2);
                                extra[$"pca_mean_{li}"] = Draw(b, id, $"mu{li}", [lens[li]]);
                                extra[$"pca_matrix_{li}"] = Draw(b, id, $"p{li}", [dim, lens[li]]);
                            }
                            extra[$"codebook_{li}"] = Draw(b, id, $"cb{li}", [3 + li, dim]);
                        }
                        var prms = new JsonObject { ["levels"] = levels };
                        var data = Fills.Draw(f, n * c * h * w, t, b.CaseSeed(id), "input");
                        var probe = new Dictionary<string, Tensor>(extra) { ["input"] = new Tensor(t, [n, c, h, w], data) };
                        if (OpRegistry.Find("poolconf.mop")!.Evaluate(prms.ToJsonString(), probe).Outputs["output"].Unspecified is not null) continue;
                        b.AddRaw("poolconf.mop", $"{h}x{w}-pca{(pca ? 1 : 0)}-{f}", prms, probe);
                        break;
                    }
    }
}
