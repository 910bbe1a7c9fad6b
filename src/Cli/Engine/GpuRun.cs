using System.Text.Json.Nodes;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Engine;

/// <summary>
/// The <c>gpu</c> and <c>gpu:cpu</c> backends of <c>poolconf run</c> and the <c>gpu-info</c> command. This is the only CLI code that
/// touches src/Optimized.Gpu (and through it ILGPU), so every other command runs without loading ILGPU.
/// </summary>
public static class GpuRun
{
    /// <summary>
    /// Runs every case the GPU kernels serve; the rest go to run.json's <c>skipped</c> map with the reason. <c>gpu</c> without a
    /// CUDA device: one line on stderr, exit 2, nothing written. run.json records the backend and the device.
    /// </summary>
    public static int Run(Suite suite, string outDir, bool cpu, Action createOutput, TextWriter stdout, TextWriter stderr)
    {
        Optimized.Gpu.GpuRuntime rt;
        try { rt = Optimized.Gpu.GpuRuntime.Create(cpu); }
        catch (Optimized.Gpu.NoDeviceException e)
        {
            stderr.WriteLine($"poolconf: error: --backend gpu: {e.Message}");
            return 2;
        }
        using (rt)
        {
            createOutput();
            string backend = cpu ? "gpu:cpu" : "gpu";
            stderr.WriteLine($"poolconf: {backend} backend on {rt.DeviceName}");
            var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
            var failed = new Dictionary<string, string>(StringComparer.Ordinal);
            int ran = 0, errors = 0, done = 0, total = suite.Cases.Count, lastDecile = 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var c in suite.Cases)
            {
                done++;
                int dec = total == 0 ? 10 : done * 10 / total;
                if (dec > lastDecile) { lastDecile = dec; stderr.WriteLine($"poolconf: ran {done}/{total} ({dec * 10}%)"); }
                if (Optimized.Gpu.GpuBackend.Unsupported(c) is { } why) { skipped[c.Id] = why; continue; }
                try
                {
                    var outs = Optimized.Gpu.GpuBackend.Run(rt, c, CaseEvaluator.LoadInputs(suite, c));
                    foreach (var o in c.Outputs)
                        if (outs.TryGetValue(o, out var t)) Results.WriteOutput(outDir, c.Id, o, t);
                    ran++;
                }
                catch (Optimized.Planning.NotServedException e) { skipped[c.Id] = $"gpu kernels do not serve it: {e.Message}"; }
                catch (CaseException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); }
                catch (InvalidParameterException e) { errors++; stderr.WriteLine($"poolconf: case '{c.Id}': field '{e.Field}': {e.Message}"); }
                catch (Optimized.Gpu.GpuKernelException e)
                {
                    // A kernel that failed to compile or launch on this device: recorded per case, the run goes on.
                    errors++;
                    string msg = e.Message;
                    failed[c.Id] = $"gpu: {msg}";
                    stderr.WriteLine($"poolconf: case '{c.Id}': gpu: {msg}");
                }
            }
            Results.WriteRunInfo(outDir, backend, Optimized.Gpu.GpuBackend.Version(rt), suite.Name, skipped, failed);
            var path = Path.Combine(outDir, "run.json");
            var info = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            info["device"] = rt.DeviceName;
            info["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2);
            File.WriteAllText(path, info.ToJsonString(new() { WriteIndented = true }) + "\n");
            stdout.WriteLine($"{backend} backend on {rt.DeviceName}: {ran} cases ran, {errors} errors, {skipped.Count} skipped (ops or dtypes the GPU kernels do not serve); results in {outDir}");
            return errors > 0 ? 1 : 0;
        }
    }

    /// <summary><c>poolconf gpu-info</c>: every device ILGPU sees; exit 0 when a CUDA device exists, 2 when none.</summary>
    public static int Info(TextWriter stdout, TextWriter stderr)
    {
        var (lines, cuda) = Optimized.Gpu.GpuRuntime.Describe();
        stdout.WriteLine($"ILGPU {Optimized.Gpu.GpuRuntime.IlgpuVersion}: {lines.Count} device(s), {cuda} CUDA");
        foreach (var l in lines) stdout.WriteLine("  " + l);
        if (cuda == 0) { stderr.WriteLine("poolconf: gpu-info: no CUDA device (backend 'gpu' will exit 2; 'gpu:cpu' runs the kernels on the CPU accelerator)"); return 2; }
        return 0;
    }

    /// <summary>
    /// <c>poolconf gpu-bench [--cpu] [--workloads W1,W2,...] [--min-ms N] [--peak-gbs N] [--json FILE]</c>: times <c>GpuBenchBackend</c> alone on the
    /// bench workloads (the device check's fallback when <c>poolconf bench</c> is not in the build). Per workload: prepare (upload,
    /// compile, one checked run), 3 warm-up runs, then runs until <c>--min-ms</c> (default 300) have passed (at most 1000 runs); the
    /// median run time, GB/s from the bytes a run must move, and the device. Exit 2 without a CUDA device (unless --cpu).
    /// </summary>
    public static int Bench(Args a, TextWriter stdout, TextWriter stderr)
    {
        bool cpu = a.Has("--cpu");
        var names = a.Get("--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workloads = names is null ? Optimized.Bench.BenchWorkload.All.ToList()
            : names.Select(n => Optimized.Bench.BenchWorkload.Find(n) ?? throw new UsageException($"option '--workloads': unknown workload '{n}' (known: {string.Join(", ", Optimized.Bench.BenchWorkload.All.Select(w => w.Name))})")).ToList();
        double minMs = 300, peak = 0;
        if (a.Get("--peak-gbs") is { } pk && (!double.TryParse(pk, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out peak) || peak <= 0))
            throw new UsageException($"option '--peak-gbs': '{pk}' is not a positive number");
        if (a.Get("--min-ms") is { } m && (!double.TryParse(m, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out minMs) || minMs <= 0))
            throw new UsageException($"option '--min-ms': '{m}' is not a positive number");
        Optimized.Gpu.GpuBenchBackend backend;
        try { backend = Optimized.Gpu.GpuBenchBackend.Create(cpu); }
        catch (Optimized.Gpu.NoDeviceException e) { stderr.WriteLine($"poolconf: error: gpu-bench: {e.Message}"); return 2; }
        using (backend)
        {
            var rows = new JsonArray();
            int failures = 0;
            stdout.WriteLine($"gpu-bench on {backend.Device}");
            stdout.WriteLine($"{"workload",-9} {"median ms",12} {"GB/s",10} {"runs",6}  label");
            foreach (var w in workloads)
            {
                var row = new JsonObject { ["workload"] = w.Name, ["label"] = w.Label, ["backend"] = backend.Name, ["device"] = backend.Device };
                try
                {
                    if (backend.Unsupported(w) is { } why) { row["skipped"] = why; rows.Add(row); stdout.WriteLine($"{w.Name,-9} skipped: {why}"); continue; }
                    using var prepared = backend.Prepare(w, 1);
                    for (int i = 0; i < 3; i++) prepared.Run();
                    var times = new List<double>();
                    var total = System.Diagnostics.Stopwatch.StartNew();
                    while ((total.Elapsed.TotalMilliseconds < minMs || times.Count < 5) && times.Count < 1000)
                    {
                        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                        prepared.Run();
                        times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                    times.Sort();
                    double median = times[times.Count / 2];
                    double gbs = prepared.Bytes / (median / 1000) / 1e9;
                    row["median_ms"] = Math.Round(median, 5); row["min_ms"] = Math.Round(times[0], 5); row["runs"] = times.Count;
                    row["bytes"] = prepared.Bytes; row["gb_per_s"] = Math.Round(gbs, 2); row["checked"] = true;
                    if (peak > 0) row["fraction_of_peak"] = Math.Round(gbs / peak, 4);
                    stdout.WriteLine($"{w.Name,-9} {median,12:F4} {gbs,10:F1} {times.Count,6}  {w.Label}");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures++;
                    row["error"] = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    stdout.WriteLine($"{w.Name,-9} FAILED: {row["error"]}");
                }
                rows.Add(row);
            }
            if (a.Get("--json") is { } path)
                File.WriteAllText(path, new JsonObject { ["device"] = backend.Device, ["backend"] = backend.Name, ["peak_gb_per_s"] = peak > 0 ? peak : null, ["results"] = rows }.ToJsonString(new() { WriteIndented = true }) + "\n");
            return failures > 0 ? 1 : 0;
        }
    }
}
