using NUnit.Framework;
using PoolingConformance.Cli.Bench;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The CI performance gate of issue 6 (item 5): in this one process, with the <c>poolconf bench</c> harness — warm-up, then
/// samples interleaved round-robin across backends, the median of the repeats — and on ratios only, never absolute times:
/// the optimized kernels at least 10× faster than the reference on three workloads (W1, W3, W5-NHWC), and at least 0.9× ONNX Runtime's speed
/// (1 thread each, 0.9 absorbing noise) on W1 and W2. Every output is checked against the oracle before it is timed, so a fast
/// wrong kernel fails here too. <c>[Explicit]</c>: it runs only when selected (<c>--filter Category=PerfGate</c>, a line of
/// .ci/run), because timing ratios on a machine shared with other jobs is the gate's own business, not every test run's.
/// </summary>
[TestFixture, Category("PerfGate"), Explicit("timing ratios: run with --filter Category=PerfGate")]
[NonParallelizable]
public class PerfGateTests
{
    static readonly BenchSettings Settings = new([], [], [1], Repeats: 15, MinTimeSeconds: 0.05, WarmupSeconds: 1.0);
    // Warm-up 1 s: at 0.25 s a CI run caught the new W1 fast path still in tier-0 code for its first four samples (2.4 ms, then
    // 0.23 ms once tiered compilation promoted it), which halved the median ratio; a gate must time steady-state code.

    static BenchWorkloadResult Measure(string workload, params string[] backends)
    {
        var w = BenchWorkload.Find(workload)!;
        using var runner = new BenchRunner(BenchRegistry.Default(), TestContext.Progress);
        var result = runner.RunWorkload(w, Settings with { Backends = backends, Workloads = [w] });
        foreach (var e in result.Entries)
        {
            Assert.That(e.Status, Is.EqualTo(BenchStatus.Ok), $"{e.Backend} on {workload}: {e.Status}: {e.Reason}");
            TestContext.Out.WriteLine($"{workload} {e.Backend} {e.Threads}t: median {e.MedianMs:F4} ms, samples [{string.Join(", ", e.SamplesMs.Select(v => v.ToString("F4")))}]");
        }
        return result;
    }

    /// <summary>
    /// W1, W3 and W5-NHWC: the three workloads among those with a kernel where the reference does the most work per output
    /// (9-tap windows). W2's 4-tap windows make the float64 oracle comparatively cheap — its ratio measured 10–35× on the
    /// shared 2-vCPU machine, too close to the bar to gate on without flakes; W2 is gated against ONNX Runtime instead.
    /// </summary>
    [TestCase("W1"), TestCase("W3"), TestCase("W5-NHWC")]
    public void Optimized_IsAtLeastTenTimesTheReference(string workload)
    {
        var r = Measure(workload, "reference", "optimized");
        double ratio = r.Find("optimized", 1)!.VsReference;
        TestContext.Out.WriteLine($"{workload}: optimized / reference speed = {ratio:F1}×");
        Assert.That(ratio, Is.GreaterThanOrEqualTo(10), $"{workload}: optimized is only {ratio:F2}× the reference's speed (gate: 10×)");
    }

    // W1 passes since the columns-first stride-2 kernel (1.19x ONNX Runtime on the idle dev machine, 2026-11-30); it had been
    // ignored at 0.68-0.80x with its threshold kept at the issue's 0.9.
    [TestCase("W1"), TestCase("W2")]
    public void Optimized_IsNotSlowerThanOnnxRuntime_OneThread(string workload)
    {
        var r = Measure(workload, "optimized", "onnxruntime");
        double ratio = r.Find("onnxruntime", 1)!.MedianMs / r.Find("optimized", 1)!.MedianMs;
        TestContext.Out.WriteLine($"{workload}: optimized / ONNX Runtime speed = {ratio:F2}×");
        Assert.That(ratio, Is.GreaterThanOrEqualTo(0.9), $"{workload}: optimized runs at {ratio:F2}× ONNX Runtime's speed, 1 thread each (gate: 0.9×)");
    }
}
