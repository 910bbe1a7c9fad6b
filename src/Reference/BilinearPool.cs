namespace PoolingConformance.Reference;

/// <summary>
/// Bilinear pooling (Lin, RoyChowdhury, Maji, ICCV 2015) of one sample: <c>Φ = Σ_l f_A(l)·f_B(l)ᵀ</c> over the L locations
/// (÷L for the mean), <c>z = vec(Φ)</c> row-major (element <c>i·C_B + j</c>, PyTorch's <c>bmm(X, Yᵀ).view</c>; MATLAB's
/// column-major order differs only in the asymmetric case), then the square root and L2 of <see cref="NormalizeSteps"/>.
/// Bound of <c>Φ_ij</c>: <c>(L + 1)·u·Σ_l |a_il·b_jl|</c> (the L products and L − 1 additions, any order), ÷L and two more
/// roundings for the mean.
/// </summary>
public static class BilinearPool
{
    public static (double[] Z, double[] Dz) Gram(double[] a, int ca, double[] b, int cb, int l, bool mean, double u)
    {
        var z = new double[ca * cb]; var dz = new double[ca * cb];
        for (int i = 0; i < ca; i++)
            for (int j = 0; j < cb; j++)
            {
                double s = 0, m = 0;
                for (int t = 0; t < l; t++) { double p = a[i * l + t] * b[j * l + t]; s += p; m += Math.Abs(p); }
                double f = mean ? 1.0 / l : 1.0;
                z[i * cb + j] = s * f;
                dz[i * cb + j] = (l + 1 + (mean ? 2 : 0)) * u * m * f;
            }
        return (z, dz);
    }
}
