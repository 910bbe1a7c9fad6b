using System.Text.Json;
using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;

namespace PoolingConformance.Optimized.Planning;

/// <summary>
/// Maps a contract case of a window-pooling op onto a backend-neutral <see cref="WindowPlan"/>. Parameters are read as the
/// reference's dialect front-ends read them (src/Reference/Dialects: the same names, defaults and validation; an invalid
/// case throws <see cref="InvalidParameterException"/> naming the field), the geometry comes from <see cref="PoolGeometry"/>
/// and the semantics from the dialect's <see cref="PoolSemantics"/> preset. Anything the plan cannot represent throws
/// <see cref="NotServedException"/> with the reason (a backend reports it as skipped).
/// <para>Ops: <c>torch.{max,avg,lp}_pool{1,2,3}d</c>, <c>torch.adaptive_{max,avg}_pool{1,2,3}d</c>, <c>onnx.{MaxPool, AveragePool,
/// LpPool, GlobalMaxPool, GlobalAveragePool, GlobalLpPool}</c>, <c>tf.nn.{max,avg}_pool</c> (channels-last or -first),
/// <c>webnn.{maxPool2d, averagePool2d, l2Pool2d}</c> (nchw or nhwc). Inputs float32 or float16 (widened; results rounded back
/// once).</para>
/// </summary>
public static class CasePlanner
{
    static readonly string[] TorchWindow =
        [.. new[] { "max", "avg", "lp", "adaptive_max", "adaptive_avg" }.SelectMany(k => new[] { 1, 2, 3 }.Select(n => $"torch.{k}_pool{n}d"))];

    /// <summary>Every op the planner maps.</summary>
    public static IReadOnlyList<string> Ops { get; } =
    [
        .. TorchWindow,
        "onnx.MaxPool", "onnx.AveragePool", "onnx.LpPool", "onnx.GlobalMaxPool", "onnx.GlobalAveragePool", "onnx.GlobalLpPool",
        "tf.nn.max_pool", "tf.nn.avg_pool", "webnn.maxPool2d", "webnn.averagePool2d", "webnn.l2Pool2d", "darknet.maxpool",
    ];

    /// <summary>Why the planner does not map a case's op (decidable from the op name), or null.</summary>
    public static string? Unsupported(CaseSpec c) =>
        Ops.Contains(c.Op) ? null : $"{c.Op} is not a window-pooling op the planner maps";

    /// <summary>Plans a case. Throws <see cref="NotServedException"/> or <see cref="InvalidParameterException"/>.</summary>
    public static WindowPlan Plan(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        if (Unsupported(c) is { } why) throw new NotServedException(why);
        var p = new ParamReader(c.Params);
        var plan = c.Op switch
        {
            var o when o.StartsWith("torch.adaptive_", StringComparison.Ordinal) => TorchAdaptive(c, p, inputs),
            var o when o.StartsWith("torch.", StringComparison.Ordinal) => TorchFixed(c, p, inputs),
            "onnx.GlobalMaxPool" or "onnx.GlobalAveragePool" or "onnx.GlobalLpPool" => OnnxGlobal(c, p, inputs),
            var o when o.StartsWith("onnx.", StringComparison.Ordinal) => OnnxFixed(c, p, inputs),
            var o when o.StartsWith("tf.", StringComparison.Ordinal) => Tf(c, p, inputs),
            "darknet.maxpool" => Darknet(c, p, inputs),
            _ => WebNn(c, p, inputs),
        };
        return plan;
    }

    /// <summary>
    /// A plan straight from a canonical descriptor (benchmarks, composite ops such as SPP): N×C planes of the descriptor's
    /// spatial shape, value output <c>output</c>, indices (max) per plane.
    /// </summary>
    public static WindowPlan FromDescriptor(PoolDescriptor desc, int n, int c, float[] x, bool channelsLast = false, string op = "descriptor")
    {
        var spatial = desc.Axes.Select(a => a.Length).ToArray();
        if ((long)n * c * Tensor.ElementCount(spatial) != x.Length) throw new ArgumentException($"input has {x.Length} elements, not {n}×{c}×{Tensor.ShapeText(spatial)}");
        var tables = Pad3(desc.Axes.Select(AxisTable.From).ToArray());
        var r = desc.Reduction;
        return new WindowPlan
        {
            Op = op, Reduction = r, P = desc.P, N = n, C = c, InSpatial = spatial, Axes = tables, ChannelsLast = channelsLast,
            Divisor = r == Reduction.Average ? Divisors(tables, desc.Semantics, desc.DivisorOverride) : null,
            LpScale = r == Reduction.Lp ? LpScales(tables, desc.Semantics) : null,
            Semantics = PlanSemantics.From(desc.Semantics), Descriptor = desc, X = x, InputDType = DType.Float32,
            ValueName = "output", IndexName = r == Reduction.Max ? "indices" : null,
            OutputShape = OutShape(n, c, desc.Axes.Select(a => a.Output).ToArray(), false, channelsLast),
        };
    }

    // ---------------------------------------------------------------- inputs

    static Tensor Input(IReadOnlyDictionary<string, Tensor> inputs, string name, string op) =>
        inputs.TryGetValue(name, out var t) ? t : throw new InvalidParameterException($"inputs.{name}", $"input '{name}' is required by {op}");

    static float[] Float32(Tensor t)
    {
        if (t.DType is not (DType.Float32 or DType.Float16))
            throw new NotServedException($"dtype {t.DType.Name()} (the planned kernels are float32; float16 is widened)");
        var x = new float[t.Data.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)t.Data[i];
        return x;
    }

    /// <summary>PyTorch's (N, C, *spatial) or unbatched (C, *spatial); zero channel or spatial sizes refused, zero batch not served.</summary>
    static (int N, int C, int[] Spatial, bool Unbatched) TorchShape(Tensor x, int nd, string op)
    {
        bool unbatched = x.Rank == nd + 1;
        if (!unbatched && x.Rank != nd + 2)
            throw new InvalidParameterException("input", $"{op} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {Tensor.ShapeText(x.Shape)}");
        int[] s = unbatched ? [1, .. x.Shape] : x.Shape;
        if (s.Skip(1).Any(v => v == 0))
            throw new InvalidParameterException("input", $"{op} expects non-zero channel and spatial sizes, got shape {Tensor.ShapeText(x.Shape)}");
        if (s[0] == 0) throw new NotServedException("an empty batch (N = 0)");
        return (s[0], s[1], s[2..], unbatched);
    }

    // ---------------------------------------------------------------- shared assembly

    static AxisTable[] Pad3(AxisTable[] axes) => axes.Length switch
    {
        1 => [AxisTable.Unit, AxisTable.Unit, axes[0]],
        2 => [AxisTable.Unit, axes[0], axes[1]],
        3 => axes,
        _ => throw new NotServedException($"{axes.Length} spatial axes (the plans have 1 to 3)"),
    };

    /// <summary>Per-cell divisor of an average over fixed windows, by the descriptor's policy (0: the window takes EmptyAverage).</summary>
    static float[] Divisors(AxisTable[] t, PoolSemantics sem, double overrideValue)
    {
        var div = new float[t[0].Output * t[1].Output * t[2].Output];
        int cell = 0;
        for (int od = 0; od < t[0].Output; od++)
            for (int oh = 0; oh < t[1].Output; oh++)
                for (int ow = 0; ow < t[2].Output; ow++, cell++)
                {
                    long inBounds = (long)t[0].Count[od] * t[1].Count[oh] * t[2].Count[ow];
                    double d = sem.Divisor switch
                    {
                        DivisorPolicy.IncludePad => (double)t[0].Padded[od] * t[1].Padded[oh] * t[2].Padded[ow],
                        DivisorPolicy.ExcludePad => inBounds,
                        DivisorPolicy.FullKernel => (double)t[0].Kernel * t[1].Kernel * t[2].Kernel,
                        _ => overrideValue,
                    };
                    // The reference: D = 0, or an empty window whose average is unspecified under ExcludePad, takes EmptyAverage.
                    if (inBounds == 0 && sem.EmptyAverage == EmptyWindow.Unspecified && sem.Divisor == DivisorPolicy.ExcludePad) d = 0;
                    if ((float)d != d) throw new NotServedException($"divisor {d} is not exact in float32");
                    div[cell] = (float)d;
                }
        return div;
    }

    /// <summary>Per-cell Lp scale: PyTorch's ceil inflation <c>Πk / (padded count)</c>, else 1 (the true norm).</summary>
    static float[]? LpScales(AxisTable[] t, PoolSemantics sem)
    {
        if (sem.LpCeil != CeilInflation.TorchInflated) return null;
        var s = new float[t[0].Output * t[1].Output * t[2].Output];
        int cell = 0;
        double full = (double)t[0].Kernel * t[1].Kernel * t[2].Kernel;
        for (int od = 0; od < t[0].Output; od++)
            for (int oh = 0; oh < t[1].Output; oh++)
                for (int ow = 0; ow < t[2].Output; ow++, cell++)
                {
                    double padded = (double)t[0].Padded[od] * t[1].Padded[oh] * t[2].Padded[ow];
                    double f = padded == 0 ? 1 : full / padded;
                    // Exact ratios only (1 in every window but ceil-mode partial ones, where Πk/|R| is rarely a float32 value).
                    s[cell] = (float)f;
                }
        return s;
    }

    static WindowPlan Fixed(string op, Reduction r, Tensor input, int n, int c, int[] spatial, PoolDescriptor desc, bool channelsLast,
        string valueName, string? indexName, IndexFormat fmt, bool columnMajor, int[] outputShape)
    {
        // The oracle's materialization limit, refused naming the same padding field, before any per-axis table is allocated.
        desc.CheckOutputSize(n, c);
        var tables = Pad3(desc.Axes.Select(AxisTable.From).ToArray());
        return new WindowPlan
        {
            Op = op, Reduction = r, P = desc.P, N = n, C = c, InSpatial = spatial, Axes = tables, ChannelsLast = channelsLast,
            Divisor = r == Reduction.Average ? Divisors(tables, desc.Semantics, desc.DivisorOverride) : null,
            LpScale = r == Reduction.Lp ? LpScales(tables, desc.Semantics) : null,
            Semantics = PlanSemantics.From(desc.Semantics), Descriptor = desc, X = Float32(input), InputDType = input.DType,
            ValueName = valueName, IndexName = indexName, IndexFormat = fmt, ColumnMajor = columnMajor, OutputShape = outputShape,
        };
    }

    static int[] OutShape(int n, int c, int[] outSpatial, bool unbatched, bool channelsLast) =>
        channelsLast ? [n, .. outSpatial, c] : unbatched ? [c, .. outSpatial] : [n, c, .. outSpatial];

    static string? Wanted(CaseSpec c, string name) => c.Outputs.Contains(name) ? name : null;

    // ---------------------------------------------------------------- torch

    static int Nd(string op) => op[^2] - '0';

    static int[] TorchKernel(ParamReader p, int nd)
    {
        var k = p.IntTuple("kernel_size", nd) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        if (k.Length == 0) throw new InvalidParameterException("kernel_size", "'kernel_size' must not be empty");
        foreach (var v in k) if (v <= 0) throw new InvalidParameterException("kernel_size", $"kernel size should be greater than zero, got {v}");
        return k;
    }

    static int[] TorchStride(ParamReader p, int nd, int[] k)
    {
        var s = p.IntTuple("stride", nd);
        if (s is null || s.Length == 0) return k;
        foreach (var v in s) if (v <= 0) throw new InvalidParameterException("stride", $"stride should be greater than zero, got {v}");
        return s;
    }

    static int[] TorchPadding(ParamReader p, int nd, int[] k)
    {
        var pad = p.IntTuple("padding", nd) ?? new int[nd];
        if (pad.Length == 0) pad = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            if (pad[a] < 0) throw new InvalidParameterException("padding", $"pad must be non-negative, got {pad[a]}");
            if (pad[a] > k[a] / 2) throw new InvalidParameterException("padding", $"pad should be at most half of kernel size, but got pad={pad[a]} and kernel_size={k[a]}");
        }
        return pad;
    }

    static WindowPlan TorchFixed(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int nd = Nd(c.Op);
        var r = c.Op.StartsWith("torch.max_", StringComparison.Ordinal) ? Reduction.Max
              : c.Op.StartsWith("torch.avg_", StringComparison.Ordinal) ? Reduction.Average : Reduction.Lp;
        double norm = 2;
        if (r == Reduction.Lp) norm = p.Has("norm_type") ? p.Double("norm_type", 0) : throw new InvalidParameterException("norm_type", "'norm_type' is required");
        var k = TorchKernel(p, nd);
        var s = TorchStride(p, nd, k);
        var pad = r == Reduction.Lp ? new int[nd] : TorchPadding(p, nd, k);
        int[] d = Enumerable.Repeat(1, nd).ToArray();
        if (r == Reduction.Max)
        {
            d = p.IntTuple("dilation", nd) ?? d;
            if (d.Length == 0) throw new InvalidParameterException("dilation", $"'dilation' must be a single int or a tuple of {nd} ints, got an empty list");
            foreach (var v in d) if (v <= 0) throw new InvalidParameterException("dilation", $"dilation should be greater than zero, got {v}");
        }
        bool ceil = p.Bool("ceil_mode", false);
        bool cip = true; int? div = null;
        if (r == Reduction.Max) p.Bool("return_indices", false);
        if (r == Reduction.Average)
        {
            cip = p.Bool("count_include_pad", true);
            div = nd > 1 ? p.IntOrNull("divisor_override") : null;
        }
        p.EnsureAllUsed(c.Op);
        if (div == 0) throw new InvalidParameterException("divisor_override", "divisor must be not zero");
        if (r == Reduction.Lp && (!(norm > 0) || double.IsInfinity(norm)))
            throw new InvalidParameterException("norm_type", $"norm_type must be a finite positive number, got {norm}");
        var input = Input(inputs, "input", c.Op);
        var (n, ch, spatial, unbatched) = TorchShape(input, nd, c.Op);
        if (r == Reduction.Average && nd == 3)
            for (int a = 0; a < 3; a++)
                if (spatial[a] < k[a])
                    throw new InvalidParameterException("input", $"input image {Tensor.ShapeText(spatial)} smaller than kernel size {Tensor.ShapeText(k)} (avg_pool3d checks this)");
        var axes = new Axis[nd];
        for (int a = 0; a < nd; a++)
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], d[a], pad[a], pad[a], ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
        var sem = r != Reduction.Average ? PoolSemantics.Torch
            : PoolSemantics.Torch with { Divisor = div is not null ? DivisorPolicy.Override : cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad };
        var desc = new PoolDescriptor(r, axes, sem, P: norm, DivisorOverride: div ?? 0);
        var outSpatial = axes.Select(a => a.Output).ToArray();
        return Fixed(c.Op, r, input, n, ch, spatial, desc, false, "output", r == Reduction.Max ? Wanted(c, "indices") : null,
            IndexFormat.Plane, false, OutShape(n, ch, outSpatial, unbatched, false));
    }

    static WindowPlan TorchAdaptive(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int nd = Nd(c.Op);
        bool max = c.Op.StartsWith("torch.adaptive_max", StringComparison.Ordinal);
        var os = p.NullableIntTuple("output_size", nd) ?? throw new InvalidParameterException("output_size", "'output_size' is required");
        if (max) p.Bool("return_indices", false);
        p.EnsureAllUsed(c.Op);
        var input = Input(inputs, "input", c.Op);
        var (n, ch, spatial, unbatched) = TorchShape(input, nd, c.Op);
        var outSpatial = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            outSpatial[a] = os[a] ?? spatial[a];
            if (outSpatial[a] < 1) throw new InvalidParameterException("output_size", $"output_size entries must be at least 1, got {outSpatial[a]}");
        }
        var tables = Pad3(spatial.Select((l, a) => AxisTable.Adaptive(l, outSpatial[a])).ToArray());
        // The reference: adaptive max with PyTorch's semantics; adaptive average divides by the bin size.
        var sem = max ? PoolSemantics.Torch : PoolSemantics.Generic with { Divisor = DivisorPolicy.ExcludePad };
        return new WindowPlan
        {
            Op = c.Op, Reduction = max ? Reduction.Max : Reduction.Average, N = n, C = ch, InSpatial = spatial, Axes = tables,
            Divisor = max ? null : Divisors(tables, sem, 0), Semantics = PlanSemantics.From(sem), X = Float32(input), InputDType = input.DType,
            ValueName = "output", IndexName = max ? Wanted(c, "indices") : null, OutputShape = OutShape(n, ch, outSpatial, unbatched, false),
        };
    }

    // ---------------------------------------------------------------- onnx

    static Tensor OnnxX(IReadOnlyDictionary<string, Tensor> inputs, string op)
    {
        var x = Input(inputs, "X", op);
        if (x.Rank is < 3 or > 5) throw new InvalidParameterException("X", $"{op} expects X of rank 3 to 5 (N, C, 1 to 3 spatial axes), got shape {Tensor.ShapeText(x.Shape)}");
        if (x.Shape.Skip(2).Any(v => v == 0)) throw new InvalidParameterException("X", $"{op} expects non-empty spatial axes, got shape {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[0] == 0 || x.Shape[1] == 0) throw new NotServedException("an empty batch or channel axis");
        return x;
    }

    static double OnnxP(ParamReader p, int opset)
    {
        double pv = opset >= 2 ? p.Int("p", 2) : p.Double("p", 2.0);
        if (!(pv > 0) || double.IsInfinity(pv)) throw new InvalidParameterException("p", $"p must be positive, got {pv}");
        return pv;
    }

    static WindowPlan OnnxFixed(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var r = c.Op switch { "onnx.MaxPool" => Reduction.Max, "onnx.AveragePool" => Reduction.Average, _ => Reduction.Lp };
        int opset = OnnxOpset.Read(p);
        switch (r)
        {
            case Reduction.Max:
                OnnxOpset.Since(p, "storage_order", 8, opset, c.Op); OnnxOpset.Since(p, "ceil_mode", 10, opset, c.Op); OnnxOpset.Since(p, "dilations", 10, opset, c.Op); break;
            case Reduction.Average:
                OnnxOpset.Since(p, "count_include_pad", 7, opset, c.Op); OnnxOpset.Since(p, "ceil_mode", 10, opset, c.Op); OnnxOpset.Since(p, "dilations", 19, opset, c.Op); break;
            default:
                OnnxOpset.Since(p, "ceil_mode", 18, opset, c.Op); OnnxOpset.Since(p, "dilations", 18, opset, c.Op); break;
        }
        var x = OnnxX(inputs, c.Op);
        int nd = x.Rank - 2;
        var k = p.IntList("kernel_shape") ?? throw new InvalidParameterException("kernel_shape", "'kernel_shape' is required");
        if (k.Length != nd) throw new InvalidParameterException("kernel_shape", $"kernel_shape must have {nd} entries (the input's spatial rank), got {k.Length}");
        if (k.Any(v => v <= 0)) throw new InvalidParameterException("kernel_shape", "kernel_shape entries must be positive");
        var s = p.IntList("strides") ?? Enumerable.Repeat(1, nd).ToArray();
        if (s.Length != nd) throw new InvalidParameterException("strides", $"strides must have {nd} entries, got {s.Length}");
        if (s.Any(v => v <= 0)) throw new InvalidParameterException("strides", "strides must be positive");
        var d = p.IntList("dilations") ?? Enumerable.Repeat(1, nd).ToArray();
        if (d.Length != nd) throw new InvalidParameterException("dilations", $"dilations must have {nd} entries, got {d.Length}");
        if (d.Any(v => v <= 0)) throw new InvalidParameterException("dilations", "dilations must be positive");
        bool padsGiven = p.Has("pads");
        var pads = p.IntList("pads") ?? new int[2 * nd];
        if (pads.Length != 2 * nd) throw new InvalidParameterException("pads", $"pads must have {2 * nd} entries ([begins..., ends...]), got {pads.Length}");
        if (pads.Any(v => v < 0)) throw new InvalidParameterException("pads", "pads must be non-negative");
        var autoPad = p.String("auto_pad", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID") switch
        {
            "SAME_UPPER" => AutoPad.SameUpper, "SAME_LOWER" => AutoPad.SameLower, "VALID" => AutoPad.Valid, _ => AutoPad.NotSet,
        };
        if (autoPad != AutoPad.NotSet && padsGiven && pads.Any(v => v != 0))
            throw new InvalidParameterException("pads", "pads cannot be used together with auto_pad");
        bool ceil = p.Flag01("ceil_mode", false);
        bool columnMajor = false, cip = false;
        double pv = 2;
        if (r == Reduction.Max)
            columnMajor = p.Int("storage_order", 0) switch
            {
                0 => false, 1 => true, var so => throw new InvalidParameterException("storage_order", $"storage_order must be 0 or 1, got {so}"),
            };
        else if (r == Reduction.Average) cip = p.Flag01("count_include_pad", false);
        else pv = OnnxP(p, opset);
        p.EnsureAllUsed(c.Op);
        var spatial = x.Shape[2..];
        var axes = new Axis[nd];
        for (int a = 0; a < nd; a++)
        {
            var (pb, pe) = autoPad == AutoPad.NotSet ? (pads[a], pads[a + nd]) : PoolGeometry.AutoPads(spatial[a], k[a], s[a], d[a], autoPad);
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], d[a], pb, pe, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor, "kernel_shape");
        }
        var sem = r == Reduction.Average ? PoolSemantics.Onnx with { Divisor = cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad } : PoolSemantics.Onnx;
        var desc = new PoolDescriptor(r, axes, sem, P: pv, PadField: "pads");
        int n = x.Shape[0], ch = x.Shape[1];
        string? idx = r == Reduction.Max && opset >= 8 ? Wanted(c, "Indices") : null;
        return Fixed(c.Op, r, x, n, ch, spatial, desc, false, "Y", idx, IndexFormat.OnnxFlat, columnMajor,
            OutShape(n, ch, axes.Select(a => a.Output).ToArray(), false, false));
    }

    static WindowPlan OnnxGlobal(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var r = c.Op switch { "onnx.GlobalMaxPool" => Reduction.Max, "onnx.GlobalAveragePool" => Reduction.Average, _ => Reduction.Lp };
        int opset = OnnxOpset.Read(p);
        double pv = r == Reduction.Lp ? OnnxP(p, opset) : 2;
        p.EnsureAllUsed(c.Op);
        var x = OnnxX(inputs, c.Op);
        var spatial = x.Shape[2..];
        var axes = spatial.Select(l => new Axis(l, l, 1, 1, 0, 0, 1)).ToArray();
        var desc = new PoolDescriptor(r, axes, PoolSemantics.Onnx, P: pv);
        int n = x.Shape[0], ch = x.Shape[1];
        return Fixed(c.Op, r, x, n, ch, spatial, desc, false, "Y", null, IndexFormat.OnnxFlat, false,
            OutShape(n, ch, axes.Select(_ => 1).ToArray(), false, false));
    }

    // ---------------------------------------------------------------- tf

    static readonly string[][] TfFormats = [["NWC", "NCW"], ["NHWC", "NCHW"], ["NDHWC", "NCDHW"]];

    static int[] TfWindow(ParamReader p, string name, int nd, bool channelsLast)
    {
        var raw = p.Raw(name) ?? throw new InvalidParameterException(name, $"'{name}' is required");
        int[] v;
        if (raw.ValueKind == JsonValueKind.Number) v = [raw.TryGetInt32(out var one) ? one : throw new InvalidParameterException(name, $"'{name}' must be an int")];
        else if (raw.ValueKind == JsonValueKind.Array)
            v = raw.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw new InvalidParameterException(name, $"'{name}' entries must be ints")).ToArray();
        else throw new InvalidParameterException(name, $"'{name}' must be an int or a list of ints");
        int[] spatial;
        if (v.Length == 1) spatial = Enumerable.Repeat(v[0], nd).ToArray();
        else if (v.Length == nd) spatial = v;
        else if (v.Length == nd + 2)
        {
            int ci = channelsLast ? nd + 1 : 1;
            if (v[0] != 1 || v[ci] != 1) throw new InvalidParameterException(name, $"'{name}' must be 1 on the batch and channel dimensions");
            spatial = channelsLast ? v[1..(nd + 1)] : v[2..];
        }
        else throw new InvalidParameterException(name, $"'{name}' must have 1, {nd} or {nd + 2} entries, got {v.Length}");
        if (spatial.Any(s => s <= 0)) throw new InvalidParameterException(name, $"'{name}' entries must be positive");
        return spatial;
    }

    static WindowPlan Tf(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        bool max = c.Op == "tf.nn.max_pool";
        var input = Input(inputs, "input", c.Op);
        if (input.Rank is < 3 or > 5) throw new InvalidParameterException("input", $"{c.Op} expects a rank 3 to 5 input, got {Tensor.ShapeText(input.Shape)}");
        int nd = input.Rank - 2;
        bool last = p.String("data_format", TfFormats[nd - 1][0], TfFormats[nd - 1]) == TfFormats[nd - 1][0];
        var k = TfWindow(p, "ksize", nd, last);
        var s = TfWindow(p, "strides", nd, last);
        int n = input.Shape[0], ch = last ? input.Shape[^1] : input.Shape[1];
        int[] spatial = last ? input.Shape[1..^1] : input.Shape[2..];
        var raw = p.Raw("padding") ?? throw new InvalidParameterException("padding", "'padding' is required");
        var axes = new Axis[nd];
        if (raw.ValueKind == JsonValueKind.String)
        {
            var mode = raw.GetString() switch
            {
                "SAME" => AutoPad.SameUpper, "VALID" => AutoPad.Valid,
                var m => throw new InvalidParameterException("padding", $"padding must be \"SAME\" or \"VALID\"{(max ? " or explicit pairs" : "")}, got \"{m}\""),
            };
            for (int a = 0; a < nd; a++)
            {
                var (pb, pe) = PoolGeometry.AutoPads(spatial[a], k[a], s[a], 1, mode);
                axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], 1, pb, pe, CeilRule.Floor, "ksize");
            }
        }
        else
        {
            if (!max || raw.ValueKind != JsonValueKind.Array)
                throw new InvalidParameterException("padding", max ? "padding must be \"SAME\", \"VALID\" or a list of pairs" : "padding must be \"SAME\" or \"VALID\"");
            var pairs = raw.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(v => v.TryGetInt32(out var i) ? i : -1).ToArray() : []).ToArray();
            if (pairs.Length != nd + 2 || pairs.Any(q => q.Length != 2 || q.Any(v => v < 0)))
                throw new InvalidParameterException("padding", $"explicit padding must be {nd + 2} pairs of non-negative ints in data-format order");
            int ci = last ? nd + 1 : 1;
            if (pairs[0].Any(v => v != 0) || pairs[ci].Any(v => v != 0))
                throw new InvalidParameterException("padding", "explicit padding must be 0 on the batch and channel dimensions");
            for (int a = 0; a < nd; a++)
            {
                var pr = pairs[last ? 1 + a : 2 + a];
                axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], 1, pr[0], pr[1], CeilRule.Floor, "ksize");
            }
        }
        p.EnsureAllUsed(c.Op);
        if (n == 0 || ch == 0 || spatial.Any(v => v == 0)) throw new NotServedException("an empty axis");
        var r = max ? Reduction.Max : Reduction.Average;
        var desc = new PoolDescriptor(r, axes, PoolSemantics.Tf);
        return Fixed(c.Op, r, input, n, ch, spatial, desc, last, "output", null, IndexFormat.Plane, false,
            OutShape(n, ch, axes.Select(a => a.Output).ToArray(), false, last));
    }

    // ---------------------------------------------------------------- darknet

    /// <summary>Darknet max: −FLT_MAX initial value (float32's, whatever the dtype), strict &gt;, NaN never wins.</summary>
    public static PoolSemantics DarknetSemantics { get; } = PoolSemantics.Generic with
    {
        Nan = NanPolicy.Ignore, MaxInitial = MaxInitial.Lowest, EmptyMax = EmptyWindow.Lowest,
    };

    static WindowPlan Darknet(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int stride = p.Int("stride", 1);
        int size = p.Int("size", stride);
        int padding = p.Int("padding", size - 1);
        p.EnsureAllUsed(c.Op);
        var x = Input(inputs, "input", c.Op);
        if (x.Rank != 4) throw new InvalidParameterException("inputs.input", $"{c.Op} expects a 4-D input N×C×H×W, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[1] == 0 || x.Shape[2] == 0 || x.Shape[3] == 0)
            throw new InvalidParameterException("inputs.input", $"{c.Op}: channels and spatial sizes must be non-zero, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[0] == 0) throw new NotServedException("an empty batch (N = 0)");
        Axis[] axes = [PoolGeometry.Darknet(x.Shape[2], size, stride, padding), PoolGeometry.Darknet(x.Shape[3], size, stride, padding)];
        var desc = new PoolDescriptor(Reduction.Max, axes, DarknetSemantics);
        int n = x.Shape[0], ch = x.Shape[1];
        return Fixed(c.Op, Reduction.Max, x, n, ch, x.Shape[2..], desc, false, "output", Wanted(c, "indices"), IndexFormat.DarknetGlobal, false,
            OutShape(n, ch, [axes[0].Output, axes[1].Output], false, false));
    }

    // ---------------------------------------------------------------- webnn

    static WindowPlan WebNn(CaseSpec c, ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var r = c.Op switch { "webnn.maxPool2d" => Reduction.Max, "webnn.averagePool2d" => Reduction.Average, _ => Reduction.Lp };
        var input = Input(inputs, "input", c.Op);
        if (input.Rank != 4) throw new InvalidParameterException("input", $"{c.Op} expects a 4-D input, got {Tensor.ShapeText(input.Shape)}");
        bool nhwc = p.String("layout", "nchw", "nchw", "nhwc") == "nhwc";
        int n = input.Shape[0], ch = nhwc ? input.Shape[3] : input.Shape[1];
        int[] spatial = nhwc ? input.Shape[1..3] : input.Shape[2..];
        var win = p.IntList("windowDimensions", 2) ?? spatial;
        var pad = p.IntList("padding", 4) ?? [0, 0, 0, 0];
        var st = p.IntList("strides", 2) ?? [1, 1];
        var dil = p.IntList("dilations", 2) ?? [1, 1];
        bool ceil = p.String("outputShapeRounding", "floor", "floor", "ceil") == "ceil";
        var sizes = p.IntList("outputSizes", 2);
        p.EnsureAllUsed(c.Op);
        if (win.Any(v => v <= 0)) throw new InvalidParameterException("windowDimensions", "windowDimensions must be positive");
        if (st.Any(v => v <= 0)) throw new InvalidParameterException("strides", "strides must be positive");
        if (dil.Any(v => v <= 0)) throw new InvalidParameterException("dilations", "dilations must be positive");
        if (pad.Any(v => v < 0)) throw new InvalidParameterException("padding", "padding must be non-negative");
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
        {
            int pb = pad[2 * a], pe = pad[2 * a + 1];
            int floor = PoolGeometry.WebNnOutputSize(spatial[a], win[a], st[a], dil[a], pb, pe, false);
            int ceilSize = PoolGeometry.WebNnOutputSize(spatial[a], win[a], st[a], dil[a], pb, pe, true);
            int o = ceil ? ceilSize : floor;
            if (sizes is not null)
            {
                if (sizes[a] != floor && sizes[a] != ceilSize)
                    throw new InvalidParameterException("outputSizes", $"outputSizes[{a}] = {sizes[a]} is neither the floor ({floor}) nor the ceil ({ceilSize}) of the calculated size");
                o = sizes[a];
            }
            axes[a] = new Axis(spatial[a], win[a], st[a], dil[a], pb, pe, o);
        }
        if (n == 0 || ch == 0 || spatial.Any(v => v == 0)) throw new NotServedException("an empty axis");
        var desc = new PoolDescriptor(r, axes, PoolSemantics.WebNn, P: 2);
        return Fixed(c.Op, r, input, n, ch, spatial, desc, nhwc, "output", null, IndexFormat.Plane, false,
            OutShape(n, ch, axes.Select(a => a.Output).ToArray(), false, nhwc));
    }
}
