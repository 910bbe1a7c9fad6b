using System.Text.Json.Nodes;
using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli;

/// <summary>
/// <c>poolconf onnx-test DIR...</c> (CONTRACT.md §1, §6): runs the oracle on ONNX backend node-test folders
/// (<c>model.onnx</c> + <c>test_data_set_*/input_N.pb</c>, <c>output_N.pb</c>) and compares with their expected outputs.
/// A DIR is a node-test folder or a folder holding such folders (searched a few levels deep).
/// <para>
/// The graph may hold pooling nodes (<c>onnx.&lt;op_type&gt;</c> of the oracle, attributes as params, the model's ai.onnx
/// opset as <c>opset</c>) joined by shape glue (Identity, Reshape, Squeeze, Unsqueeze, Transpose, Flatten, evaluated here);
/// any other node makes the folder <c>skipped</c> with the reason. Each output is judged by two rules, both reported:
/// ONNX's runner rule (<c>|actual − expected| ≤ 1e−7 + 1e−3·|expected|</c>, exact dtype and shape), which decides
/// pass or fail — it is the node tests' own acceptance rule, and some expected files are hand-written to 4–5
/// significant digits (DIALECTS.md §3.6) — and the oracle's default tolerance (exact for selections, the derived
/// bound for accumulations), reported beside it. Elements the oracle leaves unspecified are compared by neither.
/// </para>
/// Exit codes: 0 every folder passed or was skipped, 1 some folder failed or errored, 2 unusable command line.
/// </summary>
public static class OnnxTest
{
    static readonly HashSet<string> PoolingOps =
        ["MaxPool", "AveragePool", "LpPool", "GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool", "MaxUnpool", "RoiAlign", "MaxRoiPool"];

    static readonly HashSet<string> GlueOps = ["Identity", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Flatten"];

    /// <summary>No pooling op changed after opset 22 and the oracle's <c>opset</c> parameter stops at 24; later models run as 24.</summary>
    const long MaxOracleOpset = 24;

    const int MaxSearchDepth = 4;

    /// <summary>ONNX's backend test runner: <c>np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-7)</c>.</summary>
    public static readonly Tolerance OnnxRunnerRule = Tolerance.AbsRel(1e-7, 1e-3);

    /// <summary>Why one folder could not be evaluated (status <c>error</c>).</summary>
    sealed class TestError(string message) : Exception(message);

    /// <summary>The result of one node-test folder.</summary>
    public sealed record Outcome(string Dir, string Status, string Line, IReadOnlyList<string> Details);

    public static int Run(Args a, TextWriter stdout, TextWriter stderr)
    {
        if (a.Positional.Count == 0) throw new UsageException("onnx-test needs at least one DIR (a node-test folder or a folder of them)");
        var dirs = new List<string>();
        foreach (var d in a.Positional)
        {
            if (File.Exists(d)) throw new UnusableException(d, null, "DIR", "is a file, not a node-test folder");
            if (!Directory.Exists(d)) throw new UnusableException(d, null, "DIR", "no such folder");
            var found = Discover(d);
            if (found.Count == 0) throw new UnusableException(d, null, "DIR", $"holds no model.onnx, neither itself nor its subfolders ({MaxSearchDepth} levels)");
            dirs.AddRange(found);
        }
        int passed = 0, failed = 0, skipped = 0;
        foreach (var dir in dirs)
        {
            var o = RunOne(dir);
            stdout.WriteLine($"{o.Status,-7} {o.Dir}: {o.Line}");
            foreach (var l in o.Details) stdout.WriteLine("    " + l);
            switch (o.Status)
            {
                case "pass": passed++; break;
                case "skipped": skipped++; break;
                default: failed++; break;
            }
        }
        stdout.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
        return failed > 0 ? 1 : 0;
    }

    /// <summary>The node-test folders of a DIR argument: itself when it holds model.onnx, else its subfolders that do, in ordinal order.</summary>
    static List<string> Discover(string dir)
    {
        var found = new List<string>();
        void Walk(string d, int depth)
        {
            if (File.Exists(Path.Combine(d, "model.onnx"))) { found.Add(d); return; }
            if (depth >= MaxSearchDepth) return;
            foreach (var sub in Directory.GetDirectories(d).Order(StringComparer.Ordinal)) Walk(sub, depth + 1);
        }
        Walk(dir, 0);
        return found;
    }

    /// <summary>Evaluates one node-test folder; never throws for a bad folder (status <c>error</c> with the reason).</summary>
    public static Outcome RunOne(string dir)
    {
        try { return Evaluate(dir); }
        catch (Exception e) when (e is TestError or OnnxFormatException or InvalidParameterException or IOException or UnauthorizedAccessException)
        {
            var field = e is InvalidParameterException ip ? $"{ip.Field}: " : "";
            return new Outcome(dir, "error", field + e.Message.Split('\n')[0], []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never a crash (CONTRACT.md §1): anything else is a bug of poolconf, reported as such for this folder.
            return new Outcome(dir, "error", $"internal error ({e.GetType().Name}): {e.Message.Split('\n')[0]} (a poolconf bug: please report it)", []);
        }
    }

    static Outcome Evaluate(string dir)
    {
        var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        var g = model.Graph;
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            bool onnxDomain = n.Domain is "" or "ai.onnx";
            if (!onnxDomain || !(PoolingOps.Contains(n.OpType) || GlueOps.Contains(n.OpType)))
                return new Outcome(dir, "skipped", $"node {i} ({n}) is neither a pooling op nor shape glue (Identity, Reshape, Squeeze, Unsqueeze, Transpose, Flatten)", []);
        }
        var pools = g.Nodes.Where(n => PoolingOps.Contains(n.OpType)).Select(n => n.OpType).ToList();
        if (pools.Count == 0) return new Outcome(dir, "skipped", "the graph has no pooling node", []);
        long opset = model.DefaultOpset;
        if (opset < 1) throw new TestError($"model.onnx: ModelProto.opset_import: ai.onnx version {opset}");

        var sets = Directory.GetDirectories(dir, "test_data_set_*").Order(StringComparer.Ordinal).ToList();
        if (sets.Count == 0) throw new TestError("no test_data_set_* folder");
        var details = new List<string>();
        bool allPass = true, oracleAll = true;
        double maxAbs = 0;
        foreach (var set in sets)
        {
            var setName = Path.GetFileName(set);
            var env = LoadInputs(g, set, setName);
            RunGraph(g, opset, env);
            int outFiles = Directory.GetFiles(set, "output_*.pb").Length;
            if (outFiles != g.Outputs.Count)
                throw new TestError($"{setName}: {outFiles} output_*.pb files for {g.Outputs.Count} graph outputs");
            for (int j = 0; j < g.Outputs.Count; j++)
            {
                var name = g.Outputs[j];
                var file = Path.Combine(set, $"output_{j}.pb");
                if (!File.Exists(file)) throw new TestError($"{setName}: output_{j}.pb is missing (graph output '{name}')");
                var expected = OnnxTensor.Load(file).ToTensor();
                if (!env.TryGetValue(name, out var mine)) throw new TestError($"graph output '{name}' is produced by no node");
                var label = $"{setName}/output_{j} '{name}'";
                // ONNX's rule: the file is the desired value, the oracle's output is judged against it.
                var sameShape = mine.Value.Shape.SequenceEqual(expected.Shape);
                var onnx = OutputComparer.Compare(
                    new Expectation { Name = label, Value = expected, Unspecified = sameShape ? mine.Unspecified : null }, mine.Value, OnnxRunnerRule);
                // The oracle's rule: the file is judged against the oracle's expectation and its default tolerance.
                var oracle = OutputComparer.Compare(
                    new Expectation { Name = label, Value = mine.Value, Bound = mine.Bound, Unspecified = mine.Unspecified, IsIndex = mine.IsIndex },
                    expected, Tolerance.Derived);
                if (!onnx.Passed) { allPass = false; details.Add($"onnx rule:        {onnx.Describe()}"); }
                if (!oracle.Passed) { oracleAll = false; details.Add($"oracle tolerance: {oracle.Describe()}"); }
                if (onnx.Problem is null) maxAbs = Math.Max(maxAbs, onnx.MaxAbs);
            }
        }
        var what = $"{string.Join(" -> ", pools)} opset {opset}{(g.Nodes.Count > pools.Count ? $", {g.Nodes.Count - pools.Count} glue nodes" : "")}, {sets.Count} data set{(sets.Count == 1 ? "" : "s")}";
        var verdict = $"onnx rule {(allPass ? "ok" : "FAILED")}, max |diff| {OutputComparison.Fmt(maxAbs)}; oracle tolerance {(oracleAll ? "ok" : "exceeded (details below)")}";
        return new Outcome(dir, allPass ? "pass" : "fail", $"{what}: {verdict}", details);
    }

    /// <summary>Initializers, then <c>input_N.pb</c> for the N-th graph input that is not an initializer (as ONNX's runner feeds them).</summary>
    static Dictionary<string, Expectation> LoadInputs(OnnxGraph g, string set, string setName)
    {
        var env = new Dictionary<string, Expectation>(StringComparer.Ordinal);
        foreach (var t in g.Initializers) env[t.Name] = Value(t.Name, t.ToTensor());
        var feeds = g.Inputs.Where(n => !env.ContainsKey(n)).ToList();
        int files = Directory.GetFiles(set, "input_*.pb").Length;
        if (files != feeds.Count) throw new TestError($"{setName}: {files} input_*.pb files for {feeds.Count} graph inputs ({string.Join(", ", feeds)})");
        for (int i = 0; i < feeds.Count; i++)
        {
            var file = Path.Combine(set, $"input_{i}.pb");
            if (!File.Exists(file)) throw new TestError($"{setName}: input_{i}.pb is missing (graph input '{feeds[i]}')");
            env[feeds[i]] = Value(feeds[i], OnnxTensor.Load(file).ToTensor());
        }
        return env;
    }

    static Expectation Value(string name, Tensor t) => new() { Name = name, Value = t };

    static void RunGraph(OnnxGraph g, long opset, Dictionary<string, Expectation> env)
    {
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            var where = $"node {i} ({n})";
            Expectation In(int k)
            {
                if (k >= n.Inputs.Count || n.Inputs[k].Length == 0) throw new TestError($"{where}: input {k} is required");
                return env.TryGetValue(n.Inputs[k], out var v) ? v : throw new TestError($"{where}: input '{n.Inputs[k]}' is produced by no earlier node, graph input or initializer");
            }
            if (GlueOps.Contains(n.OpType))
            {
                if (n.Outputs.Count != 1 || n.Outputs[0].Length == 0) throw new TestError($"{where}: needs exactly one output");
                env[n.Outputs[0]] = Glue(n, opset, In, where);
                continue;
            }
            var op = OpRegistry.Find("onnx." + n.OpType) ?? throw new TestError($"{where}: the oracle has no op onnx.{n.OpType}");
            var prms = new JsonObject();
            foreach (var attr in n.Attributes) prms[attr.Name] = AttributeJson(attr, where);
            prms["opset"] = Math.Min(opset, MaxOracleOpset);
            var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (int k = 0; k < n.Inputs.Count; k++)
            {
                if (n.Inputs[k].Length == 0) continue; // an omitted optional input
                if (k >= op.Inputs.Count) throw new TestError($"{where}: {n.Inputs.Count} inputs, {op.Name} takes {op.Inputs.Count} ({string.Join(", ", op.Inputs)})");
                inputs[op.Inputs[k]] = In(k).Value;
            }
            OpResult r;
            try { r = op.Evaluate(prms.ToJsonString(), inputs); }
            catch (InvalidParameterException e)
            {
                var field = e.Field.StartsWith("inputs.", StringComparison.Ordinal) ? e.Field : $"attribute '{e.Field}'";
                throw new TestError($"{where}: {field}: {e.Message}");
            }
            for (int k = 0; k < n.Outputs.Count; k++)
            {
                if (n.Outputs[k].Length == 0) continue; // an output the model does not ask for
                if (k >= op.Outputs.Count || !r.Outputs.TryGetValue(op.Outputs[k], out var e))
                    throw new TestError($"{where}: output {k} is not produced by {op.Name} at opset {opset} (outputs: {string.Join(", ", r.Outputs.Keys)})");
                env[n.Outputs[k]] = e;
            }
        }
    }

    /// <summary>An attribute as the params JSON value of the oracle op (the dialect keeps ONNX's names and types).</summary>
    static JsonNode AttributeJson(OnnxAttribute a, string where) => a.Kind switch
    {
        OnnxAttributeType.Float => JsonValue.Create((double)a.F.GetValueOrDefault()),
        OnnxAttributeType.Int => JsonValue.Create(a.I.GetValueOrDefault()),
        OnnxAttributeType.String => JsonValue.Create(a.StringValue),
        OnnxAttributeType.Floats => new JsonArray(a.Floats.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        OnnxAttributeType.Ints => new JsonArray(a.Ints.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        OnnxAttributeType.Strings => new JsonArray(a.Strings.Select(v => (JsonNode)JsonValue.Create(System.Text.Encoding.UTF8.GetString(v))).ToArray()),
        var k => throw new TestError($"{where}: attribute '{a.Name}' of type {k} is not supported by a pooling op"),
    };

    // ---- shape glue: data order unchanged (Identity, Reshape, Squeeze, Unsqueeze, Flatten) or permuted (Transpose) ----

    static Expectation Glue(OnnxNode n, long opset, Func<int, Expectation> input, string where)
    {
        var x = input(0);
        int[] inShape = x.Value.Shape;
        int rank = inShape.Length;
        int[] Axes(string attr, int sinceInput, int outRank, bool required)
        {
            long[]? raw = null;
            if (opset >= sinceInput)
            {
                if (n.Inputs.Count > 1 && n.Inputs[1].Length > 0) raw = IntVector(input(1), $"{where}: axes");
            }
            else if (n.Attribute(attr) is { } at) raw = at.Ints.ToArray();
            if (raw is null)
            {
                if (required) throw new TestError($"{where}: axes are required");
                return [];
            }
            var axes = raw.Select(v => v < 0 ? v + outRank : v).ToArray();
            if (axes.Any(v => v < 0 || v >= outRank)) throw new TestError($"{where}: axes [{string.Join(",", raw)}] out of range for rank {outRank}");
            if (axes.Distinct().Count() != axes.Length) throw new TestError($"{where}: axes [{string.Join(",", raw)}] repeat an axis");
            return axes.Select(v => (int)v).ToArray();
        }
        switch (n.OpType)
        {
            case "Identity":
                return x;
            case "Flatten":
                {
                    long axis = n.Attribute("axis")?.I ?? 1;
                    if (axis < 0) axis += rank;
                    if (axis < 0 || axis > rank) throw new TestError($"{where}: axis {n.Attribute("axis")?.I} out of range for rank {rank}");
                    long outer = Tensor.ElementCount(inShape[..(int)axis]), inner = Tensor.ElementCount(inShape[(int)axis..]);
                    return Reshaped(x, [checked((int)outer), checked((int)inner)]);
                }
            case "Squeeze":
                {
                    var axes = Axes("axes", 13, rank, required: false);
                    if (axes.Length == 0) return Reshaped(x, inShape.Where(d => d != 1).ToArray());
                    foreach (var ax in axes)
                        if (inShape[ax] != 1) throw new TestError($"{where}: axis {ax} has size {inShape[ax]}, not 1");
                    return Reshaped(x, inShape.Where((_, i) => !axes.Contains(i)).ToArray());
                }
            case "Unsqueeze":
                {
                    int added = opset >= 13 ? (n.Inputs.Count > 1 && n.Inputs[1].Length > 0 ? (int)input(1).Value.Length : 0) : n.Attribute("axes")?.Ints.Count ?? 0;
                    int outRank = rank + added;
                    var axes = Axes("axes", 13, outRank, required: true);
                    var shape = new int[outRank];
                    for (int j = 0, s = 0; j < outRank; j++) shape[j] = axes.Contains(j) ? 1 : inShape[s++];
                    return Reshaped(x, shape);
                }
            case "Reshape":
                {
                    long[] target = opset >= 5
                        ? IntVector(input(1), $"{where}: shape")
                        : n.Attribute("shape")?.Ints.ToArray() ?? throw new TestError($"{where}: attribute 'shape' is required before opset 5");
                    bool allowZero = (n.Attribute("allowzero")?.I ?? 0) != 0;
                    var shape = new int[target.Length];
                    int infer = -1;
                    long known = 1;
                    for (int j = 0; j < target.Length; j++)
                    {
                        long v = target[j];
                        if (v == -1)
                        {
                            if (infer >= 0) throw new TestError($"{where}: shape has more than one -1");
                            infer = j;
                            continue;
                        }
                        if (v == 0 && !allowZero)
                        {
                            if (j >= rank) throw new TestError($"{where}: shape[{j}] = 0 copies a dimension the input (rank {rank}) lacks");
                            v = inShape[j];
                        }
                        if (v < 0 || v > int.MaxValue) throw new TestError($"{where}: shape[{j}] = {target[j]} is invalid");
                        shape[j] = (int)v;
                        known *= v;
                        if (known > OnnxTensor.MaxElements) known = OnnxTensor.MaxElements + 1;
                    }
                    long total = x.Value.Length;
                    if (infer >= 0)
                    {
                        if (known == 0 || total % known != 0) throw new TestError($"{where}: cannot infer the -1 of shape [{string.Join(",", target)}] for {total} elements");
                        shape[infer] = (int)(total / known);
                    }
                    if (Tensor.ElementCount(shape) != total) throw new TestError($"{where}: shape [{string.Join(",", target)}] does not hold the input's {total} elements ({Tensor.ShapeText(inShape)})");
                    return Reshaped(x, shape);
                }
            case "Transpose":
                {
                    var perm = n.Attribute("perm") is { } p ? p.Ints.ToArray() : Enumerable.Range(0, rank).Reverse().Select(v => (long)v).ToArray();
                    if (perm.Length != rank || perm.Order().Select((v, i) => v == i).Any(ok => !ok))
                        throw new TestError($"{where}: perm [{string.Join(",", perm)}] is not a permutation of the {rank} axes");
                    return Transposed(x, perm.Select(v => (int)v).ToArray());
                }
            default:
                throw new TestError($"{where}: not shape glue");
        }
    }

    /// <summary>A 1-D (or scalar) integer tensor as longs (Reshape's <c>shape</c>, the <c>axes</c> inputs).</summary>
    static long[] IntVector(Expectation e, string what)
    {
        var t = e.Value;
        if (t.DType is not (DType.Int64 or DType.Int32) || t.Rank > 1) throw new TestError($"{what}: must be a 1-D int64 tensor, got {t}");
        return t.Data.Select(v => (long)v).ToArray();
    }

    static Expectation Reshaped(Expectation e, int[] shape) => new()
    {
        Name = e.Name, Value = new Tensor(e.Value.DType, shape, e.Value.Data), Bound = e.Bound, Unspecified = e.Unspecified, IsIndex = e.IsIndex,
    };

    /// <summary>Output axis i is input axis perm[i]; values, bounds and the unspecified mask move together.</summary>
    static Expectation Transposed(Expectation e, int[] perm)
    {
        var inShape = e.Value.Shape;
        int rank = inShape.Length;
        var outShape = perm.Select(p => inShape[p]).ToArray();
        var inStrides = Windows.Strides(inShape);
        long n = e.Value.Length;
        var src = new long[n];
        var coord = new int[rank];
        for (long o = 0; o < n; o++)
        {
            long off = 0;
            for (int a = 0; a < rank; a++) off += (long)coord[a] * inStrides[perm[a]];
            src[o] = off;
            for (int a = rank - 1; a >= 0; a--)
            {
                if (++coord[a] < outShape[a]) break;
                coord[a] = 0;
            }
        }
        T[] Gather<T>(T[] from) => src.Select(s => from[s]).ToArray();
        return new Expectation
        {
            Name = e.Name, Value = new Tensor(e.Value.DType, outShape, Gather(e.Value.Data)),
            Bound = e.Bound is null ? null : Gather(e.Bound), Unspecified = e.Unspecified is null ? null : Gather(e.Unspecified), IsIndex = e.IsIndex,
        };
    }
}
