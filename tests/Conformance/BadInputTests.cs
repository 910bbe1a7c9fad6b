using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// One bad case inside a suite stops only that case: status <c>error</c> naming the field, the other cases run,
/// exit code 1 — not 2 (CONTRACT.md §1 "Which errors stop everything and which stop one case").
/// </summary>
[TestFixture]
public class CaseErrorTests
{
    TempRoot _root = null!;
    string Suite => _root["suite"];

    [SetUp] public void Make() => _root = new TempRoot("caseerr");
    [TearDown] public void Remove() => _root.Dispose();

    const string BadId = "bad/case";

    /// <summary>A suite of the good case plus one case <see cref="BadId"/> on a 1×2×6×6 float32 ramp (or the given file).</summary>
    void WriteSuite(string op, JsonObject prms, Tensor? input = null, byte[]? inputBytes = null, params string[] outputs)
    {
        string rel;
        if (inputBytes is not null)
        {
            rel = $"cases/{BadId}/input.npy";
            Directory.CreateDirectory(Path.Combine(Suite, "cases", "bad", "case"));
            File.WriteAllBytes(Path.Combine(Suite, rel), inputBytes);
        }
        else rel = Suites.WriteInput(Suite, BadId, input ?? Suites.Ramp(DType.Float32, 1, 2, 6, 6));
        Suites.WriteGoodSuite(Suite, Suites.Case(BadId, op, prms, rel, outputs.Length == 0 ? ["output"] : outputs));
    }

    /// <summary>
    /// run: exit 1, the good case's output written, a stderr line naming the bad case and field; verify: exit 1,
    /// "1 passed, 1 failed", the bad case <c>error</c> with a message naming the field; nothing written elsewhere.
    /// </summary>
    void AssertCaseError(string field)
    {
        var before = Snapshot.Take(_root.Dir);
        var results = _root["results"];
        var run = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", results);
        Assert.That(run.Code, Is.EqualTo(1), "a bad case is a case error (exit 1), not an unusable suite (exit 2)\n" + run);
        Assert.That(File.Exists(Suites.ResultFile(results, Suites.GoodId, "output")), "the run goes on with the other cases");
        Assert.That(run.StderrLines.Any(l => l.Contains(BadId) && l.Contains(field)), $"stderr names case '{BadId}' and field '{field}'\n{run}");
        Assert.That(File.Exists(Suites.ResultFile(results, BadId, "output")), Is.False, "no output for a case that could not be evaluated");

        var report = _root["report.json"];
        var v = Cli.Run("verify", "--suite", Suite, "--results", results, "--report", report);
        Assert.That(v.Code, Is.EqualTo(1), v.ToString());
        Cli.AssertSummary(v, 1, 1);
        var cases = JsonNode.Parse(File.ReadAllText(report))!["cases"]!.AsArray().ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!);
        Assert.That(cases[Suites.GoodId]["status"]!.GetValue<string>(), Is.EqualTo("pass"));
        Assert.That(cases[BadId]["status"]!.GetValue<string>(), Is.EqualTo("error"), cases[BadId].ToJsonString());
        Assert.That(cases[BadId]["message"]!.GetValue<string>(), Does.Contain(field));
        Snapshot.AssertOnlyUnder(before, Snapshot.Take(_root.Dir), "results", "report.json");
    }

    [TestCase("kernel_size", 0)]
    [TestCase("kernel_size", -1)]
    [TestCase("stride", 0)]
    [TestCase("stride", -2)]
    public void ZeroOrNegativeKernelOrStride_IsACaseError(string param, int value)
    {
        var p = new JsonObject { ["kernel_size"] = 2, [param] = value };
        WriteSuite("torch.max_pool2d", p);
        AssertCaseError(param);
    }

    [TestCase("kernel_shape", 0)]
    [TestCase("strides", -1)]
    public void ZeroOrNegativeKernelOrStride_InOnnx_IsACaseError(string param, int value)
    {
        var p = new JsonObject { ["kernel_shape"] = new JsonArray(2, 2), [param] = new JsonArray(value, value) };
        WriteSuite("onnx.MaxPool", p, outputs: "Y");
        // The ONNX ops name their input X: give the bad case that name.
        var m = Suites.ReadManifest(Suite);
        var bad = m["cases"]!.AsArray().First(c => c!["id"]!.GetValue<string>() == BadId)!;
        bad["inputs"] = new JsonObject { ["X"] = $"cases/{BadId}/input.npy" };
        File.WriteAllText(Path.Combine(Suite, "manifest.json"), m.ToJsonString());
        AssertCaseError(param);
    }

    [Test]
    public void PaddingBeyondHalfTheKernel_InTorch_IsACaseError()
    {
        // PyTorch: "pad should be at most half of kernel size".
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 3, ["padding"] = 2 });
        AssertCaseError("padding");
    }

    [Test]
    public void PaddingBeyondHalfTheKernel_InTorchAverage_IsACaseError()
    {
        WriteSuite("torch.avg_pool2d", new JsonObject { ["kernel_size"] = 2, ["padding"] = 2 });
        AssertCaseError("padding");
    }

    [Test]
    public void UnknownOp_IsACaseError()
    {
        WriteSuite("torch.no_such_pool2d", new JsonObject { ["kernel_size"] = 2 });
        AssertCaseError("op");
    }

    [Test]
    public void UnknownParameter_IsACaseError()
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2, ["kernal_size"] = 2 });
        AssertCaseError("kernal_size");
    }

    [TestCase("kernel_size", "\"2\"")]
    [TestCase("kernel_size", "2.5")]
    [TestCase("ceil_mode", "\"yes\"")]
    [TestCase("stride", "[2, \"x\"]")]
    [TestCase("padding", "{\"a\": 1}")]
    public void WrongParameterType_IsACaseError(string param, string json)
    {
        var p = new JsonObject { ["kernel_size"] = 2 };
        p[param] = JsonNode.Parse(json);
        WriteSuite("torch.max_pool2d", p);
        AssertCaseError(param);
    }

    [Test]
    public void InputRankMismatch_IsACaseError()
    {
        // max_pool2d takes 3-D or 4-D input; give it 5-D.
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, Suites.Ramp(DType.Float32, 1, 1, 2, 6, 6));
        AssertCaseError("input");
    }

    [Test]
    public void KernelOfTheWrongRank_IsACaseError()
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = new JsonArray(2, 2, 2) });
        AssertCaseError("kernel_size");
    }

    [Test]
    public void OutputTheOpDoesNotHave_IsACaseError()
    {
        WriteSuite("torch.avg_pool2d", new JsonObject { ["kernel_size"] = 2 }, outputs: ["output", "indices"]);
        AssertCaseError("outputs");
    }

    [Test]
    public void MissingInputFile_IsACaseError()
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 });
        File.Delete(Path.Combine(Suite, "cases", "bad", "case", "input.npy"));
        AssertCaseError("inputs.input");
    }

    [Test]
    public void FolderInPlaceOfAnInputFile_IsACaseError()
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 });
        var f = Path.Combine(Suite, "cases", "bad", "case", "input.npy");
        File.Delete(f);
        Directory.CreateDirectory(f);
        AssertCaseError("inputs.input");
    }

    [TestCaseSource(typeof(NpyBytes), nameof(NpyBytes.BadKinds))]
    public void UnreadableInputFile_IsACaseError(string kind)
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, inputBytes: NpyBytes.Bad(kind, [1, 2, 6, 6]));
        AssertCaseError("inputs.input");
    }

    /// <summary>
    /// An input name the op does not take is a case error on every in-process backend: the reference refuses it (CaseEvaluator),
    /// and the optimized kernels must too rather than silently ignore a tensor the case author meant to be read.
    /// </summary>
    [TestCase("reference")]
    [TestCase("optimized")]
    public void InputTheOpDoesNotTake_IsACaseError(string backend)
    {
        WriteSuite("torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 });
        var manifest = Suites.ReadManifest(Suite);
        var bad = manifest["cases"]!.AsArray().Select(c => c!.AsObject()).Single(c => c["id"]!.GetValue<string>() == BadId);
        bad["inputs"]!.AsObject()["bogus"] = Suites.WriteInput(Suite, BadId, Suites.Ramp(DType.Float32, 1, 2, 6, 6), "bogus");
        File.WriteAllText(Path.Combine(Suite, "manifest.json"), manifest.ToJsonString());
        var results = _root["results"];
        var run = Cli.Run("run", "--suite", Suite, "--backend", backend, "--out", results);
        Assert.That(run.Code, Is.EqualTo(1), run.ToString());
        Assert.That(File.Exists(Suites.ResultFile(results, Suites.GoodId, "output")), "the run goes on with the other cases");
        Assert.That(run.StderrLines.Any(l => l.Contains(BadId) && l.Contains("inputs.bogus") && l.Contains("has no input 'bogus'")), run.ToString());
        Assert.That(File.Exists(Suites.ResultFile(results, BadId, "output")), Is.False, "no output for a case that could not be evaluated");
    }
}

/// <summary><c>explain</c> is a single-op command: a bad parameter or shape is exit 2 with one stderr line (CONTRACT.md §1).</summary>
[TestFixture]
public class ExplainBadInputTests
{
    [Test]
    public void Explain_GoodProblem_ExitsZero()
    {
        var r = Cli.Run("explain", "--op", "torch.max_pool2d", "--params", "{\"kernel_size\":2}", "--shape", "1,1,4,4");
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stderr, Is.Empty);
    }

    [TestCase("{\"kernel_size\":0}", "kernel_size")]
    [TestCase("{\"kernel_size\":-3}", "kernel_size")]
    [TestCase("{\"kernel_size\":2,\"stride\":0}", "stride")]
    [TestCase("{\"kernel_size\":2,\"stride\":-1}", "stride")]
    [TestCase("{\"kernel_size\":3,\"padding\":2}", "padding")]
    [TestCase("{\"kernel_size\":2,\"bogus\":1}", "bogus")]
    [TestCase("{\"kernel_size\":\"two\"}", "kernel_size")]
    [TestCase("{\"kernel_size\":[2,2,2]}", "kernel_size")]
    [TestCase("{\"kernel_size\":2,\"ceil_mode\":3}", "ceil_mode")]
    [TestCase("[1,2]", "params")]
    [TestCase("{not json", "params")]
    public void Explain_BadParameter_ExitsTwoNamingTheField(string prms, string field)
    {
        var r = Cli.Run("explain", "--op", "torch.max_pool2d", "--params", prms, "--shape", "1,1,6,6");
        Cli.AssertUnusable(r, field);
    }

    [Test]
    public void Explain_ParamsNestedDeeperThan64_ExitsTwo()
    {
        var prms = "{\"kernel_size\":2,\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Cli.AssertUnusable(Cli.Run("explain", "--op", "torch.max_pool2d", "--params", prms, "--shape", "1,1,6,6"), "params");
    }

    [Test]
    public void Explain_UnknownOp_ExitsTwo()
    {
        Cli.AssertUnusable(Cli.Run("explain", "--op", "torch.nope", "--params", "{}", "--shape", "1,1,6,6"), "op", "torch.nope");
    }

    [TestCase("1,1,1,6,6", "input")]
    [TestCase("6", "input")]
    [TestCase("1,1,x,6", "shape")]
    [TestCase("1,1,-6,6", "shape")]
    [TestCase("1,1,99999999999,6", "shape")]
    [TestCase("", "shape")]
    public void Explain_BadShape_ExitsTwoNamingTheField(string shape, string field)
    {
        Cli.AssertUnusable(Cli.Run("explain", "--op", "torch.max_pool2d", "--params", "{\"kernel_size\":2}", "--shape", shape), field);
    }

    [Test]
    public void Explain_MissingShape_ExitsTwo()
    {
        Cli.AssertUnusable(Cli.Run("explain", "--op", "torch.max_pool2d", "--params", "{\"kernel_size\":2}"), "--shape");
    }
}

/// <summary>A command line that does not parse, or names unusable folders: exit 2, one stderr line, nothing written (CONTRACT.md §1).</summary>
[TestFixture]
public class CommandLineTests
{
    TempRoot _root = null!;
    string Suite => _root["suite"];
    string Results => _root["results"];

    [SetUp]
    public void Make()
    {
        _root = new TempRoot("cmdline");
        Suites.WriteGoodSuite(Suite);
        Assert.That(Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Results).Code, Is.EqualTo(0));
    }

    [TearDown] public void Remove() => _root.Dispose();

    /// <summary>Exit 2, one line naming each of <paramref name="mustName"/>, and the whole temp root unchanged.</summary>
    void AssertRefused(string[] args, params string[] mustName)
    {
        var before = Snapshot.Take(_root.Dir);
        var r = Cli.Run(args);
        Cli.AssertUnusable(r, mustName);
        Snapshot.AssertOnlyUnder(before, Snapshot.Take(_root.Dir));
    }

    [Test]
    public void NoCommand_ExitsTwoWithOneStderrLine() => AssertRefused([]);

    [Test]
    public void UnknownCommand_ExitsTwo() => AssertRefused(["frobnicate", "--suite", Suite], "frobnicate");

    [Test]
    public void UnknownOption_ExitsTwo() =>
        AssertRefused(["verify", "--suite", Suite, "--results", Results, "--bogus"], "--bogus");

    [Test]
    public void UnknownOptionWithValue_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", _root["o"], "--workers=4"], "--workers");

    [Test]
    public void UnexpectedPositionalArgument_ExitsTwo() =>
        AssertRefused(["verify", "--suite", Suite, "--results", Results, "stray"], "stray");

    [Test]
    public void OptionGivenTwice_ExitsTwo() =>
        AssertRefused(["verify", "--suite", Suite, "--results", Results, "--results", Results], "--results");

    [Test]
    public void OptionWithoutItsValue_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out"], "--out");

    [TestCase("run", "--out")]
    [TestCase("run", "--backend")]
    [TestCase("run", "--suite")]
    [TestCase("verify", "--results")]
    [TestCase("verify", "--suite")]
    [TestCase("generate", "--out")]
    [TestCase("generate", "--suite")]
    public void MissingRequiredOption_ExitsTwo(string command, string missing)
    {
        var all = command switch
        {
            "run" => new[] { ("--suite", Suite), ("--backend", "reference"), ("--out", _root["o"]) },
            "verify" => [("--suite", Suite), ("--results", Results)],
            _ => [("--suite", "smoke"), ("--out", _root["g"])],
        };
        var args = new List<string> { command };
        foreach (var (k, v) in all.Where(a => a.Item1 != missing)) { args.Add(k); args.Add(v); }
        AssertRefused(args.ToArray(), missing);
    }

    [Test]
    public void Run_OutEqualToTheSuiteFolder_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", Suite], "--out");

    [Test]
    public void Run_OutInsideTheSuiteFolder_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Suite, "results")], "--out");

    [Test]
    public void Run_OutEqualToTheSuiteFolderWithATrailingSlash_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", Suite + Path.DirectorySeparatorChar], "--out");

    [Test]
    public void Run_OutInsideTheSuiteThroughASymlink_ExitsTwo()
    {
        Directory.CreateSymbolicLink(_root["alias"], Suite);
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(_root["alias"], "r")], "--out");
    }

    [Test]
    public void Run_OutIsAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", _root["file.txt"]], "--out");
    }

    [Test]
    public void Run_OutBelowAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(_root["file.txt"], "sub")], "--out");
    }

    [Test]
    public void Generate_OutBelowAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["generate", "--suite", "smoke", "--out", Path.Combine(_root["file.txt"], "sub")], "--out");
    }

    [Test]
    public void Run_SuiteIsAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["run", "--suite", _root["file.txt"], "--backend", "reference", "--out", _root["o"]], "--suite");
    }

    [Test]
    public void Verify_SuiteIsAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["verify", "--suite", _root["file.txt"], "--results", Results], "--suite");
    }

    [Test]
    public void Verify_SuiteFolderMissing_ExitsTwo() =>
        AssertRefused(["verify", "--suite", _root["nope"], "--results", Results], "--suite", _root["nope"]);

    [Test]
    public void Verify_ResultsIsAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["verify", "--suite", Suite, "--results", _root["file.txt"]], "--results");
    }

    [Test]
    public void Verify_ResultsFolderMissing_ExitsTwo() =>
        AssertRefused(["verify", "--suite", Suite, "--results", _root["nope"]], "--results", _root["nope"]);

    [TestCase("--report", "r.json")]
    [TestCase("--junit", "j.xml")]
    [TestCase("--html", "h.html")]
    public void Verify_ReportInAMissingFolder_ExitsTwo(string option, string file)
    {
        var path = Path.Combine(_root["no-such-folder"], file);
        AssertRefused(["verify", "--suite", Suite, "--results", Results, option, path], option);
    }

    [Test]
    public void Verify_ReportPathIsAFolder_ExitsTwo()
    {
        Directory.CreateDirectory(_root["a-folder"]);
        AssertRefused(["verify", "--suite", Suite, "--results", Results, "--report", _root["a-folder"]], "--report");
    }

    [Test]
    public void Verify_ReportInAMissingFolder_IsRefusedBeforeTheOtherReportsAreWritten()
    {
        AssertRefused(["verify", "--suite", Suite, "--results", Results, "--report", _root["ok.json"], "--junit", Path.Combine(_root["missing"], "j.xml")], "--junit");
    }

    [Test]
    public void Generate_OutIntoAFile_ExitsTwo()
    {
        File.WriteAllText(_root["file.txt"], "x");
        AssertRefused(["generate", "--suite", "smoke", "--out", _root["file.txt"]], "--out");
    }

    [TestCase("--suite", "no-such-suite")]
    [TestCase("--seed", "-1")]
    [TestCase("--seed", "abc")]
    [TestCase("--dtype", "int8")]
    [TestCase("--format", "csv")]
    public void Generate_BadOptionValue_ExitsTwo(string option, string value)
    {
        var args = new List<string> { "generate", "--suite", "smoke", "--out", _root["g"] };
        int i = args.IndexOf(option);
        if (i >= 0) args[i + 1] = value; else { args.Add(option); args.Add(value); }
        AssertRefused(args.ToArray(), option);
    }

    [Test]
    public void Run_UnknownBackend_ExitsTwo() =>
        AssertRefused(["run", "--suite", Suite, "--backend", "no-such-backend", "--out", _root["o"]], "--backend");
}
