using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Core;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// verify's known-divergence list: a failure of the backend named in run.json that an entry describes is 'known' (not a
/// failure) unless --strict; any other backend, or a results folder without run.json, gets no allowance.
/// </summary>
[TestFixture]
public class KnownDivergenceTests
{
    string _root = "";
    string Suite => Path.Combine(_root, "suite");
    string Results => Path.Combine(_root, "results");

    [SetUp]
    public void MakeSuiteWithAWrongRoiAlignMaxResult()
    {
        _root = Repo.TempDir("known");
        var caseDir = Path.Combine(Suite, "cases", "rm");
        Directory.CreateDirectory(caseDir);
        var x = TestData.Ramp([1, 1, 10, 10]);
        Npy.Write(Path.Combine(caseDir, "X.npy"), x);
        Npy.Write(Path.Combine(caseDir, "rois.npy"), new Tensor(DType.Float32, [1, 4], [0, 0, 9, 9]));
        Npy.Write(Path.Combine(caseDir, "bi.npy"), new Tensor(DType.Int64, [1], [0]));
        var prms = new JsonObject { ["mode"] = "max", ["output_height"] = 2, ["output_width"] = 2, ["sampling_ratio"] = 2 };
        Manifest.Write(Suite, new JsonObject { ["suite"] = "known" },
            [(new CaseSpec("rm", "onnx.RoiAlign", null, new Dictionary<string, string>
            {
                ["X"] = "cases/rm/X.npy", ["rois"] = "cases/rm/rois.npy", ["batch_indices"] = "cases/rm/bi.npy",
            }, ["Y"], null), prms)]);
        // A backend that returns the interpolate-then-max values instead of ONNX's weighted-corner maximum.
        var r = TestData.Eval("poolconf.roi_align_max", """{"output_size": 2, "sampling_ratio": 2, "aligned": true}""",
            ("input", x), ("boxes", new Tensor(DType.Float32, [1, 5], [0, 0, 0, 9, 9])));
        Directory.CreateDirectory(Path.Combine(Results, "rm"));
        Npy.Write(Path.Combine(Results, "rm", "Y.npy"), r.Outputs["output"].Value);
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
    public void OnnxRuntimeRoiAlignMax_IsKnown_AndPassesVerify()
    {
        var (code, output) = Verify("onnxruntime");
        Assert.That(output, Does.Contain("KNOWN rm").And.Contain("microsoft/onnxruntime#6146"));
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
