using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// Issue 4 part A invariants (METHODS.md §2, §4, §8, §14, §15a, §17) for the poolconf mixed, gated, stochastic, median,
/// combined, rank-based and weighted 2-D ops. Max and average references are torch.max_pool2d and torch.avg_pool2d with
/// count_include_pad=False (the poolconf ops skip padded taps); the profile keeps PyTorch's p ≤ k/2 and no dilation, so no
/// window is empty.
/// </summary>
[TestFixture]
public class NovelAProperties
{
    static readonly Profile Geo2d = new([2], Pad: PadMode.TorchSymmetric);
    static readonly Profile Finite2d = Geo2d with { Families = FamilySets.Moderate };
    static readonly Profile NonNeg64 = Geo2d with { Families = FamilySets.NonNegative, DType = DType.Float64 };
    static readonly Profile General64 = Geo2d with { Families = [Family.General, Family.Integers, Family.Ties], DType = DType.Float64 };

    static string G(Case c, string extra = "") =>
        $$"""{"kernel_size":{{J(c.K)}},"stride":{{J(c.S)}},"padding":{{J(c.Pb)}},"ceil_mode":{{J(c.Ceil)}}{{extra}}}""";

    static Expectation Op(string op, Case c, string extra = "", params (string Name, Tensor T)[] more) =>
        Eval($"poolconf.{op}", G(c, extra), [("input", c.Tensor), .. more]).Outputs["output"];

    static OpResult OpR(string op, Case c, string extra = "", params (string Name, Tensor T)[] more) =>
        Eval($"poolconf.{op}", G(c, extra), [("input", c.Tensor), .. more]);

    static Expectation Max(Case c) => Eval("torch.max_pool2d", TorchMaxJson(c), "input", c.Tensor).Outputs["output"];
    static Expectation MaxIdx(Case c) => Eval("torch.max_pool2d", TorchMaxJson(c), "input", c.Tensor).Outputs["indices"];
    static Expectation Avg(Case c) => Eval("torch.avg_pool2d", TorchAvgJson(c, includePad: false), "input", c.Tensor).Outputs["output"];

    static double B(Expectation e, int o) => e.Bound?[o] ?? 0;

    /// <summary>Every element equal within the two expectations' summed bounds (NaN = NaN, −0 = +0).</summary>
    static bool Agree(Expectation a, Expectation b, string what, double slack = 0)
    {
        for (int o = 0; o < a.Value.Data.Length; o++)
        {
            double x = a.Value.Data[o], y = b.Value.Data[o];
            bool ok = double.IsNaN(x) ? double.IsNaN(y) : x == y || Math.Abs(x - y) <= B(a, o) + B(b, o) + slack * Math.Max(1, Math.Abs(x));
            int oo = o;
            Require(ok, () => $"{what}: output {oo}: {Fmt(x)} vs {Fmt(y)} (bounds {B(a, oo)}, {B(b, oo)})");
        }
        return true;
    }

    /// <summary><c>lo − b ≤ y ≤ hi + b</c> elementwise, with <c>y</c>'s own bound and a relative slack for the references' roundings.</summary>
    static bool Between(Expectation lo, Expectation y, Expectation hi, string what)
    {
        for (int o = 0; o < y.Value.Data.Length; o++)
        {
            double l = lo.Value.Data[o], v = y.Value.Data[o], h = hi.Value.Data[o];
            double slack = B(y, o) + B(lo, o) + 4 * y.Value.DType.UnitRoundoff() * Math.Max(Math.Abs(l), Math.Abs(h));
            int oo = o;
            Require(l - slack <= v && v <= h + slack, () => $"{what}: output {oo}: {Fmt(l)} ≤ {Fmt(v)} ≤ {Fmt(h)} fails");
        }
        return true;
    }

    // ---------------- mixed ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Mixed_AlphaOne_IsMax_AlphaZero_IsAvg() =>
        Prop.ForAll(Gens.Cases(Geo2d with { Families = FamilySets.NoNaN.Concat([Family.NaN]).ToArray() }), c =>
            Agree(Op("mixed_pool2d", c, ",\"mode\":\"alpha\",\"alpha\":1"), Max(c), "alpha=1 vs max")
            && Agree(Op("mixed_pool2d", c, ",\"mode\":\"alpha\",\"alpha\":0"), Avg(c), "alpha=0 vs avg"));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Mixed_LambdaPerCell_OutputIsOneOfTheTwoBranches() =>
        Prop.ForAll(Gens.WithSeed(Finite2d), t =>
        {
            var (c, seed) = t;
            var max = Max(c); var avg = Avg(c);
            var rng = new SplitMix(seed);
            var lam = new Tensor(c.DType, max.Value.Shape, max.Value.Data.Select(_ => (double)rng.Below(2)).ToArray());
            var y = Op("mixed_pool2d", c, "", ("lambda", lam));
            for (int o = 0; o < lam.Data.Length; o++)
            {
                var want = lam.Data[o] == 1 ? max : avg;
                int oo = o;
                Require(Math.Abs(y.Value.Data[o] - want.Value.Data[o]) <= B(y, o) + B(want, o), () => $"cell {oo}: λ={lam.Data[oo]} got {Fmt(y.Value.Data[oo])}, want {Fmt(want.Value.Data[oo])}");
            }
            return true;
        });

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Mixed_Alpha_LiesBetweenAvgAndMax() =>
        Prop.ForAll(Gens.Cases(Finite2d), c => Between(Avg(c), Op("mixed_pool2d", c, ",\"mode\":\"alpha\",\"alpha\":0.3"), Max(c), "avg ≤ mixed ≤ max"));

    // ---------------- gated ----------------

    static Tensor Omega(Case c, double v) => new(DType.Float64, [c.K[0], c.K[1]], Enumerable.Repeat(v, c.K[0] * c.K[1]).ToArray());

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Gated_ZeroMask_IsMeanOfMaxAndAvg() =>
        Prop.ForAll(Gens.Cases(Finite2d), c =>
            Agree(Op("gated_pool2d", c, "", ("omega", Omega(c, 0))), Op("combined_pool2d", c, ",\"mode\":\"mean\""), "gated ω=0 vs (max+avg)/2"));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Gated_LiesBetweenAvgAndMax() =>
        Prop.ForAll(Gens.WithSeed(Finite2d), t =>
        {
            var (c, seed) = t;
            var rng = new SplitMix(seed);
            var om = new Tensor(DType.Float64, [c.K[0], c.K[1]], Enumerable.Range(0, c.K[0] * c.K[1]).Select(_ => rng.Below(2001) / 1000.0 - 1).ToArray());
            return Between(Avg(c), Op("gated_pool2d", c, "", ("omega", om)), Max(c), "avg ≤ gated ≤ max");
        });

    // ---------------- stochastic ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Stochastic_Inference_BetweenAvgAndMax_OnNonNegativeInput() =>
        Prop.ForAll(Gens.Cases(Geo2d with { Families = FamilySets.NonNegative }), c =>
            Between(Avg(c), Op("stochastic_pool2d", c), Max(c), "avg ≤ Σx²/Σx ≤ max"));

    /// <summary>
    /// Midpoint enumeration (METHODS.md §4): for each window and tap m, u at the midpoint of [C_{m−1}/S, C_m)/S selects m; the
    /// outputs weighted by the interval lengths x_m/S sum to the inference value Σx²/Σx. <paramref name="rank"/> switches to RSP.
    /// </summary>
    static bool MidpointExpectation(Case c, bool rank)
    {
        string op = rank ? "rank_stochastic_pool2d" : "stochastic_pool2d";
        string mode = rank ? ",\"alpha\":0.5" : "";
        var infer = OpR(op, c, mode);
        var windows = infer.Windows!;
        var inf = infer.Outputs["output"];
        int planes = c.N * c.C, planeOut = windows.Count, maxTaps = windows.Max(w => w.Taps.Length);
        var acc = new double[planes * planeOut];
        var total = new double[acc.Length];
        for (int m = 0; m < maxTaps; m++)
        {
            var u = new double[acc.Length];
            var weight = new double[acc.Length];
            for (int q = 0; q < planes; q++)
                for (int j = 0; j < planeOut; j++)
                {
                    var taps = windows[j].Taps;
                    if (m >= taps.Length) continue;
                    // Interval probabilities in scan order: x_i / S, or the rank weights α(1−α)^k renormalized.
                    var p = taps.Select(tp => c.X[q * c.Plane + tp]).ToArray();
                    if (rank)
                    {
                        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ToArray();
                        var w = new double[p.Length];
                        for (int k = 0; k < order.Length; k++) w[order[k]] = 0.5 * Math.Pow(0.5, k);
                        p = w;
                    }
                    double s = p.Sum();
                    if (s == 0) continue;
                    double before = p.Take(m).Sum();
                    if (p[m] == 0) continue;
                    u[q * planeOut + j] = (before + p[m] / 2) / s;
                    weight[q * planeOut + j] = p[m] / s;
                }
            var ut = new Tensor(DType.Float64, inf.Value.Shape, u);
            var y = OpR(op, c, mode + ",\"training\":true", ("uniforms", ut)).Outputs["output"].Value.Data;
            for (int o = 0; o < acc.Length; o++) { acc[o] += weight[o] * y[o]; total[o] += weight[o]; }
        }
        for (int o = 0; o < acc.Length; o++)
        {
            if (total[o] == 0) continue;
            // RSP: E[renormalized sample] = RWP / (1 − (1−α)^n); stochastic: E = Σx²/Σx.
            int n = windows[o % planeOut].Taps.Length;
            double want = rank ? inf.Value.Data[o] / (1 - Math.Pow(0.5, n)) : inf.Value.Data[o];
            int oo = o;
            Require(Math.Abs(acc[o] - want) <= 1e-12 * Math.Max(1, Math.Abs(want)) * n, () => $"cell {oo}: E over midpoints {Fmt(acc[oo])}, want {Fmt(want)}");
        }
        return true;
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property Stochastic_MidpointExpectation_EqualsInference() => Prop.ForAll(Gens.Cases(NonNeg64), c => MidpointExpectation(c, rank: false));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Stochastic_Training_ReturnsTheTapAtItsIndex() =>
        Prop.ForAll(Gens.WithSeed(Geo2d with { Families = FamilySets.NonNegative }), t => SelectionAtIndex(t.Case, t.Seed, "stochastic_pool2d", ""));

    static bool SelectionAtIndex(Case c, int seed, string op, string extra)
    {
        var shape = Op(op, c, extra.Contains("alpha") ? ",\"alpha\":0.5" : "").Value.Shape;
        var rng = new SplitMix(seed);
        var u = new Tensor(DType.Float64, shape, Enumerable.Range(0, (int)Tensor.ElementCount(shape)).Select(_ => rng.Below(1000) / 1000.0).ToArray());
        var r = OpR(op, c, extra + ",\"training\":true,\"return_indices\":true", ("uniforms", u));
        var v = r.Outputs["output"].Value.Data; var idx = r.Outputs["indices"].Value.Data;
        int planeOut = v.Length / (c.N * c.C);
        for (int o = 0; o < v.Length; o++)
        {
            int q = o / planeOut, oo = o;
            Require(r.Windows![o % planeOut].Taps.Contains((int)idx[o]) && SameValue(v[o], c.X[q * c.Plane + (int)idx[o]]),
                () => $"cell {oo}: value {Fmt(v[oo])} at index {idx[oo]} is not that window's tap");
        }
        return true;
    }

    // ---------------- median ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Median_IsTheLowerMiddleOrderStatistic_AndBetweenMinAndMax() =>
        Prop.ForAll(Gens.Cases(Geo2d with { Families = FamilySets.Finite }), c =>
        {
            var r = OpR("median_pool2d", c, ",\"return_indices\":true");
            var v = r.Outputs["output"].Value.Data;
            int planeOut = r.Windows!.Count;
            for (int o = 0; o < v.Length; o++)
            {
                var sorted = r.Windows[o % planeOut].Taps.Select(tp => c.X[(o / planeOut) * c.Plane + tp]).Order().ToArray();
                int oo = o;
                // n odd: rank (n+1)/2 (1-based) = sorted[(n−1)/2]; n even: the lower middle, the same index.
                Require(SameValue(v[o], sorted[(sorted.Length - 1) / 2]), () => $"cell {oo}: median {Fmt(v[oo])}, sorted [{string.Join(" ", sorted.Select(Fmt))}]");
                Require(sorted[0] <= v[o] && v[o] <= sorted[^1], () => $"cell {oo}: outside [min, max]");
            }
            return true;
        });

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Median_EvenRules_OrderedLowerMeanUpper() =>
        Prop.ForAll(Gens.Cases(Finite2d), c =>
        {
            var lo = Op("median_pool2d", c, ",\"even\":\"lower\""); var mean = Op("median_pool2d", c, ",\"even\":\"mean\""); var up = Op("median_pool2d", c, ",\"even\":\"upper\"");
            return Between(lo, mean, up, "lower ≤ mean ≤ upper");
        });

    // ---------------- combined ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Combined_ConcatHalves_AreAvgAndMax() =>
        Prop.ForAll(Gens.Cases(Geo2d), c =>
        {
            var cat = Op("combined_pool2d", c); var fa = Op("combined_pool2d", c, ",\"mode\":\"cat_max_avg\"");
            var max = Max(c); var avg = Avg(c);
            int half = c.C * max.Value.Shape[2] * max.Value.Shape[3];
            for (int n = 0; n < c.N; n++)
                for (int k = 0; k < half; k++)
                {
                    int src = n * half + k, a0 = 2 * n * half + k, a1 = (2 * n + 1) * half + k;
                    Require(SameValue(cat.Value.Data[a1], max.Value.Data[src]) && SameValue(fa.Value.Data[a0], max.Value.Data[src]), () => $"max half at {src}");
                    Require(SameValue(cat.Value.Data[a0], fa.Value.Data[a1]), () => $"avg halves differ at {src}");
                    double d = Math.Abs(cat.Value.Data[a0] - avg.Value.Data[src]);
                    Require(double.IsNaN(avg.Value.Data[src]) ? double.IsNaN(cat.Value.Data[a0]) : cat.Value.Data[a0] == avg.Value.Data[src] || d <= cat.Bound![a0] + avg.Bound![src], () => $"avg half at {src}");
                }
            return true;
        });

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Combined_Mean_IsMixedWithHalf_AndAddIsTwiceMean() =>
        Prop.ForAll(Gens.Cases(Finite2d), c =>
        {
            var mean = Op("combined_pool2d", c, ",\"mode\":\"mean\"");
            var add = Op("combined_pool2d", c, ",\"mode\":\"add\"");
            var half = new Expectation { Name = "h", Value = new Tensor(c.DType, add.Value.Shape, add.Value.Data.Select(v => c.DType.Round(v / 2)).ToArray()), Bound = add.Bound!.Select(b => b / 2 + c.DType.SmallestSubnormal()).ToArray() };
            return Agree(mean, Op("mixed_pool2d", c, ",\"mode\":\"alpha\",\"alpha\":0.5"), "combined mean vs mixed a=0.5") && Agree(mean, half, "mean vs add/2");
        });

    // ---------------- rank-based ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RankAvg_TOne_IsMax_TLarge_IsAvg() =>
        Prop.ForAll(Gens.Cases(Geo2d), c =>
            Agree(Op("rank_avg_pool2d", c, ",\"t\":1"), Max(c), "RAP t=1 vs max") && Agree(Op("rank_avg_pool2d", c, ",\"t\":1000"), Avg(c), "RAP t=n vs avg"));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RankAvg_NonIncreasingInT() =>
        Prop.ForAll(Gens.Cases(Finite2d), c =>
        {
            var prev = Op("rank_avg_pool2d", c, ",\"t\":1");
            for (int t = 2; t <= 5; t++)
            {
                var cur = Op("rank_avg_pool2d", c, $",\"t\":{t}");
                Between(cur, cur, prev, $"RAP(t={t}) ≤ RAP(t={t - 1})");
                prev = cur;
            }
            return true;
        });

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RankWeighted_AlphaOne_IsMax() =>
        Prop.ForAll(Gens.Cases(Geo2d), c => Agree(Op("rank_weighted_pool2d", c, ",\"alpha\":1"), Max(c), "RWP α=1 vs max"));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RankWeighted_PositivelyHomogeneous_AndPermutationInvariant() =>
        Prop.ForAll(Gens.Cases(General64), c =>
        {
            // Scaling by 4 is exact in float64: RWP(4x) = 4·RWP(x) up to the bounds. Reversing the whole plane (k=1 windows excluded
            // by comparing against a flipped problem only when the window covers the plane) is covered by the global case below.
            var a = Op("rank_weighted_pool2d", c, ",\"alpha\":0.375");
            var b = Op("rank_weighted_pool2d", c.WithData(c.X.Select(v => 4 * v).ToArray()), ",\"alpha\":0.375");
            var scaled = new Expectation { Name = "s", Value = new Tensor(DType.Float64, a.Value.Shape, a.Value.Data.Select(v => 4 * v).ToArray()), Bound = a.Bound!.Select(v => 4 * v).ToArray() };
            Agree(b, scaled, "RWP(4x) vs 4·RWP(x)");
            // Global window over each plane: reversing the plane permutes the window's values; RWP depends only on the sorted values.
            var g = c with { K = c.L, S = [1, 1], Pb = [0, 0], Pe = [0, 0], Ceil = false };
            var rev = new double[c.X.Length];
            for (int q = 0; q < c.N * c.C; q++) for (int i = 0; i < c.Plane; i++) rev[q * c.Plane + i] = c.X[q * c.Plane + c.Plane - 1 - i];
            return Agree(Op("rank_weighted_pool2d", g, ",\"alpha\":0.375"), Op("rank_weighted_pool2d", g.WithData(rev), ",\"alpha\":0.375"), "RWP permutation");
        });

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property RankStochastic_MidpointExpectation_IsRenormalizedRwp() => Prop.ForAll(Gens.Cases(General64), c => MidpointExpectation(c, rank: true));

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RankStochastic_Training_ReturnsTheTapAtItsIndex_InferenceIsRwp() =>
        Prop.ForAll(Gens.WithSeed(Geo2d with { Families = FamilySets.Finite }), t =>
            SelectionAtIndex(t.Case, t.Seed, "rank_stochastic_pool2d", ",\"alpha\":0.5")
            && Agree(Op("rank_stochastic_pool2d", t.Case, ",\"alpha\":0.5"), Op("rank_weighted_pool2d", t.Case, ",\"alpha\":0.5"), "RSP inference vs RWP"));

    // ---------------- weighted ----------------

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Weighted_UniformWeights_IsAvg_AndBetweenMinAndMax() =>
        Prop.ForAll(Gens.WithSeed(Finite2d), t =>
        {
            var (c, seed) = t;
            var ones = new Tensor(c.DType, c.Shape, Enumerable.Repeat(2.0, c.X.Length).ToArray());
            Agree(Op("weighted_pool2d", c, "", ("weight", ones)), Avg(c), "uniform weights vs avg");
            var rng = new SplitMix(seed);
            var w = new Tensor(c.DType, c.Shape, c.X.Select(_ => rng.Below(5) / 4.0).ToArray());
            var y = Op("weighted_pool2d", c, "", ("weight", w));
            var negMax = Max(c.WithData(c.X.Select(v => -v).ToArray()));
            var min = new Expectation { Name = "min", Value = new Tensor(c.DType, negMax.Value.Shape, negMax.Value.Data.Select(v => -v).ToArray()) };
            var max = Max(c);
            for (int o = 0; o < y.Value.Data.Length; o++)
                if (y.Value.Data[o] == 0) { min.Value.Data[o] = Math.Min(min.Value.Data[o], 0); max.Value.Data[o] = Math.Max(max.Value.Data[o], 0); } // Σw = 0 → 0
            return Between(min, y, max, "min ≤ weighted ≤ max");
        });

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property Weighted_OneHotAtArgmax_IsMax() =>
        Prop.ForAll(Gens.Cases(Finite2d with { NonOverlapping = true }), c =>
        {
            // Non-overlapping windows: weight 1 at each window's argmax (torch index), 0 elsewhere.
            var idx = MaxIdx(c).Value.Data;
            var w = new double[c.X.Length];
            int planeOut = idx.Length / (c.N * c.C);
            for (int o = 0; o < idx.Length; o++) w[(o / planeOut) * c.Plane + (int)idx[o]] = 1;
            return Agree(Op("weighted_pool2d", c, "", ("weight", new Tensor(c.DType, c.Shape, w))), Max(c), $"one-hot weights vs max {c}");
        });
}
