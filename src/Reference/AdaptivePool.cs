using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Adaptive pooling to <c>O</c> bins per axis: bin <c>i</c> over length <c>L</c> is <c>[floor(i·L/O), ceil((i+1)·L/O))</c>
/// (<see cref="PoolGeometry.AdaptiveBin"/>): always <c>O</c> bins covering every cell, neighbours overlapping when
/// <c>O ∤ L</c>, cells repeated when <c>L &lt; O</c>. Max uses <see cref="MaxPool.Reduce"/> (index <c>h·W + w</c>);
/// average divides by the bin size. Global pooling is the case <c>O = 1</c>.
/// </summary>
public static class AdaptivePool
{
    public static Window[] Bins(int[] inputSpatial, int[] outputSpatial)
    {
        int total = (int)Tensor.ElementCount(outputSpatial);
        var ws = new Window[total];
        var o = new int[outputSpatial.Length];
        for (int flat = 0; flat < total; flat++)
        {
            int rem = flat;
            for (int a = outputSpatial.Length - 1; a >= 0; a--) { o[a] = rem % outputSpatial[a]; rem /= outputSpatial[a]; }
            var ranges = o.Select((oi, a) => PoolGeometry.AdaptiveBin(oi, inputSpatial[a], outputSpatial[a])).ToArray();
            ws[flat] = Windows.FromRanges(flat, ranges, inputSpatial);
        }
        return ws;
    }

    public static (Expectation Values, Expectation Indices) Max(Tensor x, int[] outputSpatial, PoolSemantics sem, string valueName, string indexName) =>
        MaxPool.Apply(x, Bins(x.Shape[2..], outputSpatial), outputSpatial, sem, valueName, indexName);

    public static Expectation Average(Tensor x, int[] outputSpatial, string name) =>
        AveragePool.Apply(x, Bins(x.Shape[2..], outputSpatial), outputSpatial, PoolSemantics.Generic with { Divisor = DivisorPolicy.ExcludePad }, 0, name);
}
