using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Property;

/// <summary>The value families of TESTING.md §5 a generated tensor is drawn from.</summary>
public enum Family
{
    /// <summary>Finite values in [−8, 8] with three decimals.</summary>
    General,
    /// <summary>Finite values in [0, 8].</summary>
    NonNegative,
    /// <summary>Values from {−1, −0, +0, 1, 2}: many tied maxima, −0 then +0 and the reverse.</summary>
    Ties,
    /// <summary>Values from {−0, +0, 1, 2}: ties without negative values.</summary>
    NonNegativeTies,
    /// <summary>Small integers in [−20, 20] (the exact regime of TESTING.md §4).</summary>
    Integers,
    /// <summary>Non-negative small integers.</summary>
    NonNegativeIntegers,
    /// <summary>General values with NaN at the first, middle and last element of the planes and one random place.</summary>
    NaN,
    /// <summary>General values with −∞ sprinkled in, including whole −∞ runs.</summary>
    NegativeInfinity,
    /// <summary>Subnormals (2⁻¹⁴⁹, 0x007FFFFF), zeros and the smallest normal, both signs.</summary>
    Subnormal,
    /// <summary>Non-negative subnormals and zeros.</summary>
    NonNegativeSubnormal,
    /// <summary>±FLT_MAX (TensorFlow/Caffe/darknet sentinels) mixed with ordinary values.</summary>
    Extremes,
}

/// <summary>Sets of families a property may draw from.</summary>
public static class FamilySets
{
    public static readonly Family[] All = Enum.GetValues<Family>();
    /// <summary>No NaN and no infinity.</summary>
    public static readonly Family[] Finite = [Family.General, Family.NonNegative, Family.Ties, Family.NonNegativeTies, Family.Integers, Family.NonNegativeIntegers, Family.Subnormal, Family.NonNegativeSubnormal, Family.Extremes];
    /// <summary>Finite, and small enough that sums of a window cannot overflow float32.</summary>
    public static readonly Family[] Moderate = [Family.General, Family.NonNegative, Family.Ties, Family.NonNegativeTies, Family.Integers, Family.NonNegativeIntegers, Family.Subnormal, Family.NonNegativeSubnormal];
    /// <summary>Every value x ≥ 0 (−0 included).</summary>
    public static readonly Family[] NonNegative = [Family.NonNegative, Family.NonNegativeIntegers, Family.NonNegativeSubnormal, Family.NonNegativeTies];
    /// <summary>Everything without NaN (−∞ allowed).</summary>
    public static readonly Family[] NoNaN = All.Where(f => f != Family.NaN).ToArray();
    public static readonly Family[] Integers = [Family.Integers, Family.NonNegativeIntegers, Family.Ties, Family.NonNegativeTies];
}

/// <summary>How a generated problem pads its spatial axes.</summary>
public enum PadMode
{
    None,
    /// <summary>PyTorch 1.13: symmetric, <c>p ≤ k/2</c> with the raw kernel (1-D, 2-D and 3-D alike in the reference).</summary>
    TorchSymmetric,
    /// <summary>ONNX / WebNN / TF explicit: begin and end independent, each up to <c>K − 1</c> (windows made only of padding stay impossible).</summary>
    Asymmetric,
}

/// <summary>
/// The constraints of one dialect's parameter space; <see cref="Admits"/> is used both to build cases and to keep shrunk
/// cases valid, so shrinking never leaves the dialect's space.
/// </summary>
public sealed record Profile(
    int[] Ranks,
    int MaxKernel = 4,
    int MaxStride = 3,
    int MaxDilation = 1,
    PadMode Pad = PadMode.None,
    bool AllowCeil = true,
    Family[]? Families = null,
    DType DType = DType.Float32,
    bool KernelWithinInput = false,
    bool NonOverlapping = false,
    bool StrideOne = false,
    int MaxBatch = 2,
    int MaxChannels = 3,
    Func<Case, bool>? Extra = null)
{
    public Family[] FamilySet => Families ?? FamilySets.All;

    public bool Admits(Case c)
    {
        if (!Ranks.Contains(c.Nd) || c.N < 1 || c.C < 1) return false;
        if (c.Ceil && !AllowCeil) return false;
        if (!FamilySet.Contains(c.Family)) return false;
        for (int a = 0; a < c.Nd; a++)
        {
            int k = c.K[a], s = c.S[a], d = c.D[a], pb = c.Pb[a], pe = c.Pe[a], l = c.L[a];
            if (k < 1 || s < 1 || d < 1 || d > MaxDilation || l < 1 || pb < 0 || pe < 0) return false;
            int eff = (k - 1) * d + 1;
            if (l + pb + pe < eff) return false;
            switch (Pad)
            {
                case PadMode.None when pb != 0 || pe != 0: return false;
                case PadMode.TorchSymmetric when pb != pe || pb > k / 2: return false;
                case PadMode.Asymmetric when pb >= eff || pe >= eff: return false;
            }
            if (KernelWithinInput && l < k) return false;
            if (NonOverlapping && (s < k || d != 1)) return false;
            if (StrideOne && s != 1) return false;
        }
        return Extra?.Invoke(c) ?? true;
    }
}

/// <summary>
/// One generated pooling problem: N×C×spatial input (channels-first), per-axis kernel, stride, dilation and begin/end
/// padding, the ceil flag, the dtype and the value family. <see cref="ToString"/> prints everything needed to rebuild it.
/// </summary>
public sealed record Case(int N, int C, int[] L, int[] K, int[] S, int[] D, int[] Pb, int[] Pe, bool Ceil, DType DType, Family Family, double[] X)
{
    public int Nd => L.Length;
    public int[] Shape => [N, C, .. L];
    public int Plane => L.Aggregate(1, (p, v) => p * v);
    public Tensor Tensor => new(DType, Shape, X);
    public int Eff(int a) => (K[a] - 1) * D[a] + 1;

    public Axis[] Axes(CeilRule? rule = null) =>
        Enumerable.Range(0, Nd).Select(a => PoolGeometry.Explicit(L[a], K[a], S[a], D[a], Pb[a], Pe[a], rule ?? (Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor))).ToArray();

    public Case WithData(double[] x) => this with { X = x };

    static string Ints(int[] v) => "[" + string.Join(",", v) + "]";
    static string Num(double v) => double.IsNaN(v) ? "NaN" : v == 0 && double.IsNegative(v) ? "-0" : v.ToString("R", CultureInfo.InvariantCulture);

    public override string ToString() =>
        $"Case(N={N} C={C} L={Ints(L)} k={Ints(K)} s={Ints(S)} d={Ints(D)} pads={Ints(Pb)}/{Ints(Pe)} ceil={Ceil} {DType.Name()} {Family} x=[{string.Join(" ", X.Select(Num))}])";
}

/// <summary>Generators and shrinkers of <see cref="Case"/> per <see cref="Profile"/>.</summary>
public static class Gens
{
    static readonly int[] TinyAndPrime = [1, 2, 3, 5, 7, 11, 13];

    static Gen<(int K, int S, int D, int Pb, int Pe, int L)> AxisGen(Profile p, int nd)
    {
        int maxK = nd == 3 ? Math.Min(p.MaxKernel, 3) : p.MaxKernel;
        int extra = nd switch { 1 => 10, 2 => 4, _ => 2 };
        return from k in Gen.Choose(1, maxK)
               from s in p.StrideOne ? Gen.Constant(1) : p.NonOverlapping ? Gen.Choose(k, k + 1) : Gen.Choose(1, p.MaxStride)
               from d in p.NonOverlapping ? Gen.Constant(1) : Gen.Choose(1, p.MaxDilation)
               let eff = (k - 1) * d + 1
               from pb in p.Pad switch { PadMode.TorchSymmetric => Gen.Choose(0, k / 2), PadMode.Asymmetric => Gen.Choose(0, eff - 1), _ => Gen.Constant(0) }
               from pe in p.Pad switch { PadMode.TorchSymmetric => Gen.Constant(pb), PadMode.Asymmetric => Gen.Choose(0, eff - 1), _ => Gen.Constant(0) }
               let lmin = Math.Max(Math.Max(1, eff - pb - pe), p.KernelWithinInput ? k : 1)
               from l in Gen.Frequency((3, Gen.Choose(lmin, lmin + extra)), (1, Gen.Elements(TinyAndPrime).Select(v => Math.Max(v, lmin))))
               select (k, s, d, pb, pe, l);
    }

    /// <summary>Valid problems of the profile, with data from its families; shrinking stays inside the profile.</summary>
    public static Arbitrary<Case> Cases(Profile p) => Arb.From(CaseGen(p), c => Shrink(p, c));

    public static Gen<Case> CaseGen(Profile p) =>
        from nd in Gen.Elements(p.Ranks)
        from axes in Gen.ArrayOf(AxisGen(p, nd), nd)
        from n in Gen.Choose(1, p.MaxBatch)
        from c in Gen.Choose(1, p.MaxChannels)
        from ceil in p.AllowCeil ? Gen.Elements(false, true) : Gen.Constant(false)
        from fam in Gen.Elements(p.FamilySet)
        let l = axes.Select(a => a.L).ToArray()
        from x in Values(fam, n * c, l.Aggregate(1, (q, v) => q * v), p.DType)
        select new Case(n, c, l, axes.Select(a => a.K).ToArray(), axes.Select(a => a.S).ToArray(), axes.Select(a => a.D).ToArray(),
            axes.Select(a => a.Pb).ToArray(), axes.Select(a => a.Pe).ToArray(), ceil, p.DType, fam, x);

    /// <summary>Values of a family for <paramref name="planes"/> planes of <paramref name="plane"/> elements, rounded to the dtype.</summary>
    public static Gen<double[]> Values(Family f, int planes, int plane, DType dtype)
    {
        int n = planes * plane;
        Gen<double> general = Gen.Choose(-8000, 8000).Select(i => i / 1000.0);
        Gen<double> one = f switch
        {
            Family.General or Family.NaN => general,
            Family.NonNegative => Gen.Choose(0, 8000).Select(i => i / 1000.0),
            Family.Ties => Gen.Elements(-1.0, -0.0, 0.0, 1.0, 2.0),
            Family.NonNegativeTies => Gen.Elements(-0.0, 0.0, 1.0, 2.0),
            Family.Integers => Gen.Choose(-20, 20).Select(i => (double)i),
            Family.NonNegativeIntegers => Gen.Choose(0, 20).Select(i => (double)i),
            Family.NegativeInfinity => Gen.Frequency((3, general), (2, Gen.Constant(double.NegativeInfinity))),
            Family.Subnormal => Gen.Elements(Math.ScaleB(1, -149), -Math.ScaleB(1, -149), (double)BitConverter.Int32BitsToSingle(0x007FFFFF),
                -(double)BitConverter.Int32BitsToSingle(0x007FFFFF), Math.ScaleB(1, -126), 0.0, -0.0, Math.ScaleB(3, -148)),
            Family.NonNegativeSubnormal => Gen.Elements(Math.ScaleB(1, -149), (double)BitConverter.Int32BitsToSingle(0x007FFFFF), Math.ScaleB(1, -126), 0.0, Math.ScaleB(3, -148)),
            Family.Extremes => Gen.Frequency((3, general), (1, Gen.Elements((double)float.MaxValue, -(double)float.MaxValue))),
            _ => general,
        };
        var values = Gen.ArrayOf(one.Select(v => dtype.Round(v)), n);
        if (f != Family.NaN) return values;
        // NaN at the first, middle and last element of each plane (so at first/middle/last taps of border and interior windows), plus one anywhere.
        return from v in values
               from place in Gen.Elements(0, 1, 2, 3)
               from anywhere in Gen.Choose(0, Math.Max(0, n - 1))
               select PlaceNaN(v, planes, plane, place, anywhere);
    }

    static double[] PlaceNaN(double[] v, int planes, int plane, int where, int anywhere)
    {
        var r = (double[])v.Clone();
        for (int q = 0; q < planes; q++)
        {
            int at = where switch { 0 => 0, 1 => plane / 2, 2 => plane - 1, _ => -1 };
            if (at >= 0) r[q * plane + at] = double.NaN;
        }
        if (r.Length > 0) r[anywhere] = double.NaN;
        return r;
    }

    /// <summary>
    /// Smaller problems first (one plane, shorter axes — the data cropped to the leading corner — smaller kernel, stride,
    /// dilation and padding, floor instead of ceil), then simpler values (0, then integers); every candidate stays in the profile.
    /// </summary>
    public static IEnumerable<Case> Shrink(Profile p, Case c)
    {
        foreach (var cand in Candidates(c))
            if (p.Admits(cand)) yield return cand;
    }

    static IEnumerable<Case> Candidates(Case c)
    {
        if (c.N > 1) yield return Crop(c, 1, c.C, c.L);
        if (c.C > 1) yield return Crop(c, c.N, 1, c.L);
        for (int a = 0; a < c.Nd; a++)
        {
            if (c.L[a] > 1) { var l = (int[])c.L.Clone(); l[a]--; yield return Crop(c, c.N, c.C, l); }
            if (c.K[a] > 1) yield return c with { K = Dec(c.K, a) };
            if (c.S[a] > 1) yield return c with { S = Dec(c.S, a) };
            if (c.D[a] > 1) yield return c with { D = Dec(c.D, a) };
            if (c.Pb[a] > 0 && c.Pe[a] > 0) yield return c with { Pb = Dec(c.Pb, a), Pe = Dec(c.Pe, a) };
            if (c.Pb[a] > 0) yield return c with { Pb = Dec(c.Pb, a) };
            if (c.Pe[a] > 0) yield return c with { Pe = Dec(c.Pe, a) };
        }
        if (c.Ceil) yield return c with { Ceil = false };
        for (int i = 0; i < c.X.Length; i++)
        {
            double v = c.X[i];
            if (double.IsNaN(v) || BitConverter.DoubleToInt64Bits(v) == 0) continue;
            var z = (double[])c.X.Clone(); z[i] = 0; yield return c.WithData(z);
            if (double.IsFinite(v) && v != Math.Truncate(v)) { var t = (double[])c.X.Clone(); t[i] = Math.Truncate(v); yield return c.WithData(t); }
        }
    }

    static int[] Dec(int[] v, int a) { var r = (int[])v.Clone(); r[a]--; return r; }

    /// <summary>The leading corner of the data for a smaller batch, channel count or spatial shape.</summary>
    public static Case Crop(Case c, int n, int ch, int[] l)
    {
        int[] oldShape = c.Shape, newShape = [n, ch, .. l];
        var oldStr = Windows.Strides(oldShape);
        var total = newShape.Aggregate(1, (p, v) => p * v);
        var x = new double[total];
        var idx = new int[newShape.Length];
        for (int o = 0; o < total; o++)
        {
            int rem = o;
            for (int a = newShape.Length - 1; a >= 0; a--) { idx[a] = rem % newShape[a]; rem /= newShape[a]; }
            int src = 0;
            for (int a = 0; a < newShape.Length; a++) src += idx[a] * oldStr[a];
            x[o] = c.X[src];
        }
        return c with { N = n, C = ch, L = l, X = x };
    }

    /// <summary>A case paired with a seed for the test-side choices a property makes (positions, constants).</summary>
    public static Arbitrary<(Case Case, int Seed)> WithSeed(Profile p) =>
        Arb.From(from c in CaseGen(p) from s in Gen.Choose(0, int.MaxValue) select (Case: c, Seed: s),
            t => Shrink(p, t.Case).Select(c => (c, t.Seed)));
}

/// <summary>A small deterministic generator (SplitMix64) for test-side choices derived from a generated seed.</summary>
public sealed class SplitMix(long seed)
{
    ulong _s = (ulong)seed;

    public ulong Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, n).</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);
}

/// <summary>A property's own failure, with a message that names the case; FsCheck adds the replay seed.</summary>
public sealed class PropertyFailure(string message) : Exception(message);

/// <summary>Assertions and reference-op plumbing shared by the property classes.</summary>
public static class P
{
    public static void Require(bool condition, Func<string> message)
    {
        if (!condition) throw new PropertyFailure(message());
    }

    public static string Fmt(double v) => double.IsNaN(v) ? "NaN" : v == 0 && double.IsNegative(v) ? "-0" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Selection equality: NaN equals NaN (payloads not compared), otherwise bit-equal (the sign of zero counts).</summary>
    public static bool SameBits(double a, double b) =>
        double.IsNaN(a) ? double.IsNaN(b) : BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    /// <summary>Value equality ignoring the sign of zero; NaN equals NaN.</summary>
    public static bool SameValue(double a, double b) => double.IsNaN(a) ? double.IsNaN(b) : a == b;

    public static OpResult Eval(string op, string json, string inputName, Tensor x) =>
        (OpRegistry.Find(op) ?? throw new ArgumentException($"no op {op}")).Evaluate(json, new Dictionary<string, Tensor> { [inputName] = x });

    public static OpResult Eval(string op, string json, params (string Name, Tensor T)[] inputs) =>
        (OpRegistry.Find(op) ?? throw new ArgumentException($"no op {op}")).Evaluate(json, inputs.ToDictionary(i => i.Name, i => i.T));

    public static string J(int[] v) => "[" + string.Join(",", v) + "]";
    public static string J(bool b) => b ? "true" : "false";

    /// <summary>torch.max_pool / avg_pool / lp_pool parameters of a case (symmetric padding: <c>Pb</c>).</summary>
    public static string TorchMaxJson(Case c) =>
        $$"""{"kernel_size":{{J(c.K)}},"stride":{{J(c.S)}},"padding":{{J(c.Pb)}},"dilation":{{J(c.D)}},"ceil_mode":{{J(c.Ceil)}},"return_indices":true}""";

    public static string TorchAvgJson(Case c, bool includePad) =>
        $$"""{"kernel_size":{{J(c.K)}},"stride":{{J(c.S)}},"padding":{{J(c.Pb)}},"ceil_mode":{{J(c.Ceil)}},"count_include_pad":{{J(includePad)}}}""";

    public static string TorchLpJson(Case c, double p) =>
        $$"""{"norm_type":{{Fmt(p)}},"kernel_size":{{J(c.K)}},"stride":{{J(c.S)}},"ceil_mode":{{J(c.Ceil)}}}""";

    /// <summary>onnx.MaxPool / AveragePool / LpPool parameters of a case (explicit pads <c>[begins…, ends…]</c>).</summary>
    public static string OnnxJson(Case c, string extra = "") =>
        $$"""{"kernel_shape":{{J(c.K)}},"strides":{{J(c.S)}},"dilations":{{J(c.D)}},"pads":{{J([.. c.Pb, .. c.Pe])}},"ceil_mode":{{(c.Ceil ? 1 : 0)}}{{extra}}}""";

    public static string TorchName(string op, Case c) => $"torch.{op}{c.Nd}d";

    /// <summary>Per-plane output size of an expectation (product of the spatial dims).</summary>
    public static int PlaneOut(Expectation e) => e.Value.Shape[2..].Aggregate(1, (p, v) => p * v);
}
