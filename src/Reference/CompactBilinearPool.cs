namespace PoolingConformance.Reference;

/// <summary>
/// Compact bilinear pooling (Gao, Beijbom, Zhang, Darrell, CVPR 2016) of one sample with L locations of C channels, the
/// random projections explicit. Both return the pooled sketch <c>z</c> (length d) before the square root and L2, with a
/// per-element bound.
/// </summary>
public static class CompactBilinearPool
{
    /// <summary>
    /// Tensor Sketch in the exact FFT-free form (METHODS.md §11b): <c>z_k = Σ_l Σ_{i,j: (h1(i) + h2(j)) mod d = k}
    /// s1(i)·s2(j)·x_l(i)·x_l(j)</c>, computed through the Gram matrix <c>G = Σ_l x_l x_lᵀ</c> (sketch and sum commute).
    /// <paramref name="x"/> is C×L channels-first. Bound (every element): <c>(2C + L + 2 + 10⌈log₂ d⌉)·u·Σ_l ‖x_l‖₁²</c> —
    /// the count-sketch sums (C each), the product, the location sum, and a forward and inverse FFT of length d at
    /// <c>5·log₂ d</c> each (TESTING.md §3.5); <c>Σ_l ‖x_l‖₁²</c> bounds both the sum of |terms| of any element and, per
    /// location, <c>‖ψ1‖₁‖ψ2‖₂</c>, the scale of an FFT convolution's norm-wise error.
    /// </summary>
    public static (double[] Z, double[] Dz) TensorSketch(double[] x, int c, int l, int[] h1, int[] s1, int[] h2, int[] s2, int d, double u)
    {
        var z = new double[d];
        double l1sq = 0;
        for (int t = 0; t < l; t++)
        {
            double a = 0;
            for (int i = 0; i < c; i++) a += Math.Abs(x[i * l + t]);
            l1sq += a * a;
        }
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                double g = 0;
                for (int t = 0; t < l; t++) g += x[i * l + t] * x[j * l + t];
                z[(h1[i] + h2[j]) % d] += s1[i] * s2[j] * g;
            }
        double cst = 2 * c + l + 2 + 10 * Math.Ceiling(Math.Log2(Math.Max(d, 1)));
        return (z, Enumerable.Repeat(cst * u * l1sq, d).ToArray());
    }

    /// <summary>
    /// Random Maclaurin: <c>z = Σ_l (1/√d)·(W1·x_l) ∘ (W2·x_l)</c>, W1 and W2 d×C with ±1 entries. Bound per element:
    /// <c>(2C + L + 4)·u·(1/√d)·Σ_l |W1x_l|_k·|W2x_l|_k</c>-scale, taken as <c>(2C + L + 4)·u·(1/√d)·Σ_l ‖x_l‖₁²</c>.
    /// </summary>
    public static (double[] Z, double[] Dz) RandomMaclaurin(double[] x, int c, int l, double[] w1, double[] w2, int d, double u)
    {
        var z = new double[d];
        double l1sq = 0, f = 1 / Math.Sqrt(d);
        for (int t = 0; t < l; t++)
        {
            double a = 0;
            for (int i = 0; i < c; i++) a += Math.Abs(x[i * l + t]);
            l1sq += a * a;
            for (int k = 0; k < d; k++)
            {
                double p = 0, q = 0;
                for (int i = 0; i < c; i++) { p += w1[k * c + i] * x[i * l + t]; q += w2[k * c + i] * x[i * l + t]; }
                z[k] += f * p * q;
            }
        }
        return (z, Enumerable.Repeat((2 * c + l + 4) * u * f * l1sq, d).ToArray());
    }
}
