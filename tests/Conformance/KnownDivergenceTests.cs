using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Core;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// verify's known-divergence list (src/Cli/known-divergences.json): a failure of the backend named in run.json that an entry describes is 'known' (not a
/// failure) unless --strict; any other backend, or a results folder without run.json, gets no allowance.
/// </summary>
[TestFixture]
public class KnownDivergenceTests
{
    string _root = "";
    string Suite => Path.Combine(_root, "suite");
    string Results => Path.Combine(_root, "results");

    [SetUp]
    public void MakeSuiteWithAWrongDilatedSamePoolResult()
    {
        _root = Repo.TempDir("known");
        var caseDir = Path.Combine(Suite, "cases", "sd");
        Directory.CreateDirectory(caseDir);
        Npy.Write(Path.Combine(caseDir, "X.npy"), TestData.Ramp([1, 1, 7]));
        var prms = new JsonObject { ["kernel_shape"] = new JsonArray(3), ["dilations"] = new JsonArray(2), ["auto_pad"] = "SAME_UPPER" };
        Manifest.Write(Suite, new JsonObject { ["suite"] = "known" },
            [(new CaseSpec("sd", "onnx.MaxPool", null, new Dictionary<string, string> { ["X"] = "cases/sd/X.npy" }, ["Y"], null), prms)]);
        // What ONNX Runtime computes for dilated SAME pooling: pads from the undilated kernel, 5 outputs instead of 7.
        Directory.CreateDirectory(Path.Combine(Results, "sd"));
        Npy.Write(Path.Combine(Results, "sd", "Y.npy"), new Tensor(DType.Float32, [1, 1, 5], [2, 3, 4, 5, 6]));
    }

    [TearDown]
    public void Clean() => Directory.Delete(_root, recursive: true);

    (int Code, string Out) Verify(string? backend, params string[] extra)
    {
        if (backend is not null)
            File.WriteAllText(Path.Combine(Results, "run.json"), new JsonObject { ["backend"] = backend, ["backend_version"] = "test" }.ToJsonString());
        var so = new StringWriter();
        int code = Program.Run(["verify", "--suite", Suite, "--results", Results, .. extra], so, new StringWriter());
        return (code, so.ToString());
    }

    [Test]
    public void OnnxRuntimeDilatedSamePads_AreKnown_AndPassVerify()
    {
        var (code, output) = Verify("onnxruntime");
        Assert.That(output, Does.Contain("KNOWN sd").And.Contain("microsoft/onnxruntime#1224"));
        Assert.That(code, Is.EqualTo(0));
    }

    [Test]
    public void Strict_CountsTheKnownDivergenceAsAFailure()
    {
        var (code, output) = Verify("onnxruntime", "--strict");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output.TrimEnd().Split('\n')[^1], Is.EqualTo("0 passed, 1 failed"));
    }

    [TestCase("mykernel")]
    [TestCase(null)]
    public void AnyOtherBackendOrNoRunJson_GetsNoAllowance(string? backend)
    {
        var (code, output) = Verify(backend);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Not.Contain("KNOWN"));
    }
}
