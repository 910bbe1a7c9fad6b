using PoolingConformance.Optimized.Kernels.Survey;

namespace PoolingConformance.Optimized;

// The registry's kernels for the survey's window methods (mixed, gated, combined, median, rank-based, stochastic, weighted).
public static partial class KernelRegistry
{
    /// <summary>Mixed pooling (Yu 2014 λ; Lee 2016 fixed a): the SIMD max and average kernels, mixed in double.</summary>
    public static MixedPoolKernel MixedPool2d { get; } = new();
    /// <summary>Gated max-average pooling (Lee 2016): SIMD max and average, a double gate per cell.</summary>
    public static GatedPoolKernel GatedPool2d { get; } = new();
    /// <summary>Combined max + average (timm / fastai): concatenated, added or averaged.</summary>
    public static CombinedPoolKernel CombinedPool2d { get; } = new();
    /// <summary>Median pooling (lower / upper / mean middle; NaN propagate or ignore), with indices.</summary>
    public static MedianPoolKernel MedianPool2d { get; } = new();
    /// <summary>Rank-based average (RAP), weighted (RWP) and stochastic (RSP training) pooling.</summary>
    public static RankAvgPoolKernel RankAvgPool2d { get; } = new();
    public static RankWeightedPoolKernel RankWeightedPool2d { get; } = new();
    public static RankStochasticPoolKernel RankStochasticPool2d { get; } = new();
    /// <summary>Stochastic pooling (Zeiler &amp; Fergus 2013): training with explicit uniforms, and inference Σx²/Σx.</summary>
    public static StochasticPoolKernel StochasticPool2d { get; } = new();
    /// <summary>Weighted pooling Σw·x/Σw with explicit weights.</summary>
    public static WeightedPoolKernel WeightedPool2d { get; } = new();

    /// <summary>
    /// Names of this part's kernels, for <see cref="Names"/> (read from fresh instances: the static initializers of the partial
    /// files run in no fixed order, so <see cref="Names"/> must not read the properties above).
    /// </summary>
    static string[] SurveyKernelNames() =>
        [new MixedPoolKernel().Name, new GatedPoolKernel().Name, new CombinedPoolKernel().Name, new MedianPoolKernel().Name,
         new RankAvgPoolKernel().Name, new RankWeightedPoolKernel().Name, new RankStochasticPoolKernel().Name,
         new StochasticPoolKernel().Name, new WeightedPoolKernel().Name];
}
