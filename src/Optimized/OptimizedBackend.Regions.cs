using PoolingConformance.Core;
using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Optimized;

// ROI/SPP variants, fractional max pooling, onnx.MaxUnpool: the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] RegionOps() => ["poolconf.spp", "caffe.spp"];

    static Dictionary<string, Tensor> RunRegion(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => c.Op switch
    {
        "poolconf.spp" => RunPoolconfSpp(p, inputs, threads),
        "caffe.spp" => RunCaffeSpp(p, inputs, threads),
        _ => throw new NotServed($"{c.Op} is not served"),
    };

    // ---------------------------------------------------------------- spatial pyramid pooling

    /// <summary><c>poolconf.spp</c>: levels in the order given; adaptive, paper or Caffe binning; max (PyTorch rule) or average.</summary>
    static Dictionary<string, Tensor> RunPoolconfSpp(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "poolconf.spp";
        var levels = p.IntList("levels") ?? throw new InvalidParameterException("levels", "'levels' is required (a list of bin counts, e.g. [1, 2, 4])");
        if (levels.Length == 0) throw new InvalidParameterException("levels", "'levels' must not be empty");
        foreach (var n in levels) if (n < 1) throw new InvalidParameterException("levels", $"every pyramid level must be at least 1, got {n}");
        bool max = p.String("mode", "max", "max", "avg") == "max";
        string binning = p.String("binning", "adaptive", "adaptive", "paper", "caffe");
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        RequireNchw(input, op);
        int batch = input.Shape[0], ch = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var red = max ? Reduction.Max : Reduction.Average;
        var sem = PoolSemantics.Torch with { Divisor = DivisorPolicy.IncludePad };
        var plans = levels.Select(n => binning switch
        {
            "paper" => new PoolPlan(new PoolDescriptor(red, [PoolGeometry.SppPaper(h, n), PoolGeometry.SppPaper(w, n)], sem)),
            "caffe" => new PoolPlan(new PoolDescriptor(red, [PoolGeometry.SppCaffe(h, n), PoolGeometry.SppCaffe(w, n)], sem)),
            _ => PoolPlan.Adaptive(red, [h, w], [n, n], sem),
        }).ToArray();
        int perSample = ch * plans.Sum(l => l.OutputPlane);
        var y = new float[(long)batch * perSample];
        KernelRegistry.SpatialPyramidNchw.Run(plans, batch, ch, x, y, false, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, [batch, perSample], y) };
    }

    /// <summary>
    /// Caffe's <c>SPP</c> layer: levels 1, 2, …, 2^(h−1) of Caffe's binning; MAX scans from −FLT_MAX with a strict <c>&gt;</c> (the kernel's
    /// clamp), AVE divides by the padded extent. <c>pyramid_height = 1</c> gives N×C×1×1.
    /// </summary>
    static Dictionary<string, Tensor> RunCaffeSpp(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "caffe.spp";
        int height = p.RequiredInt("pyramid_height");
        if (height < 1) throw new InvalidParameterException("pyramid_height", $"pyramid_height must be at least 1, got {height}");
        if (height > 15) throw new InvalidParameterException("pyramid_height", $"pyramid_height {height} gives 2^{height - 1} bins per side: too large");
        bool max = p.String("pool", "MAX", "MAX", "AVE") == "MAX";
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        RequireNchw(input, op);
        int batch = input.Shape[0], ch = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var red = max ? Reduction.Max : Reduction.Average;
        var sem = PoolSemantics.Torch with { Divisor = DivisorPolicy.IncludePad, EmptyMax = EmptyWindow.Lowest };
        var plans = Enumerable.Range(0, height).Select(l => 1 << l)
            .Select(n => new PoolPlan(new PoolDescriptor(red, [PoolGeometry.SppCaffe(h, n, "pyramid_height"), PoolGeometry.SppCaffe(w, n, "pyramid_height")], sem)))
            .ToArray();
        int perSample = ch * plans.Sum(l => l.OutputPlane);
        var y = new float[(long)batch * perSample];
        KernelRegistry.SpatialPyramidNchw.Run(plans, batch, ch, x, y, clampLowest: max, threads);
        int[] shape = height == 1 ? [batch, ch, 1, 1] : [batch, perSample];
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, shape, y) };
    }
}
