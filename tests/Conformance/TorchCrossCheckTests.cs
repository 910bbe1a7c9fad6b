using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Cli.Engine;
using PoolingConformance.Core;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The oracle against PyTorch 1.13 and torchvision 0.14 (Debian python3-torch, python3-torchvision) through the contract's
/// exec: backend: every torch.* and torchvision.* case of
/// the standard suite, for a fixed seed and a fresh random one (printed, so a failure replays with
/// <c>poolconf generate --suite standard --seed N</c>). Ignored with the reason when PyTorch cannot be imported.
/// </summary>
[TestFixture, Category("Torch")]
public class TorchCrossCheckTests
{
    static IEnumerable<TestCaseData> Seeds()
    {
        yield return new TestCaseData(42UL, "float32").SetName("TorchOps_AgreeWithPyTorch_Seed42_Float32");
        yield return new TestCaseData(7UL, "float64").SetName("TorchOps_AgreeWithPyTorch_Seed7_Float64");
        yield return new TestCaseData((ulong)Random.Shared.NextInt64(1, long.MaxValue), "float32").SetName("TorchOps_AgreeWithPyTorch_RandomSeed_Float32");
    }

    [TestCaseSource(nameof(Seeds))]
    public void EveryTorchCase_PassesVerify_AgainstPyTorch(ulong seed, string dtype)
    {
        var python = Repo.PythonWith("torch", "torchvision", "numpy") ?? throw new IgnoreException("/usr/bin/python3 cannot import torch and numpy (apt-get install python3-torch python3-torchvision python3-numpy)");
        TestContext.Progress.WriteLine($"torch cross-check: seed {seed}, {dtype} (replay: poolconf generate --suite standard --seed {seed} --dtype {dtype})");
        var root = Repo.TempDir("torchx");
        try
        {
            string suite = Path.Combine(root, "suite"), results = Path.Combine(root, "results");
            var so = new StringWriter(); var se = new StringWriter();
            Assert.That(Program.Run(["generate", "--suite", "standard", "--seed", seed.ToString(), "--dtype", dtype, "--out", suite], so, se), Is.EqualTo(0), se.ToString());
            var adapter = Path.Combine(Repo.Root, "adapters", "python", "torch_backend.py");
            Assert.That(Program.Run(["run", "--suite", suite, "--backend", $"exec:{python} {adapter}", "--out", results], so, se), Is.EqualTo(0), se.ToString());
            var s = Manifest.Load(suite);
            var torchCases = s.Cases.Where(c => c.Op.StartsWith("torch.", StringComparison.Ordinal) || c.Op.StartsWith("torchvision.", StringComparison.Ordinal)).ToList();
            Assert.That(torchCases, Has.Count.GreaterThan(500), "the standard suite must exercise the torch ops");
            var failures = torchCases.Select(c => Verifier.VerifyCase(s, results, c)).Where(o => o.Status != "pass")
                .Select(o => $"{o.Case.Id}: {o.Status}: {o.Message}").ToList();
            Assert.That(failures, Is.Empty, $"seed {seed}: {failures.Count} of {torchCases.Count} torch cases disagree with PyTorch:\n" + string.Join("\n", failures.Take(20)));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
