using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// Lp pooling limits (METHODS.md §3). The normalized (power-mean) form is not an op: it is computed here from the sum form
/// <c>y = (Σ_{R}|x|^p)^{1/p}</c> of <c>onnx.LpPool</c> and the window's in-bounds count, <c>M_p = y·|R|^{−1/p}</c>. Every comparison
/// allows exactly the ops' own derived bounds (scaled like the quantity compared) plus a few double roundings of this side.
/// </summary>
[TestFixture]
public class LpProperties
{
    internal static readonly Profile OnnxNonNegative = new([1, 2, 3], MaxDilation: 2, Pad: PadMode.Asymmetric, Families: FamilySets.NonNegative);

    /// <summary>|a − b| within the two bounds plus 8 double roundings of the larger.</summary>
    internal static bool Close(double a, double boundA, double b, double boundB) =>
        SameValue(a, b) || Math.Abs(a - b) <= boundA + boundB + 8 * Math.ScaleB(1, -53) * Math.Max(Math.Abs(a), Math.Abs(b));

    static (double[] Y, double[] Bound, Window[] W, int PlaneOut) OnnxLp(Case c, int p)
    {
        var r = Eval("onnx.LpPool", OnnxJson(c, $",\"p\":{p}"), "X", c.Tensor);
        var e = r.Outputs["Y"];
        return (e.Value.Data, e.Bound!, r.Windows!.ToArray(), PlaneOut(e));
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property LpMeanForm_AtPOne_EqualsExcludePadAverage_OnNonNegativeInput()
    {
        return Prop.ForAll(Gens.Cases(OnnxNonNegative), c =>
        {
            var (y, by, ws, po) = OnnxLp(c, 1);
            var avg = Eval("onnx.AveragePool", OnnxJson(c, ",\"count_include_pad\":0"), "X", c.Tensor).Outputs["Y"];
            for (int o = 0; o < y.Length; o++)
            {
                var w = ws[o % po];
                if (w.IsEmpty || avg.Unspecified?[o] == true) continue;
                double m1 = y[o] / w.InBounds, a = avg.Value.Data[o];
                int oo = o;
                Require(Close(m1, by[o] / w.InBounds, a, avg.Bound![o]), () => $"output {oo}: mean form M_1 = {Fmt(m1)}, exclude-pad average {Fmt(a)}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property LpMeanForm_IsNonDecreasingInP_AtLeastMaxTimesCountToMinusOneOverP_AndAtMostMax()
    {
        var gen = from c in Gens.CaseGen(OnnxNonNegative) from pq in Gen.Elements((1, 2), (1, 3), (2, 3), (2, 4), (3, 7), (1, 6)) select (c, pq);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(OnnxNonNegative, t.c).Select(c => (c, t.pq))), t =>
        {
            var (c, (p, q)) = t;
            var (yp, bp, ws, po) = OnnxLp(c, p);
            var (yq, bq, _, _) = OnnxLp(c, q);
            var max = Eval("onnx.MaxPool", OnnxJson(c), "X", c.Tensor).Outputs["Y"];
            for (int o = 0; o < yp.Length; o++)
            {
                var w = ws[o % po];
                if (w.IsEmpty || max.Unspecified?[o] == true) continue;
                double n = w.InBounds, sp = Math.Pow(n, -1.0 / p), sq = Math.Pow(n, -1.0 / q);
                double mp = yp[o] * sp, mq = yq[o] * sq, mx = max.Value.Data[o];
                double slackP = bp[o] * sp, slackQ = bq[o] * sq;
                int oo = o;
                string at() => $"output {oo} (|R| = {n}): M_{p} = {Fmt(mp)}, M_{q} = {Fmt(mq)}, max = {Fmt(mx)}";
                Require(mp <= mq || Close(mp, slackP, mq, slackQ), () => "not non-decreasing in p: " + at());
                Require(mq <= mx || Close(mq, slackQ, mx, 0), () => "above the max: " + at());
                Require(mq >= mx * sq || Close(mq, slackQ, mx * sq, 0), () => $"below max·|R|^(−1/{q}) = {Fmt(mx * sq)}: " + at());
            }
            return true;
        });
    }

    internal static readonly Profile TorchLpNonNegative = new([1, 2, 3], Pad: PadMode.None, Families: FamilySets.NonNegative);

    static Gen<(Case c, int p)> WithP(Profile profile) => from c in Gens.CaseGen(profile) from p in Gen.Elements(1, 2, 3, 4) select (c, p);

    /// <summary>
    /// PyTorch's form is <c>(avg_pool(x^p)·Πk)^{1/p}</c>. On a full window (every tap in bounds) that is <c>(Σx^p)^{1/p} = |R|^{1/p}·M_p</c>;
    /// on a ceil-mode partial window the sum is inflated by <c>Πk/|R|</c> (DIALECTS.md §9 row 4), i.e. <c>|R|^{1/p}·M_p·(Πk/|R|)^{1/p}</c>.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property TorchLpForm_EqualsCountToTheOneOverPTimesMeanForm_OnFullWindows()
    {
        return Prop.ForAll(Arb.From(WithP(TorchLpNonNegative), t => Gens.Shrink(TorchLpNonNegative, t.c).Select(c => (c, t.p))), t =>
        {
            var (c, p) = t;
            var (y, by, ws, po) = OnnxLp(c, p);
            var torch = Eval(TorchName("lp_pool", c), TorchLpJson(c, p), "input", c.Tensor).Outputs["output"];
            for (int o = 0; o < y.Length; o++)
            {
                var w = ws[o % po];
                if (w.InBounds != w.FullKernel) continue;
                double r = Math.Pow(w.InBounds, 1.0 / p), mean = y[o] / r, want = r * mean, got = torch.Value.Data[o];
                int oo = o;
                Require(Close(got, torch.Bound![o], want, by[o]), () => $"output {oo}: torch {Fmt(got)}, |R|^(1/p)·M_p = {Fmt(want)} (p = {p})");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property TorchLpForm_OnCeilPartialWindows_IsTheNormInflatedByKernelOverCount()
    {
        var profile = TorchLpNonNegative with { Extra = c => c.Ceil };
        var gen = WithP(profile with { Extra = null }).Select(t => (c: t.c with { Ceil = true }, t.p));
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.p))), t =>
        {
            var (c, p) = t;
            var (y, by, ws, po) = OnnxLp(c, p);
            var torch = Eval(TorchName("lp_pool", c), TorchLpJson(c, p), "input", c.Tensor).Outputs["output"];
            for (int o = 0; o < y.Length; o++)
            {
                var w = ws[o % po];
                double f = Math.Pow((double)w.FullKernel / w.InBounds, 1.0 / p), want = y[o] * f, got = torch.Value.Data[o];
                int oo = o;
                Require(Close(got, torch.Bound![o], want, by[o] * f), () => $"output {oo}: torch {Fmt(got)}, norm·(Πk/|R|)^(1/p) = {Fmt(want)} (p = {p}, |R| = {w.InBounds}, Πk = {w.FullKernel})");
            }
            return true;
        });
    }

    /// <summary>Scaling by 2^j is exact on the generated data (no subnormal family when j &lt; 0), so both sides see the same inputs scaled.</summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property LpPool_OnnxAndTorchForms_ArePositivelyHomogeneous()
    {
        var profile = OnnxNonNegative with { Families = [Family.NonNegative, Family.NonNegativeIntegers, Family.NonNegativeTies, Family.General] };
        var gen = from c in Gens.CaseGen(profile) from j in Gen.Choose(-2, 3) from p in Gen.Elements(1, 2, 3) select (c, j, p);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.j, t.p))), t =>
        {
            var (c, j, p) = t;
            double k = Math.ScaleB(1, j);
            var scaled = c.WithData(c.X.Select(v => v * k).ToArray());
            var (y, by, _, _) = OnnxLp(c, p);
            var (ys, bys, _, _) = OnnxLp(scaled, p);
            for (int o = 0; o < y.Length; o++)
            {
                int oo = o;
                Require(Close(ys[o], bys[o], k * y[o], k * by[o]), () => $"onnx output {oo}: f(2^{j}·x) = {Fmt(ys[oo])}, 2^{j}·f(x) = {Fmt(k * y[oo])}");
            }
            // The same data through PyTorch's form (no padding, no dilation there), when the kernel fits.
            var dense = c with { D = Enumerable.Repeat(1, c.Nd).ToArray(), Pb = new int[c.Nd], Pe = new int[c.Nd] };
            if (Enumerable.Range(0, c.Nd).All(a => c.L[a] >= c.K[a]))
            {
                var tj = TorchLpJson(dense, p);
                var a = Eval(TorchName("lp_pool", c), tj, "input", c.Tensor).Outputs["output"];
                var b = Eval(TorchName("lp_pool", c), tj, "input", scaled.Tensor).Outputs["output"];
                for (int o = 0; o < a.Value.Data.Length; o++)
                {
                    int oo = o;
                    Require(Close(b.Value.Data[o], b.Bound![o], k * a.Value.Data[o], k * a.Bound![o]),
                        () => $"torch output {oo}: f(2^{j}·x) = {Fmt(b.Value.Data[oo])}, 2^{j}·f(x) = {Fmt(k * a.Value.Data[oo])}");
                }
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OnnxLpPool_IsInvariantUnderSignFlipsOfInputs()
    {
        var profile = OnnxNonNegative with { Families = FamilySets.All };
        var gen = from t in Gens.WithSeed(profile).Generator from p in Gen.Elements(1, 2, 3) select (t.Case, t.Seed, p);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.Case).Select(c => (c, t.Seed, t.p))), t =>
        {
            var (c, seed, p) = t;
            var rng = new SplitMix(seed);
            var flipped = c.WithData(c.X.Select(v => rng.Below(2) == 0 ? -v : v).ToArray());
            var (y, _, _, _) = OnnxLp(c, p);
            var (yf, _, _, _) = OnnxLp(flipped, p);
            int bad = Enumerable.Range(0, y.Length).FirstOrDefault(o => !SameBits(y[o], yf[o]), -1);
            Require(bad < 0, () => $"output {bad}: {Fmt(y[bad])} before, {Fmt(yf[bad])} after flipping signs");
            return true;
        });
    }
}
