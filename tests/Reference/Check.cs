using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Reference;

/// <summary>Assertions shared by the hand-computed reference tests.</summary>
internal static class Check
{
    public static Expectation E(OpResult r, string name = "output") =>
        r.Outputs.TryGetValue(name, out var e) ? e : throw new AssertionException($"no output '{name}'; have {string.Join(", ", r.Outputs.Keys)}");

    public static double[] V(OpResult r, string name = "output") => E(r, name).Value.Data;

    public static int[] S(OpResult r, string name = "output") => E(r, name).Value.Shape;

    /// <summary>Element-wise equality within a relative tolerance (NaN matches NaN, ±∞ by sign); shapes by length.</summary>
    public static void Close(double[] actual, double[] expected, double rel = 1e-6, string what = "")
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what} length; actual [{string.Join(", ", actual)}]");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= rel * Math.Max(1, Math.Abs(e));
            if (!ok) Assert.Fail($"{what} element {i}: expected {e:R}, actual {a:R}; actual [{string.Join(", ", actual)}]");
        }
    }

    /// <summary>Exact equality (selections, indices); NaN matches NaN.</summary>
    public static void Exact(double[] actual, double[] expected, string what = "") => Close(actual, expected, 0, what);

    /// <summary>The op refuses the case and names <paramref name="field"/>.</summary>
    public static void Refuses(Action call, string field)
    {
        var ex = Assert.Throws<InvalidParameterException>(call);
        Assert.That(ex!.Field, Is.EqualTo(field), ex.Message);
    }

    /// <summary>Which elements the expectation leaves unspecified (all false when none).</summary>
    public static bool[] Unspecified(OpResult r, string name = "output")
    {
        var e = E(r, name);
        return e.Unspecified ?? new bool[e.Value.Data.Length];
    }
}
