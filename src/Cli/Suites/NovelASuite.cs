using System.Text.Json.Nodes;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli.Suites;

/// <summary>
/// Issue 4 part A cases: <c>poolconf.mixed_pool2d</c>, <c>gated_pool2d</c>, <c>stochastic_pool2d</c>, <c>median_pool2d</c>,
/// <c>combined_pool2d</c>, <c>rank_avg_pool2d</c>, <c>rank_weighted_pool2d</c>, <c>rank_stochastic_pool2d</c>,
/// <c>weighted_pool2d</c> over 2-D geometries (padding, dilation, ceil overhang, odd and even window counts) × fixture
/// families (ties, integer fills, NaN at the first/middle/last tap where the op defines NaN, all-zero windows, u = 0 and u
/// just below 1). Random tensors (λ, uniforms, gates, weights) are drawn from the case seed; uniforms whose sampling
/// decision lies within 16 ulp of a boundary are redrawn (TESTING.md §3.6), except the deliberate u = 0 and u = 1⁻ cells.
/// </summary>
public static class NovelASuite
{
    /// <summary>(H, W, kernel, stride, padding, dilation, ceil): odd (9, 3) and even (4, 2) window counts, padding, dilation, overhang.</summary>
    static readonly (string Name, int H, int W, int K, int S, int P, int D, bool Ceil)[] Geoms =
    [
        ("k2s2", 6, 7, 2, 2, 0, 1, false), ("k3s2p1_ceil", 7, 7, 3, 2, 1, 1, true), ("k3s1_odd9", 5, 6, 3, 1, 0, 1, false),
        ("k2s1_even4", 5, 5, 2, 1, 0, 1, false), ("k3s2p1d2", 7, 9, 3, 2, 1, 2, false), ("k2s3_ceil_overhang", 5, 5, 2, 3, 0, 1, true),
        ("global4", 4, 4, 4, 1, 0, 1, false),
    ];

    static JsonObject Geo((string Name, int H, int W, int K, int S, int P, int D, bool Ceil) g) => new()
    {
        ["kernel_size"] = g.K, ["stride"] = g.S, ["padding"] = g.P, ["dilation"] = g.D, ["ceil_mode"] = g.Ceil,
    };

    static JsonObject With(JsonObject o, params (string K, JsonNode? V)[] kv)
    {
        var r = (JsonObject)o.DeepClone();
        foreach (var (k, v) in kv) r[k] = v;
        return r;
    }

    static int Out(int l, int k, int s, int p, int d, bool ceil) => PoolGeometry.OutputSize(l, k, s, d, p, p, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);

    static void Try(Action add)
    {
        try { add(); }
        catch (InvalidParameterException) { }
    }

    public static void Add(SuiteBuilder b, bool smoke)
    {
        var geoms = smoke ? Geoms.Where((_, i) => i % 3 == 0).ToArray() : Geoms;
        string[] general = smoke ? ["rand"] : ["rand", "int", "ties", "nan_mid"];
        int i = 0;
        foreach (var g in geoms)
        {
            var (n, c) = ((i % 2) + 1, new[] { 1, 3, 2 }[i % 3]);
            i++;
            int[] shape = [n, c, g.H, g.W];
            int oh = Out(g.H, g.K, g.S, g.P, g.D, g.Ceil), ow = Out(g.W, g.K, g.S, g.P, g.D, g.Ceil);
            var geo = Geo(g);
            var t = b.DType;
            ulong seed = b.CaseSeed($"novela/{g.Name}");

            foreach (var fill in general)
            {
                // mixed: λ per cell, per map, per layer; Lee's alpha; Yu's test-time modes.
                var lamCell = new Tensor(t, [n, c, oh, ow], SplitMix64.Fill(n * c * oh * ow, seed, "lambda" + fill, r => r.NextInt(0, 1)));
                var lamMap = new Tensor(t, [n, c, 1, 1], SplitMix64.Fill(n * c, seed, "lambda_map" + fill, r => r.NextInt(0, 1)));
                Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-cell", geo, shape, fill, extra: new() { ["lambda"] = lamCell }));
                Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-map", geo, shape, fill, extra: new() { ["lambda"] = lamMap }));
                Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-alpha", With(geo, ("mode", "alpha"), ("alpha", 0.3)), shape, fill));
                if (!smoke)
                {
                    Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-layer", geo, shape, fill, extra: new() { ["lambda"] = new Tensor(t, [1], [1]) }));
                    Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-expect", With(geo, ("mode", "expectation"), ("p", 0.625)), shape, fill));
                    Try(() => b.Add("poolconf.mixed_pool2d", $"{g.Name}-majority", With(geo, ("mode", "majority"), ("count_max", 7), ("count_avg", 7)), shape, fill));
                }
                // gated: per-layer and per-channel masks.
                var omega = new Tensor(t, [c, g.K, g.K], SplitMix64.Fill(c * g.K * g.K, seed, "omega" + fill, r => t.Round(2 * r.NextDouble() - 1)));
                Try(() => b.Add("poolconf.gated_pool2d", g.Name, geo, shape, fill, extra: new() { ["omega"] = omega }));
                // median: every even rule and both NaN policies.
                foreach (var even in smoke ? ["lower"] : new[] { "lower", "upper", "mean" })
                    Try(() => b.Add("poolconf.median_pool2d", $"{g.Name}-{even}", With(geo, ("even", even), ("return_indices", even != "mean")), shape, fill));
                // NaN at the first, middle and last tap for the op whose index output depends on where NaN sits.
                if (fill.StartsWith("nan_"))
                    foreach (var nf in new[] { "nan_first", "nan_mid", "nan_last" })
                        foreach (var policy in new[] { "propagate", "ignore" })
                            Try(() => b.Add("poolconf.median_pool2d", $"{g.Name}-nan{policy}", With(geo, ("nan", policy), ("return_indices", true)), shape, nf));
                // combined: all four modes.
                foreach (var mode in smoke ? ["cat_avg_max"] : new[] { "cat_avg_max", "cat_max_avg", "add", "mean" })
                    Try(() => b.Add("poolconf.combined_pool2d", $"{g.Name}-{mode}", With(geo, ("mode", mode)), shape, fill));
                // rank-based: t = 1, 2, window size; α = 1, 0.5, 0.25; RSP inference.
                foreach (var tt in smoke ? [2] : new[] { 1, 2, 3, 100 })
                    Try(() => b.Add("poolconf.rank_avg_pool2d", $"{g.Name}-t{tt}", With(geo, ("t", tt)), shape, fill));
                foreach (var a in smoke ? [0.5] : new[] { 1.0, 0.5, 0.25 })
                    Try(() => b.Add("poolconf.rank_weighted_pool2d", $"{g.Name}-a{a}", With(geo, ("alpha", a)), shape, fill));
                Try(() => b.Add("poolconf.rank_stochastic_pool2d", $"{g.Name}-infer", With(geo, ("alpha", 0.5)), shape, fill));
                // weighted: random non-negative weights with zeros (so some windows have Σw = 0), broadcast per plane.
                var w = new Tensor(t, [1, 1, g.H, g.W], SplitMix64.Fill(g.H * g.W, seed, "weight" + fill, r => r.NextInt(0, 3) == 0 ? 0 : t.Round(r.NextDouble() * 2)));
                Try(() => b.Add("poolconf.weighted_pool2d", g.Name, geo, shape, fill, extra: new() { ["weight"] = w }));
                if (!smoke)
                {
                    var wz = new Tensor(t, [1, 1, g.H, g.W], new double[g.H * g.W]);
                    Try(() => b.Add("poolconf.weighted_pool2d", $"{g.Name}-zero_avg", With(geo, ("zero_weight", "average")), shape, fill, extra: new() { ["weight"] = wz }));
                }
            }

            // Stochastic pooling (non-negative data: random, integers, ties with all-zero windows, all zeros) and RSP training.
            foreach (var fill in smoke ? ["pos"] : new[] { "pos", "int_pos", "ties", "zeros", "nan_mid" })
            {
                ulong s = b.CaseSeed($"novela/{g.Name}/{fill}");
                double[] data = fill switch
                {
                    "zeros" => new double[n * c * g.H * g.W],
                    "nan_mid" => Fills.Draw("pos", n * c * g.H * g.W, t, s, "input"),
                    _ => Fills.Draw(fill, n * c * g.H * g.W, t, s, "input"),
                };
                if (fill == "nan_mid") data[data.Length / 2] = double.NaN;
                var x = new Tensor(t, shape, data);
                Try(() => b.AddRaw("poolconf.stochastic_pool2d", $"{g.Name}-infer-{fill}", geo, new() { ["input"] = x }));
                foreach (var rule in smoke ? ["ge"] : new[] { "ge", "gt" })
                {
                    var u = Uniforms(b, x, g, oh, ow, s, rule, (data, off, taps, uu) => StochasticPool.Margin(data, off, taps, uu, t));
                    Try(() => b.AddRaw("poolconf.stochastic_pool2d", $"{g.Name}-train-{rule}-{fill}",
                        With(geo, ("training", true), ("rule", rule), ("return_indices", true)), new() { ["input"] = x, ["uniforms"] = u }));
                }
                // Negative inputs under the clamp flag.
                if (!smoke && fill == "pos")
                {
                    var neg = new Tensor(t, shape, data.Select((v, k) => k % 3 == 0 ? -v : v).ToArray());
                    Try(() => b.AddRaw("poolconf.stochastic_pool2d", $"{g.Name}-clamp", With(geo, ("clamp_negative", true)), new() { ["input"] = neg }));
                }
                foreach (var rem in smoke ? ["renormalize"] : new[] { "renormalize", "last_rank" })
                {
                    var u = Uniforms(b, x, g, oh, ow, s ^ 0x5A5A, rem, (d2, off, taps, uu) => RankStochasticPool.Margin(d2, off, taps, 0.5, uu,
                        rem == "last_rank" ? RspRemainder.LastRank : RspRemainder.Renormalize, t));
                    Try(() => b.AddRaw("poolconf.rank_stochastic_pool2d", $"{g.Name}-train-{rem}-{fill}",
                        With(geo, ("alpha", 0.5), ("training", true), ("remainder", rem), ("return_indices", true)), new() { ["input"] = x, ["uniforms"] = u }));
                }
            }
        }
    }

    /// <summary>
    /// One uniform per output cell: cell 0 of every plane gets u = 0, cell 1 the largest dtype value below 1, the rest random,
    /// redrawn (up to 64 times) while the decision margin is below 16 ulp.
    /// </summary>
    static Tensor Uniforms(SuiteBuilder b, Tensor x, (string Name, int H, int W, int K, int S, int P, int D, bool Ceil) g, int oh, int ow, ulong seed, string role,
        Func<double[], int, int[], double, double> margin)
    {
        var t = b.DType;
        var axes = new[]
        {
            PoolGeometry.Explicit(g.H, g.K, g.S, g.D, g.P, g.P, g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor),
            PoolGeometry.Explicit(g.W, g.K, g.S, g.D, g.P, g.P, g.Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor),
        };
        var windows = Windows.Enumerate(axes);
        int planes = x.Shape[0] * x.Shape[1], planeIn = g.H * g.W, planeOut = oh * ow;
        double belowOne = t.Round(1 - t.UnitRoundoff());
        var rng = new SplitMix64(SplitMix64.Hash(seed, "uniforms/" + role));
        var u = new double[planes * planeOut];
        for (int q = 0; q < planes; q++)
            for (int j = 0; j < planeOut; j++)
            {
                if (j == 0) { u[q * planeOut + j] = 0; continue; }
                if (j == 1) { u[q * planeOut + j] = belowOne; continue; }
                double v = 0;
                for (int tries = 0; tries < 64; tries++)
                {
                    v = t.Round(rng.NextDouble());
                    if (v >= 1) v = belowOne;
                    if (margin(x.Data, q * planeIn, windows[j].Taps, v) >= 16) break;
                }
                u[q * planeOut + j] = v;
            }
        return new Tensor(t, [x.Shape[0], x.Shape[1], oh, ow], u);
    }
}
