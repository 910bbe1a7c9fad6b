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
}
