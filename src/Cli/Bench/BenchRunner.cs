using System.Diagnostics;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Cli.Bench;

/// <summary>What one bench run measures.</summary>
/// <param name="Backends">Backend names, looked up in the registry.</param>
/// <param name="Workloads">Workloads, timed one after another.</param>
/// <param name="Threads">Thread counts for threaded backends (the others run once, as 1).</param>
/// <param name="Repeats">Timed samples per backend and thread count; the table shows their median and minimum.</param>
/// <param name="MinTimeSeconds">Least duration of one sample: a sample runs the workload k times, k from the warm-up estimate.</param>
/// <param name="WarmupSeconds">Warm-up per entry before timing (and at least <see cref="WarmupRuns"/> runs, capped at 2 s), so tiered JIT has finished.</param>
public sealed record BenchSettings(IReadOnlyList<string> Backends, IReadOnlyList<BenchWorkload> Workloads, IReadOnlyList<int> Threads,
    int Repeats = 7, double MinTimeSeconds = 0.05, double WarmupSeconds = 0.25)
{
    public const int WarmupRuns = 40;
    public const double WarmupCapSeconds = 2.0;
}

public enum BenchStatus { Ok, NotApplicable, Wrong, Error }

/// <summary>One backend at one thread count on one workload.</summary>
public sealed class BenchEntry
{
    public required string Backend { get; init; }
    public required int Threads { get; init; }
    public BenchStatus Status { get; set; } = BenchStatus.Ok;
    /// <summary>Why it was not timed (n/a, wrong output, error), else null.</summary>
    public string? Reason { get; set; }
    /// <summary>Milliseconds per run of each timed sample, in the order taken.</summary>
    public List<double> SamplesMs { get; } = [];
    public int RunsPerSample { get; set; }
    public long Bytes { get; set; }
    /// <summary>Whether the harness compared the output with the oracle (the backend exposes <see cref="IBenchOutput"/>).</summary>
    public bool CheckedByHarness { get; set; }
    public double MedianMs => Median(SamplesMs);
    public double MinMs => SamplesMs.Count == 0 ? double.NaN : SamplesMs.Min();
    public double GBps => Bytes / (MedianMs * 1e6);
    /// <summary>Reference median / this median (a speed-up), NaN without a reference.</summary>
    public double VsReference { get; set; } = double.NaN;
    /// <summary>Copy-bound median / this median: the fraction of copy bandwidth reached, NaN without a copy entry.</summary>
    public double VsCopy { get; set; } = double.NaN;

    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

public sealed record BenchWorkloadResult(BenchWorkload Workload, IReadOnlyList<BenchEntry> Entries)
{
    public BenchEntry? Find(string backend, int threads) =>
        Entries.FirstOrDefault(e => e.Backend == backend && e.Threads == threads && e.Status == BenchStatus.Ok);
}

/// <summary>
/// The bench harness: per workload, prepares every backend × thread count (a backend that cannot serve the workload says why;
/// one whose output disagrees with the oracle is reported and never timed), warms each up, then takes the timed samples
/// interleaved — repetition r runs every entry once, round-robin, starting one entry later than repetition r − 1 — so slow
/// drift of the machine (other jobs, thermal state) spreads over all backends instead of favouring whichever ran first.
/// </summary>
public sealed class BenchRunner(BenchRegistry registry, TextWriter progress) : IDisposable
{
    /// <summary>Disposes the backends this runner created that hold resources (a GPU backend's context).</summary>
    public void Dispose()
    {
        foreach (var b in _instances.Values) (b as IDisposable)?.Dispose();
        _instances.Clear();
    }

    readonly Dictionary<string, IBenchBackend> _instances = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _failed = new(StringComparer.Ordinal);

    IBenchBackend? Instance(BenchBackendInfo b)
    {
        if (_instances.TryGetValue(b.Name, out var i)) return i;
        if (_failed.ContainsKey(b.Name)) return null;
        try { return _instances[b.Name] = b.Factory(); }
        catch (Exception e) { _failed[b.Name] = $"backend unavailable: {e.Message.Split('\n')[0]}"; return null; }
    }

    public List<BenchWorkloadResult> Run(BenchSettings s)
    {
        var results = new List<BenchWorkloadResult>();
        foreach (var w in s.Workloads) results.Add(RunWorkload(w, s));
        return results;
    }

    public BenchWorkloadResult RunWorkload(BenchWorkload w, BenchSettings s)
    {
        var entries = new List<BenchEntry>();
        var prepared = new List<(BenchEntry Entry, IPreparedBench Bench)>();
        Expectation? expected = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            foreach (var name in s.Backends)
            {
                var info = registry.Find(name) ?? throw new ArgumentException($"unknown bench backend '{name}'");
                foreach (var t in info.Threaded ? s.Threads : [1])
                {
                    var e = new BenchEntry { Backend = name, Threads = t };
                    entries.Add(e);
                    var backend = Instance(info);
                    if (backend is null) { e.Status = BenchStatus.Error; e.Reason = _failed[name]; continue; }
                    if (backend.Unsupported(w) is { } why) { e.Status = BenchStatus.NotApplicable; e.Reason = why; continue; }
                    progress.WriteLine($"poolconf: bench {w.Name}: preparing {name} ({t} thread{(t == 1 ? "" : "s")})");
                    IPreparedBench p;
                    try { p = backend.Prepare(w, t); }
                    catch (Exception ex) { e.Status = BenchStatus.Error; e.Reason = $"prepare failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}"; continue; }
                    e.Bytes = p.Bytes;
                    if (p is IBenchOutput o)
                    {
                        if (expected is null)
                        {
                            progress.WriteLine($"poolconf: bench {w.Name}: computing the oracle's answer for the output check");
                            expected = BenchOracle.Compute(w, BenchOracle.Input(w), BenchOracle.Boxes(w));
                        }
                        e.CheckedByHarness = true;
                        if (BenchOracle.Check(w, expected, o.ReadOutput()) is { } bad)
                        {
                            e.Status = BenchStatus.Wrong; e.Reason = $"output differs from the oracle: {bad}";
                            p.Dispose();
                            continue;
                        }
                    }
                    prepared.Add((e, p));
                }
            }
            expected = null;
            foreach (var (e, p) in prepared) WarmUp(e, p, s);
            progress.WriteLine($"poolconf: bench {w.Name}: timing {prepared.Count} entries × {s.Repeats} repeats");
            for (int r = 0; r < s.Repeats; r++)
                for (int j = 0; j < prepared.Count; j++)
                {
                    var (e, p) = prepared[(j + r) % prepared.Count];
                    long allocated = GC.GetTotalAllocatedBytes();
                    var sw = Stopwatch.StartNew();
                    for (int k = 0; k < e.RunsPerSample; k++) p.Run();
                    e.SamplesMs.Add(sw.Elapsed.TotalMilliseconds / e.RunsPerSample);
                    // A backend that allocates (the reference) leaves its garbage to itself: collect it now, untimed, rather
                    // than let a collection land inside the next backend's sample.
                    if (GC.GetTotalAllocatedBytes() - allocated > 1 << 20) GC.Collect();
                }
        }
        finally
        {
            foreach (var (_, p) in prepared) p.Dispose();
        }
        var reference = entries.FirstOrDefault(e => e.Backend == "reference" && e.Status == BenchStatus.Ok);
        foreach (var e in entries.Where(e => e.Status == BenchStatus.Ok))
        {
            if (reference is not null) e.VsReference = reference.MedianMs / e.MedianMs;
            var copy = entries.FirstOrDefault(c => c.Backend == "copy" && c.Status == BenchStatus.Ok && c.Threads == e.Threads)
                ?? entries.FirstOrDefault(c => c.Backend == "copy" && c.Status == BenchStatus.Ok && c.Threads == 1);
            if (copy is not null) e.VsCopy = copy.MedianMs / e.MedianMs;
        }
        return new BenchWorkloadResult(w, entries);
    }

    static void WarmUp(BenchEntry e, IPreparedBench p, BenchSettings s)
    {
        var total = Stopwatch.StartNew();
        double fastest = double.PositiveInfinity;
        int runs = 0;
        do
        {
            var one = Stopwatch.StartNew();
            p.Run();
            fastest = Math.Min(fastest, one.Elapsed.TotalSeconds);
            runs++;
        } while ((runs < BenchSettings.WarmupRuns || total.Elapsed.TotalSeconds < s.WarmupSeconds) && total.Elapsed.TotalSeconds < BenchSettings.WarmupCapSeconds);
        e.RunsPerSample = (int)Math.Clamp(Math.Ceiling(s.MinTimeSeconds / Math.Max(fastest, 1e-9)), 1, 1_000_000);
    }
}
