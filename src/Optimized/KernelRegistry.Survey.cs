namespace PoolingConformance.Optimized;

// The registry's kernels for the survey's window methods (mixed, gated, combined, median, rank-based, stochastic, weighted).
public static partial class KernelRegistry
{
    /// <summary>Names of this part's kernels, for <see cref="Names"/>.</summary>
    static string[] SurveyKernelNames() => [];
}
