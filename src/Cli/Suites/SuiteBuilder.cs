using System.Text.Json.Nodes;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;

namespace PoolingConformance.Cli.Suites;

/// <summary>One generated case: everything the manifest and the input files need.</summary>
public sealed record GeneratedCase(string Id, string Op, JsonObject Params, Dictionary<string, Tensor> Inputs, List<string> Outputs);

/// <summary>Collects cases for a named suite; ids are <c>op/tag/nnnn</c>, numbered per op.</summary>
public sealed class SuiteBuilder(ulong seed, DType dtype)
{
    public ulong Seed { get; } = seed;
    public DType DType { get; } = dtype;
    public List<GeneratedCase> Cases { get; } = [];
    readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public string NextId(string op, string tag)
    {
        int n = _counters.GetValueOrDefault(op);
        _counters[op] = n + 1;
        return $"{op}/{tag}/{n:D4}";
    }

    public ulong CaseSeed(string id) => SplitMix64.Hash(Seed, id);

    /// <summary>
    /// Adds a case whose single data input is filled by <paramref name="family"/> on the channels-first shape
    /// <paramref name="nchw"/>; special families (nan_*, neginf_*) inject values at window taps found by evaluating the op.
    /// </summary>
    public GeneratedCase Add(string op, string tag, JsonObject prms, int[] nchw, string family, string inputName = "input",
        bool channelsLast = false, DType? dtype = null, List<string>? outputs = null, Dictionary<string, Tensor>? extra = null, int[]? inputShape = null)
    {
        var t = dtype ?? DType;
        var id = NextId(op, $"{tag}-{family}");
        ulong s = CaseSeed(id);
        string baseFamily = family.StartsWith("nan_") || family.StartsWith("neginf") ? "rand" : family;
        var data = Fills.Draw(baseFamily, (int)Tensor.ElementCount(nchw), t, s, inputName);
        Fills.NonTrivial(data, t);
        var x = new Tensor(t, nchw, data);
        Tensor Shaped(Tensor v) => channelsLast ? Layout.ToChannelsLast(v) : inputShape is null ? v : Layout.Reshape(v, inputShape);
        if (family.StartsWith("nan_") || family.StartsWith("neginf"))
        {
            var opObj = OpRegistry.Find(op)!;
            var ins = new Dictionary<string, Tensor>(extra ?? []) { [inputName] = Shaped(x) };
            int plane = (int)Tensor.ElementCount(nchw[2..]);
            int planes = nchw[0] * nchw[1];
            // Ops without a window enumeration (ROI ops): every element on a fixed stride, which lands in some bins.
            var windows = opObj.Evaluate(prms.ToJsonString(), ins).Windows
                ?? Enumerable.Range(0, plane).Where(j => j % 5 == 2).Select(j => new Window(j, [j], 1, 1, 1)).ToArray();
            if (family.StartsWith("nan_")) Fills.Inject(data, planes, plane, windows, family[4..], double.NaN);
            else Fills.Inject(data, planes, plane, windows, "all", double.NegativeInfinity, every: 4);
        }
        // Every value the oracle sees must be exactly what the .npy file stores.
        if (t.IsFloat()) for (int i = 0; i < data.Length; i++) data[i] = t.Round(data[i]);
        var inputs = new Dictionary<string, Tensor>(extra ?? []) { [inputName] = Shaped(x) };
        // Evaluating here validates the case: a combination the dialect refuses throws before it is added.
        var outs = outputs ?? OpRegistry.Find(op)!.Evaluate(prms.ToJsonString(), inputs).DefaultOutputs;
        if (outputs is not null) OpRegistry.Find(op)!.Evaluate(prms.ToJsonString(), inputs);
        var gc = new GeneratedCase(id, op, prms, inputs, outs);
        Cases.Add(gc);
        return gc;
    }

    /// <summary>Adds a case with fully prepared inputs.</summary>
    public GeneratedCase AddRaw(string op, string tag, JsonObject prms, Dictionary<string, Tensor> inputs, List<string>? outputs = null)
    {
        var id = NextId(op, tag);
        var result = OpRegistry.Find(op)!.Evaluate(prms.ToJsonString(), inputs);
        var gc = new GeneratedCase(id, op, prms, inputs, outputs ?? result.DefaultOutputs);
        Cases.Add(gc);
        return gc;
    }
}

/// <summary>Writes a generated suite: input files, expected outputs from the oracle, manifest.</summary>
public static class SuiteWriter
{
    public static void Write(string outDir, string suiteName, SuiteBuilder b, IProgress<int>? progress = null)
    {
        Directory.CreateDirectory(outDir);
        var entries = new List<(CaseSpec, JsonNode?)>();
        int done = 0;
        foreach (var c in b.Cases)
        {
            var caseDir = Path.Combine(outDir, "cases", c.Id);
            Directory.CreateDirectory(caseDir);
            var rels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, t) in c.Inputs)
            {
                if (t.Data.Any(v => !t.DType.IsRepresentable(v)))
                    throw new InvalidOperationException($"generator bug: case {c.Id} input {name} holds values that {t.DType.Name()} cannot store");
                var rel = $"cases/{c.Id}/{name}.npy";
                Npy.Write(Path.Combine(outDir, rel), t);
                rels[name] = rel;
            }
            var r = OpRegistry.Find(c.Op)!.Evaluate(c.Params.ToJsonString(), c.Inputs);
            Directory.CreateDirectory(Path.Combine(caseDir, "expected"));
            foreach (var o in c.Outputs) Npy.Write(Path.Combine(caseDir, "expected", o + ".npy"), r.Outputs[o].Value);
            entries.Add((new CaseSpec(c.Id, c.Op, null, rels, c.Outputs, null), c.Params));
            progress?.Report(++done);
        }
        var gen = new JsonObject
        {
            ["tool"] = "poolconf", ["version"] = typeof(SuiteWriter).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
            ["suite"] = suiteName, ["seed"] = b.Seed, ["dtype"] = b.DType.Name(),
        };
        Manifest.Write(outDir, gen, entries);
    }
}
