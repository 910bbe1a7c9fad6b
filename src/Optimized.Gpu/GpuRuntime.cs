using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>No usable CUDA device (or the driver library could not be loaded); the message says which, for stderr.</summary>
public sealed class NoDeviceException(string message) : Exception(message);

/// <summary>
/// One ILGPU context and accelerator with the kernels loaded once. <see cref="Create"/> with <c>cpu: false</c> picks a CUDA device
/// (the first, or <c>POOLCONF_GPU_DEVICE</c>'s index) and throws <see cref="NoDeviceException"/> when none exists; with
/// <c>cpu: true</c> it uses ILGPU's CPU accelerator, which runs the same kernels (for tests and CPU-only CI).
/// </summary>
public sealed class GpuRuntime : IDisposable
{
    public Context Context { get; }
    public Accelerator Accelerator { get; }
    public bool IsCpu { get; }

    /// <summary>The ILGPU assembly's version.</summary>
    public static string IlgpuVersion => typeof(Context).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>Accelerator type and name, e.g. <c>Cuda: NVIDIA H200</c>.</summary>
    public string DeviceName => $"{Accelerator.AcceleratorType}: {Accelerator.Name}";

    internal Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs> MaxKernel { get; }
    internal Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs> AverageKernel { get; }
    internal Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs> LpKernel { get; }

    readonly Dictionary<string, Delegate> _extra = new(StringComparer.Ordinal);

    GpuRuntime(Context context, Accelerator accelerator, bool cpu)
    {
        Context = context; Accelerator = accelerator; IsCpu = cpu;
        MaxKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs>(WindowKernels.Max);
        AverageKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs>(WindowKernels.Average);
        LpKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WindowArgs>(WindowKernels.Lp);
    }

    /// <summary>A kernel loaded once per runtime under <paramref name="name"/> (the ROI, unpool and concat kernels load lazily).</summary>
    internal T Kernel<T>(string name, Func<Accelerator, T> load) where T : Delegate
    {
        lock (_extra)
        {
            if (!_extra.TryGetValue(name, out var d)) _extra[name] = d = load(Accelerator);
            return (T)d;
        }
    }

    public static GpuRuntime Create(bool cpu)
    {
        if (cpu)
        {
            var ctx = Context.Create(b => b.CPU().EnableAlgorithms());
            try { return new GpuRuntime(ctx, ctx.CreateCPUAccelerator(0), true); }
            catch { ctx.Dispose(); throw; }
        }
        Context context;
        try { context = Context.Create(b => WithCuda(b).EnableAlgorithms()); }
        catch (NoDeviceException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // DllNotFoundException (no libcuda.so), CudaException, NotSupportedException (an architecture or driver ILGPU does not know), ...
            throw new NoDeviceException($"no CUDA device: the CUDA driver could not be used ({e.GetType().Name}: {e.Message.Split('\n')[0]}{(e.InnerException is { } inner ? $"; {inner.GetType().Name}: {inner.Message.Split('\n')[0]}" : "")}); ILGPU loads the unversioned libcuda.so; POOLCONF_CUDA_ISA=ISA_80 forces a PTX ISA");
        }
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new NoDeviceException("no CUDA device: ILGPU found 0 CUDA devices (no NVIDIA driver, no GPU, or libcuda.so not on the library path); use --backend gpu:cpu to run the kernels on ILGPU's CPU accelerator");
        }
        int index = 0;
        if (Environment.GetEnvironmentVariable("POOLCONF_GPU_DEVICE") is { Length: > 0 } s && (!int.TryParse(s, out index) || index < 0 || index >= devices.Count))
        {
            context.Dispose();
            throw new NoDeviceException($"POOLCONF_GPU_DEVICE={s} is not an index of the {devices.Count} CUDA device(s)");
        }
        try { return new GpuRuntime(context, devices[index].CreateAccelerator(context), false); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Dispose();
            throw new NoDeviceException($"CUDA device {index} ({devices[index].Name}) could not be used: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// Adds the CUDA devices; <c>POOLCONF_CUDA_ISA</c> (e.g. <c>ISA_80</c> or <c>80</c>) overrides the PTX instruction set ILGPU derives
    /// from the driver version, for a driver newer than ILGPU 1.5.3's table (the device check retries with it).
    /// </summary>
    static Context.Builder WithCuda(Context.Builder b)
    {
        var isa = Environment.GetEnvironmentVariable("POOLCONF_CUDA_ISA");
        if (string.IsNullOrWhiteSpace(isa)) return b.Cuda();
        var name = isa.StartsWith("ISA_", StringComparison.OrdinalIgnoreCase) ? "ISA_" + isa[4..] : "ISA_" + isa;
        // CudaInstructionSet is a struct with one static field per ISA (ISA_80 ... ISA_88 in 1.5.3).
        if (typeof(CudaInstructionSet).GetField(name.ToUpperInvariant(), System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) is not CudaInstructionSet set)
            throw new NoDeviceException($"POOLCONF_CUDA_ISA={isa} is not an instruction set ILGPU knows (ISA_70 ... ISA_88)");
        return b.Cuda(o => o.InstructionSet = set);
    }

    /// <summary>Every device ILGPU sees (CUDA and CPU), one line each, for <c>poolconf gpu-info</c>; and whether a CUDA device exists.</summary>
    public static (IReadOnlyList<string> Lines, int CudaDevices) Describe()
    {
        var lines = new List<string>();
        Context? context = null;
        try
        {
            context = Context.Create(b => WithCuda(b).CPU().EnableAlgorithms());
            int cuda = 0;
            foreach (var d in context)
            {
                string extra = d is CudaDevice cd
                    ? $", compute capability {cd.Architecture?.ToString() ?? "unknown to ILGPU"}, driver {cd.DriverVersion}, ISA {cd.InstructionSet?.ToString() ?? "unknown"}, {d.NumMultiprocessors} SMs"
                    : "";
                lines.Add($"{d.AcceleratorType}: {d.Name}, {d.MemorySize / (1024.0 * 1024 * 1024):F1} GiB, warp {d.WarpSize}, max {d.MaxNumThreadsPerGroup} threads/group{extra}");
                if (d.AcceleratorType == AcceleratorType.Cuda) cuda++;
            }
            return (lines, cuda);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lines.Add($"CUDA driver not usable: {e.GetType().Name}: {e.Message.Split('\n')[0]}{(e.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message.Split('\n')[0]})" : "")}");
            return (lines, 0);
        }
        finally { context?.Dispose(); }
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
