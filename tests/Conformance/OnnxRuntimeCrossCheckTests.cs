using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The oracle against ONNX Runtime 1.31 (in process): every onnx.* case of the standard suite passes verify or is a
/// known, issue-referenced divergence (src/Cli/known-divergences.json); a new failure fails this test. Cases ONNX Runtime
/// has no kernel for (float64 AveragePool 19+, LpPool 18+, opset 1) are skipped with the reason.
/// </summary>
[TestFixture, Category("OnnxRuntime")]
public class OnnxRuntimeCrossCheckTests
{
    [TestCase(42UL, "float32")]
    [TestCase(3UL, "float64")]
    [TestCase(11UL, "float16")]
    public void OnnxCases_PassOrAreKnownDivergences_UnderOnnxRuntime(ulong seed, string dtype)
    {
        var root = Repo.TempDir("ortx");
        try
        {
            string suite = Path.Combine(root, "suite"), results = Path.Combine(root, "results");
            var se = new StringWriter();
            Assert.That(Program.Run(["generate", "--suite", "standard", "--seed", seed.ToString(), "--dtype", dtype, "--out", suite], new StringWriter(), se), Is.EqualTo(0), se.ToString());
            // ORT refuses some valid cases (pads >= kernel): run exits 1 for those errors, which verify then classifies.
            Program.Run(["run", "--suite", suite, "--backend", "onnxruntime", "--out", results], new StringWriter(), new StringWriter());
            var so = new StringWriter();
            int code = Program.Run(["verify", "--suite", suite, "--results", results, "--quiet"], so, new StringWriter());
            var lines = so.ToString().TrimEnd().Split('\n');
            Assert.That(code, Is.EqualTo(0), $"seed {seed} {dtype}: new ONNX Runtime failures:\n{so}");
            Assert.That(lines[^1], Does.Match(@"^\d+ passed, 0 failed"));
            // ONNX Runtime's CPU provider has float64 kernels for few pooling ops, so fewer float64 cases run.
            Assert.That(int.Parse(lines[^1].Split(' ')[0]), Is.GreaterThan(dtype == "float64" ? 300 : 700), "ONNX Runtime must run the onnx.* cases it has kernels for");
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
