using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// A suite that is unusable as a whole is refused with exit code 2, one stderr line naming the file, case and field,
/// and nothing written (CONTRACT.md §1 "Which errors stop everything", edge rules; §2). Each problem is checked
/// through both commands that read a suite.
/// </summary>
[TestFixture]
public class ManifestTests
{
    TempRoot _root = null!;
    string Suite => _root["suite"];
    string Results => _root["results"];

    [SetUp]
    public void Make()
    {
        _root = new TempRoot("manifest");
        Suites.WriteGoodSuite(Suite);
        Directory.CreateDirectory(Results); // verify needs an existing results folder; run must not touch it
    }

    [TearDown] public void Remove() => _root.Dispose();

    /// <summary>Runs run or verify on the suite; asserts exit 2, one stderr line naming each of <paramref name="mustName"/>, nothing written.</summary>
    void AssertRefused(string command, params string[] mustName)
    {
        var before = Snapshot.Take(_root.Dir);
        var r = command == "run"
            ? Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Results, "out"))
            : Cli.Run("verify", "--suite", Suite, "--results", Results, "--report", _root["report.json"]);
        Cli.AssertUnusable(r, mustName);
        Snapshot.AssertOnlyUnder(before, Snapshot.Take(_root.Dir));
    }

    static JsonObject GoodCase(string id = "x/y")
    {
        return Suites.Case(id, "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "cases/good/max/input.npy", "output");
    }

    void WriteCases(params JsonNode[] cases) => Suites.WriteManifest(Suite, cases);

    string ManifestPath => Path.Combine(Suite, "manifest.json");

    [Test]
    public void SanityCheck_TheGoodSuiteIsUsable()
    {
        Assert.That(Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Results, "out")).Code, Is.EqualTo(0));
        var v = Cli.Run("verify", "--suite", Suite, "--results", Path.Combine(Results, "out"));
        Assert.That(v.Code, Is.EqualTo(0), v.ToString());
        Cli.AssertSummary(v, 1, 0);
    }

    [TestCase("run"), TestCase("verify")]
    public void MissingManifest_IsRefused(string command)
    {
        File.Delete(ManifestPath);
        AssertRefused(command, "manifest.json");
    }

    [TestCase("run"), TestCase("verify")]
    public void UnparseableManifest_IsRefused(string command)
    {
        File.WriteAllText(ManifestPath, "{ \"format\": \"poolconf-suite/1\", \"cases\": [ ");
        AssertRefused(command, "manifest.json");
    }

    [TestCase("run"), TestCase("verify")]
    public void ManifestThatIsNotAnObject_IsRefused(string command)
    {
        File.WriteAllText(ManifestPath, "[1, 2, 3]");
        AssertRefused(command, "manifest.json");
    }

    [TestCase("run", "poolconf-suite/2"), TestCase("verify", "poolconf-suite/2"), TestCase("run", "something-else")]
    public void UnknownFormat_IsRefused(string command, string format)
    {
        Suites.WriteManifest(Suite, [GoodCase()], format);
        AssertRefused(command, "manifest.json", "format");
    }

    [TestCase("run"), TestCase("verify")]
    public void DuplicateIds_AreRefused(string command)
    {
        WriteCases(GoodCase("dup/id"), GoodCase("other"), GoodCase("dup/id"));
        AssertRefused(command, "manifest.json", "dup/id", "id");
    }

    [TestCase("run", "a/./b"), TestCase("verify", "a/./b")]
    [TestCase("run", "a//b"), TestCase("verify", "a//b")]
    [TestCase("run", "a/"), TestCase("verify", "a/")]
    [TestCase("run", "/abs"), TestCase("verify", "/abs")]
    [TestCase("run", "../x"), TestCase("verify", "../x")]
    [TestCase("run", "a/../../x")]
    [TestCase("run", ".."), TestCase("run", ".")]
    [TestCase("run", ""), TestCase("run", "a b"), TestCase("run", "a\\b")]
    public void IdThatIsNotASafeRelativeFolder_IsRefused(string command, string id)
    {
        WriteCases(GoodCase("fine"), GoodCase(id));
        AssertRefused(command, "manifest.json", "id");
    }

    [TestCase("a..b/c.d")]
    [TestCase(".hidden/x")]
    [TestCase("A-Z_0.9/under_score")]
    public void IdWithDotsInsideASegment_IsAccepted(string id)
    {
        WriteCases(GoodCase(id));
        var out_ = Path.Combine(Results, "out");
        var r = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", out_);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(File.Exists(Suites.ResultFile(out_, id, "output")));
    }

    [TestCase("run"), TestCase("verify")]
    public void IdLongerThan200Characters_IsRefused(string command)
    {
        WriteCases(GoodCase(new string('a', 201)));
        AssertRefused(command, "manifest.json", "id");
    }

    [Test]
    public void IdOf200Characters_IsAccepted()
    {
        var id = string.Join("/", Enumerable.Repeat(new string('a', 9), 20)); // 20·9 + 19 = 199
        id += "b";
        Assert.That(id, Has.Length.EqualTo(200));
        WriteCases(GoodCase(id));
        var r = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Results, "out"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
    }

    [TestCase("run"), TestCase("verify")]
    public void InputPathWithDotDot_EscapingTheSuite_IsRefused(string command)
    {
        // The escaped-to file exists, so the refusal is about the path, not a missing file.
        Npy.Write(_root["x.npy"], Suites.Ramp(DType.Float32, 1, 1, 4, 4));
        WriteCases(Suites.Case("esc", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "../x.npy", "output"));
        AssertRefused(command, "manifest.json", "esc", "inputs.input");
    }

    [TestCase("run"), TestCase("verify")]
    public void AbsoluteInputPath_IsRefused(string command)
    {
        Npy.Write(_root["x.npy"], Suites.Ramp(DType.Float32, 1, 1, 4, 4));
        WriteCases(Suites.Case("abs", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, _root["x.npy"], "output"));
        AssertRefused(command, "manifest.json", "abs", "inputs.input");
    }

    [TestCase("run"), TestCase("verify")]
    public void InputSymlinkInsideTheSuitePointingOutside_IsRefused(string command)
    {
        Npy.Write(_root["outside.npy"], Suites.Ramp(DType.Float32, 1, 1, 4, 4));
        Directory.CreateDirectory(Path.Combine(Suite, "cases", "lnk"));
        File.CreateSymbolicLink(Path.Combine(Suite, "cases", "lnk", "input.npy"), _root["outside.npy"]);
        WriteCases(GoodCase(), Suites.Case("lnk", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "cases/lnk/input.npy", "output"));
        AssertRefused(command, "manifest.json", "lnk", "inputs.input");
    }

    [TestCase("run"), TestCase("verify")]
    public void InputFolderSymlinkPointingOutside_IsRefused(string command)
    {
        Directory.CreateDirectory(_root["elsewhere"]);
        Npy.Write(_root["elsewhere/input.npy"], Suites.Ramp(DType.Float32, 1, 1, 4, 4));
        Directory.CreateDirectory(Path.Combine(Suite, "cases"));
        Directory.CreateSymbolicLink(Path.Combine(Suite, "cases", "dirlink"), _root["elsewhere"]);
        WriteCases(Suites.Case("dl", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "cases/dirlink/input.npy", "output"));
        AssertRefused(command, "manifest.json", "dl", "inputs.input");
    }

    [Test]
    public void InputSymlinkThatStaysInsideTheSuite_IsAccepted()
    {
        File.CreateSymbolicLink(Path.Combine(Suite, "alias.npy"), Path.Combine(Suite, "cases", "good", "max", "input.npy"));
        WriteCases(Suites.Case("alias", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "alias.npy", "output"));
        var r = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Results, "out"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
    }

    [TestCase("run"), TestCase("verify")]
    public void CaseWithoutOp_IsRefused(string command)
    {
        var c = GoodCase("noop"); c.Remove("op");
        WriteCases(GoodCase(), c);
        AssertRefused(command, "manifest.json", "noop", "op");
    }

    [TestCase("run", "[\"cases/good/max/input.npy\"]"), TestCase("verify", "[\"cases/good/max/input.npy\"]")]
    [TestCase("run", "\"cases/good/max/input.npy\""), TestCase("run", "null")]
    public void InputsNotAnObject_IsRefused(string command, string inputsJson)
    {
        var c = GoodCase("badinputs"); c["inputs"] = JsonNode.Parse(inputsJson);
        WriteCases(GoodCase(), c);
        AssertRefused(command, "manifest.json", "badinputs", "inputs");
    }

    [TestCase("run"), TestCase("verify")]
    public void CaseWithoutInputs_IsRefused(string command)
    {
        var c = GoodCase("noinputs"); c.Remove("inputs");
        WriteCases(c);
        AssertRefused(command, "manifest.json", "noinputs", "inputs");
    }

    [TestCase("run"), TestCase("verify")]
    public void CaseWithoutId_IsRefused(string command)
    {
        var c = GoodCase(); c.Remove("id");
        WriteCases(c);
        AssertRefused(command, "manifest.json", "id");
    }

    [TestCase("run"), TestCase("verify")]
    public void CasesNotAnArray_IsRefused(string command)
    {
        File.WriteAllText(ManifestPath, "{\"format\":\"poolconf-suite/1\",\"cases\":{}}");
        AssertRefused(command, "manifest.json", "cases");
    }

    [TestCase("run", 65), TestCase("verify", 65), TestCase("run", 1000)]
    public void JsonNestedDeeperThan64_IsRefused(string command, int depth)
    {
        // An unknown field would be ignored (CONTRACT.md §2) — but not when it nests deeper than 64.
        var c = GoodCase();
        JsonNode deep = new JsonArray();
        for (int i = 1; i < depth; i++) deep = new JsonArray(deep);
        c["extra"] = deep;
        File.WriteAllText(ManifestPath, new JsonObject
        {
            ["format"] = "poolconf-suite/1", ["cases"] = new JsonArray(c),
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { MaxDepth = 4096 }));
        AssertRefused(command, "manifest.json");
    }

    [Test]
    public void UnknownTopLevelAndCaseFields_AreIgnored()
    {
        var c = GoodCase(); c["future_field"] = new JsonObject { ["x"] = 1 };
        File.WriteAllText(ManifestPath, new JsonObject
        {
            ["format"] = "poolconf-suite/1", ["new_top_level"] = "ignored", ["cases"] = new JsonArray(c),
        }.ToJsonString());
        var r = Cli.Run("run", "--suite", Suite, "--backend", "reference", "--out", Path.Combine(Results, "out"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
    }

    [TestCase("run"), TestCase("verify")]
    public void OutputNameThatIsAPath_IsRefused(string command)
    {
        var c = Suites.Case("outpath", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, "cases/good/max/input.npy", "../../escape");
        WriteCases(c);
        AssertRefused(command, "manifest.json", "outpath", "outputs");
    }
}
