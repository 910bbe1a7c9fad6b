using PoolingConformance.Core;

namespace PoolingConformance.Optimized;

// the survey's feature-level methods (spectral, bilinear, compact bilinear, NetVLAD, MOP, edge-aware pyramid): the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] FeatureOps() => [];

    static Dictionary<string, Tensor> RunFeature(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) =>
        throw new NotServed($"{c.Op} is not served");
}
