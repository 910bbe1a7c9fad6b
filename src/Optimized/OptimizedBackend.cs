using PoolingConformance.Core;

namespace PoolingConformance.Optimized;

/// <summary>
/// The <c>optimized</c> backend of <c>poolconf run</c>: maps a case of the contract onto a <see cref="PoolDescriptor"/>
/// (geometry from <see cref="PoolGeometry"/>, semantics from the dialect's <see cref="PoolSemantics"/> preset), picks the
/// kernel from <see cref="KernelRegistry"/> and runs it. Serves <c>torch.max_pool2d</c>, <c>torch.avg_pool2d</c>,
/// <c>onnx.MaxPool</c> and <c>onnx.AveragePool</c> on 2-D float32 and float16 inputs (float16 widened on load, results
/// rounded back once); everything else is reported as skipped with the reason.
/// </summary>
public static class OptimizedBackend
{
    public static string Version => $"poolconf optimized kernels ({string.Join(", ", KernelRegistry.All.Select(k => k.Name))}; widest tier {Drivers.Cascade.Name(Drivers.Cascade.Widest)})";

    static readonly string[] Served = ["torch.max_pool2d", "torch.avg_pool2d", "onnx.MaxPool", "onnx.AveragePool"];

    /// <summary>A case the backend does not serve; the message is the skip reason.</summary>
    public sealed class NotServed(string message) : Exception(message);

    /// <summary>Why the backend does not serve a case (decidable from the case alone), or null.</summary>
    public static string? Unsupported(CaseSpec c) =>
        Served.Contains(c.Op) ? null : $"the optimized backend serves {string.Join(", ", Served)} (2-D, float32/float16), not {c.Op}";

    /// <summary>
    /// Runs a case; returns every output it produces by name. Throws <see cref="NotServed"/> for inputs the kernels do not
    /// serve (float64, other ranks) and <see cref="InvalidParameterException"/> for an invalid case.
    /// </summary>
    public static Dictionary<string, Tensor> Run(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, int threads)
    {
        var p = new ParamReader(c.Params);
        bool onnx = c.Op.StartsWith("onnx.", StringComparison.Ordinal);
        string inName = onnx ? "X" : "input";
        if (!inputs.TryGetValue(inName, out var input)) throw new InvalidParameterException($"inputs.{inName}", $"input '{inName}' is required by {c.Op}");
        if (input.DType is not (DType.Float32 or DType.Float16)) throw new NotServed($"dtype {input.DType.Name()} (the optimized kernels are float32; float16 is widened)");
        bool unbatched = !onnx && input.Rank == 3;
        if (input.Rank != 4 && !unbatched) throw new NotServed($"input of rank {input.Rank} (2-D pooling needs N×C×H×W{(onnx ? "" : " or C×H×W")})");
        int[] shape = unbatched ? [1, .. input.Shape] : input.Shape;
        if (shape[1] == 0 || shape[2] == 0 || shape[3] == 0) throw new NotServed("empty channel or spatial axis");
        int[] spatial = shape[2..];
        var (desc, isMax, columnMajor) = onnx ? OnnxDescriptor(c.Op, p, spatial) : TorchDescriptor(c.Op, p, spatial);
        try { p.EnsureAllUsed(c.Op); }
        catch (InvalidParameterException e) { throw new NotServed($"parameter the optimized backend does not read: {e.Message}"); }
        var (kernel, why) = KernelRegistry.Find(desc, TensorLayout.Nchw);
        if (kernel is null) throw new NotServed(why!);
        var plan = new PoolPlan2d(desc);
        int n = shape[0], ch = shape[1];
        var x = new float[input.Data.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)input.Data[i];
        var y = new float[(long)n * ch * plan.OH * plan.OW];
        long[]? idx = isMax ? new long[y.Length] : null;
        kernel.Run(plan, n, ch, x, y, idx, threads);
        int[] outShape = unbatched ? [ch, plan.OH, plan.OW] : [n, ch, plan.OH, plan.OW];
        var outs = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [onnx ? "Y" : "output"] = new Tensor(input.DType, outShape, Array.ConvertAll(y, v => (double)v)),
        };
        if (idx is not null)
        {
            var data = new double[idx.Length];
            int plane = plan.OH * plan.OW, H = spatial[0], W = spatial[1];
            for (int i = 0; i < idx.Length; i++)
            {
                long t = idx[i];
                if (!onnx || t < 0) { data[i] = t; continue; }
                // ONNX Indices: flat over N×C×H×W; storage_order 1 is column-major inside the plane.
                long q = i / plane, h = t / W, w = t % W;
                data[i] = q * H * W + (columnMajor ? h + w * H : t);
            }
            outs[onnx ? "Indices" : "indices"] = new Tensor(DType.Int64, outShape, data);
        }
        return outs;
    }

    static (PoolDescriptor, bool Max, bool ColumnMajor) TorchDescriptor(string op, ParamReader p, int[] spatial)
    {
        bool max = op == "torch.max_pool2d";
        var k = p.IntTuple("kernel_size", 2) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        var s = p.IntTuple("stride", 2);
        if (s is null || s.Length == 0) s = k;
        var pad = p.IntTuple("padding", 2) ?? [0, 0];
        if (pad.Length == 0) pad = [0, 0];
        var d = max ? p.IntTuple("dilation", 2) ?? [1, 1] : [1, 1];
        bool ceil = p.Bool("ceil_mode", false);
        if (max) p.Bool("return_indices", false);
        for (int a = 0; a < 2; a++)
            if (k[a] <= 0 || s[a] <= 0 || d[a] <= 0 || pad[a] < 0 || pad[a] > k[a] / 2)
                throw new InvalidParameterException("kernel_size", $"invalid torch pooling parameters k={k[a]} s={s[a]} d={d[a]} pad={pad[a]}");
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], d[a], pad[a], pad[a], ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
        if (max) return (new PoolDescriptor(Reduction.Max, axes, PoolSemantics.Torch), true, false);
        bool cip = p.Bool("count_include_pad", true);
        int? div = p.IntOrNull("divisor_override");
        if (div == 0) throw new InvalidParameterException("divisor_override", "divisor must be not zero");
        var sem = PoolSemantics.Torch with { Divisor = div is not null ? DivisorPolicy.Override : cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad };
        return (new PoolDescriptor(Reduction.Average, axes, sem, DivisorOverride: div ?? 0), false, false);
    }

    static (PoolDescriptor, bool Max, bool ColumnMajor) OnnxDescriptor(string op, ParamReader p, int[] spatial)
    {
        bool max = op == "onnx.MaxPool";
        p.Int("opset", 22);
        var k = p.IntList("kernel_shape", 2) ?? throw new InvalidParameterException("kernel_shape", "'kernel_shape' is required");
        var s = p.IntList("strides", 2) ?? [1, 1];
        var d = p.IntList("dilations", 2) ?? [1, 1];
        var pads = p.IntList("pads", 4) ?? [0, 0, 0, 0];
        var autoPad = p.String("auto_pad", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID") switch
        {
            "SAME_UPPER" => AutoPad.SameUpper, "SAME_LOWER" => AutoPad.SameLower, "VALID" => AutoPad.Valid, _ => AutoPad.NotSet,
        };
        bool ceil = p.Flag01("ceil_mode", false);
        bool columnMajor = max && p.Int("storage_order", 0) == 1;
        bool cip = !max && p.Flag01("count_include_pad", false);
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
        {
            var (pb, pe) = autoPad == AutoPad.NotSet ? (pads[a], pads[a + 2]) : PoolGeometry.AutoPads(spatial[a], k[a], s[a], d[a], autoPad);
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], d[a], pb, pe, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor, "kernel_shape");
        }
        var sem = max ? PoolSemantics.Onnx : PoolSemantics.Onnx with { Divisor = cip ? DivisorPolicy.IncludePad : DivisorPolicy.ExcludePad };
        return (new PoolDescriptor(max ? Reduction.Max : Reduction.Average, axes, sem), max, columnMajor);
    }
}
