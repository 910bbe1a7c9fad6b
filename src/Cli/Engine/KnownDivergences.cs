using System.Text.Json;
using System.Text.Json.Nodes;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Engine;

/// <summary>One expected disagreement of a named backend with the oracle, with its public issue.</summary>
public sealed record KnownDivergence(string Backend, string Op, JsonObject When, string? Predicate, string Issue, string Summary)
{
    /// <summary>The named conditions an entry may use beyond parameter equality.</summary>
    public static readonly string[] Predicates = ["pads_at_least_kernel", "same_with_dilation", "output_shape_given", "input_has_nan"];

    static int[] Ints(JsonElement p, string name) =>
        p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.TryGetInt32(out var i) ? i : 0).ToArray() : [];

    /// <summary>True when the case is this op, every <c>when</c> parameter is present with an equal JSON value, and the predicate holds.</summary>
    public bool Matches(string backend, CaseSpec c, Func<CaseSpec, bool>? inputHasNan = null)
    {
        if (backend != Backend || c.Op != Op) return false;
        foreach (var (k, v) in When)
        {
            if (c.Params is not { } p || !p.TryGetProperty(k, out var actual)) return false;
            if (!JsonNode.DeepEquals(JsonNode.Parse(actual.GetRawText()), v)) return false;
        }
        var prm = c.Params ?? JsonDocument.Parse("{}").RootElement;
        return Predicate switch
        {
            null => true,
            "pads_at_least_kernel" => Ints(prm, "pads") is { Length: > 0 } pads && Ints(prm, "kernel_shape") is var k && k.Length > 0
                && pads.Select((pv, i) => pv >= k[i % k.Length]).Any(b => b),
            "same_with_dilation" => prm.TryGetProperty("auto_pad", out var ap) && ap.GetString() is "SAME_UPPER" or "SAME_LOWER" && Ints(prm, "dilations").Any(d => d > 1),
            "output_shape_given" => c.Inputs.ContainsKey("output_shape"),
            "input_has_nan" => inputHasNan?.Invoke(c) == true,
            _ => false,
        };
    }
}

/// <summary>
/// The versioned list of known divergences (<c>known-divergences.json</c>, shipped inside the tool): <c>verify</c> marks a failing
/// case <c>known</c> when run.json's backend and the case match an entry (STYLE.md §2.15), unless <c>--strict</c>.
/// </summary>
public static class KnownDivergences
{
    public static IReadOnlyList<KnownDivergence> Load(string? file = null)
    {
        string text;
        if (file is not null)
        {
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UnusableException(file, null, "--divergences", $"unreadable: {e.Message}"); }
        }
        else
        {
            using var s = typeof(KnownDivergences).Assembly.GetManifestResourceStream("known-divergences.json")!;
            text = new StreamReader(s).ReadToEnd();
        }
        string where = file ?? "known-divergences.json";
        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException e) { throw new UnusableException(where, null, null, $"not valid JSON: {e.Message}"); }
        if (root?["format"]?.GetValue<string>() != "poolconf-divergences/1" || root["entries"] is not JsonArray entries)
            throw new UnusableException(where, null, "format", "expected format poolconf-divergences/1 with an entries array");
        var list = new List<KnownDivergence>();
        foreach (var e in entries)
        {
            if (e is not JsonObject o || o["backend"] is not JsonValue b || o["op"] is not JsonValue op || o["issue"] is not JsonValue issue)
                throw new UnusableException(where, null, "entries", "every entry needs backend, op and issue");
            var pred = o["predicate"]?.GetValue<string>();
            if (pred is not null && !KnownDivergence.Predicates.Contains(pred))
                throw new UnusableException(where, null, "predicate", $"unknown predicate '{pred}' ({string.Join(", ", KnownDivergence.Predicates)})");
            list.Add(new KnownDivergence(b.GetValue<string>(), op.GetValue<string>(), o["when"] as JsonObject ?? [], pred, issue.GetValue<string>(),
                o["summary"]?.GetValue<string>() ?? ""));
        }
        return list;
    }

    /// <summary>Re-labels failing outcomes that a known divergence of <paramref name="backend"/> explains.</summary>
    public static void Apply(IList<CaseOutcome> outcomes, string? backend, IReadOnlyList<KnownDivergence> known, Func<CaseSpec, bool>? inputHasNan = null)
    {
        if (backend is null) return;
        foreach (var o in outcomes)
        {
            if (o.Status is not ("fail" or "error")) continue;
            var k = known.FirstOrDefault(k => k.Matches(backend, o.Case, inputHasNan));
            if (k is null) continue;
            o.Status = "known";
            o.Message = $"known divergence ({k.Issue}): {k.Summary} | {o.Message}";
        }
    }
}
