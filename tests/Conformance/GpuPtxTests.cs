using NUnit.Framework;
using PoolingConformance.Optimized.Gpu;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// Every GPU kernel compiles to PTX for the H100/H200 architecture (SM_90) without a device, so a construct ILGPU's CUDA backend
/// rejects fails here, in CI, rather than on the one GPU run.
/// </summary>
[TestFixture, Category("Gpu-not-needed")]
public class GpuPtxTests
{
    public static IEnumerable<TestCaseData> Kernels() => PtxCheck.Kernels.Select(k => new TestCaseData(k.Name).SetName($"Ptx_{k.Name}"));

    [TestCaseSource(nameof(Kernels))]
    public void Kernel_CompilesToPtxForSm90(string name)
    {
        var method = PtxCheck.Kernels.Single(k => k.Name == name).Method;
        var ptx = PtxCheck.Compile(method);
        Assert.That(ptx, Does.Contain(".entry"), "PTX has a kernel entry");
        Assert.That(ptx, Does.Contain(".target sm_"));

    }

    [Test]
    public void Registry_ListsEveryCompiledKernel()
    {
        foreach (var (name, _) in PtxCheck.Kernels)
            Assert.That(GpuKernelRegistry.All.Select(k => k.Name), Does.Contain(name.Split('/')[0]));
    }
}

/// <summary>
/// CPU-only use of poolconf never loads ILGPU: a subprocess running <c>generate</c> and <c>run --backend optimized</c> never maps
/// ILGPU.dll or the GPU assembly (read from /proc/PID/maps while it runs); <c>run --backend gpu:cpu</c> does (the control).
/// </summary>
[TestFixture, Category("Gpu-not-needed")]
public class GpuIsolationTests
{
    static bool MapsIlgpu(string args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "poolconf.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { }; p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        bool seen = false;
        while (!p.HasExited)
        {
            try
            {
                var maps = File.ReadAllText($"/proc/{p.Id}/maps");
                seen |= maps.Contains("ILGPU", StringComparison.OrdinalIgnoreCase) || maps.Contains("Optimized.Gpu", StringComparison.Ordinal);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            Thread.Sleep(20);
        }
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"poolconf {args}");
        return seen;
    }

    [Test]
    public void CpuCommands_DoNotLoadIlgpu_GpuBackendDoes()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps")) Assert.Ignore("needs /proc/PID/maps (Linux)");
        var dir = Path.Combine(Path.GetTempPath(), "poolconf-iso-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.That(MapsIlgpu($"generate --suite smoke --out \"{dir}/s\""), Is.False, "generate loaded ILGPU");
            Assert.That(MapsIlgpu($"run --suite \"{dir}/s\" --backend optimized --out \"{dir}/o\""), Is.False, "run --backend optimized loaded ILGPU");
            Assert.That(MapsIlgpu($"run --suite \"{dir}/s\" --backend gpu:cpu --out \"{dir}/g\""), Is.True, "the control: gpu:cpu must load ILGPU (else this test sees nothing)");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
