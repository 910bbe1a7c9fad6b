using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.spectral_pool2d(input, output_size, nyquist="fold", norm="mean")</c>: <see cref="SpectralPool"/> on every
/// N×C plane of a 4-D input. <c>output_size</c> is an int or [H, W] with <c>1 ≤ H ≤ M</c>, <c>1 ≤ W ≤ N</c> (larger → error:
/// spectral pooling never upsamples). Choices where sources disagree (no official code exists): <c>nyquist</c>
/// <c>"hermitian"</c> (per axis, the real part of the cropped inverse DFT: the Nyquist bin's conjugate pair averaged; applied per axis so that the composition law holds — METHODS.md §13 writes Re of one 2-D inverse, which differs when both axes are cut to even sizes) or <c>"fold"</c> (scipy.signal.resample; the default, because it is
/// sampling-consistent and externally checkable); <c>norm</c> <c>"mean"</c> (default, mean-preserving), <c>"ortho"</c>,
/// <c>"backward"</c>. A plane holding NaN or ±∞ is NaN everywhere (every output mixes every input; an FFT would spread it).
/// Tolerance (TESTING.md §3.5, norm-wise): every element of a plane gets the plane's whole norm-wise bound
/// <c>c·u·g·‖x_plane‖₂</c> (<see cref="SpectralPool.NormConstant"/>) plus <c>2·u_out·|y| + η</c>. A per-element check at the
/// norm-wise bound accepts every output the norm-wise check accepts and is at most √(HW) looser; wrong Nyquist rule,
/// wrong scale or a wrong kept set are O(‖x‖) errors and always fail it.
/// </summary>
public sealed class PoolconfSpectralPool : PoolOp
{
    public override string Name => "poolconf.spectral_pool2d";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("output_size", "int | [int, int]", "required", "H, W with 1 ≤ H ≤ input H, 1 ≤ W ≤ input W"),
        new("nyquist", "\"hermitian\" | \"fold\"", "\"fold\"", "even cut sizes: Re of the cropped IDFT, or fold +H/2 into −H/2 (scipy.signal.resample)"),
        new("norm", "\"mean\" | \"ortho\" | \"backward\"", "\"mean\"", "scale 1/(MN), 1/√(MN·HW), 1/(HW)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "derived, norm-wise per plane: c·u·scale·√(MN·HW)·‖x_plane‖₂ + 2·u_out·|y| + η, c = Σ(n + 5⌈log₂n⌉) + 4 over M, N, H, W";
    public override string Summary => "Rippel et al. 2015 spectral pooling by a direct DFT";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var size = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (size.Length != 2) throw new InvalidParameterException("output_size", "'output_size' must be an int or [H, W]");
        var rule = p.String("nyquist", "fold", "hermitian", "fold") == "fold" ? NyquistRule.Fold : NyquistRule.Hermitian;
        var scale = p.String("norm", "mean", "mean", "ortho", "backward") switch { "mean" => SpectralScale.Mean, "ortho" => SpectralScale.Ortho, _ => SpectralScale.Backward };
        p.EnsureAllUsed(Name);
        var x = NormalizeSteps.Map4(Input(inputs, "input"), "input");
        int nb = x.Shape[0], c = x.Shape[1], m = x.Shape[2], n = x.Shape[3], h = size[0], w = size[1];
        if (h < 1 || w < 1) throw new InvalidParameterException("output_size", $"output_size {Tensor.ShapeText(size)} must be positive");
        if (h > m || w > n) throw new InvalidParameterException("output_size", $"output_size {Tensor.ShapeText(size)} is larger than the input {m}×{n}: spectral pooling does not upsample");
        double u = x.DType.UnitRoundoff();
        double g = SpectralPool.Scale(m, n, h, w, scale) * Math.Sqrt((double)m * n * h * w);
        double cn = SpectralPool.NormConstant(m, n, h, w);
        var y = new double[nb * c * h * w];
        var dy = new double[y.Length];
        for (int q = 0; q < nb * c; q++)
        {
            var plane = x.Data.AsSpan(q * m * n, m * n);
            bool finite = true; double ss = 0;
            foreach (var v in plane) { finite &= double.IsFinite(v); ss += v * v; }
            var o = finite ? SpectralPool.Plane(plane, m, n, h, w, rule, scale) : Enumerable.Repeat(double.NaN, h * w).ToArray();
            double bound = cn * u * g * Math.Sqrt(ss);
            for (int i = 0; i < h * w; i++) { y[q * h * w + i] = o[i]; dy[q * h * w + i] = finite ? bound : 0; }
        }
        var r = new OpResult { Descriptor = $"poolconf.spectral_pool2d {Tensor.ShapeText(x.Shape)} -> [{h},{w}] nyquist={rule.ToString().ToLowerInvariant()} norm={scale.ToString().ToLowerInvariant()}" };
        r.Add(NormalizeSteps.Finish("output", x.DType, [nb, c, h, w], y, dy, m * n));
        return r;
    }
}
