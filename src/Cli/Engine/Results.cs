using System.Text.Json.Nodes;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Engine;

/// <summary>The results layout (CONTRACT.md §3): <c>RESULTS/&lt;case id&gt;/&lt;output&gt;.npy</c> and <c>run.json</c>.</summary>
public static class Results
{
    public static string CaseDir(string results, string id) => Path.Combine(results, id.Replace('/', Path.DirectorySeparatorChar));

    public static void WriteOutput(string results, string id, string output, Tensor t)
    {
        var dir = CaseDir(results, id);
        // A pre-existing symbolic link inside the results folder must not carry a write outside it.
        if (!Manifest.IsInside(Path.Combine(dir, output + ".npy"), results))
            throw new Engine.CaseException("id", $"{dir} resolves outside the results folder; nothing written");
        Directory.CreateDirectory(dir);
        Npy.Write(Path.Combine(dir, output + ".npy"), t);
    }

    public static void WriteRunInfo(string results, string backend, string version, string suite, IReadOnlyDictionary<string, string>? skipped = null,
        IReadOnlyDictionary<string, string>? errors = null)
    {
        var o = new JsonObject
        {
            ["backend"] = backend, ["backend_version"] = version, ["suite"] = suite,
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        if (skipped is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in skipped) m[k] = v;
            o["skipped"] = m;
        }
        if (errors is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in errors) m[k] = v;
            o["errors"] = m;
        }
        File.WriteAllText(Path.Combine(results, "run.json"), o.ToJsonString(new() { WriteIndented = true }) + "\n");
    }

    /// <summary>The backend's <c>skipped</c> (or <c>errors</c>) map of run.json (case id → reason); entries that are not strings are ignored.</summary>
    public static Dictionary<string, string> Skipped(JsonObject? runInfo, string key = "skipped")
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (runInfo?[key] is JsonObject o)
            foreach (var (k, v) in o)
                if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) d[k] = s;
        return d;
    }

    /// <summary>Reads <c>run.json</c>; a malformed file counts as absent, with a warning (CONTRACT.md §1).</summary>
    public static JsonObject? ReadRunInfo(string results, TextWriter warnings)
    {
        var path = Path.Combine(results, "run.json");
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException("not an object"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or IOException)
        {
            warnings.WriteLine($"poolconf: warning: {path}: malformed run.json ignored ({e.Message.Split('\n')[0]})");
            return null;
        }
    }
}
