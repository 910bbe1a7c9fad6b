using System.Globalization;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Cli.Bench;

/// <summary>
/// <c>poolconf bench [--backends a,b] [--workloads W1,W2] [--threads 1,2] [--repeats N] [--min-time S] [--json FILE]</c>: the
/// workloads of issue 6 (<see cref="BenchWorkload.All"/>) on every named backend side by side in this one process (see
/// <see cref="BenchRunner"/>), one table per workload on standard output, progress on standard error, and with
/// <c>--json</c> every sample and the machine. Exit 0 (CONTRACT.md); a command line that does not parse is exit 2 naming the option.
/// </summary>
public static class BenchCommand
{
    public static readonly string[] Options = ["--backends", "--workloads", "--threads", "--repeats", "--min-time", "--json"];

    public const string DefaultBackends = "reference,optimized,onnxruntime,copy";

    /// <summary>Parses the options into settings (a <see cref="UsageException"/> names the option that is wrong).</summary>
    public static BenchSettings Parse(Args a, BenchRegistry registry)
    {
        if (a.Positional.Count > 0) throw new UsageException($"unexpected argument '{a.Positional[0]}'");
        var backends = List(a, "--backends", a.Get("--backends") ?? DefaultBackends);
        foreach (var b in backends)
            if (registry.Find(b) is null)
                throw new UsageException($"option '--backends': unknown backend '{b}' (available: {string.Join(", ", registry.All.Select(x => x.Name))})");
        var workloads = new List<BenchWorkload>();
        foreach (var n in List(a, "--workloads", a.Get("--workloads") ?? string.Join(",", BenchWorkload.All.Select(w => w.Name))))
        {
            // "W5" names both layouts of W5; an exact name names one workload.
            var hits = BenchWorkload.Find(n) is { } one ? [one]
                : BenchWorkload.All.Where(w => w.Name.StartsWith(n + "-", StringComparison.OrdinalIgnoreCase)).ToList();
            if (hits.Count == 0)
                throw new UsageException($"option '--workloads': unknown workload '{n}' (available: {string.Join(", ", BenchWorkload.All.Select(w => w.Name))})");
            foreach (var h in hits)
                if (workloads.Contains(h)) throw new UsageException($"option '--workloads': '{h.Name}' named twice");
                else workloads.Add(h);
        }
        var threads = List(a, "--threads", a.Get("--threads") ?? "1").Select(t =>
            int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= 1024 ? v
                : throw new UsageException($"option '--threads': '{t}' is not a thread count from 1 to 1024")).ToList();
        if (threads.Distinct().Count() != threads.Count) throw new UsageException("option '--threads': a thread count is named twice");
        int repeats = 7;
        if (a.Get("--repeats") is { } rs && (!int.TryParse(rs, NumberStyles.None, CultureInfo.InvariantCulture, out repeats) || repeats is < 1 or > 1000))
            throw new UsageException($"option '--repeats': '{rs}' is not an integer from 1 to 1000");
        double minTime = 0.05;
        if (a.Get("--min-time") is { } ms && (!double.TryParse(ms, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out minTime) || !(minTime > 0) || minTime > 60))
            throw new UsageException($"option '--min-time': '{ms}' is not a number of seconds in (0, 60]");
        if (a.Get("--json") is { } json)
        {
            var parent = Path.GetDirectoryName(Path.GetFullPath(json));
            if (parent is null || !Directory.Exists(parent)) throw new UnusableException(json, null, "--json", "its parent folder does not exist");
            if (Directory.Exists(json)) throw new UnusableException(json, null, "--json", "is a folder");
        }
        return new BenchSettings(backends, workloads, threads, repeats, minTime);
    }

    static List<string> List(Args a, string option, string value)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (items.Count == 0 || items.Any(i => i.Length == 0)) throw new UsageException($"option '{option}': empty item in '{value}'");
        if (option == "--backends" && items.Distinct(StringComparer.Ordinal).Count() != items.Count) throw new UsageException($"option '{option}': a backend is named twice");
        return items;
    }

    public static int Run(Args a, TextWriter stdout, TextWriter stderr) => Run(a, stdout, stderr, BenchRegistry.Default());

    public static int Run(Args a, TextWriter stdout, TextWriter stderr, BenchRegistry registry)
    {
        var s = Parse(a, registry);
        var start = DateTime.UtcNow;
        var loadAtStart = BenchReport.LoadAverage();
        stdout.WriteLine(BenchReport.Header(start));
        stdout.WriteLine($"median and min of {s.Repeats} interleaved samples (each ≥ {s.MinTimeSeconds.ToString(CultureInfo.InvariantCulture)} s) per backend; " +
            "GB/s = (input + output bytes) / median; vs ref = reference median / median; vs copy = fraction of the copy bound's bandwidth");
        using var runner = new BenchRunner(registry, stderr);
        var results = new List<BenchWorkloadResult>();
        foreach (var w in s.Workloads)
        {
            var r = runner.RunWorkload(w, s);
            results.Add(r);
            BenchReport.Table(r, stdout);
        }
        if (a.Get("--json") is { } json)
        {
            File.WriteAllText(json, BenchReport.ToText(BenchReport.Json(results, s, start, loadAtStart)) + "\n");
            stderr.WriteLine($"poolconf: bench: wrote {json}");
        }
        int wrong = results.Sum(r => r.Entries.Count(e => e.Status == BenchStatus.Wrong));
        if (wrong > 0) stdout.WriteLine($"\n{wrong} backend result(s) disagreed with the oracle and were not timed (WRONG above)");
        return 0;
    }
}
