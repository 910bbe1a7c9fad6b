using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// CONTRACT.md §2 <c>tolerance</c>: an explicit object in the manifest replaces the op's default policy for that case.
/// Each test moves one element of a correct result by a known amount and checks the verdict on both sides of the
/// stated tolerance.
/// </summary>
[TestFixture]
public class ToleranceOverrideTests
{
    TempRoot _root = null!;
    string Suite => _root["suite"];
    string Results => _root["results"];
    const string Id = "avg/case";

    [SetUp] public void Make() => _root = new TempRoot("tol");
    [TearDown] public void Remove() => _root.Dispose();

    /// <summary>A one-case suite (torch.avg_pool2d, k=2, on a float32 ramp) with the given tolerance, and its reference results.</summary>
    void Prepare(JsonNode? tolerance)
    {
        var rel = Suites.WriteInput(Suite, Id, Suites.Ramp(DType.Float32, 1, 2, 6, 6));
        var c = Suites.Case(Id, "torch.avg_pool2d", new JsonObject { ["kernel_size"] = 2 }, rel, "output");
        c["tolerance"] = tolerance;
        Suites.WriteManifest(Suite, [c]);
        var r = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Results);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
    }

    /// <summary>Replaces the first non-zero element e of the result by f(e); returns e.</summary>
    double Mutate(Func<float, float> f)
    {
        var file = Suites.ResultFile(Results, Id, "output");
        var t = Npy.Read(file);
        int i = Array.FindIndex(t.Data, v => v != 0);
        double e = t.Data[i];
        t.Data[i] = f((float)e);
        Assert.That(t.Data[i], Is.Not.EqualTo(e), "the mutation must change the value");
        Npy.Write(file, t);
        return e;
    }

    static float Ulps(float v, int n) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) + n);

    int Verify() => Cli.Run("verify", "--suite", Suite, "--results", Results).Code;

    [Test]
    public void ExactTolerance_RejectsAOneUlpChangeOfAnAverage()
    {
        Prepare(new JsonObject { ["kind"] = "exact" });
        Mutate(v => Ulps(v, 1));
        Assert.That(Verify(), Is.EqualTo(1));
    }

    [TestCase(2, 2, 0)]
    [TestCase(2, 3, 1)]
    [TestCase(0, 1, 1)]
    public void UlpTolerance_AcceptsUpToMaxUlps(int max, int moved, int exitCode)
    {
        Prepare(new JsonObject { ["kind"] = "ulp", ["max"] = max });
        Mutate(v => Ulps(v, moved));
        Assert.That(Verify(), Is.EqualTo(exitCode));
    }

    [TestCase(0.5, 0)]
    [TestCase(2.0, 1)]
    public void AbsRelTolerance_AcceptsUpToAbsPlusRelTimesExpected(double fractionOfBound, int exitCode)
    {
        const double abs = 1e-3, rel = 1e-2;
        Prepare(new JsonObject { ["kind"] = "abs_rel", ["abs"] = abs, ["rel"] = rel });
        Mutate(v => (float)(v + fractionOfBound * (abs + rel * Math.Abs(v))));
        Assert.That(Verify(), Is.EqualTo(exitCode));
    }
}
