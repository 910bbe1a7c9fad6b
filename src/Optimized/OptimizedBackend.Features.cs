using PoolingConformance.Core;
using PoolingConformance.Optimized.Kernels.Features;

namespace PoolingConformance.Optimized;

// The survey's feature-level encodings (spectral, bilinear, edge-aware pyramid, NetVLAD, compact bilinear, MOP): their
// parameters read exactly as the reference's poolconf.* front-ends read them (same field names, same refusals), run on the
// kernels of src/Optimized/Kernels/Features.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] FeatureOps() =>
        ["poolconf.spectral_pool2d", "poolconf.bilinear_pool", "poolconf.edge_aware_pyramid_pool", "poolconf.netvlad", "poolconf.compact_bilinear_pool", "poolconf.mop"];

    static Dictionary<string, Tensor> RunFeature(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => c.Op switch
    {
        "poolconf.spectral_pool2d" => RunSpectral(p, inputs, threads),
        "poolconf.bilinear_pool" => RunBilinear(p, inputs, threads),
        "poolconf.edge_aware_pyramid_pool" => RunEdgeAware(p, inputs, threads),
        "poolconf.netvlad" => RunNetVlad(p, inputs, threads),
        "poolconf.compact_bilinear_pool" => RunCompactBilinear(p, inputs, threads),
        "poolconf.mop" => RunMop(p, inputs, threads),
        _ => throw new NotServed($"{c.Op} is not served"),
    };

    static Dictionary<string, Tensor> One(string name, Tensor t) => new(StringComparer.Ordinal) { [name] = t };

    /// <summary>A 4-D float N×C×H×W input without an empty dimension (the reference's check), as float32.</summary>
    static (Tensor T, float[] X) Map4(IReadOnlyDictionary<string, Tensor> inputs, string name, string op)
    {
        var t = Input(inputs, name, op);
        if (t.Rank != 4) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must be 4-D N×C×H×W, got {Tensor.ShapeText(t.Shape)}");
        if (!t.DType.IsFloat()) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        if (t.Shape.Any(d => d == 0)) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has an empty dimension {Tensor.ShapeText(t.Shape)}");
        return (t, Float32(t, name));
    }

    /// <summary>A float tensor of exactly <paramref name="shape"/> (the reference's check), as float32.</summary>
    static float[] Shaped(Tensor t, string name, params int[] shape)
    {
        if (!t.Shape.SequenceEqual(shape)) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must have shape {Tensor.ShapeText(shape)}, got {Tensor.ShapeText(t.Shape)}");
        if (!t.DType.IsFloat()) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        return Float32(t, name);
    }

    static Tensor? Optional(IReadOnlyDictionary<string, Tensor> inputs, string name) => inputs.TryGetValue(name, out var t) ? t : null;

    // ---------------------------------------------------------------- spectral pooling

    static Dictionary<string, Tensor> RunSpectral(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.spectral_pool2d";
        var size = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (size.Length != 2) throw new InvalidParameterException("output_size", "'output_size' must be an int or [H, W]");
        var rule = p.String("nyquist", "fold", "hermitian", "fold") == "fold" ? SpectralNyquist.Fold : SpectralNyquist.Hermitian;
        var norm = p.String("norm", "mean", "mean", "ortho", "backward") switch { "mean" => SpectralNorm.Mean, "ortho" => SpectralNorm.Ortho, _ => SpectralNorm.Backward };
        p.EnsureAllUsed(op);
        var (t, x) = Map4(inputs, "input", op);
        int nb = t.Shape[0], c = t.Shape[1], m = t.Shape[2], n = t.Shape[3], h = size[0], w = size[1];
        if (h < 1 || w < 1) throw new InvalidParameterException("output_size", $"output_size {Tensor.ShapeText(size)} must be positive");
        if (h > m || w > n) throw new InvalidParameterException("output_size", $"output_size {Tensor.ShapeText(size)} is larger than the input {m}×{n}: spectral pooling does not upsample");
        var y = new float[(long)nb * c * h * w];
        KernelRegistry.SpectralPool.Run(x, nb * c, m, n, h, w, rule, norm, y, threads);
        return One("output", Output(t.DType, [nb, c, h, w], y));
    }

    // ---------------------------------------------------------------- bilinear and compact bilinear

    static (bool Mean, FeatureNorm Norm) ReadFeatureNorm(ParamReader p, bool allowReduce = true)
    {
        bool mean = allowReduce && p.String("reduce", "sum", "sum", "mean") == "mean";
        var sq = FeatureNorm.ParseSqrt(p.String("sqrt", "signed", "signed", "unsigned", "none"));
        double eps = p.Double("eps", 0);
        bool l2 = p.Bool("l2_normalize", true);
        double neps = p.Double("norm_eps", 1e-12);
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new InvalidParameterException("eps", "'eps' must be a finite number ≥ 0");
        if (!(neps > 0) || double.IsInfinity(neps)) throw new InvalidParameterException("norm_eps", "'norm_eps' must be a finite positive number");
        return (mean, new FeatureNorm(sq, eps, l2, neps));
    }

    static Dictionary<string, Tensor> RunBilinear(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.bilinear_pool";
        var (mean, nm) = ReadFeatureNorm(p);
        p.EnsureAllUsed(op);
        var (a, xa) = Map4(inputs, "input", op);
        float[]? xb = null;
        var b = a;
        if (inputs.ContainsKey("input2")) (b, xb) = Map4(inputs, "input2", op);
        if (b.Shape[0] != a.Shape[0] || b.Shape[2] != a.Shape[2] || b.Shape[3] != a.Shape[3])
            throw new InvalidParameterException("inputs.input2", $"input2 {Tensor.ShapeText(b.Shape)} must share N, H, W with input {Tensor.ShapeText(a.Shape)}");
        if (b.DType != a.DType) throw new InvalidParameterException("inputs.input2", "input2 must have the dtype of input");
        int nb = a.Shape[0], ca = a.Shape[1], cb = b.Shape[1], l = a.Shape[2] * a.Shape[3];
        var y = new float[(long)nb * ca * cb];
        KernelRegistry.BilinearPool.Run(xa, xb, nb, ca, cb, l, mean, nm, y, threads);
        return One("output", Output(a.DType, [nb, ca * cb], y));
    }

    static Dictionary<string, Tensor> RunEdgeAware(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => throw new NotServed("not yet");
    static Dictionary<string, Tensor> RunNetVlad(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => throw new NotServed("not yet");
    static Dictionary<string, Tensor> RunCompactBilinear(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => throw new NotServed("not yet");
    static Dictionary<string, Tensor> RunMop(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => throw new NotServed("not yet");
}
