using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Lp pooling over the in-bounds taps (zero padding adds nothing to the sum):
/// <list type="bullet">
/// <item><see cref="CeilInflation.TrueNorm"/>: <c>y = (Σ t_i)^{1/p}</c>, the norm (ONNX spec, WebNN <c>l2Pool2d</c>);</item>
/// <item><see cref="CeilInflation.TorchInflated"/>: PyTorch's <c>(avg_pool(x^p)·Πk)^{1/p}</c>, i.e.
/// <c>(Σ t_i · Πk / D_j)^{1/p}</c> with <c>D_j</c> the IncludePad count, which differs from the norm only on ceil-mode
/// partial windows.</item>
/// </list>
/// Terms <c>t_i = |x_i|^p</c> (<see cref="LpSignMode.Abs"/>) or <c>x_i^p</c> (<see cref="LpSignMode.Raw"/>, PyTorch: NaN for
/// a negative input and non-integer p; a negative sum to a non-integer 1/p is NaN; p = 1 keeps the signed sum).
/// <c>p ≤ 0</c> is refused. An empty window gives 0. Tolerance: <see cref="ErrorBounds.Lp"/>.
/// </summary>
public static class LpPool
{
    public static Expectation Compute(Tensor x, PoolDescriptor desc, string name, DType? accumulation = null)
    {
        if (x.Rank >= 2) desc.CheckOutputSize(x.Shape[0], x.Shape[1]);
        return Apply(x, Windows.Enumerate(desc.Axes), desc.Axes.Select(a => a.Output).ToArray(), desc.Semantics, desc.P, name, accumulation);
    }

    public static Expectation Apply(Tensor x, IReadOnlyList<Window> windows, int[] outSpatial, PoolSemantics sem, double p, string name, DType? accumulation = null)
    {
        if (!(p > 0) || double.IsInfinity(p)) throw new InvalidParameterException("p", $"p must be a finite positive number, got {p}");
        int n = x.Shape[0], c = x.Shape[1];
        int planeIn = (int)Tensor.ElementCount(x.Shape[2..]);
        int planeOut = outSpatial.Length == 0 ? 1 : (int)Tensor.ElementCount(outSpatial);
        var vals = new double[n * c * planeOut];
        var bound = new double[vals.Length];
        var acc = accumulation ?? x.DType;
        var terms = new double[windows.Count == 0 ? 0 : windows.Max(w => w.Taps.Length)];
        for (int q = 0; q < n * c; q++)
            for (int j = 0; j < planeOut; j++)
            {
                var w = windows[j];
                int o = q * planeOut + j;
                if (w.IsEmpty) { vals[o] = 0; continue; }
                for (int t = 0; t < w.Taps.Length; t++)
                {
                    double v = x.Data[q * planeIn + w.Taps[t]];
                    terms[t] = sem.LpSign == LpSignMode.Abs ? Math.Pow(Math.Abs(v), p) : Math.Pow(v, p);
                }
                var (s, abs, ints) = AveragePool.Sum(terms, 0, Enumerable.Range(0, w.Taps.Length).ToArray());
                double scale = sem.LpCeil == CeilInflation.TorchInflated ? (double)w.FullKernel / w.Padded : 1;
                double z = s * scale;
                double y = p == 1 ? z : Math.Pow(z, 1 / p);
                vals[o] = x.DType.Round(y);
                bool exact = ErrorBounds.ExactSum(abs, ints && p == Math.Floor(p), acc);
                bound[o] = ErrorBounds.Lp(w.Taps.Length, abs, scale, p, z, exact, acc, x.DType);
            }
        int[] shape = [n, c, .. outSpatial];
        return new Expectation { Name = name, Value = new Tensor(x.DType, shape, vals), Bound = bound };
    }
}
