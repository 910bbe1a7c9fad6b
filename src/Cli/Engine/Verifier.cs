using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Engine;

/// <summary>The verdict on one case (CONTRACT.md §5).</summary>
public sealed class CaseOutcome
{
    public required CaseSpec Case { get; init; }
    public string Status { get; set; } = "pass";
    public string? Message { get; set; }
    public List<OutputComparison> Outputs { get; } = [];
    public string? Descriptor { get; set; }
    public bool CountsAsFailure => Status is "fail" or "missing" or "error";
}

/// <summary>Compares a results folder with the oracle, case by case.</summary>
public static class Verifier
{

    /// <summary>
    /// Verifies every case. <paramref name="skipped"/> is the backend's own list of cases it does not serve (run.json's
    /// <c>skipped</c> map, case id → reason): such a case with no result files is <c>skipped</c>, not missing; likewise a case in
    /// run.json's <c>errors</c> map is <c>error</c> with the backend's message.
    /// </summary>
    public static List<CaseOutcome> Verify(Suite suite, string results, IProgress<int>? progress = null, IReadOnlyDictionary<string, string>? skipped = null,
        IReadOnlyDictionary<string, string>? errors = null)
    {
        var list = new List<CaseOutcome>(suite.Cases.Count);
        int done = 0;
        foreach (var c in suite.Cases)
        {
            if (skipped is not null && skipped.TryGetValue(c.Id, out var why) && !Directory.Exists(Results.CaseDir(results, c.Id)))
                list.Add(new CaseOutcome { Case = c, Status = "skipped", Message = why });
            else if (errors is not null && errors.TryGetValue(c.Id, out var err) && !Directory.Exists(Results.CaseDir(results, c.Id)))
                list.Add(new CaseOutcome { Case = c, Status = "error", Message = $"the backend could not run the case: {err}" });
            else
                list.Add(VerifyCase(suite, results, c));
            progress?.Report(++done);
        }
        return list;
    }

    public static CaseOutcome VerifyCase(Suite suite, string results, CaseSpec c)
    {
        var outcome = new CaseOutcome { Case = c };
        Reference.OpResult r;
        Tolerance tol;
        try
        {
            tol = Tolerance.Parse(c.Tolerance);
            r = CaseEvaluator.Evaluate(suite, c);
            outcome.Descriptor = r.Descriptor;
        }
        catch (CaseException e) { outcome.Status = "error"; outcome.Message = $"field '{e.Field}': {e.Message}"; return outcome; }
        catch (InvalidParameterException e) { outcome.Status = "error"; outcome.Message = $"field 'tolerance': {e.Message}"; return outcome; }

        var caseDir = Results.CaseDir(results, c.Id);
        bool missing = false, failed = false, error = false;
        var messages = new List<string>();
        foreach (var name in c.Outputs)
        {
            var exp = r.Outputs[name];
            var expectedFile = Path.Combine(Results.CaseDir(Path.Combine(suite.Dir, "cases"), c.Id), "expected", name + ".npy");
            if (File.Exists(expectedFile))
            {
                try
                {
                    var stored = Npy.Read(expectedFile);
                    if (stored.DType != exp.Value.DType || !stored.Shape.SequenceEqual(exp.Value.Shape))
                        throw new NpyException($"holds {stored}, the oracle computes {exp.Value}");
                    exp = new Expectation { Name = exp.Name, Value = stored, Bound = exp.Bound, Unspecified = exp.Unspecified, IsIndex = exp.IsIndex };
                }
                catch (Exception e) when (e is NpyException or IOException or UnauthorizedAccessException)
                {
                    error = true; messages.Add($"{name}: expected file {Path.GetRelativePath(suite.Dir, expectedFile)}: {e.Message}");
                    continue;
                }
            }
            var actualPath = Path.Combine(caseDir, name + ".npy");
            if (Directory.Exists(actualPath)) { error = true; messages.Add($"{name}: {actualPath} is a folder, not a file"); continue; }
            if (!File.Exists(actualPath)) { missing = true; messages.Add($"{name}: missing ({Path.GetRelativePath(results, actualPath)})"); continue; }
            if (!Manifest.IsInside(actualPath, results)) { error = true; messages.Add($"{name}: {actualPath} resolves outside the results folder; not read"); continue; }
            Tensor actual;
            try { actual = Npy.Read(actualPath); }
            catch (Exception e) when (e is NpyException or IOException or UnauthorizedAccessException)
            {
                error = true; messages.Add($"{name}: unreadable result: {e.Message}"); continue;
            }
            var cmp = OutputComparer.Compare(exp, actual, tol);
            outcome.Outputs.Add(cmp);
            if (!cmp.Passed) { failed = true; messages.Add(cmp.Describe()); }
        }
        outcome.Status = error ? "error" : missing ? "missing" : failed ? "fail" : "pass";
        if (messages.Count > 0) outcome.Message = string.Join("; ", messages);
        return outcome;
    }

    /// <summary>The command that shows the case's geometry (the repro line of every failure).</summary>
    public static string Repro(Suite suite, CaseSpec c)
    {
        string shape = "";
        if (c.Inputs.FirstOrDefault() is { Value: not null } first)
        {
            try
            {
                using var fs = File.OpenRead(Path.Combine(suite.Dir, first.Value));
                shape = string.Join(",", Npy.Read(fs, fs.Length).Shape);
            }
            catch (Exception e) when (e is IOException or NpyException or UnauthorizedAccessException) { shape = "?"; }
        }
        string prms = c.Params?.GetRawText() ?? "{}";
        return $"poolconf explain --op {c.Op} --params '{JsonSerializer.Serialize(JsonDocument.Parse(prms).RootElement)}' --shape {shape}";
    }

    public static JsonObject Report(Suite suite, string results, IReadOnlyList<CaseOutcome> outcomes)
    {
        var cases = new JsonArray();
        foreach (var o in outcomes)
        {
            var outs = new JsonArray();
            foreach (var c in o.Outputs)
            {
                JsonObject? first = c.First.Count == 0 ? null : new JsonObject
                {
                    ["index"] = new JsonArray(c.First[0].Index.Select(i => (JsonNode)i).ToArray()),
                    ["expected"] = Num(c.First[0].Expected), ["actual"] = Num(c.First[0].Actual), ["bound"] = Num(c.First[0].Bound),
                };
                outs.Add(new JsonObject
                {
                    ["name"] = c.Name, ["max_abs"] = Num(c.MaxAbs), ["max_ulp"] = c.MaxUlp, ["mismatches"] = c.Mismatches,
                    ["compared"] = c.Compared, ["headroom"] = Num(c.Headroom), ["first_mismatch"] = first,
                    ["tolerance"] = c.Tolerance.ToJson(), ["problem"] = c.Problem,
                });
            }
            cases.Add(new JsonObject
            {
                ["id"] = o.Case.Id, ["op"] = o.Case.Op, ["status"] = o.Status, ["outputs"] = outs, ["message"] = o.Message,
                ["descriptor"] = o.Descriptor,
            });
        }
        return new JsonObject
        {
            ["format"] = "poolconf-report/1", ["suite"] = Path.GetFullPath(suite.Dir), ["results"] = Path.GetFullPath(results),
            ["summary"] = new JsonObject
            {
                ["passed"] = outcomes.Count(o => o.Status == "pass"),
                ["failed"] = outcomes.Count(o => o.Status is "fail" or "error"),
                ["missing"] = outcomes.Count(o => o.Status == "missing"),
                ["errors"] = outcomes.Count(o => o.Status == "error"),
                ["known"] = outcomes.Count(o => o.Status == "known"),
                ["skipped"] = outcomes.Count(o => o.Status == "skipped"),
            },
            ["cases"] = cases,
        };
    }

    /// <summary>JSON has no NaN or infinity: those are written as strings.</summary>
    static JsonNode Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static XDocument JUnit(Suite suite, IReadOnlyList<CaseOutcome> outcomes)
    {
        var ts = new XElement("testsuite",
            new XAttribute("name", $"poolconf {suite.Name}"),
            new XAttribute("tests", outcomes.Count),
            new XAttribute("failures", outcomes.Count(o => o.Status is "fail" or "missing")),
            new XAttribute("errors", outcomes.Count(o => o.Status == "error")),
            new XAttribute("skipped", outcomes.Count(o => o.Status is "skipped" or "known")));
        foreach (var o in outcomes)
        {
            var tc = new XElement("testcase", new XAttribute("classname", o.Case.Op), new XAttribute("name", o.Case.Id));
            switch (o.Status)
            {
                case "fail" or "missing":
                    tc.Add(new XElement("failure", new XAttribute("type", o.Status), new XAttribute("message", o.Message ?? o.Status), Repro(suite, o.Case)));
                    break;
                case "error":
                    tc.Add(new XElement("error", new XAttribute("message", o.Message ?? "error")));
                    break;
                case "skipped" or "known":
                    tc.Add(new XElement("skipped", new XAttribute("message", o.Message ?? o.Status)));
                    break;
            }
            ts.Add(tc);
        }
        return new XDocument(new XElement("testsuites", ts));
    }
}
