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
        var t = Check4(inputs, name, op);
        return (t, Float32(t, name));
    }

    /// <summary>The checks of <see cref="Map4"/> without the conversion.</summary>
    static Tensor Check4(IReadOnlyDictionary<string, Tensor> inputs, string name, string op)
    {
        var t = Input(inputs, name, op);
        if (t.Rank != 4) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must be 4-D N×C×H×W, got {Tensor.ShapeText(t.Shape)}");
        if (!t.DType.IsFloat()) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        if (t.Shape.Any(d => d == 0)) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has an empty dimension {Tensor.ShapeText(t.Shape)}");
        return t;
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
        var a = Check4(inputs, "input", op);
        bool two = inputs.ContainsKey("input2");
        var b = two ? Check4(inputs, "input2", op) : a;
        if (b.Shape[0] != a.Shape[0] || b.Shape[2] != a.Shape[2] || b.Shape[3] != a.Shape[3])
            throw new InvalidParameterException("inputs.input2", $"input2 {Tensor.ShapeText(b.Shape)} must share N, H, W with input {Tensor.ShapeText(a.Shape)}");
        if (b.DType != a.DType) throw new InvalidParameterException("inputs.input2", "input2 must have the dtype of input");
        var xa = Float32(a, "input");
        var xb = two ? Float32(b, "input2") : null;
        int nb = a.Shape[0], ca = a.Shape[1], cb = b.Shape[1], l = a.Shape[2] * a.Shape[3];
        var y = new float[(long)nb * ca * cb];
        KernelRegistry.BilinearPool.Run(xa, xb, nb, ca, cb, l, mean, nm, y, threads);
        return One("output", Output(a.DType, [nb, ca * cb], y));
    }

    // ---------------------------------------------------------------- edge-aware pyramid

    static Dictionary<string, Tensor> RunEdgeAware(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.edge_aware_pyramid_pool";
        var levels = p.IntList("levels") ?? [1, 2, 3, 6];
        double beta = p.Double("beta", 1);
        bool up = p.String("upsample", "nearest", "nearest", "none") == "nearest";
        p.EnsureAllUsed(op);
        if (levels.Length == 0 || levels.Any(l => l < 1)) throw new InvalidParameterException("levels", "'levels' must be a non-empty list of integers ≥ 1");
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new InvalidParameterException("beta", "'beta' must be a finite number ≥ 0");
        var (t, x) = Map4(inputs, "input", op);
        int nb = t.Shape[0], c = t.Shape[1], h = t.Shape[2], w = t.Shape[3];
        // Every level's bins are materialized (nb·C·Σl² values) whether or not they are upsampled: refused past the limit.
        OutputLimit.Check("levels", nb, c, levels.Sum(l => (long)l * l));
        var e = Shaped(Input(inputs, "edge", op), "edge", nb, 1, h, w);
        if (e.Any(v => !(v >= 0 && v <= 1))) throw new InvalidParameterException("inputs.edge", "edge values must lie in [0, 1]");
        int[] shape = up ? [nb, c * (1 + levels.Length), h, w] : [nb, c, levels.Sum(l => l * l)];
        var y = new float[Tensor.ElementCount(shape)];
        KernelRegistry.EdgeAwarePyramid.Run(x, e, nb, c, h, w, levels, beta, up, y, threads);
        return One("output", Output(t.DType, shape, y));
    }

    // ---------------------------------------------------------------- NetVLAD

    static Dictionary<string, Tensor> RunNetVlad(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.netvlad";
        bool ni = p.Bool("normalize_input", true);
        double eps = p.Double("eps", 1e-12);
        p.EnsureAllUsed(op);
        if (!(eps > 0) || double.IsInfinity(eps)) throw new InvalidParameterException("eps", "'eps' must be a finite positive number");
        var (t, x) = Map4(inputs, "input", op);
        int nb = t.Shape[0], d = t.Shape[1], n = t.Shape[2] * t.Shape[3];
        var ct = Input(inputs, "centers", op);
        if (ct.Rank != 2 || ct.Shape[1] != d || ct.Shape[0] < 1)
            throw new InvalidParameterException("inputs.centers", $"centers must be K×D with D = {d} (the input's channels), got {Tensor.ShapeText(ct.Shape)}");
        int k = ct.Shape[0];
        var w = Shaped(Input(inputs, "weight", op), "weight", k, d);
        var b = Shaped(Input(inputs, "bias", op), "bias", k);
        var c = Shaped(ct, "centers", k, d);
        var y = new float[(long)nb * k * d];
        KernelRegistry.NetVlad.Run(x, nb, d, n, w, b, c, k, ni, eps, y, threads);
        return One("output", Output(t.DType, [nb, k * d], y));
    }

    // ---------------------------------------------------------------- compact bilinear

    static int[] IntVector(Tensor t, string name, int len, Func<double, bool> ok, string what)
    {
        if (t.Rank != 1 || t.Shape[0] != len) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must have shape [{len}], got {Tensor.ShapeText(t.Shape)}");
        foreach (var v in t.Data) if (!ok(v)) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' holds {v}; {what}");
        return t.Data.Select(v => (int)v).ToArray();
    }

    static float[] SignMatrix(Tensor t, string name, int d, int c)
    {
        if (t.Rank != 2 || t.Shape[0] != d || t.Shape[1] != c) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must be d×C = [{d},{c}], got {Tensor.ShapeText(t.Shape)}");
        if (t.Data.Any(v => v != 1 && v != -1)) throw new InvalidParameterException($"inputs.{name}", $"input '{name}' must hold only −1 and +1");
        return t.Data.Select(v => (float)v).ToArray();
    }

    static Dictionary<string, Tensor> RunCompactBilinear(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.compact_bilinear_pool";
        bool ts = p.String("method", "tensor_sketch", "tensor_sketch", "random_maclaurin") == "tensor_sketch";
        int? dim = p.IntOrNull("output_dim");
        var (mean, nm) = ReadFeatureNorm(p);
        p.EnsureAllUsed(op);
        var (t, x) = Map4(inputs, "input", op);
        int nb = t.Shape[0], c = t.Shape[1], l = t.Shape[2] * t.Shape[3];
        foreach (var unused in ts ? new[] { "w1", "w2" } : ["h1", "s1", "h2", "s2"])
            if (inputs.ContainsKey(unused)) throw new InvalidParameterException($"inputs.{unused}", $"input '{unused}' is not used by method {(ts ? "tensor_sketch" : "random_maclaurin")}");
        float[] y;
        int d;
        if (ts)
        {
            d = dim ?? throw new InvalidParameterException("output_dim", "'output_dim' is required for tensor_sketch");
            if (d < 1) throw new InvalidParameterException("output_dim", "'output_dim' must be ≥ 1");
            bool IsHash(double v) => v == Math.Floor(v) && v >= 0 && v < d;
            bool IsSign(double v) => v is 1 or -1;
            var h1 = IntVector(Input(inputs, "h1", op), "h1", c, IsHash, $"hashes must be integers in [0, {d})");
            var h2 = IntVector(Input(inputs, "h2", op), "h2", c, IsHash, $"hashes must be integers in [0, {d})");
            var s1 = IntVector(Input(inputs, "s1", op), "s1", c, IsSign, "signs must be −1 or +1");
            var s2 = IntVector(Input(inputs, "s2", op), "s2", c, IsSign, "signs must be −1 or +1");
            y = new float[(long)nb * d];
            KernelRegistry.CompactBilinear.RunTensorSketch(x, nb, c, l, h1, s1, h2, s2, d, mean, nm, y, threads);
        }
        else
        {
            var t1 = Input(inputs, "w1", op);
            d = t1.Rank == 2 ? t1.Shape[0] : throw new InvalidParameterException("inputs.w1", $"input 'w1' must be d×C, got {Tensor.ShapeText(t1.Shape)}");
            if (dim is { } dd && dd != d) throw new InvalidParameterException("output_dim", $"'output_dim' {dd} differs from w1's {d} rows");
            if (d < 1) throw new InvalidParameterException("inputs.w1", "input 'w1' must have at least one row");
            var w1 = SignMatrix(t1, "w1", d, c);
            var w2 = SignMatrix(Input(inputs, "w2", op), "w2", d, c);
            y = new float[(long)nb * d];
            KernelRegistry.CompactBilinear.RunRandomMaclaurin(x, nb, c, l, w1, w2, d, mean, nm, y, threads);
        }
        return One("output", Output(t.DType, [nb, d], y));
    }

    // ---------------------------------------------------------------- MOP

    const int MopMaxLevels = 8;

    /// <summary>The <c>levels</c> list of <c>poolconf.mop</c>: objects {window, stride = window, reduce = "avg", vlad = true}.</summary>
    static List<(int Window, int Stride, MopWindowReduce Reduce, bool Vlad)> ReadMopLevels(ParamReader p)
    {
        var raw = p.Raw("levels") ?? throw new InvalidParameterException("levels", "'levels' is required");
        if (raw.ValueKind != System.Text.Json.JsonValueKind.Array || raw.GetArrayLength() == 0) throw new InvalidParameterException("levels", "'levels' must be a non-empty list of objects");
        if (raw.GetArrayLength() > MopMaxLevels) throw new InvalidParameterException("levels", $"at most {MopMaxLevels} levels");
        var list = new List<(int, int, MopWindowReduce, bool)>();
        int i = 0;
        foreach (var e in raw.EnumerateArray())
        {
            string f = $"levels[{i}]";
            if (e.ValueKind != System.Text.Json.JsonValueKind.Object) throw new InvalidParameterException(f, $"{f} must be an object");
            var lp = new ParamReader(e);
            int win, stride; string red; bool vlad;
            try
            {
                win = lp.RequiredInt("window");
                stride = lp.Int("stride", win);
                red = lp.String("reduce", "avg", "avg", "max", "none");
                vlad = lp.Bool("vlad", true);
                lp.EnsureAllUsed(f);
            }
            catch (InvalidParameterException ex) { throw new InvalidParameterException($"{f}.{ex.Field}", ex.Message); }
            if (win < 1) throw new InvalidParameterException($"{f}.window", "window must be ≥ 1");
            if (stride < 1) throw new InvalidParameterException($"{f}.stride", "stride must be ≥ 1");
            list.Add((win, stride, red switch { "avg" => MopWindowReduce.Avg, "max" => MopWindowReduce.Max, _ => MopWindowReduce.None }, vlad));
            i++;
        }
        return list;
    }

    static Dictionary<string, Tensor> RunMop(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.mop";
        var levels = ReadMopLevels(p);
        var (_, nm) = ReadFeatureNorm(p, allowReduce: false);
        p.EnsureAllUsed(op);
        var (t, x) = Map4(inputs, "input", op);
        int nb = t.Shape[0], c = t.Shape[1], h = t.Shape[2], w = t.Shape[3];
        foreach (var name in inputs.Keys)
            if (name.Length > 2 && char.IsDigit(name[^1]) && name[^2] == '_' && int.Parse(name[^1..]) >= levels.Count)
                throw new InvalidParameterException($"inputs.{name}", $"input '{name}' names a level beyond the {levels.Count} given");
        var specs = new List<MopLevelSpec>();
        for (int li = 0; li < levels.Count; li++)
        {
            var lv = levels[li];
            if (lv.Window > h || lv.Window > w) throw new InvalidParameterException($"levels[{li}].window", $"window {lv.Window} does not fit the {h}×{w} map (no padding)");
            int len = lv.Reduce == MopWindowReduce.None ? c * lv.Window * lv.Window : c;
            var mu = Optional(inputs, $"pca_mean_{li}");
            var pm = Optional(inputs, $"pca_matrix_{li}");
            if ((mu is null) != (pm is null))
                throw new InvalidParameterException($"inputs.{(mu is null ? $"pca_mean_{li}" : $"pca_matrix_{li}")}", $"level {li}: pca_mean_{li} and pca_matrix_{li} come together");
            int dim = len;
            float[]? muF = null, pmF = null;
            if (pm is not null)
            {
                if (pm.Rank != 2 || pm.Shape[1] != len || pm.Shape[0] < 1)
                    throw new InvalidParameterException($"inputs.pca_matrix_{li}", $"pca_matrix_{li} must be D×{len} (the level's descriptor length), got {Tensor.ShapeText(pm.Shape)}");
                dim = pm.Shape[0];
                pmF = Shaped(pm, $"pca_matrix_{li}", dim, len);
                muF = Shaped(mu!, $"pca_mean_{li}", len);
            }
            var cbT = Optional(inputs, $"codebook_{li}");
            float[]? cb = null;
            int k = 0;
            if (lv.Vlad)
            {
                if (cbT is null) throw new InvalidParameterException($"inputs.codebook_{li}", $"level {li} has VLAD and needs input codebook_{li} (K×{dim})");
                if (cbT.Rank != 2 || cbT.Shape[0] < 1 || cbT.Shape[1] != dim)
                    throw new InvalidParameterException($"inputs.codebook_{li}", $"codebook_{li} must be K×{dim} (the level's {(pm is null ? "descriptor" : "PCA output")} dimension), got {Tensor.ShapeText(cbT.Shape)}");
                k = cbT.Shape[0];
                cb = Shaped(cbT, $"codebook_{li}", k, dim);
            }
            else if (cbT is not null) throw new InvalidParameterException($"inputs.codebook_{li}", $"level {li} has no VLAD; codebook_{li} is not used");
            specs.Add(new MopLevelSpec(lv.Window, lv.Stride, lv.Reduce, muF, pmF, dim, cb, k));
        }
        int total = specs.Sum(s => s.Length);
        var y = new float[(long)nb * total];
        KernelRegistry.Mop.Run(x, nb, c, h, w, specs, nm, y, threads);
        return One("output", Output(t.DType, [nb, total], y));
    }
}
