using PoolingConformance.Core;

namespace PoolingConformance.Optimized;

// ROI/SPP variants, fractional max pooling, onnx.MaxUnpool: the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] RegionOps() => [];

    static Dictionary<string, Tensor> RunRegion(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) =>
        throw new NotServed($"{c.Op} is not served");
}
