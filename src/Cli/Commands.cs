using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoolingConformance.Cli.Engine;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli;

/// <summary>The commands of <c>poolconf</c>.</summary>
public static class Commands
{
    public static readonly string[] Suites = ["smoke", "standard"];
    public static readonly string[] Backends = ["reference", "optimized", "onnxruntime", "gpu", "gpu:cpu", "exec:<command>"];

    static void NoPositional(Args a)
    {
        if (a.Positional.Count > 0) throw new UsageException($"unexpected argument '{a.Positional[0]}'");
    }

    public static int List(Args a, TextWriter stdout)
    {
        NoPositional(a);
        if (a.Has("--json"))
        {
            var ops = new JsonArray();
            foreach (var op in OpRegistry.All)
                ops.Add(new JsonObject
                {
                    ["name"] = op.Name,
                    ["params"] = new JsonArray(op.Params.Select(p => (JsonNode)new JsonObject
                    {
                        ["name"] = p.Name, ["type"] = p.Type, ["default"] = p.Default, ["description"] = p.Description,
                    }).ToArray()),
                    ["inputs"] = new JsonArray(op.Inputs.Select(i => (JsonNode)i).ToArray()),
                    ["optional_inputs"] = new JsonArray(op.OptionalInputs.Select(i => (JsonNode)i).ToArray()),
                    ["outputs"] = new JsonArray(op.Outputs.Select(i => (JsonNode)i).ToArray()),
                    ["tolerance"] = op.ToleranceText,
                });
            var root = new JsonObject
            {
                ["tool"] = "poolconf", ["version"] = Version, ["ops"] = ops,
                ["backends"] = new JsonArray(Backends.Select(b => (JsonNode)b).ToArray()),
                ["suites"] = new JsonArray(Suites.Select(b => (JsonNode)b).ToArray()),
            };
            stdout.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        stdout.WriteLine($"poolconf {Version}: {OpRegistry.All.Count} ops");
        foreach (var op in OpRegistry.All)
        {
            stdout.WriteLine($"  {op.Name}({string.Join(", ", op.Inputs)}) -> {string.Join(", ", op.Outputs)}");
            stdout.WriteLine($"      params: {string.Join(", ", op.Params.Select(p => $"{p.Name}={p.Default}"))}");
            stdout.WriteLine($"      tolerance: {op.ToleranceText}");
        }
        stdout.WriteLine($"backends: {string.Join(", ", Backends)}");
        return 0;
    }

    public static string Version => typeof(Commands).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    /// <summary>Refuses an output folder that is the suite folder or inside it.</summary>
    static void OutsideSuite(string outDir, string suiteDir, string option)
    {
        var o = Path.TrimEndingDirectorySeparator(Manifest.RealPath(outDir));
        var s = Path.TrimEndingDirectorySeparator(Manifest.RealPath(suiteDir));
        if (o == s || o.StartsWith(s + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UnusableException(outDir, null, option, "must not be the suite folder or inside it");
    }

    static void ParentExists(string? file, string option)
    {
        if (file is null) return;
        var parent = Path.GetDirectoryName(Path.GetFullPath(file));
        if (parent is null || !Directory.Exists(parent)) throw new UnusableException(file, null, option, "its parent folder does not exist");
        if (Directory.Exists(file)) throw new UnusableException(file, null, option, "is a folder");
    }

    public static int Generate(Args a, TextWriter stdout, TextWriter stderr)
    {
        NoPositional(a);
        var name = a.Required("--suite");
        if (!Suites.Contains(name)) throw new UsageException($"option '--suite': unknown suite '{name}' (smoke, standard)");
        var outDir = a.Required("--out");
        ulong seed = 42;
        if (a.Get("--seed") is { } s && !ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"option '--seed': '{s}' is not a non-negative integer");
        var dtName = a.Get("--dtype") ?? "float32";
        if (dtName is not ("float32" or "float64" or "float16") || !DTypes.TryParseName(dtName, out var dtype))
            throw new UsageException($"option '--dtype': '{dtName}' is not float32, float64 or float16");
        var format = a.Get("--format") ?? "npy";
        if (format is not ("npy" or "onnx")) throw new UsageException($"option '--format': '{format}' is not npy or onnx");
        if (File.Exists(outDir)) throw new UnusableException(outDir, null, "--out", "is a file");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            if (!File.Exists(Path.Combine(outDir, "manifest.json")))
                throw new UnusableException(outDir, null, "--out", "exists, is not empty and holds no suite; refusing to write into it");
            File.Delete(Path.Combine(outDir, "manifest.json"));
            if (Directory.Exists(Path.Combine(outDir, "cases"))) Directory.Delete(Path.Combine(outDir, "cases"), recursive: true);
        }
        CreateOutput(outDir, "--out");
        var sw = Stopwatch.StartNew();
        var b = StandardSuite.Build(name, seed, dtype);
        stderr.WriteLine($"poolconf: generating suite '{name}': {b.Cases.Count} cases, seed {seed}, {dtype.Name()}");
        if (format == "onnx")
        {
            int written = 0, left = 0;
            foreach (var c in b.Cases)
            {
                var spec = new CaseSpec(c.Id, c.Op, System.Text.Json.JsonDocument.Parse(c.Params.ToJsonString()).RootElement, new Dictionary<string, string>(), c.Outputs, null);
                var expected = OpRegistry.Find(c.Op)!.Evaluate(c.Params.ToJsonString(), c.Inputs).Outputs;
                if (Adapters.OnnxExport.NotExpressible(spec, expected) is not null) { left++; continue; }
                Adapters.OnnxExport.Write(outDir, spec, c.Inputs, expected);
                written++;
            }
            stdout.WriteLine($"wrote {written} ONNX node-test folders to {outDir} ({left} cases of the suite are not ONNX-expressible) in {sw.Elapsed.TotalSeconds:F1} s (suite {name}, seed {seed}, {dtype.Name()})");
            return 0;
        }
        SuiteWriter.Write(outDir, name, b, Progress(b.Cases.Count, stderr, "generated"));
        stdout.WriteLine($"wrote {b.Cases.Count} cases ({b.Cases.Select(c => c.Op).Distinct().Count()} ops) to {outDir} in {sw.Elapsed.TotalSeconds:F1} s (suite {name}, seed {seed}, {dtype.Name()})");
        return 0;
    }

    /// <summary>Creates an output folder the user named, or refuses the command (exit 2) naming the option.</summary>
    static void CreateOutput(string dir, string option)
    {
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnusableException(dir, null, option, $"cannot create the folder ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>Progress lines on standard error at every 10 %.</summary>
    static IProgress<int> Progress(int total, TextWriter w, string verb)
    {
        int lastDecile = 0;
        return new SyncProgress(done =>
        {
            int dec = total == 0 ? 10 : done * 10 / total;
            if (dec > lastDecile) { lastDecile = dec; w.WriteLine($"poolconf: {verb} {done}/{total} ({dec * 10}%)"); }
        });
    }

    sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    public static int RunBackend(Args a, TextWriter stdout, TextWriter stderr)
    {
        NoPositional(a);
        var suiteDir = a.Required("--suite");
        var backend = a.Required("--backend");
        var outDir = a.Required("--out");
        var suite = Manifest.Load(suiteDir);
        OutsideSuite(outDir, suiteDir, "--out");
        if (File.Exists(outDir)) throw new UnusableException(outDir, null, "--out", "is a file");
        if (!backend.StartsWith("exec:") && backend is not ("reference" or "optimized" or "onnxruntime" or "gpu" or "gpu:cpu"))
            throw new UsageException($"option '--backend': '{backend}' is not available in this build (available: reference, optimized, onnxruntime, gpu, gpu:cpu, exec:<command>)");
        int threads = Environment.ProcessorCount;
        if (a.Get("--threads") is { } th && (!int.TryParse(th, NumberStyles.None, CultureInfo.InvariantCulture, out threads) || threads < 1))
            throw new UsageException($"option '--threads': '{th}' is not a positive integer");
        if (backend is "gpu" or "gpu:cpu") return GpuRun.Run(suite, outDir, backend == "gpu:cpu", () => CreateOutput(outDir, "--out"), stdout, stderr);
        CreateOutput(outDir, "--out");
        if (backend.StartsWith("exec:")) return Exec(backend[5..], suiteDir, outDir, stderr);
        if (backend == "onnxruntime") return OnnxRuntime(suite, outDir, stdout, stderr);
        if (backend == "optimized") return Optimized(suite, outDir, threads, stdout, stderr);
        int errors = 0, ran = 0;
        var progress = Progress(suite.Cases.Count, stderr, "ran");
        foreach (var c in suite.Cases)
        {
            try
            {
                var r = CaseEvaluator.Evaluate(suite, c);
                foreach (var o in c.Outputs) Results.WriteOutput(outDir, c.Id, o, r.Outputs[o].Value);
                ran++;
            }
            catch (CaseException e)
            {
                errors++;
                stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}");
            }
            progress.Report(ran + errors);
        }
        Results.WriteRunInfo(outDir, "reference", $"poolconf {Version}", suite.Name);
        stdout.WriteLine($"reference backend: {ran} cases ran, {errors} errors; results in {outDir}");
        return errors > 0 ? 1 : 0;
    }

    /// <summary>
    /// The in-process optimized kernels (src/Optimized, <c>KernelRegistry</c>): the cases they serve run on <paramref name="threads"/>
    /// threads (results do not depend on the count); every other case is reported in run.json's <c>skipped</c> map with the reason.
    /// </summary>
    static int Optimized(Suite suite, string outDir, int threads, TextWriter stdout, TextWriter stderr)
    {
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        int ran = 0, errors = 0, done = 0;
        var progress = Progress(suite.Cases.Count, stderr, "ran");
        foreach (var c in suite.Cases)
        {
            progress.Report(++done);
            // An input the op does not take is a case error here as on the reference path (CaseEvaluator), served or not.
            try { CaseEvaluator.CheckInputNames(c); }
            catch (CaseException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); continue; }
            if (PoolingConformance.Optimized.OptimizedBackend.Unsupported(c) is { } why) { skipped[c.Id] = why; continue; }
            try
            {
                var outs = PoolingConformance.Optimized.OptimizedBackend.Run(c, CaseEvaluator.LoadInputs(suite, c), threads);
                foreach (var o in c.Outputs)
                    if (outs.TryGetValue(o, out var t)) Results.WriteOutput(outDir, c.Id, o, t);
                ran++;
            }
            catch (PoolingConformance.Optimized.OptimizedBackend.NotServed e) { skipped[c.Id] = $"optimized kernels do not serve it: {e.Message}"; }
            catch (CaseException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); }
            catch (InvalidParameterException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); }
        }
        Results.WriteRunInfo(outDir, "optimized", PoolingConformance.Optimized.OptimizedBackend.Version, suite.Name, skipped);
        stdout.WriteLine($"optimized backend: {ran} cases ran, {errors} errors, {skipped.Count} skipped (ops, dtypes or semantics the kernels do not serve); results in {outDir}");
        return errors > 0 ? 1 : 0;
    }

    /// <summary>The in-process ONNX Runtime backend: onnx.* cases as single-node models; other dialects are skipped with the reason.</summary>
    static int OnnxRuntime(Suite suite, string outDir, TextWriter stdout, TextWriter stderr)
    {
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        var failedCases = new Dictionary<string, string>(StringComparer.Ordinal);
        int ran = 0, errors = 0;
        var progress = Progress(suite.Cases.Count, stderr, "ran");
        int done = 0;
        foreach (var c in suite.Cases)
        {
            progress.Report(++done);
            if (Adapters.OnnxRuntimeBackend.Unsupported(c) is { } why) { skipped[c.Id] = why; continue; }
            try
            {
                var outs = Adapters.OnnxRuntimeBackend.RunAny(c, CaseEvaluator.LoadInputs(suite, c));
                foreach (var o in c.Outputs)
                    if (outs.TryGetValue(o, out var t)) Results.WriteOutput(outDir, c.Id, o, t);
                ran++;
            }
            catch (CaseException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); }
            catch (Adapters.OnnxRuntimeBackend.NotImplementedByOrt e) { skipped[c.Id] = $"onnxruntime does not serve it: {e.Message}"; }
            catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                errors++;
                var msg = e.Message.Split('\n')[0];
                // ORT's messages carry its source path and C++ signature; keep the sentence that says what is wrong.
                int cut = msg.LastIndexOf(" was false. ", StringComparison.Ordinal);
                if (cut > 0) msg = msg[(cut + 12)..];
                failedCases[c.Id] = $"onnxruntime: {msg}";
                stderr.WriteLine($"poolconf: case '{c.Id}': onnxruntime: {msg}");
            }
        }
        Results.WriteRunInfo(outDir, "onnxruntime", Adapters.OnnxRuntimeBackend.Version, suite.Name, skipped, failedCases);
        stdout.WriteLine($"onnxruntime backend: {ran} cases ran, {errors} errors, {skipped.Count} skipped (other dialects, or no ONNX Runtime kernel); results in {outDir}");
        return errors > 0 ? 1 : 0;
    }

    static int Exec(string command, string suiteDir, string outDir, TextWriter stderr)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException("option '--backend': 'exec:' needs a command");
        var psi = new ProcessStartInfo(parts[0]) { UseShellExecute = false };
        foreach (var p in parts[1..]) psi.ArgumentList.Add(p);
        psi.ArgumentList.Add(Path.GetFullPath(suiteDir));
        psi.ArgumentList.Add(Path.GetFullPath(outDir));
        Process? proc;
        try { proc = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e) { throw new UsageException($"option '--backend': cannot start '{parts[0]}': {e.Message}"); }
        if (proc is null) throw new UsageException($"option '--backend': cannot start '{parts[0]}'");
        proc.WaitForExit();
        if (proc.ExitCode != 0) stderr.WriteLine($"poolconf: backend command exited with {proc.ExitCode}");
        return proc.ExitCode == 0 ? 0 : proc.ExitCode == 2 ? 2 : 1;
    }

    public static int Verify(Args a, TextWriter stdout, TextWriter stderr)
    {
        NoPositional(a);
        var suiteDir = a.Required("--suite");
        var results = a.Required("--results");
        string? report = a.Get("--report"), junit = a.Get("--junit"), html = a.Get("--html");
        ParentExists(report, "--report"); ParentExists(junit, "--junit"); ParentExists(html, "--html");
        var suite = Manifest.Load(suiteDir);
        if (File.Exists(results)) throw new UnusableException(results, null, "--results", "is a file, not a results folder");
        if (!Directory.Exists(results)) throw new UnusableException(results, null, "--results", "no such folder");
        var runInfo = Results.ReadRunInfo(results, stderr);
        var known = KnownDivergences.Load(a.Get("--divergences"));
        var outcomes = Verifier.Verify(suite, results, Progress(suite.Cases.Count, stderr, "verified"), Results.Skipped(runInfo), Results.Skipped(runInfo, "errors"));
        bool InputHasNan(CaseSpec c)
        {
            try { return CaseEvaluator.LoadInputs(suite, c).Values.Any(t => t.Data.Any(double.IsNaN)); }
            catch (CaseException) { return false; }
        }
        if (!a.Has("--strict")) KnownDivergences.Apply(outcomes, runInfo?["backend"] is JsonValue bv && bv.TryGetValue<string>(out var bs) ? bs : null, known, InputHasNan);
        int shown = 0;
        foreach (var o in outcomes.Where(o => o.CountsAsFailure))
        {
            if (shown++ >= 50 && !a.Has("--quiet")) { stdout.WriteLine($"... {outcomes.Count(x => x.CountsAsFailure) - 50} more failing cases (see --report)"); break; }
            if (a.Has("--quiet")) break;
            stdout.WriteLine($"{o.Status.ToUpperInvariant()} {o.Case.Id} ({o.Case.Op}): {o.Message}");
            if (o.Descriptor is not null) stdout.WriteLine($"    problem: {o.Descriptor}");
            stdout.WriteLine($"    repro:   {Verifier.Repro(suite, o.Case)}");
        }
        if (report is not null)
            File.WriteAllText(report, Verifier.Report(suite, results, outcomes).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (junit is not null) Verifier.JUnit(suite, outcomes).Save(junit);
        if (html is not null) File.WriteAllText(html, HtmlReport.Render(suite, results, outcomes));
        foreach (var o in outcomes.Where(o => o.Status == "known").Take(a.Has("--quiet") ? 0 : 20))
            stdout.WriteLine($"KNOWN {o.Case.Id} ({o.Case.Op}): {o.Message}");
        int known2 = outcomes.Count(o => o.Status == "known");
        if (known2 > 0) stdout.WriteLine($"{known2} known divergences (not counted as failures; --strict counts them)");
        int passed = outcomes.Count(o => o.Status == "pass");
        int failed = outcomes.Count(o => o.CountsAsFailure);
        int skipped = outcomes.Count(o => o.Status == "skipped");
        foreach (var g in outcomes.GroupBy(o => o.Case.Op).OrderBy(g => g.Key, StringComparer.Ordinal).Where(g => g.Any(o => o.CountsAsFailure)))
            stdout.WriteLine($"  {g.Key}: {g.Count(o => !o.CountsAsFailure)}/{g.Count()} passed");
        stdout.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
        return failed > 0 ? 1 : 0;
    }

    public static int Explain(Args a, TextWriter stdout)
    {
        NoPositional(a);
        var opName = a.Required("--op");
        var op = OpRegistry.Find(opName) ?? throw new UnusableException("--op", null, "op", $"unknown op '{opName}' (see poolconf list)");
        var prmsText = a.Get("--params") ?? "{}";
        JsonElement prms;
        try
        {
            using var doc = JsonDocument.Parse(prmsText, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            prms = doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new UnusableException("--params", null, "params", $"not a JSON object: {e.Message.Split('\n')[0]}"); }
        var shapeText = a.Required("--shape");
        int[] shape;
        try { shape = shapeText.Split(',').Select(s => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new UnusableException("--shape", null, "shape", $"'{shapeText}' is not a comma-separated list of non-negative ints"); }
        catch (OverflowException) { throw new UnusableException("--shape", null, "shape", $"'{shapeText}' has an entry out of range"); }
        if (Tensor.ElementCount(shape) > 1 << 24) throw new UnusableException("--shape", null, "shape", "more than 2^24 elements: explain is for small problems");
        var inputs = ExplainInputs(op, shape, prms, a.Get("--boxes"));
        OpResult r;
        try { r = op.Evaluate(prms, inputs); }
        catch (InvalidParameterException e) { throw new UnusableException("--params", null, e.Field, e.Message); }
        stdout.WriteLine($"op:      {op.Name}");
        stdout.WriteLine($"params:  {JsonSerializer.Serialize(prms)}");
        stdout.WriteLine($"input:   {string.Join(", ", inputs.Select(kv => $"{kv.Key} {kv.Value}"))}");
        stdout.WriteLine($"problem: {r.Descriptor}");
        foreach (var (name, e) in r.Outputs)
            stdout.WriteLine($"output:  {name} {e.Value}{(r.DefaultOutputs.Contains(name) ? "" : " (not produced by default)")}");
        if (r.Windows is { } ws && r.WindowInputShape is { } ins && r.WindowOutputShape is { } outs)
        {
            stdout.WriteLine($"windows of one (n, c) plane: input {Tensor.ShapeText(ins)} -> output {Tensor.ShapeText(outs)}; taps as flat in-plane index (coordinates)");
            var outT = Tensor.Zeros(DType.Float64, outs);
            var inT = Tensor.Zeros(DType.Float64, ins);
            int limit = 2000;
            foreach (var w in ws.Take(limit))
            {
                var taps = string.Join(" ", w.Taps.Take(64).Select(t => $"{t}({string.Join(",", inT.Unravel(t))})"));
                if (w.Taps.Length > 64) taps += $" … {w.Taps.Length - 64} more";
                stdout.WriteLine($"  out {Tensor.ShapeText(outT.Unravel(w.Output))}: {w.Taps.Length} taps{(w.IsEmpty ? " (EMPTY)" : "")}, padded extent {w.Padded}, kernel {w.FullKernel}" +
                    $"{(r.DivisorText is { } dt ? ", " + dt(w) : "")}: {taps}");
            }
            if (ws.Count > limit) stdout.WriteLine($"  … {ws.Count - limit} more windows");
        }
        if (r.ExplainLines is { } lines)
        {
            int n = 0;
            foreach (var line in lines())
            {
                if (n++ >= 5000) { stdout.WriteLine("  … (truncated at 5000 lines)"); break; }
                stdout.WriteLine(line);
            }
        }
        return 0;
    }

    /// <summary>Inputs for explain: zeros of the given shape, plus valid auxiliary inputs (samples 0.5, indices 0).</summary>
    static Dictionary<string, Tensor> ExplainInputs(PoolOp op, int[] shape, JsonElement prms, string? boxesText)
    {
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [op.Inputs[0]] = Tensor.Zeros(DType.Float32, shape) };
        if (boxesText is not null)
        {
            // --boxes "b,x1,y1,x2,y2;..." (ROI ops): five numbers per box, or four plus batch_indices for onnx.RoiAlign.
            double[][] rows;
            try { rows = boxesText.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToArray(); }
            catch (FormatException) { throw new UnusableException("--boxes", null, "boxes", $"'{boxesText}' is not 'b,x1,y1,x2,y2;...'"); }
            if (rows.Length == 0 || rows.Any(r => r.Length != 5)) throw new UnusableException("--boxes", null, "boxes", "each box needs five numbers: batch, x1, y1, x2, y2");
            string boxName = op.Inputs.Contains("boxes") ? "boxes" : "rois";
            if (op.Name == "onnx.RoiAlign")
            {
                inputs["rois"] = new Tensor(DType.Float32, [rows.Length, 4], rows.SelectMany(r => r[1..]).ToArray());
                inputs["batch_indices"] = new Tensor(DType.Int64, [rows.Length], rows.Select(r => r[0]).ToArray());
            }
            else inputs[boxName] = new Tensor(DType.Float32, [rows.Length, 5], rows.SelectMany(r => r.Select(v => (double)(float)v)).ToArray());
        }
        foreach (var name in op.Inputs.Skip(1).Except(op.OptionalInputs).Where(n => !inputs.ContainsKey(n)))
        {
            if (name == "samples")
            {
                int nd = shape.Length - 2 >= 2 ? shape.Length - 2 : 2;
                int n = shape.Length > nd + 1 ? shape[0] : 1, c = shape.Length > nd + 1 ? shape[1] : shape[0];
                inputs[name] = new Tensor(DType.Float32, [n, c, nd], Enumerable.Repeat(0.5, n * c * nd).ToArray());
            }
            else inputs[name] = Tensor.Zeros(DType.Int64, shape);
        }
        return inputs;
    }
}
