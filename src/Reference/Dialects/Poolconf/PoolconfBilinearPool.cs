using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.bilinear_pool(input, input2?, reduce="sum", sqrt="signed", eps=0, l2_normalize=true, norm_eps=1e-12)</c>:
/// <see cref="BilinearPool"/> per sample of N×C_A×H×W (and N×C_B×H×W when <c>input2</c> is given; symmetric B-CNN otherwise).
/// Output N×(C_A·C_B), row-major <c>i·C_B + j</c>. Choices where copies disagree, all parameters: <c>reduce</c> sum (the
/// paper) or mean (÷HW, many copies); <c>sqrt</c> <c>"signed"</c> (<c>sign(z)·sqrt(|z| + eps)</c>, sign(0) = 0),
/// <c>"unsigned"</c> (HaoMood's <c>sqrt(z + eps)</c>, NaN below −eps) or <c>"none"</c>; <c>eps</c> 0 is exact (parity
/// values 1e−5, 1e−10); L2 is <c>y / max(‖y‖, norm_eps)</c>. Tolerance: <c>(L + 1)·u·Σ|a·b|</c> per Φ element (+2 roundings for
/// the mean), pushed through the root by intervals and through L2 to first order (<see cref="NormalizeSteps"/>).
/// </summary>
public sealed class PoolconfBilinearPool : PoolOp
{
    public override string Name => "poolconf.bilinear_pool";
    public static readonly ParamInfo[] NormParams =
    [
        new("reduce", "\"sum\" | \"mean\"", "\"sum\"", "over the H·W locations"),
        new("sqrt", "\"signed\" | \"unsigned\" | \"none\"", "\"signed\"", "sign(z)·sqrt(|z|+eps) | sqrt(z+eps) | identity"),
        new("eps", "float", "0", "added inside the square root (0 = exact)"),
        new("l2_normalize", "bool", "true", "y / max(‖y‖₂, norm_eps)"),
        new("norm_eps", "float", "1e-12", "floor of the L2 norm"),
    ];
    public override IReadOnlyList<ParamInfo> Params => NormParams;
    public override IReadOnlyList<string> Inputs => ["input", "input2"];
    public override IReadOnlyList<string> OptionalInputs => ["input2"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived: Φ (L+1)·u·Σ|a·b|, through the root (interval) and L2 (first order), + 2·u_out·|y| + η";
    public override string Summary => "bilinear pooling (Lin et al. 2015), row-major vec";

    public sealed record Norm(bool Mean, SqrtRule Sqrt, double Eps, bool L2, double NormEps);

    public static Norm ReadNorm(ParamReader p, bool allowReduce = true)
    {
        bool mean = allowReduce && p.String("reduce", "sum", "sum", "mean") == "mean";
        var sq = NormalizeSteps.ParseSqrt(p.String("sqrt", "signed", "signed", "unsigned", "none"));
        double eps = p.Double("eps", 0);
        bool l2 = p.Bool("l2_normalize", true);
        double neps = p.Double("norm_eps", 1e-12);
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new InvalidParameterException("eps", "'eps' must be a finite number ≥ 0");
        if (!(neps > 0) || double.IsInfinity(neps)) throw new InvalidParameterException("norm_eps", "'norm_eps' must be a finite positive number");
        return new Norm(mean, sq, eps, l2, neps);
    }

    public static (double[] Y, double[] Dy) Normalize(double[] z, double[] dz, Norm nm, double u)
    {
        var (y, dy) = NormalizeSteps.Sqrt(z, dz, nm.Sqrt, nm.Eps, u);
        return nm.L2 ? NormalizeSteps.L2(y, dy, nm.NormEps, u) : (y, dy);
    }

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var nm = ReadNorm(p);
        p.EnsureAllUsed(Name);
        var a = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        var b = OptionalInput(inputs, "input2") is { } t ? NormalizeSteps.Map4(t, "input2") : a;
        if (b.Shape[0] != a.Shape[0] || b.Shape[2] != a.Shape[2] || b.Shape[3] != a.Shape[3])
            throw InputErrors.Bad("input2", $"input2 {Tensor.ShapeText(b.Shape)} must share N, H, W with input {Tensor.ShapeText(a.Shape)}");
        if (b.DType != a.DType) throw InputErrors.Bad("input2", "input2 must have the dtype of input");
        int nb = a.Shape[0], ca = a.Shape[1], cb = b.Shape[1], l = a.Shape[2] * a.Shape[3];
        double u = a.DType.UnitRoundoff();
        var y = new double[nb * ca * cb]; var dy = new double[y.Length];
        for (int s = 0; s < nb; s++)
        {
            var (z, dz) = BilinearPool.Gram(a.Data.AsSpan(s * ca * l, ca * l).ToArray(), ca, b.Data.AsSpan(s * cb * l, cb * l).ToArray(), cb, l, nm.Mean, u);
            var (ys, ds) = Normalize(z, dz, nm, u);
            ys.CopyTo(y, s * ca * cb); ds.CopyTo(dy, s * ca * cb);
        }
        var r = new OpResult { Descriptor = $"poolconf.bilinear_pool {Tensor.ShapeText(a.Shape)} x {Tensor.ShapeText(b.Shape)} {nm}" };
        r.Add(NormalizeSteps.Finish("output", a.DType, [nb, ca * cb], y, dy, l));
        return r;
    }
}
