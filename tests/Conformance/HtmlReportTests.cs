using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Core;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>verify --html: a self-contained page with the summary, the failing case first, its error map and mismatches, and per-op rates.</summary>
[TestFixture]
public class HtmlReportTests
{
    [Test]
    public void HtmlReport_ShowsTheFailingCaseWithAnErrorMap_AndLoadsNothingExternal()
    {
        var root = Repo.TempDir("html");
        try
        {
            string suite = Path.Combine(root, "s"), results = Path.Combine(root, "r"), html = Path.Combine(root, "report.html");
            Assert.That(Program.Run(["generate", "--suite", "smoke", "--out", suite], new StringWriter(), new StringWriter()), Is.EqualTo(0));
            Assert.That(Program.Run(["run", "--suite", suite, "--backend", "reference", "--out", results], new StringWriter(), new StringWriter()), Is.EqualTo(0));
            var s = Manifest.Load(suite);
            var c = s.Cases.First(c => c.Op == "torch.max_pool2d" && c.Id.Contains("-rand/"));
            var file = Path.Combine(results, c.Id, "output.npy");
            var t = Npy.Read(file);
            int i = Array.FindIndex(t.Data, double.IsFinite);
            t.Data[i] = (float)(t.Data[i] + 1);
            Npy.Write(file, t);
            Assert.That(Program.Run(["verify", "--suite", suite, "--results", results, "--html", html, "--quiet"], new StringWriter(), new StringWriter()), Is.EqualTo(1));
            var page = File.ReadAllText(html);
            Assert.That(page, Does.Contain($"FAIL {c.Id}").And.Contain("<svg").And.Contain("error map of <code>output</code>"));
            Assert.That(page.IndexOf("Failing cases", StringComparison.Ordinal), Is.LessThan(page.IndexOf("Per op", StringComparison.Ordinal)));
            Assert.That(page, Does.Not.Contain("<script").And.Not.Contain("src=").And.Not.Contain("<link"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
