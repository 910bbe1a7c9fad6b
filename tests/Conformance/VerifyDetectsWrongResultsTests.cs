using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// <c>verify</c> must catch every kind of wrong result (CONTRACT.md §1, §3, §5, §7): each test takes the reference
/// backend's correct results on the smoke suite, breaks exactly one output of one case, and checks the exit code,
/// the summary line and that case's status in the report.
/// </summary>
[TestFixture]
public class VerifyDetectsWrongResultsTests
{
    TempRoot _root = null!;
    string _results = null!;
    int _total;

    [SetUp]
    public void CopyCorrectResults()
    {
        _root = new TempRoot("verify");
        _results = _root["results"];
        Suites.CopyDir(Suites.SmokeResults, _results);
        _total = Suites.Cases(Suites.SmokeSuite).Count;
    }

    [TearDown]
    public void Remove() => _root.Dispose();

    static JsonObject FindCase(Func<JsonObject, bool> pick, string what) =>
        Suites.Cases(Suites.SmokeSuite).FirstOrDefault(pick) ?? throw new AssertionException($"the smoke suite has no {what} case");

    static bool IsOp(JsonObject c, string op) => c["op"]!.GetValue<string>() == op;
    static string Id(JsonObject c) => c["id"]!.GetValue<string>();
    static bool HasOutput(JsonObject c, string o) => c["outputs"]!.AsArray().Any(x => x!.GetValue<string>() == o);

    /// <summary>Runs verify with a report; returns the CLI result and the status of every case by id.</summary>
    (CliResult Cli, Dictionary<string, JsonObject> Cases) Verify()
    {
        var report = _root["report.json"];
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", _results, "--report", report);
        var cases = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (File.Exists(report))
            foreach (var c in JsonNode.Parse(File.ReadAllText(report))!["cases"]!.AsArray())
                cases[c!["id"]!.GetValue<string>()] = (JsonObject)c;
        return (r, cases);
    }

    /// <summary>Exactly one case is counted as failed, with the given status; every other case passes.</summary>
    void AssertOnlyCaseFails(string id, string status, string? messageMentions = null)
    {
        var (r, cases) = Verify();
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Cli.AssertSummary(r, _total - 1, 1);
        Assert.That(cases, Contains.Key(id), "the report lists every case");
        Assert.That(cases[id]["status"]!.GetValue<string>(), Is.EqualTo(status), cases[id].ToJsonString());
        if (messageMentions is not null)
            Assert.That(cases[id]["message"]?.GetValue<string>(), Does.Contain(messageMentions).IgnoreCase, cases[id].ToJsonString());
        Assert.That(cases.Where(kv => kv.Key != id).Select(kv => kv.Value["status"]!.GetValue<string>()).Distinct(), Is.EquivalentTo(new[] { "pass" }));
    }

    /// <summary>The oracle's expectation for one output of a smoke case, evaluated from the suite's own input files.</summary>
    static Expectation Oracle(JsonObject c, string output)
    {
        var inputs = c["inputs"]!.AsObject().ToDictionary(kv => kv.Key, kv => Npy.Read(Path.Combine(Suites.SmokeSuite, kv.Value!.GetValue<string>())));
        var r = OpRegistry.Find(c["op"]!.GetValue<string>())!.Evaluate(c["params"]!.ToJsonString(), inputs);
        return r.Outputs[output];
    }

    [Test]
    public void Verify_PassesTheReferenceResultsUnchanged()
    {
        var (r, cases) = Verify();
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, _total, 0);
        Assert.That(cases.Values.Select(c => c["status"]!.GetValue<string>()).Distinct(), Is.EquivalentTo(new[] { "pass" }));
    }

    [Test]
    public void Verify_FailsAMaxOutputOffByOneUlp()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/"), "torch.max_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        Assert.That(t.DType, Is.EqualTo(DType.Float32));
        int i = Array.FindIndex(t.Data, double.IsFinite);
        Assert.That(i, Is.GreaterThanOrEqualTo(0), "needs a finite element");
        float before = (float)t.Data[i];
        float after = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(before) + 1);
        Assert.That(after, Is.Not.EqualTo(before));
        t.Data[i] = after;
        Npy.Write(file, t);

        AssertOnlyCaseFails(Id(c), "fail");
        var (_, cases) = Verify();
        var outs = cases[Id(c)]["outputs"]!.AsArray().First(o => o!["name"]!.GetValue<string>() == "output")!;
        Assert.That(outs["max_ulp"]!.GetValue<long>(), Is.EqualTo(1), "one element one ulp away");
        Assert.That(outs["mismatches"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public void Verify_FailsAWrongIndexInAnIndicesOutput()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/") && HasOutput(c, "indices"), "torch.max_pool2d rand with indices");
        var valueFile = Suites.ResultFile(_results, Id(c), "output");
        var file = Suites.ResultFile(_results, Id(c), "indices");
        var values = Npy.Read(valueFile);
        var t = Npy.Read(file);
        Assert.That(t.DType, Is.EqualTo(DType.Int64), "indices are int64 (CONTRACT.md §4)");
        int i = Array.FindIndex(values.Data, double.IsFinite); // a window with an element: its index is specified
        t.Data[i] = t.Data[i] == 0 ? 1 : t.Data[i] - 1;
        Npy.Write(file, t);
        AssertOnlyCaseFails(Id(c), "fail", "indices");
    }

    /// <summary>
    /// A float32 average: the largest change that stays within the derived bound passes, the smallest change
    /// beyond it fails. The first needs a bound of at least one ulp, so the bound is not zero (CONTRACT.md §7).
    /// </summary>
    [Test]
    public void Verify_AverageWithinItsDerivedBoundPasses_BeyondItFails()
    {
        var c = FindCase(c => IsOp(c, "torch.avg_pool2d") && Id(c).Contains("-rand/"), "torch.avg_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var correct = Npy.Read(file);
        Assert.That(correct.DType, Is.EqualTo(DType.Float32));
        var exp = Oracle(c, "output");
        Assert.That(exp.Bound, Is.Not.Null, "an average is judged against a derived bound");
        Assert.That(exp.Value.Data, Is.EqualTo(correct.Data), "the reference results equal the oracle");

        int i = Array.FindIndex(correct.Data, v => double.IsFinite(v) && v != 0);
        double e = correct.Data[i], b = exp.Bound![i];
        // Walk float32 neighbours upward from e: the last one within b, and the first one beyond it.
        float inside = (float)e, next = (float)e;
        while (true)
        {
            next = MathF.BitIncrement(next);
            if (Math.Abs(next - e) > b) break;
            inside = next;
        }
        Assert.That(inside, Is.Not.EqualTo((float)e), $"the derived bound {b} at element {i} (value {e}) admits no float32 change: it is below one ulp");

        correct.Data[i] = inside;
        Npy.Write(file, correct);
        var (rIn, casesIn) = Verify();
        Assert.That(rIn.Code, Is.EqualTo(0), $"a change of {Math.Abs(inside - e)} within the bound {b} must pass\n{rIn}");
        Assert.That(casesIn[Id(c)]["status"]!.GetValue<string>(), Is.EqualTo("pass"));

        correct.Data[i] = next;
        Npy.Write(file, correct);
        AssertOnlyCaseFails(Id(c), "fail");
    }

    /// <summary>CONTRACT.md §7: "an error of 64 ulp on a window without cancellation is a bug".</summary>
    [Test]
    public void Verify_FailsAnAverageOff64UlpOnAWindowWithoutCancellation()
    {
        // "pos" fills are in [0, 1): every window sum is free of cancellation.
        var c = FindCase(c => IsOp(c, "torch.avg_pool2d") && Id(c).Contains("-pos/"), "torch.avg_pool2d pos");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        int i = Array.FindIndex(t.Data, v => v > 0);
        Assert.That(i, Is.GreaterThanOrEqualTo(0));
        t.Data[i] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((float)t.Data[i]) + 64);
        Npy.Write(file, t);
        AssertOnlyCaseFails(Id(c), "fail");
    }

    /// <summary>CONTRACT.md §6/§7: max pooling propagates NaN and NaN matches only NaN — a kernel that drops NaN is wrong.</summary>
    [Test]
    public void Verify_FailsAMaxOutputThatDropsNaN()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-nan_"), "torch.max_pool2d NaN-fill");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        int i = Array.FindIndex(t.Data, double.IsNaN);
        Assert.That(i, Is.GreaterThanOrEqualTo(0), "the NaN fixture must produce a NaN output");
        t.Data[i] = 0;
        Npy.Write(file, t);
        AssertOnlyCaseFails(Id(c), "fail");
    }

    [Test]
    public void Verify_FailsAMaxOutputWithASpuriousNaN()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/"), "torch.max_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        int i = Array.FindIndex(t.Data, double.IsFinite);
        t.Data[i] = double.NaN;
        Npy.Write(file, t);
        AssertOnlyCaseFails(Id(c), "fail");
    }

    [Test]
    public void Verify_ReportsAMissingResultFileAsMissing()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d"), "torch.max_pool2d");
        File.Delete(Suites.ResultFile(_results, Id(c), "output"));
        AssertOnlyCaseFails(Id(c), "missing", "missing");
    }

    [Test]
    public void Verify_ReportsAMissingCaseFolderAsMissing()
    {
        var c = FindCase(c => IsOp(c, "onnx.MaxPool"), "onnx.MaxPool");
        Directory.Delete(Path.GetDirectoryName(Suites.ResultFile(_results, Id(c), "Y"))!, recursive: true);
        AssertOnlyCaseFails(Id(c), "missing");
    }

    [Test]
    public void Verify_FailsAWrongShape()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/"), "torch.max_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        // Same elements, flattened: only the shape is wrong.
        Npy.Write(file, new Tensor(t.DType, [t.Data.Length], t.Data));
        AssertOnlyCaseFails(Id(c), "fail", "shape");
    }

    [Test]
    public void Verify_FailsAWrongDtype()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/"), "torch.max_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var t = Npy.Read(file);
        // The same values in float64: exactly equal numbers, wrong dtype.
        Npy.Write(file, new Tensor(DType.Float64, t.Shape, t.Data));
        AssertOnlyCaseFails(Id(c), "fail", "dtype");
    }

    [Test]
    public void Verify_FailsIndicesWrittenAsInt32()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && HasOutput(c, "indices"), "torch.max_pool2d with indices");
        var file = Suites.ResultFile(_results, Id(c), "indices");
        var t = Npy.Read(file);
        Npy.Write(file, new Tensor(DType.Int32, t.Shape, t.Data));
        AssertOnlyCaseFails(Id(c), "fail", "dtype");
    }

    [Test]
    public void Verify_ReportsAFolderInPlaceOfAResultFileAsError()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d"), "torch.max_pool2d");
        var file = Suites.ResultFile(_results, Id(c), "output");
        File.Delete(file);
        Directory.CreateDirectory(file);
        AssertOnlyCaseFails(Id(c), "error");
    }

    /// <summary>
    /// CONTRACT.md §1: a result file that resolves outside the results folder is not read and its case is error.
    /// The link points at a copy of the correct result, so reading it would have made the case pass.
    /// </summary>
    [Test]
    public void Verify_DoesNotReadAResultSymlinkedOutsideTheResultsFolder()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d"), "torch.max_pool2d");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var outside = _root["outside-output.npy"];
        File.Move(file, outside);
        File.CreateSymbolicLink(file, outside);
        AssertOnlyCaseFails(Id(c), "error", "outside");
    }

    [Test]
    public void Verify_DoesNotReadACaseFolderSymlinkedOutsideTheResultsFolder()
    {
        var c = FindCase(c => IsOp(c, "torch.avg_pool2d"), "torch.avg_pool2d");
        var caseDir = Path.GetDirectoryName(Suites.ResultFile(_results, Id(c), "output"))!;
        var outside = _root["outside-case"];
        Directory.Move(caseDir, outside);
        Directory.CreateSymbolicLink(caseDir, outside);
        AssertOnlyCaseFails(Id(c), "error", "outside");
    }

    [Test]
    public void Verify_AcceptsAResultSymlinkThatStaysInsideTheResultsFolder()
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d"), "torch.max_pool2d");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var inside = Path.Combine(_results, "elsewhere.npy");
        File.Move(file, inside);
        File.CreateSymbolicLink(file, inside);
        var (r, _) = Verify();
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, _total, 0);
    }

    [Test]
    public void Verify_AcceptsAResultsFolderGivenThroughASymlink()
    {
        var alias = _root["alias"];
        Directory.CreateSymbolicLink(alias, _results);
        var r = Cli.Run("verify", "--suite", Suites.SmokeSuite, "--results", alias);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, _total, 0);
    }

    [TestCaseSource(typeof(NpyBytes), nameof(NpyBytes.BadKinds))]
    public void Verify_ReportsAnUnreadableResultFileAsError(string kind)
    {
        var c = FindCase(c => IsOp(c, "torch.max_pool2d") && Id(c).Contains("-rand/"), "torch.max_pool2d rand");
        var file = Suites.ResultFile(_results, Id(c), "output");
        var shape = Npy.Read(file).Shape;
        File.WriteAllBytes(file, NpyBytes.Bad(kind, shape));
        AssertOnlyCaseFails(Id(c), "error");
    }

    [Test]
    public void Verify_IgnoresOutputsAndFilesItWasNotAskedAbout()
    {
        var c = FindCase(c => IsOp(c, "torch.avg_pool2d"), "torch.avg_pool2d");
        var dir = Path.GetDirectoryName(Suites.ResultFile(_results, Id(c), "output"))!;
        File.WriteAllText(Path.Combine(dir, "not-an-output.npy"), "garbage");
        File.WriteAllText(Path.Combine(_results, "notes.txt"), "extra");
        Directory.CreateDirectory(Path.Combine(_results, "no", "such", "case"));
        var (r, _) = Verify();
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, _total, 0);
    }

    [Test]
    public void Verify_TreatsAMalformedRunJsonAsAbsent_WithAWarning()
    {
        File.WriteAllText(Path.Combine(_results, "run.json"), "{ this is not json");
        var (r, _) = Verify();
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, _total, 0);
        Assert.That(r.StderrLines.Where(l => l.Contains("run.json")), Is.Not.Empty, "a warning on standard error");
    }
}
