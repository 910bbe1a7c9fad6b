using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;
using PoolingConformance.Optimized.Kernels;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized;

/// <summary>
/// The <c>optimized</c> backend of <c>poolconf run</c>. Window-pooling cases (max / average / Lp in 1-D to 3-D, adaptive and
/// global, of torch, onnx, tf and webnn) are mapped by the host-side planner (<see cref="CasePlanner"/>: parameters, geometry,
/// semantics and output assembly shared with the GPU backend) and run on the kernels of <see cref="KernelRegistry"/> in the
/// plan's layout. The SPP family (<c>ultralytics.spp</c>, <c>ultralytics.sppf</c>, <c>darknet.yolov3_spp</c>), ROI ops
/// (<c>torchvision.roi_align</c>, <c>torchvision.roi_pool</c>, <c>onnx.MaxRoiPool</c>) and <c>torch.max_unpool1d/2d/3d</c> are read
/// here, as the reference's dialect front-ends read them, and run on their registry kernels; the ops of the partial files (regions,
/// survey window methods, feature-level methods) are read there. Inputs float32 or float16 (widened on load, results rounded back
/// once); float64 window-pooling cases take the double path of <see cref="WindowFloat64Kernel"/>; everything else is reported as
/// skipped with the reason.
/// </summary>
public static partial class OptimizedBackend
{
    public static string Version => $"poolconf optimized kernels ({KernelRegistry.Names.Count} kernels; widest tier {Drivers.Cascade.Name(Drivers.Cascade.Widest)})";

    static readonly string[] Special =
        ["ultralytics.spp", "ultralytics.sppf", "darknet.yolov3_spp", "torchvision.roi_align", "poolconf.roi_align_max", "torchvision.roi_pool", "onnx.MaxRoiPool",
         "onnx.RoiAlign", "caffe.roi_align", "tf.nn.max_pool_with_argmax", "darknet.maxpool", "torch.max_unpool1d", "torch.max_unpool2d", "torch.max_unpool3d",
         .. RegionOps(), .. SurveyWindowOps(), .. FeatureOps()];

    /// <summary>Every op the backend serves (some cases of them may still be skipped: dtype, NaN rule).</summary>
    public static IReadOnlyList<string> Served { get; } = [.. CasePlanner.Ops.Union(Special)];

    /// <summary>A case the backend does not serve; the message is the skip reason.</summary>
    public sealed class NotServed(string message) : Exception(message);

    /// <summary>Why the backend does not serve a case (decidable from the case alone), or null.</summary>
    public static string? Unsupported(CaseSpec c) =>
        Served.Contains(c.Op) ? null : $"the optimized backend serves window pooling (torch, onnx, tf, webnn), SPP, ROI ops, crop_and_resize, fractional max, max unpool and the survey/feature methods of `poolconf list`, not {c.Op}";

    /// <summary>
    /// Runs a case; returns every output it produces by name. Throws <see cref="NotServed"/> for inputs the kernels do not
    /// serve (float64, a NaN rule they do not implement) and <see cref="InvalidParameterException"/> for an invalid case.
    /// </summary>
    public static Dictionary<string, Tensor> Run(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        try
        {
            // The ops read here first (the planner may map some of them too, e.g. darknet.maxpool with a NaN rule the window
            // kernels do not take directly), then everything the planner maps.
            if (!Special.Contains(c.Op) && CasePlanner.Unsupported(c) is null)
            {
                // float64 (and PyTorch's int64 average) take the double path; an empty batch the planner does not plan is
                // planned as one image and answered with empty outputs.
                bool wide = inputs.Values.Any(t => t.DType == DType.Float64)
                    || (c.Op.StartsWith("torch.avg_pool", StringComparison.Ordinal) && inputs.Values.Any(t => t.DType == DType.Int64));
                if (wide) return RunWindow64(c, inputs, threads);
                if (EmptyBatch(c, inputs) is { } empty) return empty;
                return RunWindow(CasePlanner.Plan(c, inputs), threads);
            }
            var p = new ParamReader(c.Params);
            return c.Op switch
            {
                "ultralytics.spp" or "ultralytics.sppf" or "darknet.yolov3_spp" => RunSpp(c.Op, p, inputs, threads),
                "torchvision.roi_align" or "poolconf.roi_align_max" or "torchvision.roi_pool" or "onnx.MaxRoiPool" => RunRoi(c.Op, p, inputs, threads),
                "onnx.RoiAlign" => RunOnnxRoiAlign(p, inputs, threads),
                "caffe.roi_align" => RunCaffeRoiAlign(p, inputs, threads),
                "tf.nn.max_pool_with_argmax" => RunTfArgmax(p, inputs, threads),
                "darknet.maxpool" => RunDarknetMaxPool(p, inputs, threads),
                var o when o.StartsWith("torch.max_unpool", StringComparison.Ordinal) => RunUnpool(o, p, inputs, threads),
                var o when RegionOps().Contains(o) => RunRegion(c, p, inputs, threads),
                var o when SurveyWindowOps().Contains(o) => RunSurveyWindow(c, p, inputs, threads),
                var o when FeatureOps().Contains(o) => RunFeature(c, p, inputs, threads),
                _ => throw new NotServed($"{c.Op} is not served"),
            };
        }
        catch (NotServedException e) { throw new NotServed(e.Message); }
    }

    // ---------------------------------------------------------------- window pooling through the planner

    /// <summary>The registry kernel for a planned case: global (average / Lp over the whole plane), adaptive, or the window kernel of its rank.</summary>
    public static KernelEntry KernelFor(WindowPlan wp, PoolPlan plan)
    {
        var layout = wp.ChannelsLast ? TensorLayout.Nhwc : TensorLayout.Nchw;
        if (plan.IsGlobal && wp.Reduction != Reduction.Max)
            return KernelRegistry.All.First(k => k.Kind == KernelKind.Global && k.Reduction == wp.Reduction && k.Layout == layout);
        if (wp.Descriptor is null) return KernelRegistry.FindAdaptive(wp.Reduction, wp.Rank, layout);
        return KernelRegistry.All.First(k => k.Kind == KernelKind.Window && k.Rank == wp.Rank && k.Reduction == wp.Reduction && k.Layout == layout);
    }

    static Dictionary<string, Tensor> RunWindow(WindowPlan wp, int threads)
    {
        var plan = PoolPlan.From(wp);
        var kernel = KernelFor(wp, plan);
        var y = new float[wp.OutputElements];
        long[]? idx = wp.WantsIndices ? new long[wp.OutputElements] : null;
        kernel.Run(plan, wp.N, wp.C, wp.X, y, idx, threads);
        if (plan.FloorAtLowest && wp.InputDType == DType.Float16)
        {
            // TensorFlow's scan starts from the dtype's lowest(): −65504 for float16 (the plan carries float32's −FLT_MAX, which
            // would round to −∞); float16 inputs never lie below it except −∞, so flooring the results is exact.
            const float lowest16 = -65504f;
            for (int i = 0; i < y.Length; i++) if (y[i] < lowest16) y[i] = lowest16;
        }
        if (idx is not null && wp.ChannelsLast)
        {
            // The planner reads indices N×C×out; the channels-last kernels write them N×out×C.
            var t = new long[idx.Length];
            int C = wp.C, plane = wp.OutPlane;
            for (int n = 0; n < wp.N; n++)
                for (int s = 0; s < plane; s++)
                    for (int ch = 0; ch < C; ch++) t[((long)n * C + ch) * plane + s] = idx[((long)n * plane + s) * C + ch];
            idx = t;
        }
        return wp.Assemble(y, idx);
    }

    /// <summary>
    /// A float64 window case: planned as its float32 twin (the planner reads only shapes and parameters from the input, so the
    /// geometry, semantics and index format are the same), then run on the float64 path (<see cref="WindowFloat64Kernel"/>) over
    /// the original double data; the values keep float64, the indices are assembled by the plan.
    /// </summary>
    static Dictionary<string, Tensor> RunWindow64(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var wide = inputs.Where(kv => kv.Value.DType is DType.Float64 or DType.Int64).ToArray();
        if (wide.Length != 1) throw new NotServed($"{wide.Length} float64 / int64 inputs (the double window path takes one)");
        var twin = new Dictionary<string, Tensor>(inputs, StringComparer.Ordinal);
        var x64 = wide[0].Value;
        var narrow = new double[x64.Data.Length];
        for (int i = 0; i < narrow.Length; i++) narrow[i] = (float)x64.Data[i];
        twin[wide[0].Key] = new Tensor(DType.Float32, x64.Shape, narrow);
        var wp = CasePlanner.Plan(c, twin);
        var y = new double[wp.OutputElements];
        long[]? idx = wp.WantsIndices ? new long[wp.OutputElements] : null;
        KernelRegistry.WindowFloat64.Run(wp, x64.Data, y, idx, threads, truncate: x64.DType == DType.Int64);
        var outs = idx is null ? new Dictionary<string, Tensor>(StringComparer.Ordinal) : wp.Assemble(new float[wp.OutputElements], idx);
        outs[wp.ValueName] = new Tensor(x64.DType, wp.OutputShape, y);
        return outs;
    }

    /// <summary>
    /// A window case whose batched input has N = 0 (the planner does not plan it): planned with one zero image instead — the same
    /// parameter and shape checks — and answered with the plan's outputs at N = 0 (no elements). Null when no input has N = 0.
    /// </summary>
    static Dictionary<string, Tensor>? EmptyBatch(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var empty = inputs.Where(kv => kv.Value.Rank >= 3 && kv.Value.Shape[0] == 0 && kv.Value.DType.IsFloat()).ToArray();
        if (empty.Length != 1) return null;
        var x = empty[0].Value;
        var twin = new Dictionary<string, Tensor>(inputs, StringComparer.Ordinal)
        {
            [empty[0].Key] = new Tensor(x.DType, [1, .. x.Shape[1..]], new double[Tensor.ElementCount(x.Shape[1..])]),
        };
        var wp = CasePlanner.Plan(c, twin);
        // Only a batched plan (one image, output led by N) maps back to N = 0; an unbatched input's first axis is C.
        if (wp.N != 1 || x.Rank != wp.Rank + 2 || wp.OutputShape.Length != x.Rank || wp.OutputShape[0] != 1) return null;
        int[] shape = [0, .. wp.OutputShape[1..]];
        var outs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [wp.ValueName] = new Tensor(x.DType, shape, []) };
        if (wp.IndexName is { } name) outs[name] = new Tensor(DType.Int64, shape, []);
        return outs;
    }

    // ---------------------------------------------------------------- inputs

    static Tensor Input(IReadOnlyDictionary<string, Tensor> inputs, string name, string op) =>
        inputs.TryGetValue(name, out var t) ? t : throw new InvalidParameterException($"inputs.{name}", $"input '{name}' is required by {op}");

    static float[] Float32(Tensor t, string name)
    {
        if (t.DType == DType.Float64) throw new NotServed($"dtype {t.DType.Name()} (the optimized kernels are float32; float16 is widened)");
        if (t.DType is not (DType.Float32 or DType.Float16))
            throw new InvalidParameterException($"inputs.{name}", $"input '{name}' has dtype {t.DType.Name()}; allowed: float16, float32, float64");
        var x = new float[t.Data.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)t.Data[i];
        return x;
    }

    /// <summary>An int64 index output from the kernels' indices (the survey ops, fractional max pooling).</summary>
    static Tensor Indices(int[] shape, long[] idx)
    {
        var d = new double[idx.Length];
        for (int i = 0; i < d.Length; i++) d[i] = idx[i];
        return new Tensor(DType.Int64, shape, d);
    }

    static Tensor Output(DType dtype, int[] shape, float[] y)
    {
        var d = new double[y.Length];
        for (int i = 0; i < d.Length; i++) d[i] = dtype.Round(y[i]);
        return new Tensor(dtype, shape, d);
    }

    static void RequireNchw(Tensor x, string op, string input = "input")
    {
        if (x.Rank != 4) throw new InvalidParameterException($"inputs.{input}", $"{op} expects a 4-D input N×C×H×W, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[1] == 0 || x.Shape[2] == 0 || x.Shape[3] == 0)
            throw new InvalidParameterException($"inputs.{input}", $"{op}: channels and spatial sizes must be non-zero, got {Tensor.ShapeText(x.Shape)}");
    }

    /// <summary>
    /// Caffe2 / Detectron v1 <c>RoIAlign</c>: no half-pixel offset, ROI sides at least 1 (so every grid, and the divisor, is at
    /// least 1), rois K×5 or K×4 (batch 0), box arithmetic in the rois' dtype.
    /// </summary>
    static Dictionary<string, Tensor> RunCaffeRoiAlign(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "caffe.roi_align";
        double scale = p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        int ph = p.Int("pooled_h", 1), pw = p.Int("pooled_w", 1), sr = p.Int("sampling_ratio", -1);
        if (ph <= 0) throw new InvalidParameterException("pooled_h", "pooled_h must be positive");
        if (pw <= 0) throw new InvalidParameterException("pooled_w", "pooled_w must be positive");
        p.EnsureAllUsed(op);
        var input = Input(inputs, "X", op);
        var x = Float32(input, "X");
        if (input.Rank != 4) throw new InvalidParameterException("inputs.X", $"{op} expects a 4-D X, got {Tensor.ShapeText(input.Shape)}");
        var boxes = Input(inputs, "rois", op);
        if (boxes.DType != input.DType) throw new InvalidParameterException("inputs.rois", $"rois must have X's dtype {input.DType.Name()}");
        var rois = RoiGeometry.Read(boxes, input.Shape[0], "inputs.rois", allowFour: true);
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        if (h == 0 || w == 0) throw new NotServed("an empty feature map");
        RoiGeometry.CheckAlignGrids(rois, scale, 0, true, ph, pw, sr, boxes.DType, "inputs.rois");
        var y = new float[(long)rois.Length * c * ph * pw];
        KernelRegistry.RoiAlignNchw.Run(x, n, c, h, w, rois, ph, pw, scale, sr, 0, true, boxes.DType, y, threads);
        return new(StringComparer.Ordinal) { ["Y"] = Output(input.DType, [rois.Length, c, ph, pw], y) };
    }

    // ---------------------------------------------------------------- tf.nn.max_pool_with_argmax

    /// <summary>An int, or a list of 1, 2 or 4 entries (NHWC order; batch and channel entries must be 1), as TensorFlow reads ksize / strides.</summary>
    static int[] TfWindow(ParamReader p, string name)
    {
        var raw = p.Raw(name) ?? throw new InvalidParameterException(name, $"'{name}' is required");
        int[] v;
        if (raw.ValueKind == System.Text.Json.JsonValueKind.Number) v = [raw.TryGetInt32(out var one) ? one : throw new InvalidParameterException(name, $"'{name}' must be an int")];
        else if (raw.ValueKind == System.Text.Json.JsonValueKind.Array)
            v = raw.EnumerateArray().Select(e => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw new InvalidParameterException(name, $"'{name}' entries must be ints")).ToArray();
        else throw new InvalidParameterException(name, $"'{name}' must be an int or a list of ints");
        int[] spatial = v.Length switch
        {
            1 => [v[0], v[0]],
            2 => v,
            4 => v[0] != 1 || v[3] != 1 ? throw new InvalidParameterException(name, $"'{name}' must be 1 on the batch and channel dimensions") : v[1..3],
            _ => throw new InvalidParameterException(name, $"'{name}' must have 1, 2 or 4 entries, got {v.Length}"),
        };
        if (spatial.Any(s => s <= 0)) throw new InvalidParameterException(name, $"'{name}' entries must be positive");
        return spatial;
    }

    /// <summary>
    /// TensorFlow's max pool with argmax (4-D NHWC, SAME / VALID): the channels-last max kernel with the first-tap NaN rule, its
    /// in-plane index re-expressed as TensorFlow's <c>(y·W + x)·C + c</c> (plus <c>b·H·W·C</c> with <c>include_batch_in_index</c>).
    /// </summary>
    static Dictionary<string, Tensor> RunTfArgmax(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "tf.nn.max_pool_with_argmax";
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        if (input.Rank != 4) throw new InvalidParameterException("inputs.input", $"{op} expects a 4-D NHWC input, got {Tensor.ShapeText(input.Shape)}");
        p.String("data_format", "NHWC", "NHWC");
        p.String("output_dtype", "int64", "int64");
        bool withBatch = p.Bool("include_batch_in_index", false);
        var k = TfWindow(p, "ksize");
        var s = TfWindow(p, "strides");
        int n = input.Shape[0], h = input.Shape[1], w = input.Shape[2], c = input.Shape[3];
        int[] spatial = [h, w];
        var raw = p.Raw("padding") ?? throw new InvalidParameterException("padding", "'padding' is required");
        var mode = raw.ValueKind == System.Text.Json.JsonValueKind.String ? raw.GetString() switch
        {
            "SAME" => AutoPad.SameUpper, "VALID" => AutoPad.Valid,
            var m => throw new InvalidParameterException("padding", $"padding must be \"SAME\" or \"VALID\", got \"{m}\""),
        } : throw new InvalidParameterException("padding", "padding must be \"SAME\" or \"VALID\"");
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
        {
            var (pb, pe) = PoolGeometry.AutoPads(spatial[a], k[a], s[a], 1, mode);
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], 1, pb, pe, CeilRule.Floor, "ksize");
        }
        p.EnsureAllUsed(op);
        if (n == 0 || h == 0 || w == 0 || c == 0) throw new NotServed("an empty axis");
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.TfArgmax);
        var plan = new PoolPlan(desc);
        int oh = axes[0].Output, ow = axes[1].Output;
        var y = new float[(long)n * oh * ow * c];
        var idx = new long[y.Length];
        KernelRegistry.MaxPool2dNhwc.Run(plan, n, c, x, y, idx, threads);
        var arg = new double[idx.Length];
        for (long i = 0; i < arg.Length; i++)
        {
            long ch = i % c, b = i / ((long)oh * ow * c);
            arg[i] = idx[i] < 0 ? -1 : idx[i] * c + ch + (withBatch ? b * h * w * c : 0);
        }
        int[] shape = [n, oh, ow, c];
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, shape, y), ["argmax"] = new Tensor(DType.Int64, shape, arg) };
    }

    // ---------------------------------------------------------------- darknet.maxpool

    /// <summary>
    /// darknet <c>[maxpool]</c> (size, stride, total padding <c>size − 1</c>, C-truncated offset; <see cref="PoolGeometry.Darknet"/>):
    /// its scan starts from −FLT_MAX with a strict <c>&gt;</c>, so NaN never wins, results are at least −FLT_MAX, and the index stays −1
    /// where no tap beat −FLT_MAX. Computed exactly as the max kernel over the input clamped through <c>x &gt; −FLT_MAX ? x : −FLT_MAX</c>
    /// (NaN and −∞ become −FLT_MAX; first-of-ties kept), an index −1 where the result is −FLT_MAX, and darknet's global index
    /// <c>(n·C + c)·H·W + in-plane</c>.
    /// </summary>
    static Dictionary<string, Tensor> RunDarknetMaxPool(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "darknet.maxpool";
        int stride = p.Int("stride", 1);
        int size = p.Int("size", stride);
        int padding = p.Int("padding", size - 1);
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        RequireNchw(input, op);
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        Axis[] axes = [PoolGeometry.Darknet(h, size, stride, padding), PoolGeometry.Darknet(w, size, stride, padding)];
        const float lowest = -float.MaxValue;
        for (int i = 0; i < x.Length; i++) if (!(x[i] > lowest)) x[i] = lowest;
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Onnx with { EmptyMax = EmptyWindow.Lowest });
        var plan = new PoolPlan(desc);
        int oh = axes[0].Output, ow = axes[1].Output, planeOut = oh * ow, planeIn = h * w;
        var y = new float[(long)n * c * planeOut];
        var idx = new long[y.Length];
        KernelRegistry.MaxPool2dNchw.Run(plan, n, c, x, y, idx, threads);
        var gi = new double[idx.Length];
        for (long i = 0; i < gi.Length; i++) gi[i] = y[i] > lowest && idx[i] >= 0 ? idx[i] + i / planeOut * planeIn : -1;
        int[] shape = [n, c, oh, ow];
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, shape, y), ["indices"] = new Tensor(DType.Int64, shape, gi) };
    }

    // ---------------------------------------------------------------- SPP family

    static void RequireOdd(int k, string field)
    {
        if (k < 1) throw new InvalidParameterException(field, $"kernel size must be at least 1, got {k}");
        if (k % 2 == 0) throw new InvalidParameterException(field, $"kernel size {k} is even: MaxPool2d({k}, 1, {k / 2}) gives H + 1 rows and the concatenation with x fails");
    }

    static Dictionary<string, Tensor> RunSpp(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        int[] blocks;
        SppMax rule = SppMax.Torch;
        switch (op)
        {
            case "ultralytics.spp":
                var ks = p.IntList("k") ?? [5, 9, 13];
                if (ks.Length == 0) throw new InvalidParameterException("k", "'k' must not be empty");
                foreach (var k in ks) RequireOdd(k, "k");
                blocks = [0, .. ks];
                break;
            case "ultralytics.sppf":
                int kf = p.Int("k", 5);
                RequireOdd(kf, "k");
                blocks = [0, kf, 2 * kf - 1, 3 * kf - 2];
                break;
            default:
                var sizes = p.IntList("sizes") ?? [5, 9, 13];
                if (sizes.Length == 0) throw new InvalidParameterException("sizes", "'sizes' must not be empty");
                foreach (var s in sizes) if (s < 1) throw new InvalidParameterException("sizes", $"every maxpool size must be at least 1, got {s}");
                blocks = [.. sizes.Reverse(), 0];
                rule = SppMax.Darknet;
                break;
        }
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        RequireNchw(input, op);
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var y = new float[(long)n * c * h * w * blocks.Length];
        KernelRegistry.SppNchw.Run(rule, blocks, n, c, h, w, x, y, threads);
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, [n, c * blocks.Length, h, w], y) };
    }

    // ---------------------------------------------------------------- ROI ops

    static Dictionary<string, Tensor> RunRoi(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        bool onnx = op == "onnx.MaxRoiPool", alignMax = op == "poolconf.roi_align_max", align = op == "torchvision.roi_align" || alignMax;
        int[] os;
        double scale;
        int sr = 0;
        bool aligned = false;
        if (onnx)
        {
            OnnxOpset.Read(p);
            os = p.IntList("pooled_shape", 2) ?? throw new InvalidParameterException("pooled_shape", "'pooled_shape' is required");
            if (os.Any(v => v <= 0)) throw new InvalidParameterException("pooled_shape", "pooled_shape must be positive");
            scale = (float)p.Double("spatial_scale", 1.0);
            if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        }
        else
        {
            os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
            if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
            scale = p.Double("spatial_scale", 1.0);
            if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", $"spatial_scale must be a finite positive number, got {scale}");
            if (align) { sr = p.Int("sampling_ratio", -1); aligned = p.Bool("aligned", false); }
        }
        p.EnsureAllUsed(op);
        string xName = onnx ? "X" : "input", bName = onnx ? "rois" : "boxes";
        var input = Input(inputs, xName, op);
        var x = Float32(input, xName);
        if (input.Rank != 4) throw new InvalidParameterException($"inputs.{xName}", $"{op} expects a 4-D N×C×H×W input, got {Tensor.ShapeText(input.Shape)}");
        if (!onnx && (input.Shape[2] == 0 || input.Shape[3] == 0)) throw new InvalidParameterException($"inputs.{xName}", "the feature map must not be empty");
        var boxes = Input(inputs, bName, op);
        if (boxes.DType != input.DType) throw new InvalidParameterException($"inputs.{bName}", $"{bName} must have the input's dtype {input.DType.Name()}, got {boxes.DType.Name()}");
        var rois = RoiGeometry.Read(boxes, input.Shape[0], $"inputs.{bName}");
        var coord = onnx && boxes.DType == DType.Float16 ? DType.Float32 : boxes.DType;
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var y = new float[(long)rois.Length * c * os[0] * os[1]];
        if (align) RoiGeometry.CheckAlignGrids(rois, scale, aligned ? 0.5 : 0, !aligned, os[0], os[1], sr, coord, $"inputs.{bName}");
        if (align)
            KernelRegistry.RoiAlignNchw.Run(x, n, c, h, w, rois, os[0], os[1], scale, sr, aligned ? 0.5 : 0, !aligned, coord, y, threads,
                alignMax ? RoiAlignReduction.InterpolatedMax : RoiAlignReduction.Average);
        else KernelRegistry.RoiPoolNchw.Run(x, n, c, h, w, rois, os[0], os[1], scale, coord, y, threads);
        return new(StringComparer.Ordinal) { [onnx ? "Y" : "output"] = Output(input.DType, [rois.Length, c, os[0], os[1]], y) };
    }

    /// <summary>
    /// ONNX <c>RoiAlign</c> (opset ≥ 10): <c>coordinate_transformation_mode</c> half_pixel (offset 0.5, no minimum size; the default
    /// from opset 16) or output_half_pixel (offset 0, ROI ≥ 1; opset 10), <c>mode</c> avg or ONNX's weighted-corner max, rois K×4 with
    /// <c>batch_indices</c>; float16 boxes computed in float32, as ONNX Runtime does.
    /// </summary>
    static Dictionary<string, Tensor> RunOnnxRoiAlign(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        const string op = "onnx.RoiAlign";
        var (halfPixel, max, oh, ow, sr, scale) = OnnxRoiAlignParams.Read(p, op);
        var input = Input(inputs, "X", op);
        var x = Float32(input, "X");
        if (input.Rank != 4) throw new InvalidParameterException("inputs.X", $"RoiAlign expects a 4-D X, got {Tensor.ShapeText(input.Shape)}");
        var boxes = Input(inputs, "rois", op);
        if (boxes.DType != input.DType) throw new InvalidParameterException("inputs.rois", $"rois must have X's dtype {input.DType.Name()}");
        var bi = Input(inputs, "batch_indices", op);
        if (bi.DType is not (DType.Int64 or DType.Int32)) throw new InvalidParameterException("inputs.batch_indices", "batch_indices must be int64");
        var rois = RoiGeometry.Read(boxes, input.Shape[0], "inputs.rois", bi, "inputs.batch_indices");
        var coord = boxes.DType == DType.Float16 ? DType.Float32 : boxes.DType;
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        if (h == 0 || w == 0) throw new NotServed("an empty feature map");
        RoiGeometry.CheckAlignGrids(rois, scale, halfPixel ? 0.5 : 0, !halfPixel, oh, ow, sr, coord, "inputs.rois");
        var y = new float[(long)rois.Length * c * oh * ow];
        KernelRegistry.RoiAlignNchw.Run(x, n, c, h, w, rois, oh, ow, scale, sr, halfPixel ? 0.5 : 0, !halfPixel, coord, y, threads, max ? RoiAlignReduction.WeightedCornerMax : RoiAlignReduction.Average);
        return new(StringComparer.Ordinal) { ["Y"] = Output(input.DType, [rois.Length, c, oh, ow], y) };
    }

    // ---------------------------------------------------------------- max unpool

    static Dictionary<string, Tensor> RunUnpool(string op, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        int nd = op[^2] - '0';
        var k = p.IntTuple("kernel_size", nd) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        if (k.Length == 0) throw new InvalidParameterException("kernel_size", "'kernel_size' must not be empty");
        foreach (var v in k) if (v <= 0) throw new InvalidParameterException("kernel_size", $"kernel size should be greater than zero, got {v}");
        var s = p.IntTuple("stride", nd);
        if (s is null || s.Length == 0) s = k;
        foreach (var v in s) if (v <= 0) throw new InvalidParameterException("stride", $"stride should be greater than zero, got {v}");
        var pad = p.IntTuple("padding", nd) ?? new int[nd];
        if (pad.Length == 0) pad = new int[nd];
        if (pad.Any(v => v < 0)) throw new InvalidParameterException("padding", "padding must be non-negative");
        var osRaw = p.IntList("output_size");
        p.EnsureAllUsed(op);
        var input = Input(inputs, "input", op);
        var x = Float32(input, "input");
        var indices = Input(inputs, "indices", op);
        if (indices.DType != DType.Int64) throw new InvalidParameterException("inputs.indices", $"indices must be int64, got {indices.DType.Name()}");
        if (!indices.Shape.SequenceEqual(input.Shape))
            throw new InvalidParameterException("inputs.indices", $"indices shape {Tensor.ShapeText(indices.Shape)} must equal the input shape {Tensor.ShapeText(input.Shape)}");
        bool unbatched = input.Rank == nd + 1;
        if (!unbatched && input.Rank != nd + 2)
            throw new InvalidParameterException("input", $"{op} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {Tensor.ShapeText(input.Shape)}");
        int[] shape = unbatched ? [1, .. input.Shape] : input.Shape;
        if (shape.Skip(1).Any(v => v == 0))
            throw new InvalidParameterException("input", $"{op} expects non-zero channel and spatial sizes, got shape {Tensor.ShapeText(input.Shape)}");
        if (shape[0] == 0) throw new NotServed("an empty batch (N = 0)");
        var spatial = shape[2..];
        var outSpatial = PoolGeometry.TorchUnpoolOutput(spatial, k, s, pad, osRaw);
        long outPlane = Tensor.ElementCount(outSpatial);
        if (outPlane > int.MaxValue) throw new NotServed("an output plane over 2³¹ elements");
        int n = shape[0], c = shape[1], inPlane = (int)Tensor.ElementCount(spatial);
        var idx = new long[indices.Data.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            double v = indices.Data[i];
            if (!(v >= 0 && v < outPlane))
                throw new InvalidParameterException("inputs.indices", $"Found an invalid max index: {v} (plane size {outPlane}) at element {i}");
            idx[i] = (long)v;
        }
        var y = new float[(long)n * c * outPlane];
        KernelRegistry.MaxUnpoolNchw.Run(x, idx, n, c, inPlane, (int)outPlane, y, threads);
        int[] outShape = unbatched ? [c, .. outSpatial] : [n, c, .. outSpatial];
        return new(StringComparer.Ordinal) { ["output"] = Output(input.DType, outShape, y) };
    }
}
