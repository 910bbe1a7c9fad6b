using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>Order relations between max, average and min pooling, and what they commute with (METHODS.md §1 invariants).</summary>
[TestFixture]
public class OrderProperties
{
    /// <summary>PyTorch's space for average pooling: symmetric p ≤ k/2, no dilation, ceil, 3-D input at least the kernel.</summary>
    internal static readonly Profile TorchAvg = new([1, 2, 3], Pad: PadMode.TorchSymmetric, KernelWithinInput: true);
    internal static readonly Profile TorchMax = new([1, 2, 3], MaxDilation: 2, Pad: PadMode.TorchSymmetric);

    static Expectation Max(Case c) => Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor).Outputs["output"];
    static OpResultPair MaxWithIndices(Case c)
    {
        var r = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
        return new(r.Outputs["output"], r.Outputs["indices"], r.Windows!.ToArray());
    }
    internal sealed record OpResultPair(Expectation Values, Expectation Indices, Window[] Windows);
    static Expectation Avg(Case c, bool includePad) => Eval(TorchName("avg_pool", c), TorchAvgJson(c, includePad), "input", c.Tensor).Outputs["output"];

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MinAtMostAvgExcludePad_AtMostMax()
    {
        var profile = TorchAvg with { Families = FamilySets.NoNaN };
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var max = Max(c).Value.Data;
            var negMax = Max(c.WithData(c.X.Select(v => -v).ToArray())).Value.Data;
            var avg = Avg(c, includePad: false).Value.Data;
            for (int o = 0; o < avg.Length; o++)
            {
                double min = -negMax[o];
                int oo = o;
                Require(min <= avg[o] && avg[o] <= max[o], () => $"output {oo}: min {Fmt(min)}, avg {Fmt(avg[oo])}, max {Fmt(max[oo])}");
            }
            return true;
        });
    }

    /// <summary>A strictly increasing map on the case's values: the sorted distinct values (−0 = +0) onto a random increasing integer ladder; NaN stays NaN.</summary>
    static Func<double, double> RankMap(double[] x, int seed)
    {
        var rng = new SplitMix(seed);
        var distinct = x.Where(v => !double.IsNaN(v)).Select(v => v == 0 ? 0.0 : v).Distinct().Order().ToArray();
        var map = new Dictionary<double, double>();
        double g = rng.Below(101) - 50;
        foreach (var v in distinct) { map[v] = g; g += 1 + rng.Below(5); }
        return v => double.IsNaN(v) ? v : map[v == 0 ? 0.0 : v];
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxPool_CommutesWithStrictlyIncreasingMaps_InValuesAndIndices()
    {
        return Prop.ForAll(Gens.WithSeed(TorchMax), t =>
        {
            var (c, seed) = t;
            var f = RankMap(c.X, seed);
            var a = MaxWithIndices(c);
            var b = MaxWithIndices(c.WithData(c.X.Select(f).ToArray()));
            for (int o = 0; o < a.Values.Value.Data.Length; o++)
            {
                if (a.Indices.Value.Data[o] < 0) continue; // an empty window (dilation with padding): no value to map
                double want = f(a.Values.Value.Data[o]), got = b.Values.Value.Data[o];
                int oo = o;
                Require(SameValue(got, want) && a.Indices.Value.Data[o] == b.Indices.Value.Data[o],
                    () => $"output {oo}: max(f(x)) = {Fmt(got)} at {b.Indices.Value.Data[oo]}, f(max(x)) = {Fmt(want)} at {a.Indices.Value.Data[oo]}");
            }
            return true;
        });
    }

    static readonly (string Name, Func<double, double> F)[] NonDecreasing =
    [
        ("floor", Math.Floor), ("clamp[-1,1]", v => Math.Clamp(v, -1, 1)), ("relu", v => Math.Max(0, v)), ("sign", v => double.IsNaN(v) ? v : Math.Sign(v)),
    ];

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxPool_CommutesWithNonDecreasingMaps_InValues()
    {
        var gen = from c in Gens.CaseGen(TorchMax) from m in Gen.Choose(0, NonDecreasing.Length - 1) select (c, m);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(TorchMax, t.c).Select(c => (c, t.m))), t =>
        {
            var (c, m) = t;
            var (name, f) = NonDecreasing[m];
            var a = MaxWithIndices(c);
            var b = Max(c.WithData(c.X.Select(v => c.DType.Round(f(v))).ToArray())).Value.Data;
            for (int o = 0; o < b.Length; o++)
            {
                if (a.Indices.Value.Data[o] < 0) continue;
                double want = c.DType.Round(f(a.Values.Value.Data[o]));
                int oo = o;
                Require(SameValue(b[o], want), () => $"output {oo}: max({name}(x)) = {Fmt(b[oo])}, {name}(max(x)) = {Fmt(want)}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property AvgExcludePad_IsAtLeastAvgIncludePad_OnNonNegativeInput_AndEqualWhereNoPaddingIsTouched()
    {
        var profile = TorchAvg with { Families = FamilySets.NonNegative };
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var ex = Avg(c, false).Value.Data;
            var r = Eval(TorchName("avg_pool", c), TorchAvgJson(c, true), "input", c.Tensor);
            var inc = r.Outputs["output"].Value.Data;
            var ws = r.Windows!;
            for (int o = 0; o < ex.Length; o++)
            {
                var w = ws[o % ws.Count];
                int oo = o;
                Require(ex[o] >= inc[o], () => $"output {oo}: exclude-pad {Fmt(ex[oo])} < include-pad {Fmt(inc[oo])}");
                Require(w.Padded != w.InBounds || SameValue(ex[o], inc[o]), () => $"output {oo} touches no padding but exclude-pad {Fmt(ex[oo])} ≠ include-pad {Fmt(inc[oo])}");
            }
            return true;
        });
    }

    /// <summary>
    /// Shifting the input by t cells along one axis (new cells in front hold a filler) shifts every interior output of a stride-1
    /// pooling by t: <c>y'[o + t] = y[o]</c> for windows whose taps are all in bounds, and max indices move by t along that axis.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property StrideOnePooling_IsTranslationEquivariant_AwayFromTheBorders()
    {
        var profile = TorchMax with { StrideOne = true, KernelWithinInput = true };
        return Prop.ForAll(Gens.WithSeed(profile), t =>
        {
            var (c, seed) = t;
            var rng = new SplitMix(seed);
            int axis = rng.Below(c.Nd), shift = 1 + rng.Below(2);
            var l2 = (int[])c.L.Clone(); l2[axis] += shift;
            var shifted = c with { L = l2, X = Shift(c, axis, shift, filler: 3.25) };
            var a = MaxWithIndices(c);
            var b = MaxWithIndices(shifted);
            bool dense = c.D.All(d => d == 1);
            Expectation? avgA = dense ? Avg(c, true) : null, avgB = dense ? Avg(shifted, true) : null;
            int[] outA = a.Values.Value.Shape, outB = b.Values.Value.Shape;
            for (int o = 0; o < a.Values.Value.Data.Length; o++)
            {
                var w = a.Windows[o % a.Windows.Length];
                if (w.InBounds != w.FullKernel) continue;
                var coord = a.Values.Value.Unravel(o);
                coord[2 + axis] += shift;
                int o2 = Ravel(coord, outB);
                var idxCoord = Unravel((int)a.Indices.Value.Data[o], c.L);
                idxCoord[axis] += shift;
                int wantIdx = Ravel(idxCoord, l2);
                int oo = o;
                Require(SameBits(a.Values.Value.Data[o], b.Values.Value.Data[o2]) && b.Indices.Value.Data[o2] == wantIdx,
                    () => $"axis {axis} shift {shift}: output {oo} max {Fmt(a.Values.Value.Data[oo])} at {a.Indices.Value.Data[oo]} → shifted output {o2} max {Fmt(b.Values.Value.Data[o2])} at {b.Indices.Value.Data[o2]}, want index {wantIdx}");
                if (avgA is not null)
                    Require(LpProperties.Close(avgA.Value.Data[o], avgA.Bound![o], avgB!.Value.Data[o2], avgB.Bound![o2]),
                        () => $"axis {axis} shift {shift}: avg output {oo} {Fmt(avgA.Value.Data[oo])} → shifted {Fmt(avgB!.Value.Data[o2])}");
            }
            return true;
        });
    }

    internal static int[] Unravel(int flat, int[] shape)
    {
        var r = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--) { r[a] = flat % shape[a]; flat /= shape[a]; }
        return r;
    }

    internal static int Ravel(int[] coord, int[] shape)
    {
        int f = 0;
        for (int a = 0; a < shape.Length; a++) f = f * shape[a] + coord[a];
        return f;
    }

    /// <summary>The case's data moved <paramref name="shift"/> cells along a spatial axis, the front cells filled.</summary>
    static double[] Shift(Case c, int axis, int shift, double filler)
    {
        int[] shape = c.Shape, shape2 = (int[])shape.Clone();
        shape2[2 + axis] += shift;
        var x = new double[shape2.Aggregate(1, (p, v) => p * v)];
        for (int i = 0; i < x.Length; i++)
        {
            var co = Unravel(i, shape2);
            if (co[2 + axis] < shift) { x[i] = filler; continue; }
            co[2 + axis] -= shift;
            x[i] = c.X[Ravel(co, shape)];
        }
        return x;
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxAndAvg_ArePositivelyHomogeneous_UnderPowerOfTwoScaling()
    {
        var profile = TorchAvg with { Families = FamilySets.All.Where(f => f != Family.Extremes).ToArray() };
        var gen = from c in Gens.CaseGen(profile) from j in Gen.Elements(-2, -1, 1, 2, 3) select (c, j);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.j))), t =>
        {
            var (c, j) = t;
            if (j < 0 && c.Family is Family.Subnormal or Family.NonNegativeSubnormal) j = -j; // keep the scaling exact
            double k = Math.ScaleB(1, j);
            var s = c.WithData(c.X.Select(v => v * k).ToArray());
            var (m, ms) = (Max(c).Value.Data, Max(s).Value.Data);
            foreach (var cip in new[] { false, true })
            {
                var (a, b) = (Avg(c, cip), Avg(s, cip));
                for (int o = 0; o < m.Length; o++)
                {
                    int oo = o;
                    Require(SameBits(ms[o], k * m[o]), () => $"output {oo}: max(2^{j}x) = {Fmt(ms[oo])}, 2^{j}·max(x) = {Fmt(k * m[oo])}");
                    Require(LpProperties.Close(b.Value.Data[o], b.Bound![o], k * a.Value.Data[o], k * a.Bound![o]),
                        () => $"output {oo} (include pad {cip}): avg(2^{j}x) = {Fmt(b.Value.Data[oo])}, 2^{j}·avg(x) = {Fmt(k * a.Value.Data[oo])}");
                }
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxAndAvgExcludePad_CommuteWithAddingAConstant_OnIntegerData()
    {
        var profile = TorchAvg with { Families = FamilySets.Integers };
        var gen = from c in Gens.CaseGen(profile) from k in Gen.Choose(-10, 10) select (c, k);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.k))), t =>
        {
            var (c, k) = t;
            var s = c.WithData(c.X.Select(v => v + k).ToArray());
            var (m, ms) = (Max(c).Value.Data, Max(s).Value.Data);
            var (a, b) = (Avg(c, false), Avg(s, false));
            for (int o = 0; o < m.Length; o++)
            {
                int oo = o;
                Require(SameValue(ms[o], m[o] + k), () => $"output {oo}: max(x + {k}) = {Fmt(ms[oo])}, max(x) + {k} = {Fmt(m[oo] + k)}");
                Require(LpProperties.Close(b.Value.Data[o], b.Bound![o], a.Value.Data[o] + k, a.Bound![o]),
                    () => $"output {oo}: avg(x + {k}) = {Fmt(b.Value.Data[oo])}, avg(x) + {k} = {Fmt(a.Value.Data[oo] + k)}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxAndAvg_NeverDecrease_WhenOneInputIncreases()
    {
        var profile = TorchAvg with { Families = FamilySets.Moderate };
        return Prop.ForAll(Gens.WithSeed(profile), t =>
        {
            var (c, seed) = t;
            var rng = new SplitMix(seed);
            var x = (double[])c.X.Clone();
            int i = rng.Below(x.Length);
            x[i] = c.DType.Round(x[i] + 0.5 + rng.Below(8));
            var up = c.WithData(x);
            var (m, mu) = (Max(c).Value.Data, Max(up).Value.Data);
            foreach (var cip in new[] { false, true })
            {
                var (a, b) = (Avg(c, cip), Avg(up, cip));
                for (int o = 0; o < m.Length; o++)
                {
                    int oo = o;
                    Require(mu[o] >= m[o], () => $"raising x[{i}] lowered max output {oo}: {Fmt(m[oo])} → {Fmt(mu[oo])}");
                    Require(b.Value.Data[o] >= a.Value.Data[o] - a.Bound![o] - b.Bound![o],
                        () => $"raising x[{i}] lowered avg output {oo} (include pad {cip}): {Fmt(a.Value.Data[oo])} → {Fmt(b.Value.Data[oo])}");
                }
            }
            return true;
        });
    }
}
