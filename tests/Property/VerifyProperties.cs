using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// The comparison <c>verify</c> applies: the reference passes its own default tolerance, a plain float32 kernel passes it too,
/// and an output moved beyond the bound TESTING.md §3 documents fails — so a bound that silently grew past its documentation is caught.
/// </summary>
[TestFixture]
public class VerifyProperties
{
    /// <summary>One op of the verify cases: its name, parameters and input name for a case.</summary>
    internal sealed record OpCase(string Label, Reduction Reduction, int P, Func<Case, (string Op, string Json, string Input)> Build);

    internal static readonly OpCase[] Ops =
    [
        new("torch.max_pool", Reduction.Max, 0, c => (TorchName("max_pool", c), TorchMaxJson(c), "input")),
        new("onnx.MaxPool", Reduction.Max, 0, c => ("onnx.MaxPool", OnnxJson(c), "X")),
        new("torch.avg_pool include", Reduction.Average, 0, c => (TorchName("avg_pool", c), TorchAvgJson(c, true), "input")),
        new("torch.avg_pool exclude", Reduction.Average, 0, c => (TorchName("avg_pool", c), TorchAvgJson(c, false), "input")),
        new("onnx.AveragePool exclude", Reduction.Average, 0, c => ("onnx.AveragePool", OnnxJson(c), "X")),
        new("onnx.AveragePool include", Reduction.Average, 0, c => ("onnx.AveragePool", OnnxJson(c, ",\"count_include_pad\":1"), "X")),
        new("onnx.LpPool p=1", Reduction.Lp, 1, c => ("onnx.LpPool", OnnxJson(c, ",\"p\":1"), "X")),
        new("onnx.LpPool p=2", Reduction.Lp, 2, c => ("onnx.LpPool", OnnxJson(c, ",\"p\":2"), "X")),
        new("onnx.LpPool p=3", Reduction.Lp, 3, c => ("onnx.LpPool", OnnxJson(c, ",\"p\":3"), "X")),
    ];

    static readonly Profile Space = OrderProperties.TorchAvg with { Families = FamilySets.All.Where(f => f != Family.Extremes).ToArray() };

    static Arbitrary<(Case c, int op, int seed)> Cases(Func<OpCase, bool> which)
    {
        var ops = Enumerable.Range(0, Ops.Length).Where(i => which(Ops[i])).ToArray();
        var gen = from t in Gens.WithSeed(Space).Generator from op in Gen.Elements(ops) select (c: t.Case, op, seed: t.Seed);
        return Arb.From(gen, t => Gens.Shrink(Space, t.c).Select(c => (c, t.op, t.seed)));
    }

    static (Expectation Out, Window[] W, OpCase Op) Run(Case c, int op)
    {
        var oc = Ops[op];
        var (name, json, input) = oc.Build(c);
        var r = Eval(name, json, input, c.Tensor);
        return (r.Outputs[r.DefaultOutputs[0]], r.Windows!.ToArray(), oc);
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property ReferenceOutput_PassesItsOwnDerivedTolerance()
    {
        return Prop.ForAll(Cases(_ => true), t =>
        {
            var (e, _, oc) = Run(t.c, t.op);
            var cmp = OutputComparer.Compare(e, e.Value, Tolerance.Derived);
            Require(cmp.Passed && cmp.MaxAbs == 0, () => $"{oc.Label}: {cmp.Describe()}");
            return true;
        });
    }

    /// <summary>
    /// A backend that accumulates in float32 in scan order (or in reverse), divides in float32 and takes the root in float32 is within
    /// the derived bound: the bound covers any summation order (TESTING.md §3.1). Families that overflow a float32 sum are left out.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property Float32SequentialKernels_PassTheDerivedBound_InEitherSummationOrder()
    {
        return Prop.ForAll(Cases(o => o.Reduction == Reduction.Average || (o.Reduction == Reduction.Lp && o.P <= 2)), t =>
        {
            var (c, op, seed) = t;
            var (e, ws, oc) = Run(c, op);
            // Squares of values below 2^-63 underflow float32 (x² < 2^-126 loses bits, below 2^-149 vanishes): a float32 L2 kernel then
            // misses the norm the double reference computes — the mirror image of the term overflow TESTING.md §5 lists. Not a rounding case.
            if (oc.Reduction == Reduction.Lp && oc.P == 2 && c.X.Any(v => v != 0 && Math.Abs(v) < Math.ScaleB(1, -63))) return true;
            bool reverse = seed % 2 == 1;
            int po = PlaneOut(e);
            var got = new double[e.Value.Data.Length];
            for (int o = 0; o < got.Length; o++)
            {
                var w = ws[o % po];
                int q = o / po;
                var taps = reverse ? w.Taps.Reverse().ToArray() : w.Taps;
                float s = 0;
                foreach (var tap in taps)
                {
                    float v = (float)c.X[q * c.Plane + tap];
                    s += oc.Reduction == Reduction.Lp ? (oc.P == 1 ? MathF.Abs(v) : v * v) : v;
                }
                got[o] = oc.Reduction == Reduction.Lp ? (oc.P == 1 ? s : MathF.Sqrt(s))
                    : s / (float)AverageDivisor(oc, w);
                if (e.Unspecified?[o] == true) got[o] = double.NaN;
            }
            var cmp = OutputComparer.Compare(e, new Tensor(DType.Float32, e.Value.Shape, got), Tolerance.Derived);
            Require(cmp.Passed, () => $"{oc.Label} ({(reverse ? "reverse" : "scan")} order): {cmp.Describe()}");
            return true;
        });
    }

    static double AverageDivisor(OpCase oc, Window w) => oc.Label.EndsWith("include") ? w.Padded : w.InBounds;

    /// <summary>
    /// The bound TESTING.md §3.3 documents for one element, computed here from the window (u = u_acc = u_out of float32, η its smallest
    /// subnormal). Average: <c>(n + 2)·u·A + 2·u·|y| + (n + 2)·η</c> with <c>A = Σ|x|/D</c>, the addition term dropped to 2 in the exact
    /// regime (integers with <c>Σ|x| ≤ 2²⁴</c>). Lp (Abs): <c>(((n − 1 + c_pow)/p + c_root)·u + 2·u)·y + (n + 2)·η</c> with c_pow = 0, 1, 8
    /// and c_root = 0, 1 (sqrt, "1 for a correctly rounded operation"), 8 for p = 1, 2, other; the sum term dropped in the exact regime.
    /// Selections: 0. A relative 1e-6 allows the second-order terms the first-order formula leaves out.
    /// </summary>
    internal static double DocumentedBound(Case c, OpCase oc, Window w, int plane, double y)
    {
        double u = Math.ScaleB(1, -24), eta = Math.ScaleB(1, -149);
        int n = w.Taps.Length;
        var x = w.Taps.Select(tap => c.X[plane * c.Plane + tap]).ToArray();
        bool ints = x.All(v => v == Math.Floor(v));
        switch (oc.Reduction)
        {
            case Reduction.Average:
                {
                    double d = AverageDivisor(oc, w), abs = x.Sum(Math.Abs);
                    double add = ints && abs <= Math.ScaleB(1, 24) ? 2 : n + 2;
                    return (add * u * abs / d + 2 * u * Math.Abs(y) + add * eta) * (1 + 1e-6);
                }
            case Reduction.Lp:
                {
                    int p = oc.P;
                    double terms = x.Sum(v => Math.Pow(Math.Abs(v), p));
                    double cPow = p == 1 ? 0 : p == 2 ? 1 : 8, cRoot = p == 1 ? 0 : p == 2 ? 1 : 8;
                    double sum = ints && terms <= Math.ScaleB(1, 24) ? 0 : (Math.Max(n - 1, 0) + cPow) / p;
                    return ((sum + cRoot) * u + 2 * u) * Math.Abs(y) * (1 + 1e-6) + (n + 2) * eta;
                }
            default: return 0;
        }
    }

    /// <summary>The float32 value just beyond <c>y ± bound</c> (null when that leaves the finite range).</summary>
    static double? Beyond(double y, double bound, bool up)
    {
        double target = up ? y + bound : y - bound;
        float f = (float)target;
        while (up ? f <= target : f >= target) f = up ? MathF.BitIncrement(f) : MathF.BitDecrement(f);
        if (float.IsInfinity(f)) return null;
        return f;
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property OutputPerturbedBeyondTheDocumentedBound_FailsVerification_AtThatElementOnly()
    {
        return Prop.ForAll(Cases(_ => true), t =>
        {
            var (c, op, seed) = t;
            var (e, ws, oc) = Run(c, op);
            int po = PlaneOut(e);
            var rng = new SplitMix(seed);
            var candidates = Enumerable.Range(0, e.Value.Data.Length)
                .Where(o => double.IsFinite(e.Value.Data[o]) && e.Unspecified?[o] != true && !ws[o % po].IsEmpty).ToArray();
            if (candidates.Length == 0) return true;
            int j = candidates[rng.Below(candidates.Length)];
            double y = e.Value.Data[j];
            double doc = DocumentedBound(c, oc, ws[j % po], j / po, y);
            bool up = rng.Below(2) == 0;
            double? moved = Beyond(y, doc, up) ?? Beyond(y, doc, !up);
            if (moved is null) return true;
            var data = (double[])e.Value.Data.Clone();
            data[j] = moved.Value;
            var cmp = OutputComparer.Compare(e, new Tensor(e.Value.DType, e.Value.Shape, data), Tolerance.Derived);
            Require(cmp.Mismatches == 1 && cmp.First[0].Index.SequenceEqual(e.Value.Unravel(j)),
                () => $"{oc.Label}: element {j} moved from {Fmt(y)} to {Fmt(moved.Value)} (|diff| {Fmt(Math.Abs(moved.Value - y))} > documented bound {Fmt(doc)}) " +
                      $"but verify says: {cmp.Describe()} (the reference's own bound there is {Fmt(e.Bound?[j] ?? 0)})");
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxPoolIndex_PerturbedByOne_FailsVerification()
    {
        var profile = OrderProperties.TorchMax;
        return Prop.ForAll(Gens.WithSeed(profile), t =>
        {
            var (c, seed) = t;
            var r = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
            var idx = r.Outputs["indices"];
            var ok = Enumerable.Range(0, idx.Value.Data.Length).Where(o => idx.Unspecified?[o] != true).ToArray();
            if (ok.Length == 0) return true;
            int j = ok[new SplitMix(seed).Below(ok.Length)];
            var data = (double[])idx.Value.Data.Clone();
            data[j] += 1;
            // Whatever tolerance is asked for, indices compare exactly.
            foreach (var tol in new[] { Tolerance.Derived, Tolerance.Ulp(1000), Tolerance.AbsRel(10, 1) })
            {
                var cmp = OutputComparer.Compare(idx, new Tensor(DType.Int64, idx.Value.Shape, data), tol);
                Require(cmp.Mismatches == 1, () => $"index {j} + 1 under {tol.ToJson().ToJsonString()}: {cmp.Describe()}");
            }
            return true;
        });
    }
}
