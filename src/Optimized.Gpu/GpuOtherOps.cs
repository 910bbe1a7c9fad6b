using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>Max unpool, ROI align / ROI pool and the YOLO SPP family on the GPU.</summary>
public static partial class GpuOtherOps
{
    public static IReadOnlyList<string> Ops { get; } = [];

    public static Dictionary<string, Tensor> Run(GpuRuntime rt, CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs) =>
        throw new NotServedException($"{c.Op} has no GPU kernel yet");
}
