using System.Text.Json.Nodes;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli.Suites;

/// <summary>A named geometry edge of one axis (TESTING.md §6): length, kernel, stride, begin/end padding, dilation.</summary>
public sealed record Edge(string Name, int L, int K, int S, int Pb, int Pe, int D)
{
    public bool Padded => Pb > 0 || Pe > 0;
    public bool Symmetric => Pb == Pe;
}

/// <summary>
/// The named suites. <c>standard</c>: every op × its dialect switches × the fixture families (ties, NaN at the first,
/// middle and last tap, all −∞ windows, ±0, subnormals, integer fills, sentinels), over the named geometry edges in
/// 1-D, 2-D and 3-D with batch and channel tails. <c>smoke</c>: a fast subset (≤ 200 cases) touching every op.
/// </summary>
public static class StandardSuite
{
    public static readonly Edge[] Edges =
    [
        new("kw_equals_sw", 7, 2, 2, 0, 0, 1), new("no_pad", 30, 3, 2, 0, 0, 1), new("regular_pad", 30, 3, 2, 1, 1, 1),
        new("ceil_drop_last", 5, 2, 2, 1, 1, 1), new("ceil_overhang", 7, 2, 3, 0, 0, 1), new("stride_gt_kernel", 10, 2, 3, 0, 0, 1),
        new("k1_s2", 32, 1, 2, 0, 0, 1), new("dilation_2", 7, 3, 1, 0, 0, 2), new("dilation_pad_ceil", 10, 3, 2, 1, 1, 2),
        new("prime", 13, 3, 2, 1, 1, 1), new("one_by_one", 9, 1, 1, 0, 0, 1), new("global", 9, 9, 1, 0, 0, 1),
        new("small_input_padded", 2, 3, 1, 1, 1, 1),
    ];

    /// <summary>Edges with asymmetric or large padding: valid in ONNX (any pad ≥ 0), not in PyTorch.</summary>
    public static readonly Edge[] OnnxEdges =
    [
        new("only_pad_l", 30, 3, 2, 1, 0, 1), new("only_pad_r", 11, 3, 2, 0, 2, 1), new("kw_equals_pw", 5, 3, 1, 3, 0, 1),
        new("asym_dilated", 12, 3, 2, 2, 1, 2), new("pad_ge_kernel", 6, 2, 2, 2, 3, 1),
    ];

    /// <summary>The companion axes used beside a named edge in 2-D and 3-D.</summary>
    static readonly Edge Companion = new("c", 6, 2, 2, 0, 0, 1), Companion3 = new("c3", 5, 3, 1, 1, 1, 1);

    static readonly string[] MaxFills = ["rand", "int", "ties", "nan_first", "nan_mid", "nan_last", "neginf", "signed_zero", "subnormal", "sentinel"];
    static readonly string[] MaxFillsNoNan = ["rand", "int", "ties", "signed_zero", "subnormal", "sentinel", "neginf"];
    static readonly string[] AvgFills = ["rand", "int", "pos", "subnormal"];

    public static JsonArray Arr(params int[] v) => new(v.Select(x => (JsonNode)x).ToArray());
    static JsonObject P(params (string K, JsonNode? V)[] kv)
    {
        var o = new JsonObject();
        foreach (var (k, v) in kv) o[k] = v?.Parent is null ? v : v.DeepClone();
        return o;
    }

    /// <summary>Axes of a problem of <paramref name="nd"/> dims whose first axis is <paramref name="e"/>.</summary>
    static Edge[] AxesFor(Edge e, int nd) => nd switch { 1 => [e], 2 => [e, Companion], _ => [e, Companion, Companion3] };

    static (int N, int C) BatchChannels(int i) => ((i % 3) + 1, new[] { 1, 3, 2, 5 }[i % 4]);

    /// <summary>Adds a case unless the dialect refuses the combination (such combinations are skipped, not counted).</summary>
    static void Try(Action add)
    {
        try { add(); }
        catch (InvalidParameterException) { }
    }

    public static SuiteBuilder Build(string name, ulong seed, DType dtype)
    {
        var b = new SuiteBuilder(seed, dtype);
        bool smoke = name == "smoke";
        Torch(b, smoke);
        Onnx(b, smoke);
        Tf(b, smoke);
        WebNn(b, smoke);
        IssueVectors(b);
        RoiSuite.Add(b, smoke);
        SppSuite.Add(b, smoke);
        NovelASuite.Add(b, smoke);
        NovelBSuite.Add(b, smoke);
        if (!smoke) Sweeps(b);
        if (smoke) Thin(b, SmokeLimit);
        return b;
    }

    /// <summary>The smoke suite's size limit (the contract's "at most 200 cases, seconds").</summary>
    public const int SmokeLimit = 200;

    /// <summary>Keeps evenly spaced cases of every op, at least one each, at most <paramref name="limit"/> in all.</summary>
    static void Thin(SuiteBuilder b, int limit)
    {
        int total = b.Cases.Count;
        if (total <= limit) return;
        // Pinned: one case of every fill family for the most used ops, so the smoke suite always exercises each family.
        static string Family(GeneratedCase c) => c.Id.Split('/')[^2].Split('-')[^1];
        var pinnedOps = new HashSet<string> { "torch.max_pool2d", "torch.avg_pool2d", "onnx.MaxPool" };
        var pinned = b.Cases.Where(c => pinnedOps.Contains(c.Op)).GroupBy(c => (c.Op, Family(c))).Select(g => g.First()).ToHashSet();
        var groups = b.Cases.GroupBy(c => c.Op).ToList();
        int budget = limit - groups.Count - pinned.Count;
        var keep = new HashSet<GeneratedCase>(pinned);
        foreach (var g in groups)
        {
            var list = g.ToList();
            int quota = 1 + budget * list.Count / total;
            for (int i = 0; i < quota && i < list.Count; i++) keep.Add(list[(int)((long)i * list.Count / quota)]);
        }
        var kept = b.Cases.Where(keep.Contains).ToList();
        b.Cases.Clear();
        b.Cases.AddRange(kept);
    }

    static IEnumerable<T> Pick<T>(IReadOnlyList<T> all, bool smoke, int every = 4) => smoke ? all.Where((_, i) => i % every == 0) : all;

    static void Torch(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        var ndList = new[] { 1, 2, 3 };
        foreach (var nd in ndList)
            foreach (var e in Pick(Edges, smoke))
            {
                if (nd == 3 && e.L > 13) continue;
                foreach (var ceil in new[] { false, true })
                {
                    var axes = AxesFor(e, nd);
                    var (n, c) = BatchChannels(i++);
                    int[] shape = [n, c, .. axes.Select(a => a.L)];
                    var k = Arr(axes.Select(a => a.K).ToArray()); var s = Arr(axes.Select(a => a.S).ToArray());
                    var pad = Arr(axes.Select(a => a.Pb).ToArray()); var dil = Arr(axes.Select(a => a.D).ToArray());
                    string tag = $"{e.Name}{(ceil ? "-ceil" : "")}";
                    foreach (var fill in smoke ? [MaxFills[i % MaxFills.Length]] : new[] { MaxFills[i % MaxFills.Length], MaxFills[(i + 3) % MaxFills.Length], MaxFills[(i + 6) % MaxFills.Length] })
                        Try(() => b.Add($"torch.max_pool{nd}d", tag, P(("kernel_size", k), ("stride", s.DeepClone()), ("padding", pad.DeepClone()),
                            ("dilation", dil.DeepClone()), ("ceil_mode", ceil), ("return_indices", true)), shape, fill));
                    if (e.D == 1)
                        foreach (var cip in new[] { true, false })
                            Try(() => b.Add($"torch.avg_pool{nd}d", $"{tag}{(cip ? "" : "-xpad")}", P(("kernel_size", k.DeepClone()), ("stride", s.DeepClone()),
                                ("padding", pad.DeepClone()), ("ceil_mode", ceil), ("count_include_pad", cip)), shape, AvgFills[(i + (cip ? 0 : 1)) % AvgFills.Length]));
                    if (!e.Padded && e.D == 1 && !smoke)
                        foreach (var (p, fill) in new (double, string)[] { (1, "rand"), (2, "rand"), (3, "int_small"), (1.5, "pos") })
                            Try(() => b.Add($"torch.lp_pool{nd}d", $"{tag}-p{p}", P(("norm_type", p), ("kernel_size", k.DeepClone()), ("stride", s.DeepClone()),
                                ("ceil_mode", ceil)), shape, fill));
                }
            }
        // Every max fill on one representative geometry per rank, with indices; both ceil modes.
        foreach (var nd in ndList)
            foreach (var fill in Pick(MaxFills, smoke, 3))
            {
                var axes = AxesFor(Edges[2] with { L = nd == 3 ? 9 : 30 }, nd);
                int[] shape = [2, 3, .. axes.Select(a => a.L)];
                b.Add($"torch.max_pool{nd}d", "regular_pad-fills", P(("kernel_size", 3), ("stride", 2), ("padding", 1), ("ceil_mode", true), ("return_indices", true)), shape, fill);
            }
        // Lp in smoke: one per rank.
        foreach (var nd in ndList)
            b.Add($"torch.lp_pool{nd}d", "k2s2", P(("norm_type", 2), ("kernel_size", 2), ("ceil_mode", true)), [1, 2, .. Enumerable.Repeat(5, nd)], "rand");
        // divisor_override, int64 average, unbatched input, batch 0.
        foreach (var nd in new[] { 2, 3 })
            foreach (var div in smoke ? new[] { 3 } : new[] { 3, -2, 7 })
                b.Add($"torch.avg_pool{nd}d", $"divisor_override{div}", P(("kernel_size", 2), ("stride", 1), ("padding", 1), ("divisor_override", div)),
                    [1, 2, .. Enumerable.Repeat(4, nd)], "int");
        foreach (var nd in ndList)
        {
            b.Add($"torch.avg_pool{nd}d", "int64", P(("kernel_size", 2), ("stride", 2), ("padding", 1), ("ceil_mode", true)),
                [2, 2, .. Enumerable.Repeat(5, nd)], "int", dtype: DType.Int64);
            b.Add($"torch.max_pool{nd}d", "unbatched", P(("kernel_size", 2), ("return_indices", true)), [1, 3, .. Enumerable.Repeat(5, nd)], "rand",
                inputShape: [3, .. Enumerable.Repeat(5, nd)]);
            b.Add($"torch.avg_pool{nd}d", "batch0", P(("kernel_size", 2)), [0, 3, .. Enumerable.Repeat(4, nd)], "rand");
        }
        TorchAdaptive(b, smoke);
        TorchFractional(b, smoke);
        TorchUnpool(b, smoke);
    }

    static readonly (int L, int O)[] AdaptivePairs = [(7, 4), (10, 3), (5, 5), (4, 7), (9, 1), (8, 4), (13, 5)];

    static void TorchAdaptive(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var (l, o) in Pick(AdaptivePairs, smoke, 3))
            {
                var (n, c) = BatchChannels(i++);
                int[] shape = [n, c, .. Enumerable.Range(0, nd).Select(a => a == 0 ? l : 5)];
                var os = new JsonArray(Enumerable.Range(0, nd).Select(a => (JsonNode?)(a == 0 ? o : a == 1 ? null : 2)).ToArray());
                foreach (var fill in smoke ? [MaxFills[i % MaxFills.Length]] : new[] { MaxFills[i % MaxFills.Length], MaxFills[(i + 4) % MaxFills.Length] })
                    b.Add($"torch.adaptive_max_pool{nd}d", $"L{l}-O{o}", P(("output_size", os.DeepClone()), ("return_indices", true)), shape, fill);
                b.Add($"torch.adaptive_avg_pool{nd}d", $"L{l}-O{o}", P(("output_size", os.DeepClone())), shape, AvgFills[i % AvgFills.Length]);
            }
    }

    static readonly (int L, int O, int K)[] FractionalGeoms = [(10, 4, 2), (9, 5, 3), (12, 6, 2), (7, 1, 3), (6, 5, 2)];
    static readonly double[] SampleEdges = [0.0, 0.99999994, 0.5];

    static void TorchFractional(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var nd in new[] { 2, 3 })
            foreach (var (l, o, k) in Pick(FractionalGeoms, smoke, 2))
                foreach (var fill in smoke ? ["rand"] : new[] { "rand", "ties", "nan_mid", "int" })
                {
                    int n = 2, c = 2;
                    int[] shape = [n, c, .. Enumerable.Repeat(l, nd)];
                    var id = $"torch.fractional_max_pool{nd}d";
                    ulong seed = b.CaseSeed($"{id}/samples/{i}");
                    // Samples must stay below 1 after rounding to the dtype: the largest float16 below 1 is 1 − 2^-11.
                    double BelowOne(double v) { double r = b.DType.Round(v); return r < 1 ? r : b.DType.Round(1 - b.DType.UnitRoundoff()); }
                    var u = SplitMix64.Fill(n * c * nd, seed, "samples", g => BelowOne(g.NextDouble()));
                    u[0] = BelowOne(SampleEdges[i % SampleEdges.Length]);
                    i++;
                    var samples = new Tensor(b.DType, [n, c, nd], u);
                    var prms = i % 3 == 0 && o * 2 <= l && o >= 2
                        ? P(("kernel_size", k), ("output_ratio", (double)o / l + 1e-9), ("return_indices", true))
                        : P(("kernel_size", k), ("output_size", o), ("return_indices", true));
                    Try(() => b.Add(id, $"L{l}-O{o}-k{k}", prms, shape, fill, extra: new() { ["samples"] = samples }));
                }
    }

    static void TorchUnpool(SuiteBuilder b, bool smoke)
    {
        // Pool an input with the reference, then unpool its values with its indices: valid by construction.
        int i = 0;
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var (k, s, pad, L, sizeDelta) in new (int, int, int, int, int)[] { (2, 2, 0, 6, 0), (2, 2, 0, 5, 1), (3, 2, 1, 7, 0), (3, 1, 1, 5, 0), (2, 2, 0, 7, 1), (3, 3, 0, 8, 2) })
            {
                if (smoke && i++ % 3 != 0) continue;
                int[] shape = [2, 2, .. Enumerable.Repeat(L, nd)];
                var x = new Tensor(b.DType, shape, Fills.Draw("rand", (int)Tensor.ElementCount(shape), b.DType, b.CaseSeed($"unpool{nd}/{k}{s}{pad}{L}"), "x"));
                var pool = OpRegistry.Find($"torch.max_pool{nd}d")!.Evaluate(P(("kernel_size", k), ("stride", s), ("padding", pad), ("return_indices", true)).ToJsonString(),
                    new Dictionary<string, Tensor> { ["input"] = x });
                int dflt = (pool.Outputs["output"].Value.Shape[2] - 1) * s + k - 2 * pad;
                var prms = P(("kernel_size", k), ("stride", s), ("padding", pad));
                if (sizeDelta != 0 || L != dflt) prms["output_size"] = Arr(Enumerable.Repeat(L, nd).ToArray());
                Try(() => b.AddRaw($"torch.max_unpool{nd}d", $"k{k}s{s}p{pad}-L{L}", prms,
                    new() { ["input"] = pool.Outputs["output"].Value, ["indices"] = pool.Outputs["indices"].Value }));
            }
    }

    static void Onnx(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        var all = Edges.Concat(OnnxEdges).ToArray();
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var e in Pick(all, smoke))
            {
                if (nd == 3 && e.L > 13) continue;
                foreach (var ceil in new[] { 0, 1 })
                {
                    var axes = AxesFor(e, nd);
                    var (n, c) = BatchChannels(i++);
                    int[] shape = [n, c, .. axes.Select(a => a.L)];
                    var k = Arr(axes.Select(a => a.K).ToArray()); var s = Arr(axes.Select(a => a.S).ToArray());
                    var pads = Arr([.. axes.Select(a => a.Pb), .. axes.Select(a => a.Pe)]); var dil = Arr(axes.Select(a => a.D).ToArray());
                    string tag = $"{e.Name}{(ceil == 1 ? "-ceil" : "")}";
                    foreach (var fill in smoke ? [MaxFillsNoNan[i % MaxFillsNoNan.Length]] : new[] { MaxFillsNoNan[i % MaxFillsNoNan.Length], MaxFillsNoNan[(i + 3) % MaxFillsNoNan.Length] })
                        Try(() => b.Add("onnx.MaxPool", tag, P(("kernel_shape", k), ("strides", s), ("pads", pads), ("dilations", dil), ("ceil_mode", ceil),
                            ("storage_order", i % 2)), shape, fill, "X", outputs: ["Y", "Indices"]));
                    foreach (var cip in new[] { 0, 1 })
                        Try(() => b.Add("onnx.AveragePool", $"{tag}-cip{cip}", P(("kernel_shape", k.DeepClone()), ("strides", s.DeepClone()), ("pads", pads.DeepClone()),
                            ("dilations", dil.DeepClone()), ("ceil_mode", ceil), ("count_include_pad", cip)), shape, AvgFills[(i + cip) % AvgFills.Length], "X"));
                    if (!smoke)
                        Try(() => b.Add("onnx.LpPool", $"{tag}-p{1 + i % 3}", P(("kernel_shape", k.DeepClone()), ("strides", s.DeepClone()), ("pads", pads.DeepClone()),
                            ("dilations", dil.DeepClone()), ("ceil_mode", ceil), ("p", 1 + i % 3)), shape, i % 3 == 2 ? "int_small" : "rand", "X"));
                }
                foreach (var ap in new[] { "SAME_UPPER", "SAME_LOWER", "VALID" })
                {
                    if (smoke && i % 3 != 0) { i++; continue; }
                    var axes = AxesFor(e, nd);
                    int[] shape = [1, 2, .. axes.Select(a => a.L)];
                    var k = Arr(axes.Select(a => a.K).ToArray()); var s = Arr(axes.Select(a => a.S).ToArray()); var dil = Arr(axes.Select(a => a.D).ToArray());
                    Try(() => b.Add("onnx.MaxPool", $"{e.Name}-{ap}", P(("kernel_shape", k), ("strides", s), ("dilations", dil), ("auto_pad", ap)), shape,
                        MaxFillsNoNan[i++ % MaxFillsNoNan.Length], "X", outputs: ["Y", "Indices"]));
                    Try(() => b.Add("onnx.AveragePool", $"{e.Name}-{ap}", P(("kernel_shape", k.DeepClone()), ("strides", s.DeepClone()), ("dilations", dil.DeepClone()),
                        ("auto_pad", ap), ("count_include_pad", i % 2)), shape, AvgFills[i % AvgFills.Length], "X"));
                }
            }
        // Older opsets: AveragePool before count_include_pad (opset 1) and before dilations (opset 11); MaxPool opset 8 indices.
        b.Add("onnx.AveragePool", "opset1", P(("kernel_shape", Arr(3, 3)), ("pads", Arr(1, 1, 1, 1)), ("opset", 1)), [1, 2, 6, 6], "rand", "X");
        b.Add("onnx.AveragePool", "opset11-cip", P(("kernel_shape", Arr(3, 3)), ("strides", Arr(2, 2)), ("pads", Arr(1, 1, 1, 1)), ("count_include_pad", 1), ("ceil_mode", 1), ("opset", 11)), [1, 2, 7, 7], "int", "X");
        b.Add("onnx.MaxPool", "opset8", P(("kernel_shape", Arr(2, 2)), ("storage_order", 1), ("opset", 8)), [2, 2, 6, 5], "rand", "X", outputs: ["Y", "Indices"]);
        b.Add("onnx.LpPool", "opset1-pfloat", P(("kernel_shape", Arr(2, 2)), ("p", 3.0), ("opset", 1)), [1, 2, 6, 6], "pos", "X");
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var fill in smoke ? ["rand"] : new[] { "rand", "int", "pos", "ties" })
            {
                int[] shape = [2, 3, .. Enumerable.Repeat(nd == 3 ? 4 : 7, nd)];
                b.Add("onnx.GlobalMaxPool", $"{nd}d", [], shape, fill == "pos" ? "sentinel" : fill, "X");
                b.Add("onnx.GlobalAveragePool", $"{nd}d", [], shape, fill == "ties" ? "subnormal" : fill, "X");
                b.Add("onnx.GlobalLpPool", $"{nd}d", P(("p", fill == "int" ? 3 : 2)), shape, fill == "int" ? "int_small" : fill == "ties" ? "pos" : fill, "X");
            }
        OnnxUnpool(b, smoke);
    }

    static void OnnxUnpool(SuiteBuilder b, bool smoke)
    {
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var (k, s, L, extra) in new (int, int, int, int)[] { (2, 2, 4, 0), (2, 2, 5, 1), (3, 2, 7, 0), (2, 1, 4, 0), (2, 2, 4, 2) })
            {
                if (smoke && k == 3) continue;
                int[] shape = [2, 2, .. Enumerable.Repeat(L, nd)];
                var x = new Tensor(b.DType, shape, Fills.Draw("rand", (int)Tensor.ElementCount(shape), b.DType, b.CaseSeed($"onnxunpool{nd}/{k}{s}{L}"), "X"));
                var kk = Arr(Enumerable.Repeat(k, nd).ToArray()); var ss = Arr(Enumerable.Repeat(s, nd).ToArray());
                var pool = OpRegistry.Find("onnx.MaxPool")!.Evaluate(P(("kernel_shape", kk), ("strides", ss)).ToJsonString(), new Dictionary<string, Tensor> { ["X"] = x });
                var y = pool.Outputs["Y"].Value;
                int inferred = (y.Shape[2] - 1) * s + k;
                // MaxPool's Indices are flat in X's layout; MaxUnpool reads them in the inferred layout (DIALECTS.md §10.9):
                // re-ravel every coordinate (the floor windows never reach past the inferred extent).
                var xT = Tensor.Zeros(DType.Float64, shape);
                var inferredShape = new[] { 2, 2 }.Concat(Enumerable.Repeat(inferred, nd)).ToArray();
                var infStr = Windows.Strides(inferredShape);
                var idx = pool.Outputs["Indices"].Value.Data.Select(v => (double)xT.Unravel((long)v).Select((c, a) => (long)c * infStr[a]).Sum()).ToArray();
                var inputs = new Dictionary<string, Tensor> { ["X"] = y, ["I"] = new Tensor(DType.Int64, y.Shape, idx) };
                if (extra > 0 || L != inferred)
                    inputs["output_shape"] = new Tensor(DType.Int64, [nd + 2], [2, 2, .. Enumerable.Repeat((double)Math.Max(inferred + extra, L), nd)]);
                b.AddRaw("onnx.MaxUnpool", $"k{k}s{s}-L{L}", P(("kernel_shape", kk.DeepClone()), ("strides", ss.DeepClone())), inputs);
            }
    }

    static void Tf(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var nd in new[] { 1, 2, 3 })
            foreach (var e in Pick(Edges, smoke, 3))
            {
                if (e.D != 1 || (nd == 3 && e.L > 13)) continue;
                var axes = AxesFor(e, nd);
                foreach (var padding in new[] { "SAME", "VALID" })
                    foreach (var cl in new[] { true, false })
                    {
                        if (smoke && i % 2 == 1) { i++; continue; }
                        var (n, c) = BatchChannels(i++);
                        int[] shape = [n, c, .. axes.Select(a => a.L)];
                        var fmt = (nd, cl) switch { (1, true) => "NWC", (1, false) => "NCW", (2, true) => "NHWC", (2, false) => "NCHW", (_, true) => "NDHWC", _ => "NCDHW" };
                        var k = Arr(axes.Select(a => a.K).ToArray()); var s = Arr(axes.Select(a => a.S).ToArray());
                        Try(() => b.Add("tf.nn.max_pool", $"{e.Name}-{padding}-{fmt}", P(("ksize", k), ("strides", s), ("padding", padding), ("data_format", fmt)),
                            shape, MaxFillsNoNan[i % MaxFillsNoNan.Length], channelsLast: cl));
                        Try(() => b.Add("tf.nn.avg_pool", $"{e.Name}-{padding}-{fmt}", P(("ksize", k.DeepClone()), ("strides", s.DeepClone()), ("padding", padding),
                            ("data_format", fmt)), shape, AvgFills[i % AvgFills.Length], channelsLast: cl));
                    }
                if (nd == 2 && e.Symmetric)
                {
                    var ex = new JsonArray(Arr(0, 0), Arr(axes[0].Pb, axes[0].Pe + 1), Arr(axes[1].Pb, axes[1].Pe), Arr(0, 0));
                    Try(() => b.Add("tf.nn.max_pool", $"{e.Name}-explicit", P(("ksize", Arr(axes[0].K, axes[1].K)), ("strides", Arr(axes[0].S, axes[1].S)), ("padding", ex)),
                        [1, 2, axes[0].L, axes[1].L], "rand", channelsLast: true));
                }
                if (nd == 2)
                    foreach (var fill in smoke ? ["nan_first"] : new[] { "rand", "ties", "nan_first", "nan_mid", "neginf" })
                        foreach (var withBatch in new[] { false, true })
                            Try(() => b.Add("tf.nn.max_pool_with_argmax", $"{e.Name}-{(withBatch ? "batch" : "plane")}", P(("ksize", Arr(axes[0].K, axes[1].K)),
                                ("strides", Arr(axes[0].S, axes[1].S)), ("padding", i % 2 == 0 ? "SAME" : "VALID"), ("include_batch_in_index", withBatch)),
                                [2, 3, axes[0].L, axes[1].L], fill, channelsLast: true));
            }
    }

    static void WebNn(SuiteBuilder b, bool smoke)
    {
        int i = 0;
        foreach (var e in Pick(Edges, smoke, 2))
            foreach (var rounding in new[] { "floor", "ceil" })
                foreach (var layout in new[] { "nchw", "nhwc" })
                {
                    if (smoke && i % 2 == 1) { i++; continue; }
                    var (n, c) = BatchChannels(i++);
                    var w = Companion;
                    int[] shape = [n, c, e.L, w.L];
                    var prms = P(("windowDimensions", Arr(e.K, w.K)), ("padding", Arr(e.Pb, e.Pe, w.Pb, w.Pe)), ("strides", Arr(e.S, w.S)),
                        ("dilations", Arr(e.D, w.D)), ("layout", layout), ("outputShapeRounding", rounding));
                    Try(() => b.Add("webnn.maxPool2d", $"{e.Name}-{rounding}-{layout}", prms, shape, MaxFillsNoNan[i % MaxFillsNoNan.Length], channelsLast: layout == "nhwc"));
                    Try(() => b.Add("webnn.averagePool2d", $"{e.Name}-{rounding}-{layout}", (JsonObject)prms.DeepClone(), shape, AvgFills[i % AvgFills.Length], channelsLast: layout == "nhwc"));
                    Try(() => b.Add("webnn.l2Pool2d", $"{e.Name}-{rounding}-{layout}", (JsonObject)prms.DeepClone(), shape, i % 2 == 0 ? "rand" : "pos", channelsLast: layout == "nhwc"));
                }
        b.Add("webnn.maxPool2d", "global-default", [], [1, 3, 5, 7], "rand");
        b.Add("webnn.averagePool2d", "outputSizes-ceil", P(("windowDimensions", Arr(2, 2)), ("strides", Arr(2, 2)), ("outputSizes", Arr(4, 4))), [1, 2, 7, 7], "rand");
        b.Add("webnn.l2Pool2d", "outputSizes-floor", P(("windowDimensions", Arr(2, 2)), ("strides", Arr(2, 2)), ("outputSizes", Arr(3, 3))), [1, 2, 7, 7], "rand");
    }

    /// <summary>The other two float dtypes on one geometry per op, and the channel tails of vectorised kernels (TESTING.md §6).</summary>
    static void Sweeps(SuiteBuilder b)
    {
        var ops = new (string Op, string Params, string Input)[]
        {
            ("torch.max_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true,\"return_indices\":true}", "input"),
            ("torch.avg_pool2d", "{\"kernel_size\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true}", "input"),
            ("torch.lp_pool2d", "{\"norm_type\":2,\"kernel_size\":3,\"stride\":2,\"ceil_mode\":true}", "input"),
            ("torch.adaptive_avg_pool2d", "{\"output_size\":[4,3]}", "input"),
            ("torch.adaptive_max_pool2d", "{\"output_size\":[4,3],\"return_indices\":true}", "input"),
            ("onnx.MaxPool", "{\"kernel_shape\":[3,3],\"strides\":[2,2],\"pads\":[1,0,0,1]}", "X"),
            ("onnx.AveragePool", "{\"kernel_shape\":[3,3],\"strides\":[2,2],\"pads\":[1,0,0,1],\"count_include_pad\":1}", "X"),
            ("onnx.LpPool", "{\"kernel_shape\":[2,2],\"strides\":[2,2],\"p\":2}", "X"),
            ("tf.nn.avg_pool", "{\"ksize\":3,\"strides\":2,\"padding\":\"SAME\",\"data_format\":\"NCHW\"}", "input"),
            ("webnn.averagePool2d", "{\"windowDimensions\":[3,3],\"strides\":[2,2],\"padding\":[1,1,0,1]}", "input"),
            ("webnn.l2Pool2d", "{\"windowDimensions\":[3,3],\"strides\":[2,2],\"padding\":[1,1,0,1]}", "input"),
        };
        foreach (var (op, prms, input) in ops)
            foreach (var dt in new[] { DType.Float16, DType.Float32, DType.Float64 }.Where(d => d != b.DType))
                foreach (var fill in new[] { "rand", "int", "subnormal" })
                {
                    // Lp on subnormal input: x^p underflows in any float32 kernel (PyTorch gives 0 where the norm is ~1e-42), a
                    // range problem of the intermediate, not Lp semantics; those cases get non-negative data instead.
                    bool lp = op.Contains("lp", StringComparison.OrdinalIgnoreCase) || op.Contains("l2", StringComparison.OrdinalIgnoreCase);
                    string f = fill != "subnormal" ? fill : op.Contains("max", StringComparison.OrdinalIgnoreCase) ? "signed_zero" : lp ? "pos" : fill;
                    b.Add(op, $"dtype-{dt.Name()}", (JsonObject)JsonNode.Parse(prms)!, [2, 3, 9, 8], f, input, dtype: dt);
                }
        foreach (var c in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33 })
        {
            b.Add("torch.max_pool2d", $"channels{c}", P(("kernel_size", 2), ("stride", 2), ("return_indices", true)), [1, c, 5, 6], "ties");
            b.Add("tf.nn.max_pool", $"channels{c}", P(("ksize", 3), ("strides", 1), ("padding", "SAME")), [1, c, 5, 6], "rand", channelsLast: true);
            b.Add("torch.avg_pool2d", $"channels{c}", P(("kernel_size", 3), ("stride", 1), ("padding", 1)), [2, c, 4, 5], "rand");
        }
    }

    /// <summary>Inputs of the golden vectors quoted in public issue threads (DIALECTS.md §1.3, §1.5, §3.5); tests/Reference checks their values.</summary>
    static void IssueVectors(SuiteBuilder b)
    {
        Tensor Ramp(int[] shape, int start = 0) => new(b.DType, shape, Enumerable.Range(start, (int)Tensor.ElementCount(shape)).Select(v => (double)v).ToArray());
        b.AddRaw("torch.avg_pool2d", "pytorch-183528", P(("kernel_size", 3), ("stride", 2), ("padding", 1), ("ceil_mode", true)), new() { ["input"] = Ramp([1, 1, 4, 4], 1) });
        b.AddRaw("torch.avg_pool2d", "coremltools-2844", P(("kernel_size", 2), ("stride", 3), ("ceil_mode", true)), new() { ["input"] = Ramp([1, 1, 7, 7]) });
        b.AddRaw("torch.avg_pool1d", "cip-false-ceil", P(("kernel_size", 3), ("stride", 2), ("ceil_mode", true), ("count_include_pad", false)), new() { ["input"] = Ramp([1, 1, 6], 1) });
        b.AddRaw("torch.adaptive_max_pool2d", "pytorch-190064", P(("output_size", 3), ("return_indices", true)), new() { ["input"] = Ramp([1, 1, 5, 5]) });
        b.AddRaw("torch.max_pool1d", "pytorch-57178", P(("kernel_size", 1), ("stride", 2), ("ceil_mode", true)), new() { ["input"] = Ramp([1, 1, 32]) });
        b.AddRaw("onnx.MaxPool", "ort-ceil-5x5", P(("kernel_shape", Arr(2, 2)), ("strides", Arr(2, 2)), ("ceil_mode", 1)), new() { ["X"] = Ramp([1, 1, 5, 5]) }, ["Y", "Indices"]);
    }
}
