using PoolingConformance.Core;
using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Optimized;

// ROI/SPP variants, fractional max pooling, onnx.MaxUnpool: the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] RegionOps() => ["poolconf.spp", "caffe.spp", "tf.image.crop_and_resize", "torchvision.ps_roi_pool", "torchvision.ps_roi_align"];

    static Dictionary<string, Tensor> RunRegion(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => c.Op switch
    {
        "poolconf.spp" => RunPoolconfSpp(p, inputs, threads),
        "caffe.spp" => RunCaffeSpp(p, inputs, threads),
        "tf.image.crop_and_resize" => RunCropAndResize(p, inputs, threads),
        "torchvision.ps_roi_pool" or "torchvision.ps_roi_align" => RunPsRoi(c.Op, p, inputs, threads),
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

    // ---------------------------------------------------------------- crop and resize, position-sensitive ROI ops

    /// <summary>TensorFlow <c>image.crop_and_resize</c>: image N×H×W×C, boxes K×4 float32, box_indices int32/int64; output float32.</summary>
    static Dictionary<string, Tensor> RunCropAndResize(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "tf.image.crop_and_resize";
        var crop = p.IntList("crop_size", 2) ?? throw new InvalidParameterException("crop_size", "'crop_size' is required");
        if (crop.Any(v => v <= 0)) throw new InvalidParameterException("crop_size", "crop_size must be positive");
        bool nearest = p.String("method", "bilinear", "bilinear", "nearest") == "nearest";
        double extra = p.Double("extrapolation_value", 0.0);
        p.EnsureAllUsed(op);
        var image = Input(inputs, "image", op);
        var x = Float32(image, "image");
        if (image.Rank != 4 || image.Shape[1] == 0 || image.Shape[2] == 0)
            throw new InvalidParameterException("inputs.image", $"image must be a non-empty 4-D N×H×W×C tensor, got {Tensor.ShapeText(image.Shape)}");
        var boxes = Input(inputs, "boxes", op);
        if (boxes.DType != DType.Float32 || boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw new InvalidParameterException("inputs.boxes", $"boxes must be float32 of shape (num_boxes, 4), got {boxes}");
        if (boxes.Data.Any(v => !double.IsFinite(v))) throw new InvalidParameterException("inputs.boxes", "boxes must be finite");
        var bi = Input(inputs, "box_indices", op);
        if (bi.DType is not (DType.Int32 or DType.Int64) || bi.Rank != 1 || bi.Shape[0] != boxes.Shape[0])
            throw new InvalidParameterException("inputs.box_indices", $"box_indices must be int32/int64 of shape ({boxes.Shape[0]}), got {bi}");
        if (bi.Data.Any(v => v < 0 || v >= image.Shape[0])) throw new InvalidParameterException("inputs.box_indices", $"box_indices must lie in [0, {image.Shape[0]})");
        int n = image.Shape[0], h = image.Shape[1], w = image.Shape[2], ch = image.Shape[3], k = boxes.Shape[0];
        var b = new float[boxes.Data.Length];
        for (int i = 0; i < b.Length; i++) b[i] = (float)boxes.Data[i];
        var y = new float[(long)k * crop[0] * crop[1] * ch];
        KernelRegistry.CropAndResizeNhwc.Run(x, n, h, w, ch, b, bi.Data.Select(v => (int)v).ToArray(), crop[0], crop[1], nearest, (float)extra, y, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(DType.Float32, [k, crop[0], crop[1], ch], y) };
    }

    /// <summary>torchvision <c>ps_roi_pool</c> / <c>ps_roi_align</c>: input N×C×H×W with C a multiple of PH·PW, boxes K×5 in the input's dtype.</summary>
    static Dictionary<string, Tensor> RunPsRoi(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        bool pool = op == "torchvision.ps_roi_pool";
        var os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
        double scale = p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", $"spatial_scale must be a finite positive number, got {scale}");
        int sr = pool ? 0 : p.Int("sampling_ratio", -1);
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        if (input.Rank != 4) throw new InvalidParameterException("inputs.input", $"{op} expects a 4-D N×C×H×W input, got {Tensor.ShapeText(input.Shape)}");
        if (input.Shape[2] == 0 || input.Shape[3] == 0) throw new InvalidParameterException("inputs.input", "the feature map must not be empty");
        var boxes = Input(inputs, "boxes", op);
        if (boxes.DType != input.DType) throw new InvalidParameterException("inputs.boxes", $"boxes must have the input's dtype {input.DType.Name()}, got {boxes.DType.Name()}");
        if (input.Shape[1] % (os[0] * os[1]) != 0)
            throw new InvalidParameterException("inputs.input", $"{op}: the channel count {input.Shape[1]} must be a multiple of output_size[0]·output_size[1] = {os[0] * os[1]}");
        var rois = RoiGeometry.Read(boxes, input.Shape[0], "inputs.boxes");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3], cOut = c / (os[0] * os[1]);
        var y = new float[(long)rois.Length * c];
        if (pool) KernelRegistry.PsRoiPoolNchw.Run(x, n, c, h, w, rois, os[0], os[1], scale, boxes.DType, y, threads);
        else KernelRegistry.PsRoiAlignNchw.Run(x, n, c, h, w, rois, os[0], os[1], scale, sr, boxes.DType, y, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, [rois.Length, cOut, os[0], os[1]], y) };
    }
}
