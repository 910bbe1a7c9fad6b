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
