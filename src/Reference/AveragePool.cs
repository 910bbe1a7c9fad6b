using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Average pooling: <c>y_j = (1/D_j)·Σ_{i ∈ R_j} x_i</c>, the sum taken over the in-bounds taps only (padding is a
/// divisor policy, never a value). <c>D_j</c> by <see cref="DivisorPolicy"/>: IncludePad = taps inside
/// <c>[−pb, L + pe)</c> (the ceil overhang not counted), ExcludePad = <c>|R_j|</c>, FullKernel = <c>Πk</c>,
/// Override = the given value. A window with <c>D_j = 0</c> takes <see cref="PoolSemantics.EmptyAverage"/>.
/// Integer inputs (PyTorch int64) divide with C++ truncation toward zero. The sum is compensated (Neumaier), so
/// the oracle's own error is about one rounding of the exact mean; the tolerance is
/// <see cref="ErrorBounds.Average"/>.
/// </summary>
public static class AveragePool
{
    /// <summary>Neumaier-compensated sum of one window, with <c>Σ|x|</c> and whether every tap is an integer.</summary>
    public static (double Sum, double AbsSum, bool AllIntegers) Sum(double[] data, int offset, int[] taps)
    {
        double s = 0, comp = 0, abs = 0;
        bool ints = true;
        foreach (var t in taps)
        {
            double v = data[offset + t];
            double u = s + v;
            comp += Math.Abs(s) >= Math.Abs(v) ? (s - u) + v : (v - u) + s;
            s = u;
            abs += Math.Abs(v);
            ints &= v == Math.Floor(v);
        }
        double r = s + comp;
        return (double.IsFinite(r) ? r : s, abs, ints);
    }

    public static double Divisor(Window w, PoolSemantics sem, double overrideValue) => sem.Divisor switch
    {
        DivisorPolicy.IncludePad => w.Padded,
        DivisorPolicy.ExcludePad => w.InBounds,
        DivisorPolicy.FullKernel => w.FullKernel,
        _ => overrideValue,
    };

    public static Expectation Compute(Tensor x, PoolDescriptor desc, string name, DType? accumulation = null)
    {
        if (x.Rank >= 2) desc.CheckOutputSize(x.Shape[0], x.Shape[1]);
        return Apply(x, Windows.Enumerate(desc.Axes), desc.Axes.Select(a => a.Output).ToArray(), desc.Semantics, desc.DivisorOverride, name, accumulation);
    }

    public static Expectation Apply(Tensor x, IReadOnlyList<Window> windows, int[] outSpatial, PoolSemantics sem, double divisorOverride,
        string name, DType? accumulation = null)
    {
        int n = x.Shape[0], c = x.Shape[1];
        int planeIn = (int)Tensor.ElementCount(x.Shape[2..]);
        int planeOut = outSpatial.Length == 0 ? 1 : (int)Tensor.ElementCount(outSpatial);
        var vals = new double[n * c * planeOut];
        var bound = new double[vals.Length];
        bool[]? unspec = null;
        var acc = accumulation ?? x.DType;
        for (int q = 0; q < n * c; q++)
            for (int j = 0; j < planeOut; j++)
            {
                var w = windows[j];
                int o = q * planeOut + j;
                double d = Divisor(w, sem, divisorOverride);
                if (d == 0 || (w.IsEmpty && sem.EmptyAverage == EmptyWindow.Unspecified && sem.Divisor == DivisorPolicy.ExcludePad))
                {
                    vals[o] = sem.EmptyAverage switch { EmptyWindow.Zero => 0, EmptyWindow.NegativeInfinity => double.NegativeInfinity, _ => double.NaN };
                    if (sem.EmptyAverage == EmptyWindow.Unspecified) (unspec ??= new bool[vals.Length])[o] = true;
                    continue;
                }
                var (sum, abs, ints) = Sum(x.Data, q * planeIn, w.Taps);
                double mean = x.DType.IsFloat() ? sum / d : Math.Truncate(sum / d);
                double rounded = x.DType.Round(mean);
                vals[o] = rounded;
                bound[o] = ErrorBounds.Average(w.Taps.Length, abs / Math.Abs(d), mean, ErrorBounds.ExactSum(abs, ints, acc), acc, x.DType);
            }
        int[] shape = [n, c, .. outSpatial];
        return new Expectation { Name = name, Value = new Tensor(x.DType, shape, vals), Bound = bound, Unspecified = unspec };
    }
}
