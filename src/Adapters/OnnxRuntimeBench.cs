using Microsoft.ML.OnnxRuntime;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Bench;

namespace PoolingConformance.Adapters;

/// <summary>
/// ONNX Runtime as a <c>poolconf bench</c> competitor: each workload becomes the ONNX model a user would run — MaxPool,
/// AveragePool, GlobalAveragePool (a window covering the whole unpadded plane), LpPool, RoiAlign (opset 16+ half-pixel =
/// torchvision's <c>aligned=True</c>), and for YOLO SPP a small graph of three stride-1 MaxPools and a Concat in the
/// workload's channel order. Sessions use ORT's defaults as shipped (all graph optimizations, CPU provider) with
/// <c>threads</c> intra-op threads; inputs and the output are bound once to pinned managed buffers, so a timed run is one
/// <c>InferenceSession.Run</c> with no allocation. NHWC workloads are not served: ONNX pooling is channels-first and the CPU
/// provider has no float NHWC MaxPool (a Transpose pair would time the transposes, not the pooling).
/// </summary>
public sealed class OnnxRuntimeBench : IBenchBackend
{
    public string Name => "onnxruntime";

    /// <summary>ONNX opset of the models (21: the newest at which ONNX Runtime 1.31 implements RoiAlign).</summary>
    public const int Opset = 21;

    public static string Version => $"onnxruntime {typeof(InferenceSession).Assembly.GetName().Version?.ToString(3)} (CPUExecutionProvider, ORT_ENABLE_ALL)";

    public string? Unsupported(BenchWorkload w)
    {
        if (w.Layout != TensorLayout.Nchw) return "ONNX pooling ops are channels-first; the CPU provider has no float NHWC MaxPool";
        if (w.Kind == WorkloadKind.Window)
        {
            var d = w.Descriptor!;
            if (d.Axes.Length != 2) return $"{d.Axes.Length}-D workloads are not modelled";
            if (d.Reduction == Reduction.Lp && (d.P != Math.Round(d.P) || d.P < 1)) return $"ONNX LpPool takes an integer p, not {d.P}";
            if (d.Reduction is not (Reduction.Max or Reduction.Average or Reduction.Lp)) return $"no ONNX node for {d.Reduction} pooling";
        }
        return null;
    }

    /// <summary>The ONNX model of a workload: model bytes, its graph inputs (name, shape) and the output name.</summary>
    public static (byte[] Model, IReadOnlyList<(string Name, int[] Shape)> Inputs, string Output) Model(BenchWorkload w)
    {
        var x = ("X", OnnxModelWriter.Float, w.InputShape);
        var y = ("Y", OnnxModelWriter.Float, (int[]?)w.OutputShape);
        switch (w.Kind)
        {
            case WorkloadKind.Window:
                {
                    var (op, attrs) = WindowNode(w);
                    var m = OnnxModelWriter.Graph([new OnnxModelWriter.Node(op, ["X"], ["Y"], attrs)], Opset, [x], [y]);
                    return (m, [("X", w.InputShape)], "Y");
                }
            case WorkloadKind.RoiAlign:
                {
                    var r = w.Roi!;
                    OnnxAttribute[] attrs =
                    [
                        new OnnxAttribute.Str("coordinate_transformation_mode", r.Aligned ? "half_pixel" : "output_half_pixel"),
                        new OnnxAttribute.Str("mode", "avg"),
                        new OnnxAttribute.Int("output_height", r.PooledH), new OnnxAttribute.Int("output_width", r.PooledW),
                        new OnnxAttribute.Int("sampling_ratio", r.SamplingRatio), new OnnxAttribute.Float("spatial_scale", (float)r.SpatialScale),
                    ];
                    var m = OnnxModelWriter.Graph([new OnnxModelWriter.Node("RoiAlign", ["X", "rois", "batch_indices"], ["Y"], attrs)], Opset,
                        [x, ("rois", OnnxModelWriter.Float, [r.Boxes, 4]), ("batch_indices", OnnxModelWriter.Int64, [r.Boxes])], [y]);
                    return (m, [("X", w.InputShape), ("rois", [r.Boxes, 4]), ("batch_indices", [r.Boxes])], "Y");
                }
            default:
                {
                    var nodes = new List<OnnxModelWriter.Node>();
                    var blocks = new List<string> { "X" };
                    foreach (var k in w.SppKernels!)
                    {
                        int p = k / 2;
                        nodes.Add(new OnnxModelWriter.Node("MaxPool", ["X"], [$"P{k}"],
                            [new OnnxAttribute.Ints("kernel_shape", [k, k]), new OnnxAttribute.Ints("strides", [1, 1]), new OnnxAttribute.Ints("pads", [p, p, p, p])]));
                        blocks.Add($"P{k}");
                    }
                    nodes.Add(new OnnxModelWriter.Node("Concat", blocks, ["Y"], [new OnnxAttribute.Int("axis", 1)]));
                    return (OnnxModelWriter.Graph(nodes, Opset, [x], [y]), [("X", w.InputShape)], "Y");
                }
        }
    }

    static (string Op, OnnxAttribute[] Attrs) WindowNode(BenchWorkload w)
    {
        var d = w.Descriptor!;
        var a = d.Axes;
        bool global = a.All(ax => ax.Kernel == ax.Length && ax.PadBegin == 0 && ax.PadEnd == 0 && ax.Dilation == 1 && ax.Output == 1);
        if (global && d.Reduction == Reduction.Average) return ("GlobalAveragePool", []);
        if (global && d.Reduction == Reduction.Max) return ("GlobalMaxPool", []);
        var attrs = new List<OnnxAttribute>
        {
            new OnnxAttribute.Ints("kernel_shape", a.Select(ax => (long)ax.Kernel).ToArray()),
            new OnnxAttribute.Ints("strides", a.Select(ax => (long)ax.Stride).ToArray()),
            new OnnxAttribute.Ints("pads", [.. a.Select(ax => (long)ax.PadBegin), .. a.Select(ax => (long)ax.PadEnd)]),
        };
        if (a.Any(ax => ax.Dilation != 1)) attrs.Add(new OnnxAttribute.Ints("dilations", a.Select(ax => (long)ax.Dilation).ToArray()));
        switch (d.Reduction)
        {
            case Reduction.Max: return ("MaxPool", [.. attrs]);
            case Reduction.Average:
                if (d.Semantics.Divisor is not (DivisorPolicy.IncludePad or DivisorPolicy.ExcludePad))
                    throw new NotSupportedException($"divisor policy {d.Semantics.Divisor} has no ONNX AveragePool attribute");
                attrs.Add(new OnnxAttribute.Int("count_include_pad", d.Semantics.Divisor == DivisorPolicy.IncludePad ? 1 : 0));
                return ("AveragePool", [.. attrs]);
            default:
                attrs.Add(new OnnxAttribute.Int("p", (long)d.P));
                return ("LpPool", [.. attrs]);
        }
    }

    public IPreparedBench Prepare(BenchWorkload w, int threads)
    {
        if (Unsupported(w) is { } why) throw new NotSupportedException(why);
        var (model, inputs, output) = Model(w);
        var x = w.CreateInput();
        var feeds = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(x, w.InputShape.Select(d => (long)d).ToArray()) };
        if (w.Kind == WorkloadKind.RoiAlign)
        {
            var b = w.CreateBoxes()!;
            int k = w.Roi!.Boxes;
            var rois = new float[4 * k];
            var batch = new long[k];
            for (int i = 0; i < k; i++)
            {
                batch[i] = (long)b[5 * i];
                for (int j = 0; j < 4; j++) rois[4 * i + j] = b[5 * i + 1 + j];
            }
            feeds.Add(OrtValue.CreateTensorValueFromMemory(rois, [k, 4]));
            feeds.Add(OrtValue.CreateTensorValueFromMemory(batch, [k]));
        }
        var y = new float[w.OutputElements];
        var yv = OrtValue.CreateTensorValueFromMemory(y, w.OutputShape.Select(d => (long)d).ToArray());
        var so = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        var session = new InferenceSession(model, so);
        var p = new Prepared(session, so, inputs.Select(i => i.Name).ToArray(), feeds, [output], yv, y, w.MinBytes);
        p.Run();
        return p;
    }

    sealed class Prepared(InferenceSession session, SessionOptions so, string[] inNames, List<OrtValue> inValues, string[] outNames,
        OrtValue outValue, float[] y, long bytes) : IPreparedBench, IBenchOutput
    {
        readonly RunOptions _ro = new();
        readonly OrtValue[] _outs = [outValue];

        public long Bytes => bytes;

        public void Run() => session.Run(_ro, inNames, inValues, outNames, _outs);

        public float[] ReadOutput() => y;

        public void Dispose()
        {
            _ro.Dispose();
            session.Dispose();
            so.Dispose();
            foreach (var v in inValues) v.Dispose();
            outValue.Dispose();
        }
    }
}
