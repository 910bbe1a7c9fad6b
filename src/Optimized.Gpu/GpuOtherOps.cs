using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// Max unpool (<c>torch.max_unpool1d/2d/3d</c>, <c>onnx.MaxUnpool</c>), ROI align average (<c>torchvision.roi_align</c>,
/// <c>onnx.RoiAlign</c> mode avg), ROI pool (<c>torchvision.roi_pool</c>, <c>onnx.MaxRoiPool</c>) and the YOLO SPP family
/// (<c>darknet.yolov3_spp</c>, <c>ultralytics.spp</c>, <c>ultralytics.sppf</c>) on the GPU. Parameters are read as the reference's
/// dialect front-ends read them; the geometry that decides which cells are read (unpool shapes, ROI bins and sample points, in
/// the boxes' dtype) is planned on the host with <see cref="RoiGeometry"/> and <see cref="PoolGeometry"/>, the arithmetic runs on the device.
/// </summary>
public static class GpuOtherOps
{
    public static IReadOnlyList<string> Ops { get; } =
    [
        "torch.max_unpool1d", "torch.max_unpool2d", "torch.max_unpool3d", "onnx.MaxUnpool",
        "torchvision.roi_align", "torchvision.roi_pool", "onnx.RoiAlign", "onnx.MaxRoiPool",
        "darknet.yolov3_spp", "ultralytics.spp", "ultralytics.sppf",
    ];

    internal static IEnumerable<(string, MethodInfo)> KernelMethods() =>
    [
        (GpuKernelRegistry.MaxUnpool.Name, typeof(OtherKernels).GetMethod(nameof(OtherKernels.UnpoolClaim))!),
        (GpuKernelRegistry.MaxUnpool.Name + "/gather", typeof(OtherKernels).GetMethod(nameof(OtherKernels.UnpoolGather))!),
        (GpuKernelRegistry.RoiAlign.Name, typeof(OtherKernels).GetMethod(nameof(OtherKernels.RoiAlignAvg))!),
        (GpuKernelRegistry.RoiPool.Name, typeof(OtherKernels).GetMethod(nameof(OtherKernels.RoiPool))!),
        (GpuKernelRegistry.ChannelConcat.Name, typeof(OtherKernels).GetMethod(nameof(OtherKernels.CopyChannels))!),
    ];

    public static Dictionary<string, Tensor> Run(GpuRuntime rt, CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var p = new ParamReader(c.Params);
        return c.Op switch
        {
            "onnx.MaxUnpool" => OnnxUnpool(rt, c, p, inputs),
            var o when o.StartsWith("torch.max_unpool", StringComparison.Ordinal) => TorchUnpool(rt, c, p, inputs),
            "torchvision.roi_align" or "torchvision.roi_pool" => Torchvision(rt, c, p, inputs),
            "onnx.RoiAlign" => OnnxRoiAlign(rt, c, p, inputs),
            "onnx.MaxRoiPool" => OnnxMaxRoiPool(rt, c, p, inputs),
            _ => Spp(rt, c, p, inputs),
        };
    }

    static Tensor Input(IReadOnlyDictionary<string, Tensor> inputs, string name, string op) =>
        inputs.TryGetValue(name, out var t) ? t : throw new InvalidParameterException($"inputs.{name}", $"input '{name}' is required by {op}");

    static float[] Float32(Tensor t)
    {
        if (t.DType is not (DType.Float32 or DType.Float16))
            throw new NotServedException($"dtype {t.DType.Name()} (the GPU kernels are float32; float16 is widened)");
        var x = new float[t.Data.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)t.Data[i];
        return x;
    }

    static double[] Rounded(float[] y, DType t)
    {
        var d = new double[y.Length];
        for (int i = 0; i < d.Length; i++) d[i] = t.Round(y[i]);
        return d;
    }

    // ---------------------------------------------------------------- unpool

    /// <summary>Scatters <paramref name="x"/> by per-plane indices into planes of <paramref name="outPlane"/> cells (last writer wins).</summary>
    public static float[] Unpool(GpuRuntime rt, float[] x, long[] indices, int planes, long inPlane, long outPlane)
    {
        long total = planes * outPlane;
        if (total > int.MaxValue || x.Length > int.MaxValue) throw new NotServedException("more than 2^31 − 1 elements");
        var claim = rt.Kernel("unpool.claim", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<int>, UnpoolArgs>(OtherKernels.UnpoolClaim));
        var gather = rt.Kernel("unpool.gather", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>>(OtherKernels.UnpoolGather));
        var acc = rt.Accelerator;
        using var xb = acc.Allocate1D(x.Length == 0 ? [0f] : x);
        using var ib = acc.Allocate1D(indices.Length == 0 ? [0L] : indices);
        var init = new int[Math.Max(1, total)];
        Array.Fill(init, -1);
        using var wb = acc.Allocate1D(init);
        using var yb = acc.Allocate1D<float>(Math.Max(1, total));
        if (x.Length > 0) claim(x.Length, ib.View, wb.View, new UnpoolArgs { InPlane = Math.Max(1, inPlane), OutPlane = outPlane });
        if (total > 0) gather((int)total, xb.View, wb.View, yb.View);
        acc.Synchronize();
        var y = yb.GetAsArray1D();
        return y.Length > total ? y[..(int)total] : y;
    }

    static long[] CheckIndices(Tensor ind, long planeSize, int planes, string field)
    {
        var r = new long[ind.Data.Length];
        for (int i = 0; i < r.Length; i++)
        {
            double v = ind.Data[i];
            if (!(v >= 0 && v < planeSize))
                throw new InvalidParameterException(field, $"Found an invalid max index: {v} (plane size {planeSize}) at element {i}");
            r[i] = (long)v;
        }
        return r;
    }

    static Dictionary<string, Tensor> TorchUnpool(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int nd = c.Op[^2] - '0';
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
        p.EnsureAllUsed(c.Op);
        var input = Input(inputs, "input", c.Op);
        var indices = Input(inputs, "indices", c.Op);
        if (indices.DType != DType.Int64) throw new InvalidParameterException("inputs.indices", $"indices must be int64, got {indices.DType.Name()}");
        if (!indices.Shape.SequenceEqual(input.Shape))
            throw new InvalidParameterException("inputs.indices", $"indices shape {Tensor.ShapeText(indices.Shape)} must equal the input shape {Tensor.ShapeText(input.Shape)}");
        bool unbatched = input.Rank == nd + 1;
        if (!unbatched && input.Rank != nd + 2)
            throw new InvalidParameterException("inputs.input", $"{c.Op} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {Tensor.ShapeText(input.Shape)}");
        int[] shape = unbatched ? [1, .. input.Shape] : input.Shape;
        if (shape.Skip(1).Any(v => v == 0)) throw new InvalidParameterException("inputs.input", $"{c.Op} expects non-zero channel and spatial sizes");
        var spatial = shape[2..];
        var outSpatial = PoolGeometry.TorchUnpoolOutput(spatial, k, s, pad, osRaw);
        long plane = Tensor.ElementCount(outSpatial);
        int planes = shape[0] * shape[1];
        var x = Float32(input);
        var idx = CheckIndices(indices, plane, planes, "inputs.indices");
        var y = Unpool(rt, x, idx, planes, Tensor.ElementCount(spatial), plane);
        int[] outShape = unbatched ? [shape[1], .. outSpatial] : [shape[0], shape[1], .. outSpatial];
        return new() { ["output"] = new Tensor(input.DType, outShape, Rounded(y, input.DType)) };
    }

    static Dictionary<string, Tensor> OnnxUnpool(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var u = OnnxMaxUnpoolParams.Read(p, inputs, c.Op,
            outputShapeUnsupported: () => new NotServedException("MaxUnpool with output_shape (the GPU kernel writes the inferred shape)"));
        // ONNX indices are flat over the whole tensor: one "plane" of every element.
        var y = Unpool(rt, Float32(u.Input), u.Indices, 1, Math.Max(1, u.Input.Data.Length), u.InferredTotal);
        return new() { ["output"] = new Tensor(u.Input.DType, u.InferredShape, Rounded(y, u.Input.DType)) };
    }

    // ---------------------------------------------------------------- ROI

    /// <summary>ROI align average on the device; <paramref name="rois"/> and the geometry mode as the dialect read them.</summary>
    public static float[] RoiAlignAverage(GpuRuntime rt, float[] x, int n, int c, int h, int w, Roi[] rois, int ph, int pw, double scale,
        int samplingRatio, double offset, bool minSize1, DType coordType)
    {
        if ((long)rois.Length * c * ph * pw == 0) return [];
        using var prepared = PrepareRoiAlign(rt, x, c, h, w, rois, ph, pw, scale, samplingRatio, offset, minSize1, coordType);
        prepared.Launch();
        prepared.Synchronize();
        return prepared.Download();
    }

    /// <summary>Plans the sample points of every ROI and uploads everything once.</summary>
    public static PreparedRoi PrepareRoiAlign(GpuRuntime rt, float[] x, int c, int h, int w, Roi[] rois, int ph, int pw, double scale,
        int samplingRatio, double offset, bool minSize1, DType coordType)
    {
        var info = new int[rois.Length * 6];
        var coords = new List<double>();
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, scale, offset, minSize1, ph, samplingRatio, coordType);
            var ax = RoiGeometry.AlignGrid(r.X1, r.X2, scale, offset, minSize1, pw, samplingRatio, coordType);
            int raw = ay.Grid * ax.Grid;
            info[k * 6] = r.Batch; info[k * 6 + 1] = ay.SampleCount; info[k * 6 + 2] = ax.SampleCount;
            info[k * 6 + 3] = coords.Count;
            foreach (var bin in ay.Samples) { if (bin.Length != ay.SampleCount) throw new InvalidOperationException("ROI grid"); coords.AddRange(bin); }
            info[k * 6 + 4] = coords.Count;
            foreach (var bin in ax.Samples) { if (bin.Length != ax.SampleCount) throw new InvalidOperationException("ROI grid"); coords.AddRange(bin); }
            info[k * 6 + 5] = Math.Max(raw, 1); // torchvision and ONNX: divisor max(G_h·G_w, 1)
        }
        var args = new RoiArgs { C = c, H = h, W = w, PH = ph, PW = pw, InfoStride = 6 };
        var kernel = rt.Kernel("roi.align", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<double>, ArrayView<float>, RoiArgs>(OtherKernels.RoiAlignAvg));
        return new PreparedRoi(rt, kernel, x, info, [.. coords], (long)rois.Length * c * ph * pw, args);
    }

    /// <summary>ROI pool (Fast R-CNN max) on the device.</summary>
    public static float[] RoiPoolMax(GpuRuntime rt, float[] x, int n, int c, int h, int w, Roi[] rois, int ph, int pw, double scale, DType coordType)
    {
        int stride = 1 + 2 * ph + 2 * pw;
        var info = new int[rois.Length * stride];
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, h, inclusiveEnd: true, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, w, inclusiveEnd: true, coordType);
            int o = k * stride;
            info[o] = r.Batch;
            for (int i = 0; i < ph; i++) { info[o + 1 + 2 * i] = hb[i].Start; info[o + 2 + 2 * i] = hb[i].End; }
            for (int j = 0; j < pw; j++) { info[o + 1 + 2 * ph + 2 * j] = wb[j].Start; info[o + 2 + 2 * ph + 2 * j] = wb[j].End; }
        }
        var args = new RoiArgs { C = c, H = h, W = w, PH = ph, PW = pw, InfoStride = stride };
        var kernel = rt.Kernel("roi.pool", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<double>, ArrayView<float>, RoiArgs>(OtherKernels.RoiPool));
        return LaunchRoi(rt, kernel, x, info, [0.0], rois.Length * c * ph * pw, args);
    }

    static float[] LaunchRoi(GpuRuntime rt, Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<double>, ArrayView<float>, RoiArgs> kernel,
        float[] x, int[] info, double[] coords, long outCount, RoiArgs args)
    {
        if (outCount == 0) return [];
        using var prepared = new PreparedRoi(rt, kernel, x, info, coords, outCount, args);
        prepared.Launch();
        prepared.Synchronize();
        return prepared.Download();
    }

    /// <summary>A ROI problem uploaded once (the backend and the bench's W6).</summary>
    public sealed class PreparedRoi : IDisposable
    {
        readonly GpuRuntime _rt;
        readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<double>, ArrayView<float>, RoiArgs> _kernel;
        readonly MemoryBuffer1D<float, Stride1D.Dense> _x, _y;
        readonly MemoryBuffer1D<int, Stride1D.Dense> _info;
        readonly MemoryBuffer1D<double, Stride1D.Dense> _coords;
        readonly RoiArgs _args;
        readonly int _count;

        internal PreparedRoi(GpuRuntime rt, Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<double>, ArrayView<float>, RoiArgs> kernel,
            float[] x, int[] info, double[] coords, long outCount, RoiArgs args)
        {
            if (outCount > int.MaxValue) throw new NotServedException("more than 2^31 − 1 outputs");
            _rt = rt; _kernel = kernel; _args = args; _count = (int)outCount;
            var acc = rt.Accelerator;
            _x = acc.Allocate1D(x.Length == 0 ? [0f] : x);
            _info = acc.Allocate1D(info.Length == 0 ? [0] : info);
            _coords = acc.Allocate1D(coords.Length == 0 ? [0.0] : coords);
            _y = acc.Allocate1D<float>(Math.Max(1, outCount));
        }

        /// <summary>The feature map once and the outputs once (the box tables are small).</summary>
        public long Bytes => _x.Length * 4L + _count * 4L;

        public void Launch() { if (_count > 0) _kernel(_count, _x.View, _info.View, _coords.View, _y.View, _args); }
        public void Synchronize() => _rt.Accelerator.Synchronize();
        public float[] Download() { var y = _y.GetAsArray1D(); return y.Length > _count ? y[.._count] : y; }
        public void Dispose() { _x.Dispose(); _info.Dispose(); _coords.Dispose(); _y.Dispose(); }
    }

    static (Tensor X, int N, int C, int H, int W) Feature(IReadOnlyDictionary<string, Tensor> inputs, string name, string op)
    {
        var x = Input(inputs, name, op);
        if (x.Rank != 4) throw new InvalidParameterException($"inputs.{name}", $"{op} expects a 4-D N×C×H×W input, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[2] == 0 || x.Shape[3] == 0) throw new InvalidParameterException($"inputs.{name}", "the feature map must not be empty");
        if (x.DType is not (DType.Float32 or DType.Float16)) throw new NotServedException($"dtype {x.DType.Name()} (the GPU kernels are float32; float16 is widened)");
        return (x, x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
    }

    static Dictionary<string, Tensor> Torchvision(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        bool pool = c.Op == "torchvision.roi_pool";
        var os = p.IntTuple("output_size", 2) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (os.Length != 2 || os.Any(v => v <= 0)) throw new InvalidParameterException("output_size", "output_size must be positive");
        double scale = p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", $"spatial_scale must be a finite positive number, got {scale}");
        int sr = pool ? 0 : p.Int("sampling_ratio", -1);
        bool aligned = !pool && p.Bool("aligned", false);
        p.EnsureAllUsed(c.Op);
        var (x, n, ch, h, w) = Feature(inputs, "input", c.Op);
        var boxes = Input(inputs, "boxes", c.Op);
        if (boxes.DType != x.DType) throw new InvalidParameterException("inputs.boxes", $"boxes must have the input's dtype {x.DType.Name()}, got {boxes.DType.Name()}");
        var rois = RoiGeometry.Read(boxes, n, "inputs.boxes");
        var xf = Float32(x);
        var y = pool
            ? RoiPoolMax(rt, xf, n, ch, h, w, rois, os[0], os[1], scale, boxes.DType)
            : RoiAlignAverage(rt, xf, n, ch, h, w, rois, os[0], os[1], scale, sr, aligned ? 0.5 : 0, !aligned, boxes.DType);
        return new() { ["output"] = new Tensor(x.DType, [rois.Length, ch, os[0], os[1]], Rounded(y, x.DType)) };
    }

    static DType OnnxCoordinates(DType boxes) => boxes == DType.Float16 ? DType.Float32 : boxes;

    static Dictionary<string, Tensor> OnnxRoiAlign(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var (halfPixel, max, oh, ow, sr, scale) = OnnxRoiAlignParams.Read(p, c.Op);
        if (max) throw new NotServedException("RoiAlign mode max (ONNX's weighted-corner max has no GPU kernel; avg has)");
        var (x, n, ch, h, w) = Feature(inputs, "X", c.Op);
        var rois = Input(inputs, "rois", c.Op);
        if (rois.DType != x.DType) throw new InvalidParameterException("inputs.rois", $"rois must have X's dtype {x.DType.Name()}");
        var bi = Input(inputs, "batch_indices", c.Op);
        if (bi.DType is not (DType.Int64 or DType.Int32)) throw new InvalidParameterException("inputs.batch_indices", "batch_indices must be int64");
        var list = RoiGeometry.Read(rois, n, "inputs.rois", bi, "inputs.batch_indices");
        var y = RoiAlignAverage(rt, Float32(x), n, ch, h, w, list, oh, ow, scale, sr, halfPixel ? 0.5 : 0, !halfPixel, OnnxCoordinates(rois.DType));
        return new() { ["Y"] = new Tensor(x.DType, [list.Length, ch, oh, ow], Rounded(y, x.DType)) };
    }

    static Dictionary<string, Tensor> OnnxMaxRoiPool(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        OnnxOpset.Read(p);
        var ps = p.IntList("pooled_shape", 2) ?? throw new InvalidParameterException("pooled_shape", "'pooled_shape' is required");
        if (ps.Any(v => v <= 0)) throw new InvalidParameterException("pooled_shape", "pooled_shape must be positive");
        double scale = (float)p.Double("spatial_scale", 1.0);
        if (!double.IsFinite(scale) || scale <= 0) throw new InvalidParameterException("spatial_scale", "spatial_scale must be a finite positive number");
        p.EnsureAllUsed(c.Op);
        var (x, n, ch, h, w) = Feature(inputs, "X", c.Op);
        var rois = Input(inputs, "rois", c.Op);
        if (rois.DType != x.DType) throw new InvalidParameterException("inputs.rois", $"rois must have X's dtype {x.DType.Name()}");
        var list = RoiGeometry.Read(rois, n, "inputs.rois");
        var y = RoiPoolMax(rt, Float32(x), n, ch, h, w, list, ps[0], ps[1], scale, OnnxCoordinates(rois.DType));
        return new() { ["Y"] = new Tensor(x.DType, [list.Length, ch, ps[0], ps[1]], Rounded(y, x.DType)) };
    }

    // ---------------------------------------------------------------- SPP

    static PoolSemantics Darknet => CasePlanner.DarknetSemantics;

    /// <summary>One block of an SPP output: the input itself (null) or a max pool of the input (or of the previous block when chained).</summary>
    public sealed record SppBlock(PoolDescriptor? Pool, bool Chained = false);

    /// <summary>PyTorch <c>MaxPool2d(k, 1, k/2)</c> over h×w (ultralytics SPP/SPPF blocks).</summary>
    public static PoolDescriptor SamePool(int h, int w, int k) => new(Reduction.Max,
        [PoolGeometry.Explicit(h, k, 1, 1, k / 2, k / 2, CeilRule.Floor, "k"), PoolGeometry.Explicit(w, k, 1, 1, k / 2, k / 2, CeilRule.Floor, "k")],
        PoolSemantics.Torch);

    static void RequireOdd(int k, string field)
    {
        if (k < 1) throw new InvalidParameterException(field, $"kernel size must be at least 1, got {k}");
        if (k % 2 == 0) throw new InvalidParameterException(field, $"kernel size {k} is even: MaxPool2d({k}, 1, {k / 2}) gives H + 1 rows and the concatenation with x fails");
    }

    /// <summary>The blocks of an SPP op, in output channel order.</summary>
    public static SppBlock[] SppBlocks(string op, ParamReader p, int h, int w)
    {
        switch (op)
        {
            case "darknet.yolov3_spp":
            {
                var sizes = p.IntList("sizes") ?? [5, 9, 13];
                if (sizes.Length == 0) throw new InvalidParameterException("sizes", "'sizes' must not be empty");
                foreach (var s in sizes) if (s < 1) throw new InvalidParameterException("sizes", $"every maxpool size must be at least 1, got {s}");
                p.EnsureAllUsed(op);
                var blocks = Enumerable.Reverse(sizes).Select(s => new SppBlock(new PoolDescriptor(Reduction.Max,
                    [PoolGeometry.Darknet(h, s, 1, s - 1), PoolGeometry.Darknet(w, s, 1, s - 1)], Darknet))).ToList();
                blocks.Add(new SppBlock(null));
                return [.. blocks];
            }
            case "ultralytics.spp":
            {
                var ks = p.IntList("k") ?? [5, 9, 13];
                if (ks.Length == 0) throw new InvalidParameterException("k", "'k' must not be empty");
                foreach (var k in ks) RequireOdd(k, "k");
                p.EnsureAllUsed(op);
                return [new SppBlock(null), .. ks.Select(k => new SppBlock(SamePool(h, w, k)))];
            }
            default:
            {
                int k = p.Int("k", 5);
                RequireOdd(k, "k");
                p.EnsureAllUsed(op);
                var d = SamePool(h, w, k);
                return [new SppBlock(null), new SppBlock(d), new SppBlock(d, true), new SppBlock(d, true)];
            }
        }
    }

    /// <summary>An SPP problem uploaded once (the bench's W8 and the backend): <see cref="Launch"/> writes the concatenation.</summary>
    public sealed class PreparedSpp : IDisposable
    {
        readonly GpuRuntime _rt;
        readonly SppBlock[] _blocks;
        readonly int _n, _c, _h, _w;
        readonly MemoryBuffer1D<float, Stride1D.Dense> _x, _y, _tmpA, _tmpB, _dummyCell;
        readonly MemoryBuffer1D<long, Stride1D.Dense> _dummyIdx;
        readonly List<(MemoryBuffer1D<int, Stride1D.Dense> Tables, WindowArgs Args)> _pools = [];
        readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ConcatArgs> _copy;

        public int OutChannels => _c * _blocks.Length;
        public long Bytes => _x.Length * 4L + _y.Length * 4L;

        public PreparedSpp(GpuRuntime rt, SppBlock[] blocks, int n, int c, int h, int w, float[] x)
        {
            _rt = rt; _blocks = blocks; _n = n; _c = c; _h = h; _w = w;
            long outCount = (long)n * c * blocks.Length * h * w;
            if (outCount > int.MaxValue) throw new NotServedException("more than 2^31 − 1 outputs");
            var acc = rt.Accelerator;
            _x = acc.Allocate1D(x);
            _y = acc.Allocate1D<float>(Math.Max(1, outCount));
            _tmpA = acc.Allocate1D<float>(Math.Max(1, x.Length));
            _tmpB = acc.Allocate1D<float>(Math.Max(1, x.Length));
            _dummyCell = acc.Allocate1D<float>(1);
            _dummyIdx = acc.Allocate1D<long>(1);
            for (int b = 0; b < blocks.Length; b++)
            {
                if (blocks[b].Pool is not { } d) { _pools.Add((null!, default)); continue; }
                if (d.Axes[0].Output != h || d.Axes[1].Output != w)
                    throw new InvalidParameterException("sizes", $"pool block {b} gives {d.Axes[0].Output}×{d.Axes[1].Output}, not {h}×{w}: the channel concatenation fails");
                var plan = CasePlanner.FromDescriptor(d, n, c, x, op: "spp");
                var args = GpuWindow.Args(plan, false);
                args.WriteIndex = 0; args.YC = c * blocks.Length; args.YOff = c * b;
                _pools.Add((acc.Allocate1D(GpuWindow.Tables(plan)), args));
            }
            _copy = rt.Kernel("concat.copy", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConcatArgs>(OtherKernels.CopyChannels));
        }

        public void Launch()
        {
            int inCount = _n * _c * _h * _w;
            if (inCount == 0) return;
            var last = _x; // the previous pool block's result, when it was kept in a scratch buffer
            for (int b = 0; b < _blocks.Length; b++)
            {
                var concat = new ConcatArgs { C = _c, Plane = _h * _w, YC = _c * _blocks.Length, YOff = _c * b };
                if (_blocks[b].Pool is null) { _copy(inCount, _x.View, _y.View, concat); continue; }
                var (tables, args) = _pools[b];
                var src = _blocks[b].Chained ? last : _x;
                bool feedsChain = b + 1 < _blocks.Length && _blocks[b + 1].Chained;
                if (!feedsChain)
                {
                    _rt.MaxKernel(inCount, src.View, tables.View, _dummyCell.View, _y.View, _dummyIdx.View, args);
                    continue;
                }
                // SPPF: the next block pools this one's result, so keep it in a scratch buffer and copy it into the concatenation.
                var dst = last == _tmpA ? _tmpB : _tmpA;
                var scratch = args;
                scratch.YC = _c; scratch.YOff = 0;
                _rt.MaxKernel(inCount, src.View, tables.View, _dummyCell.View, dst.View, _dummyIdx.View, scratch);
                _copy(inCount, dst.View, _y.View, concat);
                last = dst;
            }
        }

        public void Synchronize() => _rt.Accelerator.Synchronize();

        public float[] Download()
        {
            var y = _y.GetAsArray1D();
            long outCount = (long)_n * OutChannels * _h * _w;
            return y.Length > outCount ? y[..(int)outCount] : y;
        }

        public void Dispose()
        {
            _x.Dispose(); _y.Dispose(); _tmpA.Dispose(); _tmpB.Dispose(); _dummyCell.Dispose(); _dummyIdx.Dispose();
            foreach (var (t, _) in _pools) t?.Dispose();
        }
    }

    static Dictionary<string, Tensor> Spp(GpuRuntime rt, CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var input = Input(inputs, "input", c.Op);
        if (input.Rank != 4) throw new InvalidParameterException("inputs.input", $"{c.Op} expects a 4-D input N×C×H×W, got {Tensor.ShapeText(input.Shape)}");
        if (input.Shape[1] == 0 || input.Shape[2] == 0 || input.Shape[3] == 0)
            throw new InvalidParameterException("inputs.input", $"{c.Op}: channels and spatial sizes must be non-zero, got {Tensor.ShapeText(input.Shape)}");
        int n = input.Shape[0], ch = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var blocks = SppBlocks(c.Op, p, h, w);
        var x = Float32(input);
        if (n == 0) return new() { ["output"] = new Tensor(input.DType, [0, ch * blocks.Length, h, w], []) };
        using var prepared = new PreparedSpp(rt, blocks, n, ch, h, w, x);
        prepared.Launch();
        prepared.Synchronize();
        var y = prepared.Download();
        return new() { ["output"] = new Tensor(input.DType, [n, prepared.OutChannels, h, w], Rounded(y, input.DType)) };
    }
}
