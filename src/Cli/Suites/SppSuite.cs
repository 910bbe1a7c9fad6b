using System.Text.Json.Nodes;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Suites;

/// <summary>
/// Suite cases of the spatial-pyramid family (issue 3; METHODS.md §5–6): <c>poolconf.spp</c> in every binning and mode,
/// <c>caffe.spp</c>, <c>darknet.maxpool</c>, <c>darknet.yolov3_spp</c>, <c>ultralytics.spp</c>, <c>ultralytics.sppf</c>.
/// Fixture families: sizes not divisible by the bin count, sizes smaller than the bin count (adaptive only: the paper and
/// Caffe rules refuse them), tiny maps (1×1, 1×N, 2×2), the paper's 13×13 and YOLO's 19×19, ties, ±0, −∞ and sentinel
/// values, integers; NaN at the first, middle and last tap only for the ops with PyTorch semantics (<c>poolconf.spp</c>
/// max, <c>ultralytics.*</c>) — Caffe and darknet ignore NaN and no suite relies on that. Darknet geometry edges:
/// size-2 stride-2 and size-2 stride-1 (yolov3-tiny), odd total padding (C-truncated offset), a C-truncated output size,
/// windows entirely in the padding.
/// </summary>
public static class SppSuite
{
    static readonly string[] TorchMaxFills = ["rand", "ties", "nan_first", "int", "nan_mid", "signed_zero", "nan_last", "neginf"];
    static readonly string[] NoNanMaxFills = ["rand", "ties", "int", "neginf", "signed_zero", "sentinel"];
    static readonly string[] AvgFills = ["rand", "int", "pos", "subnormal"];

    static JsonArray Arr(params int[] v) => new(v.Select(x => (JsonNode)x).ToArray());

    static JsonObject P(params (string K, JsonNode? V)[] kv)
    {
        var o = new JsonObject();
        foreach (var (k, v) in kv) o[k] = v?.Parent is null ? v : v.DeepClone();
        return o;
    }

    static (int N, int C) BatchChannels(int i) => (new[] { 1, 2, 1 }[i % 3], new[] { 1, 3, 2, 5 }[i % 4]);

    /// <summary>Picks fill <paramref name="i"/> of a family list, and in the standard suite a second one further along.</summary>
    static IEnumerable<string> Fills(string[] all, int i, bool smoke) => smoke ? [all[i % all.Length]] : new[] { all[i % all.Length], all[(i + 3) % all.Length] }.Distinct();

    /// <summary>Adds every case of the family. <paramref name="smoke"/> keeps roughly one geometry in three.</summary>
    public static void Add(SuiteBuilder b, bool smoke)
    {
        PoolconfSpp(b, smoke);
        CaffeSpp(b, smoke);
        DarknetMaxPool(b, smoke);
        YoloBlocks(b, smoke);
    }

    /// <summary>(tag, H, W, levels) per binning: every geometry is valid for its binning (checked by the suite test).</summary>
    static readonly (string Binning, string Tag, int H, int W, int[] Levels)[] SppGeometries =
    [
        ("adaptive", "13x13-paper-levels", 13, 13, [6, 3, 2, 1]),
        ("adaptive", "7x10-not-divisible", 7, 10, [4, 2, 1]),
        ("adaptive", "3x5-smaller-than-bins", 3, 5, [1, 2, 4, 6]),
        ("adaptive", "1x1-tiny", 1, 1, [1, 2]),
        ("adaptive", "2x9-tiny-rows", 2, 9, [3, 1]),
        ("adaptive", "8x8-divisible", 8, 8, [1, 2, 4]),
        ("paper", "13x13-paper-levels", 13, 13, [6, 3, 2, 1]),
        ("paper", "13x13-levels-4-2-1", 13, 13, [4, 2, 1]),
        ("paper", "12x8-divisible", 12, 8, [4, 2, 1]),
        ("paper", "11x14-not-divisible", 11, 14, [3, 1, 2]),
        ("paper", "1x1-tiny", 1, 1, [1]),
        ("caffe", "13x13-pyramid-3", 13, 13, [1, 2, 4]),
        ("caffe", "7x5-padded", 7, 5, [2, 1]),
        ("caffe", "10x10-levels-4-2-1", 10, 10, [4, 2, 1]),
        ("caffe", "6x11-levels-6-3", 6, 11, [6, 3]),
        ("caffe", "1x1-tiny", 1, 1, [1]),
    ];

    static void PoolconfSpp(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var (binning, tag, h, w, levels) in SppGeometries)
        {
            if (smoke && i % 3 != 0) { i++; continue; }
            var (n, c) = BatchChannels(i);
            int[] shape = [n, c, h, w];
            foreach (var fill in Fills(TorchMaxFills, i, smoke))
                b.Add("poolconf.spp", $"{binning}-{tag}-max", P(("levels", Arr(levels)), ("mode", "max"), ("binning", binning)), shape, fill);
            foreach (var fill in Fills(AvgFills, i, smoke))
                b.Add("poolconf.spp", $"{binning}-{tag}-avg", P(("levels", Arr(levels)), ("mode", "avg"), ("binning", binning)), shape, fill);
            i++;
        }
        // Defaults (adaptive, max) and a level list in increasing order, as Caffe orders it.
        b.Add("poolconf.spp", "defaults", P(("levels", Arr(1, 2, 4))), [2, 3, 9, 7], "ties");
    }

    static readonly (string Tag, int H, int W, int Height)[] CaffeGeometries =
    [
        ("13x13", 13, 13, 3), ("7x9", 7, 9, 2), ("10x6", 10, 6, 3), ("1x1", 1, 1, 1), ("5x5", 5, 5, 2), ("8x8", 8, 8, 4), ("2x3", 2, 3, 1),
    ];

    static void CaffeSpp(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var (tag, h, w, height) in CaffeGeometries)
        {
            if (smoke && i % 3 != 0) { i++; continue; }
            var (n, c) = BatchChannels(i);
            int[] shape = [n, c, h, w];
            foreach (var fill in Fills(NoNanMaxFills, i, smoke))
                b.Add("caffe.spp", $"{tag}-h{height}-MAX", P(("pyramid_height", height), ("pool", "MAX")), shape, fill);
            foreach (var fill in Fills(AvgFills, i, smoke))
                b.Add("caffe.spp", $"{tag}-h{height}-AVE", P(("pyramid_height", height), ("pool", "AVE")), shape, fill);
            i++;
        }
    }

    /// <summary>(tag, H, W, params as JSON): darknet's geometry edges (METHODS.md §6).</summary>
    static readonly (string Tag, int H, int W, string Params)[] DarknetGeometries =
    [
        ("s2k2-tiny-odd", 5, 7, """{"size": 2, "stride": 2}"""),
        ("s2k2-even", 6, 4, """{"size": 2, "stride": 2}"""),
        ("s1k2-tiny-last", 5, 6, """{"size": 2, "stride": 1}"""),
        ("s1k5-spp", 7, 6, """{"size": 5, "stride": 1}"""),
        ("s1k9-spp", 9, 5, """{"size": 9}"""),
        ("s1k13-spp", 13, 13, """{"size": 13}"""),
        ("s2k3", 9, 8, """{"size": 3, "stride": 2}"""),
        ("s2k2-pad0", 7, 7, """{"size": 2, "stride": 2, "padding": 0}"""),
        ("s1k3-pad3-odd-offset", 5, 4, """{"size": 3, "stride": 1, "padding": 3}"""),
        ("s2k4-pad1-c-truncated-size", 2, 2, """{"size": 4, "stride": 2, "padding": 1}"""),
        ("s2k2-pad5-empty-windows", 1, 2, """{"size": 2, "stride": 2, "padding": 5}"""),
        ("defaults-identity", 3, 4, """{}"""),
        ("stride-only", 5, 5, """{"stride": 2}"""),
        ("1x1", 1, 1, """{"size": 3}"""),
    ];

    static void DarknetMaxPool(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var (tag, h, w, prms) in DarknetGeometries)
        {
            if (smoke && i % 3 != 0) { i++; continue; }
            var (n, c) = BatchChannels(i);
            foreach (var fill in Fills(NoNanMaxFills, i, smoke))
                b.Add("darknet.maxpool", tag, (JsonObject)JsonNode.Parse(prms)!, [n, c, h, w], fill);
            i++;
        }
    }

    static readonly (string Tag, int H, int W)[] YoloMaps = [("13x13", 13, 13), ("19x19", 19, 19), ("5x7", 5, 7), ("1x1", 1, 1), ("2x3", 2, 3), ("8x1", 8, 1)];

    static void YoloBlocks(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var (tag, h, w) in YoloMaps)
        {
            if (smoke && i % 2 != 0) { i++; continue; }
            var (n, c) = BatchChannels(i);
            int[] shape = [n, c, h, w];
            foreach (var fill in Fills(NoNanMaxFills, i, smoke))
                b.Add("darknet.yolov3_spp", tag, [], shape, fill);
            foreach (var fill in Fills(TorchMaxFills, i, smoke))
            {
                b.Add("ultralytics.spp", tag, [], shape, fill);
                b.Add("ultralytics.sppf", tag, [], shape, fill);
            }
            i++;
        }
        if (smoke) return;
        b.Add("darknet.yolov3_spp", "sizes-3-5", P(("sizes", Arr(3, 5))), [1, 2, 6, 6], "ties");
        b.Add("ultralytics.spp", "k-3-5-7", P(("k", Arr(3, 5, 7))), [1, 2, 6, 6], "nan_mid");
        b.Add("ultralytics.spp", "k-13-5", P(("k", Arr(13, 5))), [2, 1, 7, 7], "rand");
        b.Add("ultralytics.sppf", "k3", P(("k", 3)), [1, 3, 6, 5], "nan_last");
        b.Add("ultralytics.sppf", "k7", P(("k", 7)), [1, 2, 9, 9], "ties");
    }
}
