using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Cli.Bench;

/// <summary>The tables <c>poolconf bench</c> prints and the JSON it writes, with the machine they were measured on.</summary>
public static class BenchReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>CPU model name from /proc/cpuinfo (Linux), else the architecture.</summary>
    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var i and > 0) return line[(i + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or null where there is none.</summary>
    public static double[]? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            var f = File.ReadAllText("/proc/loadavg").Split(' ');
            return [double.Parse(f[0], Inv), double.Parse(f[1], Inv), double.Parse(f[2], Inv)];
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException) { return null; }
    }

    public static string IsaTier => Cascade.Name(Cascade.Widest);

    public static JsonObject Machine() => new()
    {
        ["cpu"] = CpuModel(),
        ["processor_count"] = Environment.ProcessorCount,
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["isa_tier"] = IsaTier,
        ["avx512f"] = Avx512F.IsSupported, ["avx2"] = Avx2.IsSupported,
        ["load_average"] = LoadAverage() is { } l ? new JsonArray(l.Select(v => (JsonNode)v).ToArray()) : null,
    };

    static string Ms(double v) => double.IsNaN(v) ? "-" : v >= 100 ? v.ToString("F1", Inv) : v >= 1 ? v.ToString("F3", Inv) : v.ToString("F4", Inv);
    static string Ratio(double v, string suffix) => double.IsNaN(v) ? "-" : (v >= 100 ? v.ToString("F0", Inv) : v >= 10 ? v.ToString("F1", Inv) : v.ToString("F2", Inv)) + suffix;

    public static string Header(DateTime start) =>
        $"poolconf bench {Commands.Version}, {start:yyyy-MM-dd HH:mm} UTC: {CpuModel()}, {Environment.ProcessorCount} logical CPUs, " +
        $"{RuntimeInformation.FrameworkDescription}, widest ISA tier {IsaTier}" +
        (LoadAverage() is { } l ? string.Create(Inv, $", load average {l[0]:F2} {l[1]:F2} {l[2]:F2}") : "");

    /// <summary>One table per workload: backend, threads, median and min ms per run, GB/s, speed-up over the reference, fraction of copy bandwidth.</summary>
    public static void Table(BenchWorkloadResult r, TextWriter o)
    {
        var w = r.Workload;
        o.WriteLine();
        o.WriteLine(string.Create(Inv, $"{w.Name}  {w.Label}  (reads {w.InputBytes / 1e6:F2} MB, writes {w.OutputBytes / 1e6:F2} MB)"));
        o.WriteLine($"  {"backend",-12} {"threads",7} {"median ms",11} {"min ms",11} {"GB/s",8} {"vs ref",8} {"vs copy",8}");
        foreach (var e in r.Entries)
        {
            if (e.Status != BenchStatus.Ok)
            {
                string tag = e.Status switch { BenchStatus.NotApplicable => "n/a", BenchStatus.Wrong => "WRONG", _ => "error" };
                o.WriteLine($"  {e.Backend,-12} {e.Threads,7}   {tag}: {e.Reason}");
                continue;
            }
            o.WriteLine(string.Create(Inv,
                $"  {e.Backend,-12} {e.Threads,7} {Ms(e.MedianMs),11} {Ms(e.MinMs),11} {e.GBps,8:F2} {Ratio(e.VsReference, "×"),8} {Ratio(e.VsCopy, ""),8}"));
        }
    }

    /// <summary>The JSON document: date, machine (with the load average at the start and at the end), settings, every sample.</summary>
    public static JsonObject Json(IReadOnlyList<BenchWorkloadResult> results, BenchSettings s, DateTime start, double[]? loadAtStart) => new()
    {
        ["tool"] = "poolconf bench",
        ["version"] = Commands.Version,
        ["date"] = start.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv),
        ["machine"] = Machine().Also(m => m["load_average_at_start"] = loadAtStart is null ? null : new JsonArray(loadAtStart.Select(v => (JsonNode)v).ToArray())),
        ["settings"] = new JsonObject
        {
            ["backends"] = new JsonArray(s.Backends.Select(b => (JsonNode)b).ToArray()),
            ["threads"] = new JsonArray(s.Threads.Select(t => (JsonNode)t).ToArray()),
            ["repeats"] = s.Repeats, ["min_time_s"] = s.MinTimeSeconds, ["warmup_s"] = s.WarmupSeconds,
            ["tolerance"] = "derived (verify's default)",
        },
        ["workloads"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Workload.Name,
            ["label"] = r.Workload.Label,
            ["input_bytes"] = r.Workload.InputBytes,
            ["output_bytes"] = r.Workload.OutputBytes,
            ["results"] = new JsonArray(r.Entries.Select(e => (JsonNode)new JsonObject
            {
                ["backend"] = e.Backend,
                ["threads"] = e.Threads,
                ["status"] = e.Status switch { BenchStatus.Ok => "ok", BenchStatus.NotApplicable => "n/a", BenchStatus.Wrong => "wrong", _ => "error" },
                ["reason"] = e.Reason,
                ["checked_against_oracle"] = e.CheckedByHarness,
                ["median_ms"] = Num(e.Status == BenchStatus.Ok ? e.MedianMs : double.NaN),
                ["min_ms"] = Num(e.Status == BenchStatus.Ok ? e.MinMs : double.NaN),
                ["gb_per_s"] = Num(e.Status == BenchStatus.Ok ? e.GBps : double.NaN),
                ["vs_reference"] = Num(e.VsReference),
                ["vs_copy"] = Num(e.VsCopy),
                ["runs_per_sample"] = e.RunsPerSample,
                ["samples_ms"] = new JsonArray(e.SamplesMs.Select(v => (JsonNode)v).ToArray()),
            }).ToArray()),
        }).ToArray()),
    };

    static JsonObject Also(this JsonObject o, Action<JsonObject> f) { f(o); return o; }

    static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    public static string ToText(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
