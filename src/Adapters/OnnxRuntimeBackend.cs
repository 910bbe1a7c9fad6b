using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoolingConformance.Core;
using Tensor = PoolingConformance.Core.Tensor;

namespace PoolingConformance.Adapters;

/// <summary>
/// The <c>onnxruntime</c> backend (Microsoft.ML.OnnxRuntime, CPU provider, in process): every <c>onnx.*</c> case becomes a
/// single-node model at the case's opset (MaxRoiPool and GlobalLpPool at most 21: ONNX Runtime 1.31 implements them only
/// up to opset 21), run with graph optimizations off and one intra-op thread for reproducible results.
/// </summary>
public static class OnnxRuntimeBackend
{
    public static string Version => $"onnxruntime {typeof(InferenceSession).Assembly.GetName().Version?.ToString(3)} (CPUExecutionProvider, ORT_DISABLE_ALL, 1 thread)";

    /// <summary>Node inputs of each op in spec order (empty string = an omitted optional input).</summary>
    static readonly Dictionary<string, string[]> NodeInputs = new()
    {
        ["MaxPool"] = ["X"], ["AveragePool"] = ["X"], ["LpPool"] = ["X"], ["GlobalMaxPool"] = ["X"], ["GlobalAveragePool"] = ["X"],
        ["GlobalLpPool"] = ["X"], ["MaxUnpool"] = ["X", "I", "output_shape"], ["RoiAlign"] = ["X", "rois", "batch_indices"], ["MaxRoiPool"] = ["X", "rois"],
    };

    static readonly Dictionary<string, string[]> NodeOutputs = new()
    {
        ["MaxPool"] = ["Y", "Indices"], ["MaxUnpool"] = ["output"],
    };

    /// <summary>Why the backend does not serve a case, or null when it does.</summary>
    public static string? Unsupported(CaseSpec c) =>
        TorchToOnnx.Handles(c.Op) ? null :
        !c.Op.StartsWith("onnx.", StringComparison.Ordinal) ? $"onnxruntime serves onnx.* cases and the torch.* cases that map exactly onto ONNX, not {c.Op}" :
        !NodeInputs.ContainsKey(c.Op[5..]) ? $"no ONNX node for {c.Op}" : null;

    /// <summary>Runs an onnx.* case, or a torch.* case through its exact ONNX equivalent (<see cref="TorchToOnnx"/>).</summary>
    public static Dictionary<string, Tensor> RunAny(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        if (c.Op.StartsWith("onnx.", StringComparison.Ordinal)) return RunCase(c, inputs);
        var (onnx, why) = TorchToOnnx.Map(c, inputs);
        if (onnx is null) throw new NotImplementedByOrt(why!);
        return TorchToOnnx.Run(onnx, inputs, c.Op[^2] - '0');
    }

    static int ElemType(DType t) => t switch
    {
        DType.Float32 => OnnxModelWriter.Float, DType.Float64 => OnnxModelWriter.Double, DType.Float16 => OnnxModelWriter.Float16,
        DType.Int64 => OnnxModelWriter.Int64, DType.Int32 => OnnxModelWriter.Int32, DType.UInt8 => OnnxModelWriter.UInt8, DType.Int8 => OnnxModelWriter.Int8,
        _ => throw new NotSupportedException($"dtype {t.Name()}"),
    };

    static IEnumerable<OnnxAttribute> Attributes(string op, JsonElement? prms, int opset)
    {
        if (prms is not { } p) yield break;
        foreach (var a in p.EnumerateObject())
        {
            if (a.Name == "opset") continue;
            bool isFloat = a.Name == "spatial_scale" || (a.Name == "p" && opset < 2);
            var v = a.Value;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: yield return new OnnxAttribute.Str(a.Name, v.GetString()!); break;
                case JsonValueKind.Number:
                    if (isFloat) yield return new OnnxAttribute.Float(a.Name, v.GetSingle());
                    else yield return new OnnxAttribute.Int(a.Name, v.TryGetInt64(out var l) ? l : (long)v.GetDouble());
                    break;
                case JsonValueKind.True or JsonValueKind.False: yield return new OnnxAttribute.Int(a.Name, v.GetBoolean() ? 1 : 0); break;
                case JsonValueKind.Array:
                    if (isFloat) yield return new OnnxAttribute.Floats(a.Name, v.EnumerateArray().Select(e => e.GetSingle()).ToArray());
                    else yield return new OnnxAttribute.Ints(a.Name, v.EnumerateArray().Select(e => e.GetInt64()).ToArray());
                    break;
            }
        }
    }

    static NamedOnnxValue ToOrt(string name, Tensor t)
    {
        var dims = t.Shape.ToArray();
        return t.DType switch
        {
            DType.Float32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.Data.Select(v => (float)v).ToArray(), dims)),
            DType.Float64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(t.Data.ToArray(), dims)),
            DType.Float16 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<Float16>(t.Data.Select(v => new Float16(BitConverter.HalfToUInt16Bits((Half)v))).ToArray(), dims)),
            DType.Int64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(t.Data.Select(v => (long)v).ToArray(), dims)),
            DType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(t.Data.Select(v => (int)v).ToArray(), dims)),
            DType.UInt8 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<byte>(t.Data.Select(v => (byte)v).ToArray(), dims)),
            DType.Int8 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<sbyte>(t.Data.Select(v => (sbyte)v).ToArray(), dims)),
            _ => throw new NotSupportedException($"dtype {t.DType.Name()}"),
        };
    }

    static Tensor FromOrt(DisposableNamedOnnxValue v)
    {
        switch (v.ElementType)
        {
            case TensorElementType.Float: { var t = v.AsTensor<float>(); return new Tensor(DType.Float32, t.Dimensions.ToArray(), t.ToArray().Select(x => (double)x).ToArray()); }
            case TensorElementType.Double: { var t = v.AsTensor<double>(); return new Tensor(DType.Float64, t.Dimensions.ToArray(), t.ToArray()); }
            case TensorElementType.Float16: { var t = v.AsTensor<Float16>(); return new Tensor(DType.Float16, t.Dimensions.ToArray(), t.ToArray().Select(x => (double)BitConverter.UInt16BitsToHalf(x.value)).ToArray()); }
            case TensorElementType.Int64: { var t = v.AsTensor<long>(); return new Tensor(DType.Int64, t.Dimensions.ToArray(), t.ToArray().Select(x => (double)x).ToArray()); }
            case TensorElementType.UInt8: { var t = v.AsTensor<byte>(); return new Tensor(DType.UInt8, t.Dimensions.ToArray(), t.ToArray().Select(x => (double)x).ToArray()); }
            case TensorElementType.Int8: { var t = v.AsTensor<sbyte>(); return new Tensor(DType.Int8, t.Dimensions.ToArray(), t.ToArray().Select(x => (double)x).ToArray()); }
            default: throw new NotSupportedException($"ONNX Runtime output type {v.ElementType}");
        }
    }

    /// <summary>ONNX Runtime has no kernel for the op at this opset and dtype: the backend reports the case as skipped.</summary>
    public sealed class NotImplementedByOrt(string message) : Exception(message);

    /// <summary>
    /// Runs one case; returns its outputs by name. Opset 22 changed no pooling semantics (it added bfloat16), so when ONNX
    /// Runtime has no opset-22 kernel for the dtype the case is retried at opset 21; still none → <see cref="NotImplementedByOrt"/>.
    /// Any other ONNX Runtime error propagates (the case is then an error).
    /// </summary>
    public static Dictionary<string, Tensor> RunCase(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int opset = Opset(c);
        try { return RunAt(c, inputs, opset); }
        catch (OnnxRuntimeException e) when (NoKernel(e) && opset == 22)
        {
            try { return RunAt(c, inputs, 21); }
            catch (OnnxRuntimeException e2) when (NoKernel(e2)) { throw new NotImplementedByOrt(e2.Message.Split('\n')[0]); }
        }
        catch (OnnxRuntimeException e) when (NoKernel(e)) { throw new NotImplementedByOrt(e.Message.Split('\n')[0]); }
    }

    /// <summary>
    /// ORT has no kernel for the op, opset and dtype: "NotImplemented", or (float16 at old opsets) the invalid model its own
    /// precision-free Cast insertion produces.
    /// </summary>
    static bool NoKernel(OnnxRuntimeException e) => e.Message.Contains("NotImplemented") || e.Message.Contains("InsertedPrecisionFreeCast");

    /// <summary>A single-node model of an onnx.* case: the model bytes, its node inputs (in spec order) and its outputs.</summary>
    public sealed record NodeModel(byte[] Bytes, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

    /// <summary>
    /// The case as a single-node model at <paramref name="opset"/> (MaxRoiPool, GlobalLpPool and RoiAlign at most 21, where ONNX Runtime
    /// implements them): node inputs in the spec's order (omitted trailing optionals dropped), outputs up to the last one
    /// the case lists.
    /// </summary>
    public static NodeModel BuildModel(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, int opset, IReadOnlyDictionary<string, int[]>? outputShapes = null)
    {
        string op = c.Op[5..];
        // ONNX Runtime 1.31 implements these only up to opset 21 (opset 22 added bfloat16, no semantic change).
        if (op is "MaxRoiPool" or "GlobalLpPool" or "RoiAlign") opset = Math.Min(opset, 21);
        var nodeInputs = NodeInputs[op].Select(n => inputs.TryGetValue(n, out var t) ? (n, ElemType(t.DType), t.Shape) : ("", 0, Array.Empty<int>())).ToList();
        while (nodeInputs.Count > 0 && nodeInputs[^1].Item1.Length == 0) nodeInputs.RemoveAt(nodeInputs.Count - 1);
        var outNames = NodeOutputs.GetValueOrDefault(op, ["Y"]);
        var wanted = outNames.Take(outNames.Select((n, i) => (n, i)).Where(x => c.Outputs.Contains(x.n)).Select(x => x.i + 1).DefaultIfEmpty(1).Max()).ToList();
        var x = inputs["X"];
        var outs = wanted.Select(n => (n, n == "Indices" ? OnnxModelWriter.Int64 : ElemType(x.DType))).ToList();
        var bytes = OnnxModelWriter.SingleNode(op, opset, nodeInputs, outs, Attributes(op, c.Params, opset),
            outputShapes is null ? null : wanted.Select(n => outputShapes[n]).ToList());
        return new NodeModel(bytes, nodeInputs.Select(i => i.Item1).ToList(), wanted);
    }

    /// <summary>
    /// Session options of every run: no graph optimizations, one thread (reproducible summation order). ORT's own log
    /// lines (its RoiAlign max-mode notice, initialization errors) are silenced once: the backend reports errors itself.
    /// </summary>
    static SessionOptions Options()
    {
        _ = LogLevelOnce.Value;
        return new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1, InterOpNumThreads = 1 };
    }

    static readonly Lazy<bool> LogLevelOnce = new(() => { OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL; return true; });

    /// <summary>Runs a model file (a node-test folder's <c>model.onnx</c>) on named inputs; for round-trip checks.</summary>
    public static Dictionary<string, Tensor> RunModelFile(string modelPath, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var so = Options();
        using var session = new InferenceSession(modelPath, so);
        var feeds = session.InputMetadata.Keys.Select(n => ToOrt(n, inputs[n])).ToList();
        using var results = session.Run(feeds, session.OutputMetadata.Keys.ToList());
        return results.ToDictionary(r => r.Name, FromOrt);
    }

    /// <summary>The case's opset: its <c>opset</c> parameter, else 22.</summary>
    public static int Opset(CaseSpec c) => c.Params is { } p && p.TryGetProperty("opset", out var o) && o.TryGetInt32(out var ov) ? ov : 22;

    static Dictionary<string, Tensor> RunAt(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, int opset)
    {
        var m = BuildModel(c, inputs, opset);
        using var so = Options();
        using var session = new InferenceSession(m.Bytes, so);
        var feeds = m.Inputs.Where(n => n.Length > 0).Select(n => ToOrt(n, inputs[n])).ToList();
        using var results = session.Run(feeds, m.Outputs.ToList());
        return results.ToDictionary(r => r.Name, FromOrt);
    }
}
