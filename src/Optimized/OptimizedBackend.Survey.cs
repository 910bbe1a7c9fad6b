using PoolingConformance.Core;

namespace PoolingConformance.Optimized;

// the survey's window methods (mixed, gated, combined, median, rank-based, stochastic, weighted): the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] SurveyWindowOps() => [];

    static Dictionary<string, Tensor> RunSurveyWindow(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) =>
        throw new NotServed($"{c.Op} is not served");
}
