using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// Compiles the kernels to PTX without a device (ILGPU's PTX backend for a chosen architecture), so a kernel construct the CUDA
/// backend rejects fails on a CPU-only machine (tests, CI) instead of on the one GPU run.
/// </summary>
public static class PtxCheck
{
    /// <summary>The kernel entry points, by registry name.</summary>
    public static IReadOnlyList<(string Name, MethodInfo Method)> Kernels { get; } = KernelMethods();

    static List<(string, MethodInfo)> KernelMethods()
    {
        var list = new List<(string, MethodInfo)>
        {
            (GpuKernelRegistry.MaxWindow.Name, typeof(WindowKernels).GetMethod(nameof(WindowKernels.Max))!),
            (GpuKernelRegistry.AverageWindow.Name, typeof(WindowKernels).GetMethod(nameof(WindowKernels.Average))!),
            (GpuKernelRegistry.LpWindow.Name, typeof(WindowKernels).GetMethod(nameof(WindowKernels.Lp))!),
        };
        list.AddRange(GpuOtherOps.KernelMethods());
        return list;
    }

    /// <summary>PTX text of one kernel for <paramref name="arch"/> (default SM_90, the H100/H200) and ISA 8.0.</summary>
    public static string Compile(MethodInfo kernel, CudaArchitecture? arch = null, CudaInstructionSet? isa = null)
    {
        using var context = Context.Create(b => b.EnableAlgorithms());
        using var backend = new PTXBackend(context, arch ?? CudaArchitecture.SM_90, isa ?? CudaInstructionSet.ISA_80, null!);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = backend.Compile(entry, KernelSpecialization.Empty);
        return ((PTXCompiledKernel)compiled).PTXAssembly;
    }
}
