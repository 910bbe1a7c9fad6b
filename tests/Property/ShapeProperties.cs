using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>Shape invariants of the geometry module and of global/adaptive pooling (METHODS.md §0.2, §1).</summary>
[TestFixture]
public class ShapeProperties
{
    /// <summary>One axis with padding up to K + 2 on each side (beyond every dialect's limit, to reach the rules' edges).</summary>
    internal static readonly Gen<(int L, int K, int S, int D, int Pb, int Pe)> WideAxis =
        from k in Gen.Choose(1, 5)
        from s in Gen.Choose(1, 5)
        from d in Gen.Choose(1, 3)
        let eff = (k - 1) * d + 1
        from pb in Gen.Choose(0, eff + 2)
        from pe in Gen.Choose(0, eff + 2)
        from l in Gen.Choose(Math.Max(1, eff - pb - pe), Math.Max(1, eff - pb - pe) + 12)
        select (l, k, s, d, pb, pe);

    static readonly CeilRule[] Rules = Enum.GetValues<CeilRule>();

    /// <summary>Brute-force output length straight from the definitions of METHODS.md §0.2, by searching, not by formula.</summary>
    internal static int BruteForceOutput(int l, int k, int s, int d, int pb, int pe, CeilRule rule)
    {
        int eff = (k - 1) * d + 1, span = l + pb + pe;
        if (rule == CeilRule.Floor)
        {
            int o = 0;
            while (o * s + eff <= span) o++;       // windows that fit inside the padded extent
            return o;
        }
        int c = 1;
        while ((c - 1) * s + eff < span) c++;       // fewest windows whose last one reaches the end of the padded extent
        bool drop = rule == CeilRule.CeilTorchOnnx || (rule == CeilRule.CeilCaffeIfPadded && pb + pe > 0);
        if (drop && (c - 1) * s - pb >= l) c--;     // the last window would start in the end padding
        return c;
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OutputSize_EqualsBruteForceWindowCount_ForEveryRule_AndEnumerationYieldsExactlyTheDefinedTaps()
    {
        var gen = from nd in Gen.Choose(1, 3)
                  from axes in Gen.ArrayOf(WideAxis, nd)
                  from rule in Gen.Elements(Rules)
                  select (axes, rule);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (spec, rule) = t;
            var axes = spec.Select(a => PoolGeometry.Explicit(a.L, a.K, a.S, a.D, a.Pb, a.Pe, rule)).ToArray();
            for (int a = 0; a < axes.Length; a++)
            {
                var (l, k, s, d, pb, pe) = spec[a];
                int want = BruteForceOutput(l, k, s, d, pb, pe, rule);
                Require(axes[a].Output == want, () => $"{rule} {axes[a]}: output {axes[a].Output}, brute force {want}");
            }
            var windows = Windows.Enumerate(axes);
            int total = axes.Aggregate(1, (p, ax) => p * ax.Output);
            Require(windows.Length == total, () => $"{windows.Length} windows enumerated, output size {total}");
            // Each window's taps: positions o·s − pb + m·d inside [0, L) per axis, combined row-major (last axis innermost).
            var strides = Windows.Strides(axes.Select(ax => ax.Length).ToArray());
            for (int w = 0; w < windows.Length; w++)
            {
                var o = new int[axes.Length];
                int rem = w;
                for (int a = axes.Length - 1; a >= 0; a--) { o[a] = rem % axes[a].Output; rem /= axes[a].Output; }
                IEnumerable<int> taps = [0];
                for (int a = 0; a < axes.Length; a++)
                {
                    var (l, k, s, d, pb, _) = spec[a];
                    int oa = o[a], st = strides[a];
                    var along = Enumerable.Range(0, k).Select(m => oa * s - pb + m * d).Where(i => i >= 0 && i < l).ToArray();
                    taps = taps.SelectMany(t0 => along.Select(i => t0 + i * st)).ToArray();
                }
                var want = taps.ToArray();
                Require(windows[w].Output == w && windows[w].Taps.SequenceEqual(want),
                    () => $"window {w}: taps [{string.Join(",", windows[w].Taps)}], defined [{string.Join(",", want)}]");
            }
            return true;
        });
    }

    /// <summary>
    /// The last window starts at <c>(O − 1)·s − pb</c>. Floor: <c>(O − 1)·s ≤ L + pb + pe − K</c>, so it starts before <c>L</c> exactly when
    /// <c>pe &lt; K</c> can be relied on. Ceil with the PyTorch/ONNX drop: either no drop happened (the test guarantees the start is
    /// below <c>L</c>) or one did, and then <c>(O − 1)·s &lt; L + pb + pe − K</c>, below <c>L + pb</c> whenever <c>pe ≤ K</c>.
    /// PyTorch's <c>p ≤ k/2 ≤ K/2</c> is inside both conditions. The bounds are tight: see the two examples below.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property EveryWindowStartsInsideInputOrBeginPadding_ForCeilWhenEndPadAtMostK_AndFloorWhenEndPadBelowK()
    {
        var gen = from a in WideAxis from ceil in Gen.Elements(false, true) select (a, ceil);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var ((l, k, s, d, pb, pe), ceil) = t;
            int eff = (k - 1) * d + 1;
            bool covered = ceil ? pe <= eff : pe < eff;
            var ax = PoolGeometry.Explicit(l, k, s, d, pb, pe, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
            long lastStart = ax.Tap(ax.Output - 1, 0);
            Require(!covered || (lastStart < l && ax.Tap(0, 0) >= -pb), () => $"{ax} ceil={ceil}: last window starts at {lastStart}, input length {l}");
            return true;
        });
    }

    [Test]
    public void WindowStartingInEndPadding_Exists_ForCeilWithEndPadKPlusOne_AndFloorWithEndPadK()
    {
        // Ceil: L = 1, K = 1, s = 1, pe = 2 = K + 1: ceil(2/1) + 1 = 3, one drop → 2 windows, the second starts at 1 = L.
        var ceil = PoolGeometry.Explicit(1, 1, 1, 1, 0, 2, CeilRule.CeilTorchOnnx);
        Assert.That(ceil.Tap(ceil.Output - 1, 0), Is.EqualTo(1));
        // Floor: L = 1, K = 1, s = 1, pe = 1 = K: floor(1/1) + 1 = 2 windows, the second starts at 1 = L.
        var floor = PoolGeometry.Explicit(1, 1, 1, 1, 0, 1, CeilRule.Floor);
        Assert.That(floor.Tap(floor.Output - 1, 0), Is.EqualTo(1));
        // WebNN's ceil has no drop, so even pe < K is not enough there: L = 3, K = 1, s = 3, pe = 1 (pe = K here; with K = 2, s = 4,
        // L = 3, pe = 1 < K the same happens: ceil(2/4) + 1 = 2, the second starts at 4 > L): ceil(3/3) + 1 = 2, the second starts at 3 = L.
        var webnn = PoolGeometry.Explicit(3, 1, 3, 1, 0, 1, CeilRule.CeilNoCorrection);
        Assert.That(webnn.Tap(webnn.Output - 1, 0), Is.EqualTo(3));
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property TorchMaxPoolWindows_AllHaveAnInBoundsTap_WhenDilationIsOne()
    {
        var profile = new Profile([1, 2, 3], Pad: PadMode.TorchSymmetric, Families: [Family.General], MaxBatch: 1, MaxChannels: 1);
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var r = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
            Require(r.Windows!.All(w => !w.IsEmpty), () => $"an empty window: {r.Descriptor}");
            return true;
        });
    }

    /// <summary>
    /// With dense taps (d = 1) and s ≤ k consecutive windows leave no gap, the first starts at −pb ≤ 0, and the ceil rule's last
    /// window reaches <c>L + pe ≥ L</c> (a dropped window started at or past L and held nothing). Floor reaches L when s divides
    /// <c>L + pb + pe − K</c> (then floor and ceil agree); otherwise it may leave a tail uncovered, which is why the rule is stated.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property Windows_CoverEveryInputCell_WhenStrideAtMostKernelAndDense_UnderCeil_OrFloorWhenStrideDividesTheSpan()
    {
        var axis = from k in Gen.Choose(1, 5)
                   from s in Gen.Choose(1, k)
                   from pb in Gen.Choose(0, k + 1)
                   from pe in Gen.Choose(0, k + 1)
                   from l in Gen.Choose(Math.Max(1, k - pb - pe), Math.Max(1, k - pb - pe) + 10)
                   select (l, k, s, pb, pe);
        var gen = from nd in Gen.Choose(1, 3) from axes in Gen.ArrayOf(axis, nd) from ceil in Gen.Elements(false, true) select (axes, ceil);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (spec, ceil) = t;
            bool applies = ceil || spec.All(a => (a.l + a.pb + a.pe - a.k) % a.s == 0);
            if (!applies) return true;
            var axes = spec.Select(a => PoolGeometry.Explicit(a.l, a.k, a.s, 1, a.pb, a.pe, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor)).ToArray();
            int plane = spec.Aggregate(1, (p, a) => p * a.l);
            var seen = new bool[plane];
            foreach (var w in Windows.Enumerate(axes)) foreach (var tap in w.Taps) seen[tap] = true;
            int miss = Array.IndexOf(seen, false);
            Require(miss < 0, () => $"cell {miss} is in no window: {string.Join(" ", axes)} ceil={ceil}");
            return true;
        });
    }

    /// <summary>Max of a plane with NaN propagating (the definition, not the reference's scan).</summary>
    static double PlaneMax(double[] x, int offset, int n)
    {
        double m = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double v = x[offset + i];
            if (double.IsNaN(v)) return double.NaN;
            if (v > m) m = v;
        }
        return m;
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property GlobalPool_EqualsAdaptivePoolToOne_AndOneWindowOverTheWholeInput()
    {
        var profile = new Profile([1, 2, 3], Families: FamilySets.All, AllowCeil: false);
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var x = c.Tensor;
            string ones = J(Enumerable.Repeat(1, c.Nd).ToArray()), whole = J(c.L);
            // Max: ONNX global, PyTorch adaptive to 1, PyTorch and ONNX with a kernel of the whole input, and the definition.
            var g = Eval("onnx.GlobalMaxPool", "{}", "X", x).Outputs["Y"].Value.Data;
            var ad = Eval(TorchName("adaptive_max_pool", c), $$"""{"output_size":{{ones}}}""", "input", x).Outputs["output"].Value.Data;
            var tk = Eval(TorchName("max_pool", c), $$"""{"kernel_size":{{whole}}}""", "input", x).Outputs["output"].Value.Data;
            var ok = Eval("onnx.MaxPool", $$"""{"kernel_shape":{{whole}}}""", "X", x).Outputs["Y"].Value.Data;
            for (int q = 0; q < c.N * c.C; q++)
            {
                double want = c.DType.Round(PlaneMax(c.X, q * c.Plane, c.Plane));
                Require(SameValue(g[q], want) && SameBits(g[q], ad[q]) && SameBits(g[q], tk[q]) && SameBits(g[q], ok[q]),
                    () => $"plane {q}: global {Fmt(g[q])}, adaptive {Fmt(ad[q])}, torch whole-kernel {Fmt(tk[q])}, onnx whole-kernel {Fmt(ok[q])}, max {Fmt(want)}");
            }
            // Average: all four agree within the global average's derived bound.
            var ga = Eval("onnx.GlobalAveragePool", "{}", "X", x).Outputs["Y"];
            foreach (var (name, other) in new[]
            {
                ("torch adaptive to 1", Eval(TorchName("adaptive_avg_pool", c), $$"""{"output_size":{{ones}}}""", "input", x).Outputs["output"].Value),
                ("torch whole kernel", Eval(TorchName("avg_pool", c), $$"""{"kernel_size":{{whole}}}""", "input", x).Outputs["output"].Value),
                ("onnx whole kernel", Eval("onnx.AveragePool", $$"""{"kernel_shape":{{whole}}}""", "X", x).Outputs["Y"].Value),
            })
            {
                var cmp = OutputComparer.Compare(ga, other, Tolerance.Derived);
                Require(cmp.Passed, () => $"global average vs {name}: {cmp.Describe()}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property AdaptivePool_WithOutputEqualToInput_IsTheIdentity()
    {
        var profile = new Profile([1, 2, 3], Families: FamilySets.All, AllowCeil: false);
        return Prop.ForAll(Gens.Cases(profile), c =>
        {
            var x = c.Tensor;
            var m = Eval(TorchName("adaptive_max_pool", c), $$"""{"output_size":{{J(c.L)}},"return_indices":true}""", "input", x);
            var a = Eval(TorchName("adaptive_avg_pool", c), $$"""{"output_size":{{J(c.L)}}}""", "input", x).Outputs["output"].Value.Data;
            var mv = m.Outputs["output"].Value.Data; var mi = m.Outputs["indices"].Value.Data;
            for (int i = 0; i < c.X.Length; i++)
            {
                int ii = i;
                Require(SameBits(mv[i], c.X[i]) && mi[i] == i % c.Plane && SameValue(a[i], c.X[i]),
                    () => $"element {ii}: max {Fmt(mv[ii])} at {mi[ii]}, avg {Fmt(a[ii])}, input {Fmt(c.X[ii])}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property AdaptivePool_WithOutputDividingInput_EqualsFixedPoolingWithKernelAndStrideInputOverOutput()
    {
        // Cases whose kernel m = stride divides the length: the adaptive output is L / m.
        var profile = new Profile([1, 2, 3], MaxKernel: 3, Families: FamilySets.All, AllowCeil: false, NonOverlapping: true,
            Extra: c => Enumerable.Range(0, c.Nd).All(a => c.S[a] == c.K[a] && c.L[a] % c.K[a] == 0));
        var gen = from nd in Gen.Choose(1, 3)
                  from o in Gen.ArrayOf(Gen.Choose(1, nd == 3 ? 2 : 4), nd)
                  from m in Gen.ArrayOf(Gen.Choose(1, 3), nd)
                  from fam in Gen.Elements(FamilySets.All)
                  from n in Gen.Choose(1, 2)
                  from ch in Gen.Choose(1, 2)
                  let l = o.Zip(m, (a, b) => a * b).ToArray()
                  from x in Gens.Values(fam, n * ch, l.Aggregate(1, (p, v) => p * v), DType.Float32)
                  select new Case(n, ch, l, m, m, Enumerable.Repeat(1, nd).ToArray(), new int[nd], new int[nd], false, DType.Float32, fam, x);
        return Prop.ForAll(Arb.From(gen, c => Gens.Shrink(profile, c)), c =>
        {
            var x = c.Tensor;
            var outSize = J(c.L.Zip(c.K, (l, k) => l / k).ToArray());
            var am = Eval(TorchName("adaptive_max_pool", c), $$"""{"output_size":{{outSize}},"return_indices":true}""", "input", x);
            var fm = Eval(TorchName("max_pool", c), $$"""{"kernel_size":{{J(c.K)}},"return_indices":true}""", "input", x);
            foreach (var name in new[] { "output", "indices" })
            {
                var cmp = OutputComparer.Compare(fm.Outputs[name], am.Outputs[name].Value, Tolerance.Exact);
                Require(cmp.Passed && am.Outputs[name].Value.Data.Zip(fm.Outputs[name].Value.Data).All(t => SameBits(t.First, t.Second)),
                    () => $"max {name}: adaptive {outSize} vs fixed k=s={J(c.K)}: {cmp.Describe()}");
            }
            var aa = Eval(TorchName("adaptive_avg_pool", c), $$"""{"output_size":{{outSize}}}""", "input", x).Outputs["output"];
            var fa = Eval(TorchName("avg_pool", c), $$"""{"kernel_size":{{J(c.K)}}}""", "input", x).Outputs["output"];
            var ca = OutputComparer.Compare(fa, aa.Value, Tolerance.Derived);
            Require(ca.Passed, () => $"avg: adaptive {outSize} vs fixed k=s={J(c.K)}: {ca.Describe()}");
            return true;
        });
    }
}
