using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized;

/// <summary>Memory layout of a kernel's input and output: planar or channels-last.</summary>
public enum TensorLayout { Nchw, Nhwc }

/// <summary>
/// One optimized kernel as the registry lists it: name, reduction, layout, dtype and accumulation dtype, the ISA tiers it
/// runs in (a runtime cascade: Vector512 → Vector256 → Vector128 → scalar, by <see cref="Cascade"/>), what it supports,
/// and its entry point. Input and output are float32 (float16 callers widen on load); indices int64 per (n, c) plane.
/// </summary>
public sealed record KernelEntry(string Name, Reduction Reduction, TensorLayout Layout)
{
    public string DType => "float32";
    public string Accumulation => "float32";
    public string Isa => "Vector512/Vector256/Vector128/scalar cascade (active widest: " + Cascade.Name(Cascade.Widest) + ")";
    public string Subnormals => "kept (no flush-to-zero)";

    /// <summary>Why this kernel does not serve a problem, or null when it does.</summary>
    public string? Unsupported(PoolDescriptor d) =>
        d.Reduction != Reduction ? $"{Name} computes {Reduction}, not {d.Reduction}" : PoolPlan2d.Unsupported(d);

    /// <summary>
    /// Runs the kernel. NCHW: <paramref name="x"/> is N×C×H×W, <paramref name="y"/> and <paramref name="indices"/> N×C×OH×OW;
    /// NHWC: N×H×W×C and N×OH×OW×C. <paramref name="indices"/> (max only, may be null) receive the flat in-plane tap
    /// <c>ih·W + iw</c>, −1 for a window without in-bounds taps. Results do not depend on <paramref name="threads"/>.
    /// </summary>
    public void Run(PoolPlan2d plan, int batch, int channels, float[] x, float[] y, long[]? indices, int threads = 1)
    {
        if (plan.Descriptor.Reduction != Reduction) throw new ArgumentException($"{Name} computes {Reduction}, not {plan.Descriptor.Reduction}");
        long inN = (long)batch * channels * plan.H.Length * plan.W.Length, outN = (long)batch * channels * plan.OH * plan.OW;
        if (x.Length < inN || y.Length < outN || (indices is not null && indices.Length < outN))
            throw new ArgumentException($"{Name}: buffers too small for {batch}×{channels} planes of {plan.H.Length}×{plan.W.Length} → {plan.OH}×{plan.OW}");
        int planes = batch * channels;
        bool lastNan = plan.Descriptor.Semantics.NanIndex == NanIndex.Last;
        switch (Reduction, Layout)
        {
            case (Reduction.Max, TensorLayout.Nchw):
                if (lastNan) NchwDriver.Select<MaxOperator>(plan, planes, x, y, indices, threads);
                else NchwDriver.Select<FirstNanMaxOperator>(plan, planes, x, y, indices, threads);
                break;
            case (Reduction.Max, TensorLayout.Nhwc):
                if (lastNan) NhwcDriver.Select<MaxOperator>(plan, batch, channels, x, y, indices, threads);
                else NhwcDriver.Select<FirstNanMaxOperator>(plan, batch, channels, x, y, indices, threads);
                break;
            case (Reduction.Average, TensorLayout.Nchw): NchwDriver.Accumulate<AverageOperator>(plan, planes, x, y, threads); break;
            case (Reduction.Average, TensorLayout.Nhwc): NhwcDriver.Accumulate<AverageOperator>(plan, batch, channels, x, y, threads); break;
            default: throw new NotSupportedException(Name);
        }
    }

    public override string ToString() => Name;
}

/// <summary>
/// The one list of optimized kernels that the <c>optimized</c> backend, the conformance tests and the benchmarks read
/// (STYLE.md §2.6). The NaN index rule (PyTorch last / ONNX first) is an operator struct chosen from the descriptor's
/// semantics inside each max kernel.
/// </summary>
public static class KernelRegistry
{
    public static KernelEntry MaxPool2dNchw { get; } = new("MaxPool2d_F32_Nchw", Reduction.Max, TensorLayout.Nchw);
    public static KernelEntry MaxPool2dNhwc { get; } = new("MaxPool2d_F32_Nhwc", Reduction.Max, TensorLayout.Nhwc);
    public static KernelEntry AvgPool2dNchw { get; } = new("AvgPool2d_F32_Nchw", Reduction.Average, TensorLayout.Nchw);
    public static KernelEntry AvgPool2dNhwc { get; } = new("AvgPool2d_F32_Nhwc", Reduction.Average, TensorLayout.Nhwc);

    public static IReadOnlyList<KernelEntry> All { get; } = [MaxPool2dNchw, MaxPool2dNhwc, AvgPool2dNchw, AvgPool2dNhwc];

    /// <summary>The kernel serving a problem in a layout, or null with the reason.</summary>
    public static (KernelEntry? Kernel, string? Why) Find(PoolDescriptor d, TensorLayout layout)
    {
        string? why = null;
        foreach (var k in All)
        {
            if (k.Layout != layout || k.Reduction != d.Reduction) continue;
            why = k.Unsupported(d);
            if (why is null) return (k, null);
        }
        return (null, why ?? $"no {layout} kernel for {d.Reduction} pooling");
    }
}
