using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Max pooling: <c>y_j = max_{i ∈ R_j} x_i</c> with <c>idx_j</c> the flat in-plane index of the winning tap
/// (<c>h·W + w</c>, 3-D <c>(t·H + h)·W + w</c>).
/// <para>Scan: taps in row-major order (first spatial axis outermost), out-of-bounds taps skipped — never padded
/// with a sentinel. The running value starts at −∞ (or the dtype's lowest finite value for
/// <see cref="MaxInitial.Lowest"/>), the running index at the first in-bounds tap. A tap replaces the running
/// maximum when it is strictly greater (ties keep the first; −0 and +0 compare equal unless
/// <see cref="SignedZeroPolicy.PositiveGreater"/>), and by the NaN policy: <see cref="NanPolicy.Propagate"/> with
/// <see cref="NanIndex.Last"/> is PyTorch's <c>val &gt; max || isnan(val)</c>; <see cref="NanIndex.First"/> keeps the first NaN;
/// <see cref="NanPolicy.Ignore"/> never takes a NaN; <see cref="NanPolicy.FirstTapOnly"/> seeds with the first tap and
/// then replaces when <c>max &lt; val</c>, so a NaN survives only as the first tap.</para>
/// <para>Empty window (no in-bounds tap): the value named by <see cref="PoolSemantics.EmptyMax"/>, index −1 and not compared.</para>
/// </summary>
public static class MaxPool
{
    /// <summary>The reduction of one window of one plane: value, index (−1 when empty) and whether it was empty.</summary>
    public static (double Value, long Index, bool Empty) Reduce(double[] data, int planeOffset, int[] taps, PoolSemantics sem, DType dtype)
    {
        if (taps.Length == 0)
        {
            double v = sem.EmptyMax switch
            {
                EmptyWindow.Zero => 0,
                EmptyWindow.NegativeInfinity => double.NegativeInfinity,
                EmptyWindow.Lowest => -dtype.MaxFinite(),
                _ => double.NaN,
            };
            return (v, -1, true);
        }
        double max;
        long idx = taps[0];
        int first;
        if (sem.Nan == NanPolicy.FirstTapOnly) { max = data[planeOffset + taps[0]]; first = 1; }
        else { max = sem.MaxInitial == MaxInitial.Lowest ? -dtype.MaxFinite() : double.NegativeInfinity; first = 0; }
        for (int t = first; t < taps.Length; t++)
        {
            double v = data[planeOffset + taps[t]];
            if (Replaces(v, max, sem)) { max = v; idx = taps[t]; }
        }
        return (max, idx, false);
    }

    static bool Replaces(double v, double max, PoolSemantics sem)
    {
        if (double.IsNaN(v))
            return sem.Nan == NanPolicy.Propagate && (sem.NanIndex == NanIndex.Last || !double.IsNaN(max));
        if (v > max) return true;
        return sem.SignedZero == SignedZeroPolicy.PositiveGreater && v == 0 && max == 0 && double.IsNegative(max) && !double.IsNegative(v);
    }

    /// <summary>Pools an N×C×spatial tensor; returns the outputs rounded to the input dtype and the canonical indices.</summary>
    public static (Expectation Values, Expectation Indices) Compute(Tensor x, PoolDescriptor desc, string valueName, string indexName)
    {
        if (x.Rank >= 2) desc.CheckOutputSize(x.Shape[0], x.Shape[1]);
        var windows = Windows.Enumerate(desc.Axes);
        return Apply(x, windows, desc.Axes.Select(a => a.Output).ToArray(), desc.Semantics, valueName, indexName);
    }

    /// <summary>Applies the max reduction over precomputed windows (shared with adaptive and fractional pooling).</summary>
    public static (Expectation Values, Expectation Indices) Apply(Tensor x, IReadOnlyList<Window> windows, int[] outSpatial,
        PoolSemantics sem, string valueName, string indexName, Func<int, IReadOnlyList<Window>>? perPlane = null)
    {
        int n = x.Shape[0], c = x.Shape[1];
        int planeIn = (int)Tensor.ElementCount(x.Shape[2..]);
        int planeOut = (int)Tensor.ElementCount(outSpatial);
        int[] outShape = [n, c, .. outSpatial];
        var vals = new double[n * c * planeOut];
        var idx = new double[vals.Length];
        bool[]? valUnspec = null, idxUnspec = null;
        for (int q = 0; q < n * c; q++)
        {
            var ws = perPlane?.Invoke(q) ?? windows;
            for (int j = 0; j < planeOut; j++)
            {
                var (v, i, empty) = Reduce(x.Data, q * planeIn, ws[j].Taps, sem, x.DType);
                int o = q * planeOut + j;
                vals[o] = x.DType.Round(v);
                idx[o] = i;
                if (empty)
                {
                    (idxUnspec ??= new bool[vals.Length])[o] = true;
                    if (sem.EmptyMax == EmptyWindow.Unspecified) (valUnspec ??= new bool[vals.Length])[o] = true;
                }
            }
        }
        return (new Expectation { Name = valueName, Value = new Tensor(x.DType, outShape, vals), Unspecified = valUnspec },
                new Expectation { Name = indexName, Value = new Tensor(DType.Int64, outShape, idx), Unspecified = idxUnspec, IsIndex = true });
    }
}
