using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Cli.Bench;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// <c>poolconf bench</c>: its command line (bad options are exit 2 naming the option), its JSON, and the harness's two
/// promises — a backend whose output disagrees with the oracle is reported and never timed, and samples are interleaved
/// round-robin across backends.
/// </summary>
[TestFixture, Category("Bench")]
public class BenchCommandTests
{
    [TestCase("--threads", "0")]
    [TestCase("--threads", "1,x")]
    [TestCase("--threads", "1,1")]
    [TestCase("--backends", "reference,nosuch")]
    [TestCase("--backends", "copy,copy")]
    [TestCase("--backends", "")]
    [TestCase("--workloads", "W9")]
    [TestCase("--workloads", "W1,,W2")]
    [TestCase("--workloads", "W1,w1")]
    [TestCase("--repeats", "0")]
    [TestCase("--repeats", "many")]
    [TestCase("--min-time", "-1")]
    [TestCase("--min-time", "0")]
    [TestCase("--min-time", "NaN")]
    public void BadOption_Exits2_NamingTheOption(string option, string value)
    {
        var r = Cli.Run("bench", option, value);
        Cli.AssertUnusable(r, option);
        Assert.That(r.Stdout, Is.Empty, "nothing is measured or printed before the command line is accepted");
    }

    [Test]
    public void UnknownOption_Exits2_NamingIt() => Cli.AssertUnusable(Cli.Run("bench", "--frobnicate", "1"), "--frobnicate");

    [Test]
    public void JsonInMissingFolder_Exits2_NamingTheOption() =>
        Cli.AssertUnusable(Cli.Run("bench", "--json", Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid(), "b.json")), "--json");

    [Test]
    public void Workload_W5_NamesBothLayouts()
    {
        var s = BenchCommand.Parse(new Args(["--workloads", "W5,w1"], BenchCommand.Options, []), BenchRegistry.Default());
        Assert.That(s.Workloads.Select(w => w.Name), Is.EqualTo(new[] { "W5-NCHW", "W5-NHWC", "W1" }));
        Assert.That(s.Threads, Is.EqualTo(new[] { 1 }));
        Assert.That(s.Backends, Is.EqualTo(new[] { "reference", "optimized", "onnxruntime", "copy" }));
    }

    [Test]
    public void Bench_PrintsTables_AndWritesJsonWithTheMachine()
    {
        var dir = Directory.CreateTempSubdirectory("bench-json").FullName;
        var json = Path.Combine(dir, "bench.json");
        var r = Cli.Run("bench", "--backends", "optimized,onnxruntime,copy", "--workloads", "W2,W5-NHWC", "--threads", "1,2", "--repeats", "2", "--min-time", "0.001", "--json", json);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("W2  max 1×64×224×224 k2 s2"));
        Assert.That(r.Stdout, Does.Match(@"onnxruntime\s+1\s+n/a: \S"), "ONNX pooling has no channels-last form: W5-NHWC is n/a with the reason");
        Assert.That(r.Stderr, Does.Contain("poolconf: bench W2: preparing optimized"), "progress goes to stderr");
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That((int)doc["machine"]!["processor_count"]!, Is.EqualTo(Environment.ProcessorCount));
        Assert.That((string)doc["machine"]!["isa_tier"]!, Does.StartWith("Vector").Or.EqualTo("scalar"));
        Assert.That((string)doc["machine"]!["dotnet"]!, Does.Contain(".NET"));
        Assert.That(DateTime.TryParse((string)doc["date"]!, out _), "an ISO date");
        var w2 = doc["workloads"]![0]!;
        Assert.That((string)w2["name"]!, Is.EqualTo("W2"));
        Assert.That((long)w2["input_bytes"]!, Is.EqualTo(4L * 64 * 224 * 224));
        Assert.That((long)w2["output_bytes"]!, Is.EqualTo(4L * 64 * 112 * 112));
        var results = w2["results"]!.AsArray();
        Assert.That(results, Has.Count.EqualTo(6), "optimized, onnxruntime and copy at 1 and 2 threads");
        foreach (var e in results)
        {
            Assert.That((string)e!["status"]!, Is.EqualTo("ok"), e.ToJsonString());
            Assert.That(e["samples_ms"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That((double)e["median_ms"]!, Is.GreaterThan(0));
        }
        var opt = results.First(e => (string)e!["backend"]! == "optimized")!;
        Assert.That((bool)opt["checked_against_oracle"]!, Is.True, "the optimized output was compared with the oracle before timing");
        var copy1 = results.First(e => (string)e!["backend"]! == "copy" && (int)e["threads"]! == 1)!;
        Assert.That((double)copy1["vs_copy"]!, Is.EqualTo(1.0), "the copy bound is 100 % of itself");
        Assert.That(opt["vs_reference"], Is.Null, "no reference was run, so there is no ratio to it");
        var w5 = doc["workloads"]![1]!["results"]!.AsArray().First(e => (string)e!["backend"]! == "onnxruntime")!;
        Assert.That((string)w5["status"]!, Is.EqualTo("n/a"));
    }

    /// <summary>A backend that delegates to another and then spoils one element of its output by one ulp.</summary>
    sealed class OneUlpOff(IBenchBackend inner) : IBenchBackend
    {
        public int Runs;
        public string Name => "liar";
        public string? Unsupported(BenchWorkload w) => inner.Unsupported(w);
        public IPreparedBench Prepare(BenchWorkload w, int threads) => new P(inner.Prepare(w, threads), this);

        sealed class P(IPreparedBench inner, OneUlpOff owner) : IPreparedBench, IBenchOutput
        {
            public long Bytes => inner.Bytes;
            public void Run() { owner.Runs++; inner.Run(); }
            public float[] ReadOutput()
            {
                var y = (float[])((IBenchOutput)inner).ReadOutput().Clone();
                y[y.Length / 2] = MathF.BitIncrement(y[y.Length / 2]);
                return y;
            }
            public void Dispose() => inner.Dispose();
        }
    }

    [Test]
    public void BackendOneUlpOffTheOracle_IsReportedWrong_AndNeverTimed()
    {
        var liar = new OneUlpOff(new OptimizedBench());
        var registry = new BenchRegistry().Add("liar", () => liar).Add("optimized", () => new OptimizedBench());
        var w = BenchWorkload.Find("W1")!;
        var result = new BenchRunner(registry, TextWriter.Null).RunWorkload(w, new BenchSettings(["liar", "optimized"], [w], [1], Repeats: 2, MinTimeSeconds: 0.001));
        var bad = result.Entries.Single(e => e.Backend == "liar");
        Assert.That(bad.Status, Is.EqualTo(BenchStatus.Wrong));
        Assert.That(bad.Reason, Does.Contain("differs from the oracle").And.Contain("1 of"), "one element outside the exact tolerance of max pooling");
        Assert.That(bad.SamplesMs, Is.Empty);
        Assert.That(liar.Runs, Is.EqualTo(0), "the harness never ran the wrong backend after Prepare");
        var good = result.Entries.Single(e => e.Backend == "optimized");
        Assert.That(good.Status, Is.EqualTo(BenchStatus.Ok), good.Reason);
        Assert.That(good.CheckedByHarness, Is.True);
    }

    /// <summary>A backend whose run busy-waits a fixed time and logs its name.</summary>
    sealed class Logging(string name, List<string> log) : IBenchBackend
    {
        public string Name => name;
        public string? Unsupported(BenchWorkload w) => null;
        public IPreparedBench Prepare(BenchWorkload w, int threads) => new P(name, log);

        sealed class P(string name, List<string> log) : IPreparedBench
        {
            public long Bytes => 1;
            public void Run()
            {
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed.TotalMilliseconds < 1) { }
                log.Add(name);
            }
            public void Dispose() { }
        }
    }

    [Test]
    public void Samples_AreInterleavedRoundRobin_StartingOneLaterEachRepetition()
    {
        var log = new List<string>();
        var registry = new BenchRegistry().Add("a", () => new Logging("a", log), threaded: false).Add("b", () => new Logging("b", log), threaded: false)
            .Add("c", () => new Logging("c", log), threaded: false);
        var w = BenchWorkload.Find("W4")!;
        var s = new BenchSettings(["a", "b", "c"], [w], [1, 2], Repeats: 3, MinTimeSeconds: 1e-6, WarmupSeconds: 0);
        var result = new BenchRunner(registry, TextWriter.Null).RunWorkload(w, s);
        Assert.That(result.Entries.Select(e => (e.Backend, e.Threads)), Is.EqualTo(new[] { ("a", 1), ("b", 1), ("c", 1) }),
            "backends registered as not threaded run once, as 1 thread, whatever --threads says");
        Assert.That(result.Entries.All(e => e.RunsPerSample == 1), "a 1 ms run already exceeds the 1 µs sample time");
        Assert.That(log.TakeLast(9), Is.EqualTo(new[] { "a", "b", "c", "b", "c", "a", "c", "a", "b" }));
        Assert.That(log.Take(log.Count - 9).Where(x => x == "a").Count(), Is.EqualTo(BenchSettings.WarmupRuns),
            "with no warm-up time asked for, the warm-up is the minimum run count (tiered JIT needs 30 calls)");
    }
}

/// <summary>
/// <c>poolconf bench</c> on CPU backends never loads ILGPU (the GPU backends' factories are compiled only when selected):
/// a subprocess's /proc/PID/maps is read while it runs; <c>--backends gpu:cpu</c> is the control that must load it.
/// </summary>
[TestFixture, Category("Bench")]
public class BenchGpuIsolationTests
{
    static bool MapsIlgpu(string args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "poolconf.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { }; p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        bool seen = false;
        while (!p.HasExited)
        {
            try { seen |= File.ReadAllText($"/proc/{p.Id}/maps").Contains("ILGPU", StringComparison.OrdinalIgnoreCase); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            Thread.Sleep(20);
        }
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"poolconf {args}");
        return seen;
    }

    [Test]
    public void CpuBench_DoesNotLoadIlgpu_GpuCpuBenchDoes()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps")) Assert.Ignore("needs /proc/PID/maps (Linux)");
        Assert.That(MapsIlgpu("bench --backends optimized,copy --workloads W4 --repeats 1 --min-time 0.001"), Is.False, "a CPU-only bench loaded ILGPU");
        Assert.That(MapsIlgpu("bench --backends gpu:cpu --workloads W4 --repeats 1 --min-time 0.001"), Is.True, "the control: gpu:cpu must load ILGPU");
    }
}
