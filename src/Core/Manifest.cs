using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PoolingConformance.Core;

/// <summary>
/// A suite or results folder that cannot be used as a whole (CONTRACT.md §1: exit code 2). The message names the
/// file, the case and the field.
/// </summary>
public sealed class UnusableException(string file, string? caseId, string? field, string message) : Exception(message)
{
    public string File { get; } = file;
    public string? CaseId { get; } = caseId;
    public string? Field { get; } = field;

    public string OneLine =>
        $"{File}{(CaseId is null ? "" : $": case '{CaseId}'")}{(Field is null ? "" : $": field '{Field}'")}: {Message}";
}

/// <summary>One case of a suite manifest (CONTRACT.md §2).</summary>
public sealed record CaseSpec(
    string Id, string Op, JsonElement? Params, IReadOnlyDictionary<string, string> Inputs, IReadOnlyList<string> Outputs, JsonElement? Tolerance);

/// <summary>A loaded suite: its folder, generator block and cases.</summary>
public sealed record Suite(string Dir, JsonObject Generator, IReadOnlyList<CaseSpec> Cases)
{
    public const string Format = "poolconf-suite/1";
    public string Name => Generator["suite"]?.GetValue<string>() ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Dir));
    public string ManifestPath => Path.Combine(Dir, "manifest.json");
}

/// <summary>Reads and writes <c>manifest.json</c>, refusing every schema problem before anything is written.</summary>
public static partial class Manifest
{
    [GeneratedRegex("^[A-Za-z0-9._/-]{1,200}$")]
    private static partial Regex IdChars();

    /// <summary>Why an id is not a safe relative folder name, or null when it is (CONTRACT.md §1 edge rules, §2).</summary>
    public static string? IdProblem(string id)
    {
        if (!IdChars().IsMatch(id)) return "must be 1 to 200 characters of [A-Za-z0-9._/-]";
        if (id.StartsWith('/')) return "must not start with '/'";
        if (id.EndsWith('/')) return "must not end with '/'";
        foreach (var seg in id.Split('/'))
        {
            if (seg.Length == 0) return "must not contain an empty segment ('//')";
            if (seg is "." or "..") return $"must not contain a '{seg}' segment";
        }
        return null;
    }

    /// <summary>The real path of a file or folder, with every symbolic link resolved (missing tails kept as written).</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        string cur = root;
        for (int i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(cur, parts[i]);
            FileSystemInfo? fi = Directory.Exists(next) ? new DirectoryInfo(next) : File.Exists(next) ? new FileInfo(next) : null;
            if (fi?.LinkTarget is not null)
            {
                var target = fi.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : Path.GetFullPath(target.FullName);
            }
            else if (fi is null)
                return Path.GetFullPath(Path.Combine([next, .. parts[(i + 1)..]]));
            cur = next;
        }
        return cur;
    }

    /// <summary>True when <paramref name="path"/> (after resolving links) lies inside <paramref name="folder"/>.</summary>
    public static bool IsInside(string path, string folder)
    {
        var f = Path.TrimEndingDirectorySeparator(RealPath(folder)) + Path.DirectorySeparatorChar;
        var p = RealPath(path);
        return p.StartsWith(f, StringComparison.Ordinal);
    }

    public static Suite Load(string dir)
    {
        if (File.Exists(dir)) throw new UnusableException(dir, null, "--suite", "is a file, not a suite folder");
        if (!Directory.Exists(dir)) throw new UnusableException(dir, null, "--suite", "no such folder");
        var path = Path.Combine(dir, "manifest.json");
        if (!File.Exists(path)) throw new UnusableException(path, null, null, "no manifest.json in the suite folder");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e) { throw new UnusableException(path, null, null, $"not valid JSON (or nested deeper than 64): {e.Message}"); }
        catch (IOException e) { throw new UnusableException(path, null, null, $"unreadable: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new UnusableException(path, null, null, "the manifest must be a JSON object");
            if (!root.TryGetProperty("format", out var fmt) || fmt.ValueKind != JsonValueKind.String)
                throw new UnusableException(path, null, "format", "missing or not a string");
            if (fmt.GetString() != Suite.Format)
                throw new UnusableException(path, null, "format", $"unknown format '{fmt.GetString()}' (this reader knows {Suite.Format})");
            var gen = root.TryGetProperty("generator", out var g) && g.ValueKind == JsonValueKind.Object
                ? (JsonObject)JsonNode.Parse(g.GetRawText())! : new JsonObject();
            if (!root.TryGetProperty("cases", out var cases) || cases.ValueKind != JsonValueKind.Array)
                throw new UnusableException(path, null, "cases", "missing or not an array");
            var list = new List<CaseSpec>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int n = 0;
            foreach (var c in cases.EnumerateArray())
            {
                string where = $"cases[{n++}]";
                if (c.ValueKind != JsonValueKind.Object) throw new UnusableException(path, null, where, "a case must be an object");
                string id = c.TryGetProperty("id", out var idE) && idE.ValueKind == JsonValueKind.String ? idE.GetString()! :
                    throw new UnusableException(path, null, $"{where}.id", "missing or not a string");
                if (IdProblem(id) is { } prob) throw new UnusableException(path, id, "id", $"id {prob}");
                if (!seen.Add(id)) throw new UnusableException(path, id, "id", "duplicate id");
                string op = c.TryGetProperty("op", out var opE) && opE.ValueKind == JsonValueKind.String ? opE.GetString()! :
                    throw new UnusableException(path, id, "op", "missing or not a string");
                JsonElement? prms = c.TryGetProperty("params", out var pE) && pE.ValueKind != JsonValueKind.Null ? pE.Clone() : null;
                if (prms is { ValueKind: not JsonValueKind.Object }) throw new UnusableException(path, id, "params", "must be an object");
                if (!c.TryGetProperty("inputs", out var inE) || inE.ValueKind != JsonValueKind.Object)
                    throw new UnusableException(path, id, "inputs", "missing or not an object");
                var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var ip in inE.EnumerateObject())
                {
                    if (ip.Value.ValueKind != JsonValueKind.String) throw new UnusableException(path, id, $"inputs.{ip.Name}", "must be a path string");
                    var rel = ip.Value.GetString()!;
                    if (rel.Length == 0 || Path.IsPathRooted(rel) || !IsInside(Path.Combine(dir, rel), dir))
                        throw new UnusableException(path, id, $"inputs.{ip.Name}", $"path '{rel}' escapes the suite folder");
                    inputs[ip.Name] = rel;
                }
                if (!c.TryGetProperty("outputs", out var outE) || outE.ValueKind != JsonValueKind.Array || outE.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.String))
                    throw new UnusableException(path, id, "outputs", "missing or not an array of names");
                var outputs = outE.EnumerateArray().Select(o => o.GetString()!).ToList();
                foreach (var o in outputs)
                    if (o.Length == 0 || o.Contains('/') || o.Contains('\\') || o is "." or ".." || o.StartsWith('.'))
                        throw new UnusableException(path, id, "outputs", $"output name '{o}' is not a plain file name");
                if (outputs.Distinct().Count() != outputs.Count) throw new UnusableException(path, id, "outputs", "duplicate output name");
                JsonElement? tol = c.TryGetProperty("tolerance", out var tE) && tE.ValueKind != JsonValueKind.Null ? tE.Clone() : null;
                if (tol is not null)
                {
                    try { Tolerance.Parse(tol); }
                    catch (InvalidParameterException e) { throw new UnusableException(path, id, e.Field, e.Message); }
                }
                list.Add(new CaseSpec(id, op, prms, inputs, outputs, tol));
            }
            return new Suite(dir, gen, list);
        }
    }

    /// <summary>Writes <c>manifest.json</c> (indented, stable key order).</summary>
    public static void Write(string dir, JsonObject generator, IEnumerable<(CaseSpec Case, JsonNode? Params)> cases)
    {
        var arr = new JsonArray();
        foreach (var (c, p) in cases)
        {
            var inputs = new JsonObject();
            foreach (var kv in c.Inputs) inputs[kv.Key] = kv.Value;
            arr.Add(new JsonObject
            {
                ["id"] = c.Id, ["op"] = c.Op, ["params"] = p?.DeepClone() ?? new JsonObject(), ["inputs"] = inputs,
                ["outputs"] = new JsonArray(c.Outputs.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray()),
                ["tolerance"] = c.Tolerance is { } t ? JsonNode.Parse(t.GetRawText()) : null,
            });
        }
        var root = new JsonObject { ["format"] = Suite.Format, ["generator"] = generator.DeepClone(), ["cases"] = arr };
        File.WriteAllText(Path.Combine(dir, "manifest.json"), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
