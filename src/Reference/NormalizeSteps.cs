using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>The square-root step of the encoding ops (bilinear, compact bilinear, MOP): sources disagree, so it is a switch.</summary>
public enum SqrtRule
{
    /// <summary><c>sign(z)·sqrt(|z| + eps)</c>, with <c>sign(0) = 0</c> (B-CNN copies, MOP/VLAD power normalization).</summary>
    Signed,
    /// <summary><c>sqrt(z + eps)</c> (HaoMood/bilinear-cnn pattern, post-ReLU inputs); NaN where <c>z + eps &lt; 0</c>, as <c>torch.sqrt</c>.</summary>
    Unsigned,
    /// <summary>No square root.</summary>
    None,
}

/// <summary>
/// Shared steps of the encoding ops, each carrying a per-element absolute error bound forward (first-order propagation,
/// TESTING.md §3.3/§3.5): a value <c>z</c> known to ±<c>dz</c> (the spread any correct backend may show) goes through the
/// square root and the L2 normalization, and the bound that comes out is what a correct backend may differ by.
/// <c>u</c> is the unit roundoff of the accumulation type.
/// </summary>
public static class NormalizeSteps
{
    public static SqrtRule ParseSqrt(string s) => s switch { "signed" => SqrtRule.Signed, "unsigned" => SqrtRule.Unsigned, _ => SqrtRule.None };

    /// <summary>
    /// The square root, with the interval <c>[z − dz, z + dz]</c> pushed through it exactly (valid as <c>z → 0</c>, where the
    /// root's slope is unbounded) plus two roundings (the <c>+ eps</c> and the root). Where the interval contains 0 the signed
    /// root's sign is undecided and the bound covers both signs.
    /// </summary>
    public static (double[] Y, double[] Dy) Sqrt(double[] z, double[] dz, SqrtRule rule, double eps, double u)
    {
        var y = new double[z.Length];
        var dy = new double[z.Length];
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i], d = dz[i];
            switch (rule)
            {
                case SqrtRule.None: y[i] = v; dy[i] = d; break;
                case SqrtRule.Signed:
                    {
                        if (double.IsNaN(v)) { y[i] = double.NaN; dy[i] = 0; break; } // before Math.Sign, which throws on NaN
                        double a = Math.Abs(v);
                        y[i] = Math.Sign(v) * Math.Sqrt(a + eps);
                        double hi = Math.Sqrt(a + d + eps);
                        dy[i] = a <= d ? Math.Abs(y[i]) + hi : Math.Max(hi - Math.Abs(y[i]), Math.Abs(y[i]) - Math.Sqrt(a - d + eps));
                        dy[i] += 2 * u * Math.Abs(y[i]);
                        break;
                    }
                default:
                    {
                        y[i] = Math.Sqrt(v + eps);
                        double hi = Math.Sqrt(Math.Max(v + d + eps, 0)), lo = Math.Sqrt(Math.Max(v - d + eps, 0));
                        dy[i] = double.IsNaN(y[i]) ? 0 : Math.Max(hi - y[i], y[i] - lo) + 2 * u * y[i];
                        break;
                    }
            }
        }
        return (y, dy);
    }

    /// <summary>
    /// <c>s / max(‖s‖₂, eps)</c> (F.normalize semantics: an all-zero vector stays zero). The norm's error is
    /// <c>‖ds‖₂ + (n/2 + 2)·u·‖s‖</c> (the sum of squares, the root); <c>max</c> is 1-Lipschitz, so the denominator errs by the
    /// same. Element bound: <c>(ds_i + |out_i|·δG)/(G − δG) + 2u·|out_i|</c>; when <c>δG ≥ G</c> the direction is undetermined
    /// and the bound is 2 (every normalized element lies in [−1, 1]).
    /// </summary>
    public static (double[] Y, double[] Dy) L2(double[] s, double[] ds, double eps, double u)
    {
        double g = 0, dnorm = 0;
        foreach (var v in s) g += v * v;
        foreach (var v in ds) dnorm += v * v;
        g = Math.Sqrt(g);
        double denom = Math.Max(g, eps);
        double dG = Math.Sqrt(dnorm) + (s.Length / 2.0 + 2) * u * g;
        double lo = denom - dG;
        var y = new double[s.Length];
        var dy = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            y[i] = s[i] / denom;
            dy[i] = lo > 0 ? Math.Min(2, (ds[i] + Math.Abs(y[i]) * dG) / lo + 2 * u * Math.Abs(y[i])) : 2;
        }
        return (y, dy);
    }

    /// <summary>Rounds the float64 result once to the output dtype and adds the two output roundings and <c>η</c> to each bound.</summary>
    public static Expectation Finish(string name, DType dtype, int[] shape, double[] y, double[] dy, long terms)
    {
        double uOut = dtype.UnitRoundoff(), eta = dtype.SmallestSubnormal();
        var v = y.Select(e => dtype.Round(e)).ToArray();
        var b = y.Select((e, i) => double.IsFinite(e) && double.IsFinite(dy[i]) ? dy[i] + 2 * uOut * Math.Abs(e) + (terms + 2) * eta : 0).ToArray();
        return new Expectation { Name = name, Value = new Tensor(dtype, shape, v), Bound = b };
    }

    /// <summary>A 4-D float tensor N×C×H×W, or an error naming the input.</summary>
    public static Tensor Map4(Tensor t, string name)
    {
        if (t.Rank != 4) throw InputErrors.Bad(name, $"input '{name}' must be 4-D N×C×H×W, got {Tensor.ShapeText(t.Shape)}");
        if (!t.DType.IsFloat()) throw InputErrors.Bad(name, $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        if (t.Shape.Any(d => d == 0)) throw InputErrors.Bad(name, $"input '{name}' has an empty dimension {Tensor.ShapeText(t.Shape)}");
        return t;
    }

    /// <summary>A float tensor of exactly <paramref name="shape"/>, or an error naming the input.</summary>
    public static Tensor Shaped(Tensor t, string name, params int[] shape)
    {
        if (!t.Shape.SequenceEqual(shape)) throw InputErrors.Bad(name, $"input '{name}' must have shape {Tensor.ShapeText(shape)}, got {Tensor.ShapeText(t.Shape)}");
        if (!t.DType.IsFloat()) throw InputErrors.Bad(name, $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        return t;
    }
}
