using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// The <c>gpu</c> / <c>gpu:cpu</c> backend of <c>poolconf run</c>: window-pooling cases through <see cref="CasePlanner"/> and the
/// window kernels; max unpool, ROI align / ROI pool and the YOLO SPP family through their own kernels. Float32 (float16 widened,
/// results rounded back once). Everything else throws <see cref="NotServedException"/> with the reason.
/// </summary>
public static class GpuBackend
{
    /// <summary>Ops served besides the planner's window ops.</summary>
    public static IReadOnlyList<string> OtherOps => GpuOtherOps.Ops;

    public static IReadOnlyList<string> Ops { get; } = [.. CasePlanner.Ops, .. GpuOtherOps.Ops];

    public static string? Unsupported(CaseSpec c) =>
        Ops.Contains(c.Op) ? null : $"the gpu backend has no kernel for {c.Op} (it serves window pooling, max unpool, ROI align/pool and YOLO SPP)";

    public static string Version(GpuRuntime rt) =>
        $"poolconf gpu kernels (ILGPU {GpuRuntime.IlgpuVersion}; {string.Join(", ", GpuKernelRegistry.All.Select(k => k.Name))}) on {rt.DeviceName}";

    /// <summary>Runs a case; returns every output it produces by name.</summary>
    public static Dictionary<string, Tensor> Run(GpuRuntime rt, CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        if (Unsupported(c) is { } why) throw new NotServedException(why);
        try
        {
            if (GpuOtherOps.Ops.Contains(c.Op)) return GpuOtherOps.Run(rt, c, inputs);
            var plan = CasePlanner.Plan(c, inputs);
            var (y, idx) = GpuWindow.Run(rt, plan);
            return plan.Assemble(y, idx);
        }
        catch (Exception e) when (e is not (NotServedException or InvalidParameterException or OutOfMemoryException))
        {
            throw new GpuKernelException($"{e.GetType().Name}: {e.Message.Split('\n')[0]}", e);
        }
    }
}

/// <summary>A kernel failed to compile, launch or complete on the device (the case is an error; the run goes on).</summary>
public sealed class GpuKernelException(string message, Exception inner) : Exception(message, inner);

