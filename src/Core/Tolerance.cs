using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoolingConformance.Core;

/// <summary>
/// What the oracle expects for one output: the value, rounded once to the case dtype; for accumulating
/// ops the per-element derived bound (TESTING.md §3, computed by the op from its own error analysis);
/// and the elements the dialect leaves undefined (not compared).
/// </summary>
public sealed class Expectation
{
    public required string Name { get; init; }
    public required Tensor Value { get; init; }
    /// <summary>Per-element absolute bound of the derived tolerance; null for the selection (exact) family.</summary>
    public double[]? Bound { get; init; }
    /// <summary>Elements whose value the dialect does not define; null when all are defined.</summary>
    public bool[]? Unspecified { get; init; }
    /// <summary>True for index outputs (exact, integer).</summary>
    public bool IsIndex { get; init; }
}

/// <summary>
/// A named tolerance (STYLE.md §2.8). <see cref="Exact"/>: bit-equal values, NaN equal to any NaN, −0 equal
/// to +0. <see cref="Derived"/>: the op's documented default — exact for selections, the per-element error
/// bound for accumulations. <see cref="Ulp"/> and <see cref="AbsRel"/> are the contract's explicit overrides.
/// </summary>
public abstract record Tolerance
{
    public static Tolerance Exact { get; } = new ExactTolerance();
    public static Tolerance Derived { get; } = new DerivedTolerance();
    public static Tolerance Ulp(long max) => new UlpTolerance(max);
    public static Tolerance AbsRel(double abs, double rel) => new AbsRelTolerance(abs, rel);

    /// <summary>Whether a finite <paramref name="actual"/> is acceptable for a finite <paramref name="expected"/>.</summary>
    public abstract bool AcceptsFinite(double expected, double actual, double derivedBound, DType dtype);

    /// <summary>The bound this tolerance applies to one element (for reports).</summary>
    public abstract double BoundFor(double expected, double derivedBound, DType dtype);

    public abstract JsonObject ToJson();

    /// <summary>Parses the manifest's <c>tolerance</c> field (null = <see cref="Derived"/>).</summary>
    public static Tolerance Parse(JsonElement? e, string field = "tolerance")
    {
        if (e is null || e.Value.ValueKind == JsonValueKind.Null) return Derived;
        var v = e.Value;
        if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String)
            throw new InvalidParameterException(field, "tolerance must be null or an object with a string 'kind'");
        double Num(string name)
        {
            if (!v.TryGetProperty(name, out var n) || n.ValueKind != JsonValueKind.Number || !n.TryGetDouble(out var d) || !(d >= 0) || double.IsInfinity(d))
                throw new InvalidParameterException($"{field}.{name}", $"'{name}' must be a finite non-negative number");
            return d;
        }
        return kind.GetString() switch
        {
            "exact" => Exact,
            "derived" => Derived,
            "ulp" => Ulp(v.TryGetProperty("max", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt64(out var l) && l >= 0
                ? l : throw new InvalidParameterException($"{field}.max", "'max' must be a non-negative integer")),
            "abs_rel" => AbsRel(Num("abs"), Num("rel")),
            var k => throw new InvalidParameterException($"{field}.kind", $"unknown tolerance kind '{k}' (exact, derived, ulp, abs_rel)"),
        };
    }

    sealed record ExactTolerance : Tolerance
    {
        public override bool AcceptsFinite(double e, double a, double b, DType t) => e == a;
        public override double BoundFor(double e, double b, DType t) => 0;
        public override JsonObject ToJson() => new() { ["kind"] = "exact" };
    }

    sealed record DerivedTolerance : Tolerance
    {
        public override bool AcceptsFinite(double e, double a, double b, DType t) => Math.Abs(a - e) <= b;
        public override double BoundFor(double e, double b, DType t) => b;
        public override JsonObject ToJson() => new() { ["kind"] = "derived" };
    }

    sealed record UlpTolerance(long Max) : Tolerance
    {
        public override bool AcceptsFinite(double e, double a, double b, DType t) => Ulps.Distance(e, a, t) <= Max;
        public override double BoundFor(double e, double b, DType t) => double.NaN;
        public override JsonObject ToJson() => new() { ["kind"] = "ulp", ["max"] = Max };
    }

    sealed record AbsRelTolerance(double Abs, double Rel) : Tolerance
    {
        public override bool AcceptsFinite(double e, double a, double b, DType t) => Math.Abs(a - e) <= Abs + Rel * Math.Abs(e);
        public override double BoundFor(double e, double b, DType t) => Abs + Rel * Math.Abs(e);
        public override JsonObject ToJson() => new() { ["kind"] = "abs_rel", ["abs"] = Abs, ["rel"] = Rel };
    }
}

/// <summary>ULP distance (TESTING.md §3.1): bits mapped to a monotone integer, so −0 and +0 are 0 apart.</summary>
public static class Ulps
{
    public static long Key(double v, DType t)
    {
        switch (t)
        {
            case DType.Float64:
                {
                    long b = BitConverter.DoubleToInt64Bits(v);
                    return b >= 0 ? b : -(b & long.MaxValue);
                }
            case DType.Float32:
                {
                    int b = BitConverter.SingleToInt32Bits((float)v);
                    return b >= 0 ? b : -(long)(b & int.MaxValue);
                }
            case DType.Float16:
                {
                    short b = BitConverter.HalfToInt16Bits((Half)v);
                    return b >= 0 ? b : -(long)(b & short.MaxValue);
                }
            default: return (long)v;
        }
    }

    /// <summary>Distance in units in the last place of the dtype; saturates instead of overflowing.</summary>
    public static long Distance(double a, double b, DType t)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : long.MaxValue;
        long ka = Key(a, t), kb = Key(b, t);
        try { return Math.Abs(checked(ka - kb)); } catch (OverflowException) { return long.MaxValue; }
    }
}

/// <summary>One element that failed its tolerance.</summary>
public sealed record Mismatch(int[] Index, double Expected, double Actual, double Bound);

/// <summary>The comparison of one output (CONTRACT.md §5 <c>outputs[]</c>).</summary>
public sealed class OutputComparison
{
    public required string Name { get; init; }
    public required Tolerance Tolerance { get; init; }
    public bool Passed => Problem is null && Mismatches == 0;
    /// <summary>A whole-output failure (missing file, wrong dtype or shape), or null.</summary>
    public string? Problem { get; init; }
    public double MaxAbs { get; set; }
    public long MaxUlp { get; set; }
    public long Mismatches { get; set; }
    /// <summary>Largest |diff| / bound over compared elements (how close a passing run came to its bound).</summary>
    public double Headroom { get; set; }
    public long Compared { get; set; }
    public List<Mismatch> First { get; } = [];
    /// <summary>The output's shape (for the error map).</summary>
    public int[] Shape { get; set; } = [];
    /// <summary>
    /// Per element of one (n, c) plane — the one holding the first mismatch: 0 within tolerance, otherwise the error in units of the bound (∞ for a NaN or
    /// class mismatch, 1 for a mismatch under a zero bound); null when the output passed or has no plane.
    /// </summary>
    public double[]? ErrorMap { get; set; }
    /// <summary>The flat (n, c) plane number the error map shows: the plane of the first mismatch.</summary>
    public int ErrorMapPlane { get; set; }

    public const int MaxListed = 10;

    public string Describe()
    {
        if (Problem is not null) return $"{Name}: {Problem}";
        if (Mismatches == 0) return $"{Name}: ok";
        var m = First[0];
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {Mismatches} of {Compared} elements outside {Tolerance.ToJson().ToJsonString()}; first at {Tensor.ShapeText(m.Index)}: expected {Fmt(m.Expected)}, actual {Fmt(m.Actual)}, |diff| {Fmt(Math.Abs(m.Actual - m.Expected))}, bound {Fmt(m.Bound)}");
    }

    public static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Compares a backend's output with the oracle's expectation under a tolerance.</summary>
public static class OutputComparer
{
    public static OutputComparison Compare(Expectation exp, Tensor actual, Tolerance tol, DType? expectedDType = null)
    {
        var want = expectedDType ?? exp.Value.DType;
        if (actual.DType != want)
            return new OutputComparison { Name = exp.Name, Tolerance = tol, Problem = $"dtype {actual.DType.Name()}, expected {want.Name()}" };
        if (!actual.Shape.SequenceEqual(exp.Value.Shape))
            return new OutputComparison { Name = exp.Name, Tolerance = tol, Problem = $"shape {Tensor.ShapeText(actual.Shape)}, expected {Tensor.ShapeText(exp.Value.Shape)}" };
        // Selections and indices are exact whatever the requested tolerance: no arithmetic happens.
        var effective = exp.Bound is null && tol is not null && exp.IsIndex ? Tolerance.Exact : tol!;
        var r = new OutputComparison { Name = exp.Name, Tolerance = effective, Shape = exp.Value.Shape };
        var e = exp.Value.Data; var a = actual.Data;
        for (int i = 0; i < e.Length; i++)
        {
            if (exp.Unspecified is { } u && u[i]) continue;
            r.Compared++;
            double ev = e[i], av = a[i];
            double bound = exp.Bound?[i] ?? 0;
            bool ok;
            if (double.IsNaN(ev) || double.IsNaN(av)) ok = double.IsNaN(ev) && double.IsNaN(av);
            else if (double.IsInfinity(ev) || double.IsInfinity(av)) ok = ev == av;
            else ok = effective.AcceptsFinite(ev, av, bound, want);
            if (!double.IsNaN(ev) && !double.IsNaN(av) && !double.IsInfinity(ev) && !double.IsInfinity(av))
            {
                double d = Math.Abs(av - ev);
                r.MaxAbs = Math.Max(r.MaxAbs, d);
                if (want.IsFloat()) r.MaxUlp = Math.Max(r.MaxUlp, Ulps.Distance(ev, av, want));
                double b = effective.BoundFor(ev, bound, want);
                if (b > 0) r.Headroom = Math.Max(r.Headroom, d / b);
            }
            else if (!ok) { r.MaxAbs = double.PositiveInfinity; r.MaxUlp = long.MaxValue; }
            if (!ok)
            {
                int planeSize = exp.Value.Rank >= 3 ? (int)Tensor.ElementCount(exp.Value.Shape[2..]) : 0;
                if (r.ErrorMap is null && planeSize > 0)
                {
                    r.ErrorMap = new double[planeSize];
                    r.ErrorMapPlane = i / planeSize;
                }
                if (r.ErrorMap is not null && i / planeSize == r.ErrorMapPlane)
                {
                    double b = effective.BoundFor(ev, bound, want);
                    double d = Math.Abs(av - ev);
                    r.ErrorMap[i % planeSize] = double.IsNaN(d) || double.IsInfinity(d) ? double.PositiveInfinity : b > 0 ? d / b : 1;
                }
                r.Mismatches++;
                if (r.First.Count < OutputComparison.MaxListed)
                    r.First.Add(new Mismatch(exp.Value.Unravel(i), ev, av, effective.BoundFor(ev, bound, want)));
            }
        }
        return r;
    }
}
