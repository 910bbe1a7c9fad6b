namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>The square-root step of the encoding ops (bilinear, compact bilinear, MOP).</summary>
public enum FeatureSqrt
{
    /// <summary><c>sign(z)·sqrt(|z| + eps)</c>, sign(0) = 0.</summary>
    Signed,
    /// <summary><c>sqrt(z + eps)</c>: NaN where <c>z + eps &lt; 0</c>.</summary>
    Unsigned,
    /// <summary>Identity.</summary>
    None,
}

/// <summary>The post-steps of an encoding: the square root, then optionally <c>v / max(‖v‖₂, normEps)</c>.</summary>
public readonly record struct FeatureNorm(FeatureSqrt Sqrt, double Eps, bool L2, double NormEps)
{
    public static FeatureSqrt ParseSqrt(string s) => s switch { "signed" => FeatureSqrt.Signed, "unsigned" => FeatureSqrt.Unsigned, _ => FeatureSqrt.None };
}

/// <summary>
/// The normalisation steps of the encoding ops, applied to one pooled vector. They run in double on the float32 pooled values
/// and round once to float32: they touch each output element a constant number of times (O(output), against the O(C²·L) or
/// O(K·D·N) pooling before them), and the reference's bounds for them assume the norm's sum of squares errs by at most
/// <c>(n/2 + 2)·u</c> relative, which a float32 sum of many squares need not meet.
/// </summary>
public static class FeatureNormalize
{
    /// <summary>The square root of every element in place (NaN stays NaN).</summary>
    public static void Sqrt(Span<double> v, FeatureSqrt rule, double eps)
    {
        switch (rule)
        {
            case FeatureSqrt.Signed:
                for (int i = 0; i < v.Length; i++)
                {
                    double z = v[i];
                    v[i] = z > 0 ? Math.Sqrt(z + eps) : z < 0 ? -Math.Sqrt(-z + eps) : z == 0 ? 0 : double.NaN;
                }
                break;
            case FeatureSqrt.Unsigned:
                for (int i = 0; i < v.Length; i++) v[i] = Math.Sqrt(v[i] + eps);
                break;
        }
    }

    /// <summary><c>v / max(‖v‖₂, eps)</c> in place (an all-zero vector stays zero; a NaN anywhere makes every element NaN).</summary>
    public static void L2(Span<double> v, double eps)
    {
        double g = 0;
        foreach (var e in v) g += e * e;
        double denom = Math.Max(Math.Sqrt(g), eps);   // Math.Max propagates NaN
        for (int i = 0; i < v.Length; i++) v[i] /= denom;
    }

    /// <summary>Both steps, as the encoding's <see cref="FeatureNorm"/> asks, then rounds into <paramref name="y"/>.</summary>
    public static void Apply(Span<double> v, FeatureNorm nm, Span<float> y)
    {
        Sqrt(v, nm.Sqrt, nm.Eps);
        if (nm.L2) L2(v, nm.NormEps);
        for (int i = 0; i < v.Length; i++) y[i] = (float)v[i];
    }
}
