using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;
using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Optimized;

// ROI/SPP variants, fractional max pooling, onnx.MaxUnpool: the ops this part of the backend serves and how it runs them.
public static partial class OptimizedBackend
{
    /// <summary>Ops served by this part of the backend (read by <see cref="Served"/> and the dispatch in <see cref="Run"/>).</summary>
    static string[] RegionOps() => ["poolconf.spp", "caffe.spp", "tf.image.crop_and_resize", "torchvision.ps_roi_pool", "torchvision.ps_roi_align", "onnx.MaxUnpool", "torch.fractional_max_pool2d", "torch.fractional_max_pool3d", "torchvision.multiscale_roi_align"];

    static Dictionary<string, Tensor> RunRegion(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads) => c.Op switch
    {
        "poolconf.spp" => RunPoolconfSpp(p, inputs, threads),
        "caffe.spp" => RunCaffeSpp(p, inputs, threads),
        "tf.image.crop_and_resize" => RunCropAndResize(p, inputs, threads),
        "onnx.MaxUnpool" => RunOnnxMaxUnpool(p, inputs, threads),
        "torchvision.multiscale_roi_align" => RunMultiScaleRoiAlign(p, inputs, threads),
        "torch.fractional_max_pool2d" => RunFractionalMax(2, p, inputs, threads),
        "torch.fractional_max_pool3d" => RunFractionalMax(3, p, inputs, threads),
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
        OutputLimit.Check("levels", Math.Max(batch, 1), ch, levels.Sum(n => (long)n * n));
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
        OutputLimit.Check("crop_size", Math.Max(k, 1), crop[0], crop[1], Math.Max(ch, 1));
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
        else
        {
            // The oracle's cap on the adaptive sample grid, checked before the (parallel) kernel starts.
            RoiGeometry.CheckAlignGrids(rois, scale, 0.5, false, os[0], os[1], sr, boxes.DType, "inputs.boxes");
            KernelRegistry.PsRoiAlignNchw.Run(x, n, c, h, w, rois, os[0], os[1], scale, sr, boxes.DType, y, threads);
        }
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, [rois.Length, cOut, os[0], os[1]], y) };
    }

    // ---------------------------------------------------------------- onnx.MaxUnpool

    /// <summary>
    /// ONNX <c>MaxUnpool</c> (opset ≥ 9): X (N, C, 1–3 spatial axes), I int64 flat over the inferred output, optional
    /// <c>output_shape</c> (same N and C, every spatial axis at least the inferred one, the result at the start of each axis).
    /// </summary>
    static Dictionary<string, Tensor> RunOnnxMaxUnpool(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        float[] x = [];
        var u = OnnxMaxUnpoolParams.Read(p, inputs, "onnx.MaxUnpool", checkX: t => x = Float32(t, "X"));
        var outShape = u.OutputShape ?? u.InferredShape;
        var y = new float[Tensor.ElementCount(outShape)];
        KernelRegistry.OnnxMaxUnpoolNchw.Run(x, u.Indices, u.InferredShape, outShape, y, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(u.Input.DType, outShape, y) };
    }

    // ---------------------------------------------------------------- fractional max pooling

    /// <summary>
    /// <c>torch.fractional_max_pool2d/3d</c> with the explicit <c>samples</c> input (N' ≥ N, C, 2|3; 2-D: component 0 drives W and 1
    /// drives H; 3-D: 0→T, 1→H, 2→W); exactly one of <c>output_size</c> and <c>output_ratio</c>. Both outputs are produced.
    /// </summary>
    static Dictionary<string, Tensor> RunFractionalMax(int nd, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        string op = $"torch.fractional_max_pool{nd}d";
        var k = p.IntTuple("kernel_size", nd) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        if (k.Length == 0) throw new InvalidParameterException("kernel_size", "'kernel_size' must not be empty");
        foreach (var v in k) if (v <= 0) throw new InvalidParameterException("kernel_size", $"kernel size should be greater than zero, got {v}");
        var os = p.IntTuple("output_size", nd);
        if (os is { Length: 0 }) throw new InvalidParameterException("output_size", $"'output_size' must have 1 or {nd} entries, got an empty list");
        double[]? ratio = null;
        if (p.Has("output_ratio"))
        {
            // A non-number (string, bool, object, list entry) reads as NaN and is refused below naming output_ratio;
            // JsonElement.TryGetDouble itself throws InvalidOperationException on a non-number.
            static double Num(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.TryGetDouble(out var d) ? d : double.NaN;
            var raw = p.Raw("output_ratio")!.Value;
            ratio = raw.ValueKind == System.Text.Json.JsonValueKind.Array ? raw.EnumerateArray().Select(Num).ToArray() : [Num(raw)];
            if (ratio.Length == 1) ratio = Enumerable.Repeat(ratio[0], nd).ToArray();
            if (ratio.Length != nd || ratio.Any(r => !(r > 0 && r < 1)))
                throw new InvalidParameterException("output_ratio", $"output_ratio must be {nd} numbers in (0, 1)");
        }
        else p.Raw("output_ratio");
        p.Bool("return_indices", false);
        p.EnsureAllUsed(op);
        if ((os is null) == (ratio is null))
            throw new InvalidParameterException("output_size", "fractional_max_pool requires specifying either an output_size or an output_ratio (exactly one)");
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        bool unbatched = input.Rank == nd + 1;
        if (!unbatched && input.Rank != nd + 2)
            throw new InvalidParameterException("inputs.input", $"{op} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {Tensor.ShapeText(input.Shape)}");
        int[] shape = unbatched ? [1, .. input.Shape] : input.Shape;
        if (shape.Skip(1).Any(d => d == 0))
            throw new InvalidParameterException("inputs.input", $"{op} expects non-zero channel and spatial sizes (batch 0 is allowed), got shape {Tensor.ShapeText(input.Shape)}");
        var spatial = shape[2..];
        var outSpatial = os ?? spatial.Select((l, a) => (int)(l * ratio![a])).ToArray();
        for (int a = 0; a < nd; a++)
        {
            if (outSpatial[a] < 1) throw new InvalidParameterException(os is null ? "output_ratio" : "output_size", $"output size must be at least 1, got {outSpatial[a]}");
            // PyTorch 1.13 checks O + k − 1 ≤ L in 2-D but O + k − 1 < L in 3-D, as the reference's dialect.
            if (nd == 2 ? outSpatial[a] + k[a] - 1 > spatial[a] : outSpatial[a] + k[a] - 1 >= spatial[a])
                throw new InvalidParameterException("output_size", $"pool size too large: output {outSpatial[a]} + kernel {k[a]} − 1 must be {(nd == 2 ? "at most" : "less than")} input {spatial[a]}");
        }
        var samples = Input(inputs, "samples", op);
        int n = shape[0], c = shape[1], planes = n * c;
        if (samples.Rank != 3 || samples.Shape[0] < n || samples.Shape[1] != c || samples.Shape[2] != nd)
            throw new InvalidParameterException("inputs.samples", $"samples must have shape (N' >= {n}, {c}, {nd}), got {Tensor.ShapeText(samples.Shape)}");
        if (samples.DType != input.DType)
            throw new InvalidParameterException("inputs.samples", $"samples must have the input's dtype {input.DType.Name()}, got {samples.DType.Name()}");
        if (samples.Data.Any(u => !(u >= 0 && u < 1))) throw new InvalidParameterException("inputs.samples", "samples must lie in [0, 1)");
        // Per plane one sample per axis in D, H, W order (2-D: a unit depth axis; component 1 → H, 0 → W).
        var u = new float[3 * planes];
        for (int q = 0; q < planes; q++)
        {
            if (nd == 2) { u[3 * q] = 0; u[3 * q + 1] = (float)samples.Data[q * 2 + 1]; u[3 * q + 2] = (float)samples.Data[q * 2]; }
            else for (int a = 0; a < 3; a++) u[3 * q + a] = (float)samples.Data[q * 3 + a];
        }
        int[] in3 = nd == 2 ? [1, .. spatial] : spatial, out3 = nd == 2 ? [1, .. outSpatial] : outSpatial, k3 = nd == 2 ? [1, .. k] : k;
        long outPlane = Tensor.ElementCount(outSpatial);
        var y = new float[planes * outPlane];
        var idx = new long[y.Length];
        KernelRegistry.FractionalMaxPoolNchw.Run(x, planes, in3, out3, k3, u, y, idx, threads);
        int[] outShape = unbatched ? [c, .. outSpatial] : [n, c, .. outSpatial];
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y), ["indices"] = Indices(outShape, idx) };
    }

    // ---------------------------------------------------------------- multi-scale ROI align

    /// <summary>
    /// torchvision <c>MultiScaleRoIAlign</c>: maps x0…x4 (finest first), boxes K×5, image_shapes B×2. Each map's scale is
    /// <c>2^round_half_even(log2(float32(feat_H / orig_H)))</c>; each box's FPN level (Eq. 1, in the boxes' dtype) is clamped to the
    /// maps'; the boxes of one level go through <see cref="RoiAlignKernel"/> together (aligned=False), the results scattered back in
    /// box order.
    /// </summary>
    static Dictionary<string, Tensor> RunMultiScaleRoiAlign(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "torchvision.multiscale_roi_align";
        const int maxLevels = 5;
        var os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
        int sr = p.IntOrNull("sampling_ratio") ?? throw new InvalidParameterException("sampling_ratio", "'sampling_ratio' is required");
        int canonicalScale = p.Int("canonical_scale", 224), canonicalLevel = p.Int("canonical_level", 4);
        if (canonicalScale <= 0) throw new InvalidParameterException("canonical_scale", "canonical_scale must be positive");
        p.EnsureAllUsed(op);
        var maps = new List<Tensor>();
        var data = new List<float[]>();
        for (int i = 0; i < maxLevels; i++)
        {
            if (!inputs.TryGetValue($"x{i}", out var m)) break;
            data.Add(Float32(m, $"x{i}"));
            if (m.Rank != 4 || m.Shape[2] == 0 || m.Shape[3] == 0)
                throw new InvalidParameterException($"inputs.x{i}", $"x{i} must be a non-empty N×C×H×W map, got {Tensor.ShapeText(m.Shape)}");
            if (maps.Count > 0 && (m.Shape[0] != maps[0].Shape[0] || m.Shape[1] != maps[0].Shape[1] || m.DType != maps[0].DType))
                throw new InvalidParameterException($"inputs.x{i}", "every feature map must have x0's batch, channel count and dtype");
            maps.Add(m);
        }
        if (maps.Count == 0) throw new InvalidParameterException("inputs.x0", "at least one feature map x0 is required");
        if (inputs.Keys.Any(k => k.StartsWith('x') && int.TryParse(k[1..], out var j) && j >= maps.Count))
            throw new InvalidParameterException("inputs.x0", "feature maps must be x0, x1, … without gaps");
        var boxes = Input(inputs, "boxes", op);
        if (boxes.DType != maps[0].DType) throw new InvalidParameterException("inputs.boxes", $"boxes must have the maps' dtype {maps[0].DType.Name()}");
        var shapes = Input(inputs, "image_shapes", op);
        if (shapes.DType is not (DType.Int64 or DType.Int32) || shapes.Rank != 2 || shapes.Shape[1] != 2 || shapes.Shape[0] == 0)
            throw new InvalidParameterException("inputs.image_shapes", $"image_shapes must be an int64 (B, 2) tensor of (H, W), got {shapes}");
        var rois = RoiGeometry.Read(boxes, maps[0].Shape[0], "inputs.boxes");
        var t = boxes.DType;
        double R(double v) => t.Round(v);
        double origH = 0;
        for (int b = 0; b < shapes.Shape[0]; b++) origH = Math.Max(origH, shapes.Data[2 * b]);
        if (origH <= 0) throw new InvalidParameterException("inputs.image_shapes", "image heights must be positive");
        var scales = maps.Select(m => Math.Pow(2, Math.Round(Math.Log2((double)(float)((double)m.Shape[2] / origH)), MidpointRounding.ToEven))).ToArray();
        var levels = new int[rois.Length];
        if (maps.Count > 1)
        {
            int kMin = (int)-Math.Log2(scales[0]), kMax = (int)-Math.Log2(scales[^1]);
            for (int k = 0; k < rois.Length; k++)
            {
                var r = rois[k];
                double area = R(R(r.X2 - r.X1) * R(r.Y2 - r.Y1));
                double s = R(Math.Sqrt(area));
                double lvl = Math.Floor(R(R(canonicalLevel + R(Math.Log2(R(s / canonicalScale)))) + R(1e-6)));
                if (double.IsNaN(lvl)) lvl = kMin;
                levels[k] = (int)Math.Clamp(lvl, kMin, kMax) - kMin;
            }
        }
        // The output K×C×PH×PW (and one box's C×PH×PW): refused past 2^28 elements, where an int size would overflow.
        OutputLimit.Check("output_size", Math.Max(rois.Length, 1), maps[0].Shape[1], os[0], os[1]);
        int n = maps[0].Shape[0], c = maps[0].Shape[1], per = c * os[0] * os[1];
        var y = new float[(long)rois.Length * per];
        for (int l = 0; l < maps.Count; l++)
        {
            var members = Enumerable.Range(0, rois.Length).Where(k => levels[k] == l).ToArray();
            if (members.Length == 0) continue;
            var m = maps[l];
            RoiGeometry.CheckAlignGrids(members.Select(k => rois[k]), scales[l], 0, true, os[0], os[1], sr, t, "inputs.boxes");
            var part = new float[(long)members.Length * per];
            KernelRegistry.RoiAlignNchw.Run(data[l], n, c, m.Shape[2], m.Shape[3], [.. members.Select(k => rois[k])], os[0], os[1], scales[l], sr, 0, true, t, part, threads);
            for (int i = 0; i < members.Length; i++) Array.Copy(part, (long)i * per, y, (long)members[i] * per, per);
        }
        return new(StringComparer.Ordinal) { ["output"] = Output(maps[0].DType, [rois.Length, c, os[0], os[1]], y) };
    }
}
