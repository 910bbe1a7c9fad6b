using System.Text.Json.Nodes;
using System.Xml.Linq;
using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>generate → run → verify through <c>Program.Run</c>, and the report formats (CONTRACT.md §1, §2, §3, §5).</summary>
[TestFixture]
public class EndToEndTests
{
    TempRoot _root = null!;

    [SetUp] public void Make() => _root = new TempRoot("e2e");
    [TearDown] public void Remove() => _root.Dispose();

    static List<string> Ids(string suite) => Suites.Cases(suite).Select(c => c["id"]!.GetValue<string>()).ToList();

    [Test]
    public void SmokeSuite_GenerateRunVerify_AllPassWithExitZero()
    {
        var suite = _root["suite"]; var results = _root["results"];
        var before = Snapshot.Take(_root.Dir);
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", suite).Code, Is.EqualTo(0));
        var run = Cli.Run("run", "--suite", suite, "--backend", "reference", "--out", results);
        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        var verify = Cli.Run("verify", "--suite", suite, "--results", results);
        Assert.That(verify.Code, Is.EqualTo(0), verify.ToString());
        int n = Ids(suite).Count;
        Assert.That(n, Is.GreaterThan(0));
        Cli.AssertSummary(verify, n, 0);
        Snapshot.AssertOnlyUnder(before, Snapshot.Take(_root.Dir), "suite", "results");
    }

    [Test]
    public void Generate_WritesTheSuiteLayout_ManifestInputsAndExpectedOutputs()
    {
        var suite = Suites.SmokeSuite;
        var m = Suites.ReadManifest(suite);
        Assert.That(m["format"]!.GetValue<string>(), Is.EqualTo("poolconf-suite/1"));
        var ids = Ids(suite);
        Assert.That(ids, Is.Unique);
        foreach (var c in Suites.Cases(suite))
        {
            var id = c["id"]!.GetValue<string>();
            Assert.That(c["op"]!.GetValue<string>(), Does.Match(@"^[a-z]+\.[A-Za-z0-9_.]+$"), id);
            foreach (var (name, rel) in c["inputs"]!.AsObject())
                Assert.That(File.Exists(Path.Combine(suite, rel!.GetValue<string>())), $"{id}: input {name}");
            foreach (var o in c["outputs"]!.AsArray())
                Assert.That(File.Exists(Path.Combine(suite, "cases", id, "expected", o!.GetValue<string>() + ".npy")), $"{id}: expected {o}");
        }
    }

    [Test]
    public void Run_WritesEveryListedOutputAndRunJson()
    {
        var results = Suites.SmokeResults;
        foreach (var c in Suites.Cases(Suites.SmokeSuite))
            foreach (var o in c["outputs"]!.AsArray())
                Assert.That(File.Exists(Suites.ResultFile(results, c["id"]!.GetValue<string>(), o!.GetValue<string>())), $"{c["id"]}: {o}");
        var runJson = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "run.json")))!.AsObject();
        foreach (var key in new[] { "backend", "backend_version", "suite", "date" })
            Assert.That(runJson.ContainsKey(key), key);
        Assert.That(runJson["backend"]!.GetValue<string>(), Is.EqualTo("reference"));
    }

    [Test]
    public void Verify_Report_HasFormatSummaryAndOneStatusPerCaseInManifestOrder()
    {
        var report = _root["report.json"];
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", Suites.SmokeResults, "--report", report);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var doc = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.That(doc["format"]!.GetValue<string>(), Is.EqualTo("poolconf-report/1"));
        Assert.That(doc.ContainsKey("suite") && doc.ContainsKey("results"));
        var ids = Ids(Suites.SmokeSuite);
        Assert.That(doc["summary"]!["passed"]!.GetValue<int>(), Is.EqualTo(ids.Count));
        Assert.That(doc["summary"]!["failed"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That(doc["summary"]!["missing"]!.GetValue<int>(), Is.EqualTo(0));
        var cases = doc["cases"]!.AsArray();
        Assert.That(cases.Select(c => c!["id"]!.GetValue<string>()), Is.EqualTo(ids));
        foreach (var c in cases)
        {
            Assert.That(c!["status"]!.GetValue<string>(), Is.EqualTo("pass"), c.ToJsonString());
            foreach (var o in c["outputs"]!.AsArray())
                foreach (var key in new[] { "name", "max_abs", "max_ulp", "mismatches", "tolerance" })
                    Assert.That(o!.AsObject().ContainsKey(key), $"{c["id"]}: output lacks '{key}'");
        }
    }

    [Test]
    public void Verify_Report_CountsAMissingCaseUnderMissing()
    {
        var results = _root["results"];
        Suites.CopyDir(Suites.SmokeResults, results);
        var c = Suites.Cases(Suites.SmokeSuite)[0];
        Directory.Delete(Path.GetDirectoryName(Suites.ResultFile(results, c["id"]!.GetValue<string>(), "x"))!, recursive: true);
        var report = _root["report.json"];
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", results, "--report", report);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        var doc = JsonNode.Parse(File.ReadAllText(report))!;
        Assert.That(doc["summary"]!["missing"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(doc["summary"]!["passed"]!.GetValue<int>(), Is.EqualTo(Ids(Suites.SmokeSuite).Count - 1));
    }

    [Test]
    public void Verify_JUnit_ParsesWithOneTestcasePerCase_AndMarksTheFailingOne()
    {
        var results = _root["results"];
        Suites.CopyDir(Suites.SmokeResults, results);
        var ids = Ids(Suites.SmokeSuite);
        var broken = ids[ids.Count / 2];
        var c = Suites.Cases(Suites.SmokeSuite).First(x => x["id"]!.GetValue<string>() == broken);
        File.Delete(Suites.ResultFile(results, broken, c["outputs"]![0]!.GetValue<string>()));
        var junit = _root["junit.xml"];
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", results, "--junit", junit);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        var doc = XDocument.Load(junit);
        var tcs = doc.Descendants("testcase").ToList();
        Assert.That(tcs, Has.Count.EqualTo(ids.Count));
        Assert.That(tcs.Select(t => (string)t.Attribute("name")!), Is.EquivalentTo(ids));
        var failing = tcs.Where(t => t.Elements().Any(e => e.Name.LocalName is "failure" or "error")).Select(t => (string)t.Attribute("name")!).ToList();
        Assert.That(failing, Is.EqualTo(new[] { broken }));
    }

    [Test]
    public void Verify_Html_IsWrittenWhereAsked()
    {
        var html = _root["report.html"];
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", Suites.SmokeResults, "--html", html);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(File.ReadAllText(html), Does.Contain("<html").IgnoreCase);
    }

    /// <summary>CONTRACT.md §2: expected outputs are optional; verify recomputes them, and still catches a wrong result.</summary>
    [Test]
    public void Verify_RecomputesExpectedOutputsWhenTheSuiteHasNone()
    {
        var suite = _root["suite"]; var results = _root["results"];
        Suites.CopyDir(Suites.SmokeSuite, suite);
        Suites.CopyDir(Suites.SmokeResults, results);
        foreach (var d in Directory.GetDirectories(suite, "expected", SearchOption.AllDirectories)) Directory.Delete(d, recursive: true);
        int n = Ids(suite).Count;
        var ok = Cli.Run("verify", "--suite", suite, "--results", results);
        Assert.That(ok.Code, Is.EqualTo(0), ok.ToString());
        Cli.AssertSummary(ok, n, 0);

        var c = Suites.Cases(suite).First(x => x["op"]!.GetValue<string>() == "torch.max_pool2d");
        var file = Suites.ResultFile(results, c["id"]!.GetValue<string>(), "output");
        var t = Npy.Read(file);
        int i = Array.FindIndex(t.Data, double.IsFinite);
        t.Data[i] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((float)t.Data[i]) + 1);
        Npy.Write(file, t);
        var bad = Cli.Run("verify", "--suite", suite, "--results", results);
        Assert.That(bad.Code, Is.EqualTo(1), bad.ToString());
        Cli.AssertSummary(bad, n - 1, 1);
    }

    [Test]
    public void Verify_IgnoresExtraFoldersInsideTheSuite()
    {
        var suite = _root["suite"];
        Suites.CopyDir(Suites.SmokeSuite, suite);
        Directory.CreateDirectory(Path.Combine(suite, "cases", "not", "a", "case"));
        File.WriteAllText(Path.Combine(suite, "README.txt"), "extra");
        var r = Cli.Run("verify", "--suite", suite, "--results", Suites.SmokeResults);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, Ids(suite).Count, 0);
    }

    /// <summary>The issue asks for a standard suite of at least 2000 cases.</summary>
    [Test]
    public void StandardSuite_HasAtLeast2000Cases()
    {
        var suite = _root["standard"];
        var r = Cli.Run("generate", "--suite", "standard", "--out", suite);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(Ids(suite), Has.Count.GreaterThanOrEqualTo(2000));
    }

    static SortedDictionary<string, string> Files(string dir) => Snapshot.Take(dir);

    [Test]
    public void Generate_SameSeed_GivesByteIdenticalFiles()
    {
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", _root["a"], "--seed", "7").Code, Is.EqualTo(0));
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", _root["b"], "--seed", "7").Code, Is.EqualTo(0));
        var a = Files(_root["a"]); var b = Files(_root["b"]);
        Assert.That(a.Count, Is.GreaterThan(1));
        Assert.That(Snapshot.Changed(a, b), Is.Empty, "same seed, different files");
    }

    [Test]
    public void Generate_AnotherSeed_GivesDifferentInputs()
    {
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", _root["a"], "--seed", "7").Code, Is.EqualTo(0));
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", _root["b"], "--seed", "8").Code, Is.EqualTo(0));
        var a = Files(_root["a"]); var b = Files(_root["b"]);
        var differingInputs = Snapshot.Changed(a, b).Where(p => p.EndsWith(".npy") && !p.Contains("expected")).ToList();
        Assert.That(differingInputs, Is.Not.Empty, "a different seed must draw different input data");
    }

    [TestCase("float64", DType.Float64)]
    [TestCase("float16", DType.Float16)]
    public void Generate_Dtype_SetsTheFloatInputsDtype_AndTheSuiteVerifies(string name, DType dtype)
    {
        var suite = _root["suite"]; var results = _root["results"];
        Assert.That(Cli.Run("generate", "--suite", "smoke", "--out", suite, "--dtype", name).Code, Is.EqualTo(0));
        var first = Suites.Cases(suite).First(c => c["op"]!.GetValue<string>() == "torch.max_pool2d");
        Assert.That(Npy.Read(Path.Combine(suite, first["inputs"]!["input"]!.GetValue<string>())).DType, Is.EqualTo(dtype));
        Assert.That(Cli.Run("run", "--suite", suite, "--backend", "reference", "--out", results).Code, Is.EqualTo(0));
        var v = Cli.Run("verify", "--suite", suite, "--results", results);
        Assert.That(v.Code, Is.EqualTo(0), v.ToString());
    }
}
