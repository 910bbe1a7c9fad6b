using System.Text.Json;
using System.Text.Json.Nodes;
using PoolingConformance.Core;
using Tensor = PoolingConformance.Core.Tensor;

namespace PoolingConformance.Adapters;

/// <summary>
/// The <c>torch.*</c> cases that map exactly onto an ONNX node, so the <c>onnxruntime</c> backend can run them too:
/// <c>max_pool1d/2d/3d</c> → MaxPool (symmetric pads, dilations, ceil_mode; PyTorch's per-plane indices are ONNX's flat
/// indices minus the plane offset) and <c>avg_pool1d/2d/3d</c> without <c>divisor_override</c> → AveragePool
/// (<c>count_include_pad</c> defaults to 1 as in PyTorch), and <c>adaptive_max/avg_pool1d/2d/3d</c> whose output sizes divide
/// the input sizes → MaxPool/AveragePool with <c>k = s = L/O</c>. Unbatched inputs get N = 1 and lose it again. Lp pooling does
/// not map (PyTorch's x^p and ceil inflation are not ONNX's LpPool), nor do fractional pooling, non-dividing adaptive
/// pooling and unpooling (PyTorch's per-plane output-size layout is not ONNX's inferred flat layout).
/// </summary>
public static class TorchToOnnx
{
    /// <summary>The onnx.* case equivalent to a torch.* case, or null (with the reason) when none is exact.</summary>
    /// <summary>The torch.* ops this mapping may serve (each case is then checked by <see cref="Map"/>).</summary>
    public static bool Handles(string op) => op.StartsWith("torch.", StringComparison.Ordinal) && op.Length > 2 && op[^1] == 'd'
        && op[6..^2] is "max_pool" or "avg_pool" or "adaptive_max_pool" or "adaptive_avg_pool" or "max_unpool";

    public static (CaseSpec? Onnx, string? Why) Map(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        if (c.Op.StartsWith("torch.adaptive_", StringComparison.Ordinal)) return MapAdaptive(c, inputs);
        if (c.Op.StartsWith("torch.max_unpool", StringComparison.Ordinal)) return MapUnpool(c, inputs);
        bool max = c.Op is "torch.max_pool1d" or "torch.max_pool2d" or "torch.max_pool3d";
        bool avg = c.Op is "torch.avg_pool1d" or "torch.avg_pool2d" or "torch.avg_pool3d";
        if (!max && !avg) return (null, $"{c.Op} has no exact ONNX equivalent");
        int nd = c.Op[^2] - '0';
        var p = c.Params ?? JsonDocument.Parse("{}").RootElement;
        if (p.TryGetProperty("divisor_override", out var dv) && dv.ValueKind != JsonValueKind.Null) return (null, "divisor_override has no ONNX equivalent");
        if (!inputs.TryGetValue("input", out var x) || x.DType is not (DType.Float32 or DType.Float16 or DType.Float64)) return (null, "input dtype has no ONNX pooling kernel");
        int[] Tuple(string name, int[] dflt)
        {
            if (!p.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return dflt;
            if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetInt32(), nd).ToArray();
            var a = v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            return a.Length == 0 ? dflt : a.Length == 1 ? Enumerable.Repeat(a[0], nd).ToArray() : a;
        }
        var k = Tuple("kernel_size", []);
        if (k.Length != nd) return (null, "kernel_size is not a valid tuple");
        var s = Tuple("stride", k);
        var pad = Tuple("padding", new int[nd]);
        var o = new JsonObject
        {
            ["kernel_shape"] = new JsonArray(k.Select(v => (JsonNode)v).ToArray()),
            ["strides"] = new JsonArray(s.Select(v => (JsonNode)v).ToArray()),
            ["pads"] = new JsonArray(pad.Concat(pad).Select(v => (JsonNode)v).ToArray()),
            ["ceil_mode"] = p.TryGetProperty("ceil_mode", out var cm) && cm.ValueKind == JsonValueKind.True ? 1 : 0,
        };
        if (max) o["dilations"] = new JsonArray(Tuple("dilation", Enumerable.Repeat(1, nd).ToArray()).Select(v => (JsonNode)v).ToArray());
        else o["count_include_pad"] = p.TryGetProperty("count_include_pad", out var cip) && cip.ValueKind == JsonValueKind.False ? 0 : 1;
        var outs = c.Outputs.Select(n => n == "indices" ? "Indices" : "Y").ToList();
        var spec = new CaseSpec(c.Id, max ? "onnx.MaxPool" : "onnx.AveragePool", JsonDocument.Parse(o.ToJsonString()).RootElement,
            new Dictionary<string, string> { ["X"] = "" }, outs, null);
        return (spec, null);
    }

    /// <summary>
    /// Adaptive pooling maps exactly onto fixed pooling when every output size divides its input size: bins are then
    /// <c>k = s = L/O</c> with no padding and no overlap (the property the oracle's tests state), so MaxPool/AveragePool.
    /// </summary>
    static (CaseSpec? Onnx, string? Why) MapAdaptive(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        bool max = c.Op.StartsWith("torch.adaptive_max", StringComparison.Ordinal);
        int nd = c.Op[^2] - '0';
        if (!inputs.TryGetValue("input", out var x) || x.DType is not (DType.Float32 or DType.Float16 or DType.Float64)) return (null, "input dtype has no ONNX pooling kernel");
        if (x.Rank != nd + 1 && x.Rank != nd + 2) return (null, "input rank does not match the op");
        var spatial = x.Shape[^nd..];
        var p = c.Params ?? JsonDocument.Parse("{}").RootElement;
        if (!p.TryGetProperty("output_size", out var os)) return (null, "output_size missing");
        var outs = os.ValueKind == JsonValueKind.Number ? Enumerable.Repeat((int?)os.GetInt32(), nd).ToArray()
            : os.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (int?)null : e.GetInt32()).ToArray();
        if (outs.Length == 1 && nd > 1) outs = Enumerable.Repeat(outs[0], nd).ToArray();
        if (outs.Length != nd) return (null, "output_size is not a valid tuple");
        var o = outs.Select((v, a) => v ?? spatial[a]).ToArray();
        if (o.Select((v, a) => v <= 0 || spatial[a] % v != 0).Any(b => b))
            return (null, "adaptive pooling maps exactly onto ONNX only when every output size divides the input size");
        var k = o.Select((v, a) => spatial[a] / v).ToArray();
        var obj = new JsonObject
        {
            ["kernel_shape"] = new JsonArray(k.Select(v => (JsonNode)v).ToArray()),
            ["strides"] = new JsonArray(k.Select(v => (JsonNode)v).ToArray()),
        };
        var names = c.Outputs.Select(n => n == "indices" ? "Indices" : "Y").ToList();
        return (new CaseSpec(c.Id, max ? "onnx.MaxPool" : "onnx.AveragePool", JsonDocument.Parse(obj.ToJsonString()).RootElement,
            new Dictionary<string, string> { ["X"] = "" }, names, null), null);
    }

    /// <summary>
    /// max_unpool maps exactly onto ONNX MaxUnpool when no <c>output_size</c> is given: PyTorch's default size
    /// <c>(h − 1)·s + k − 2p</c> is ONNX's inferred shape, and the per-plane indices plus the plane offset are ONNX's flat ones.
    /// With an <c>output_size</c> the layouts differ (PyTorch indexes the output_size plane; ONNX the inferred one).
    /// </summary>
    static (CaseSpec? Onnx, string? Why) MapUnpool(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int nd = c.Op[^2] - '0';
        var p = c.Params ?? JsonDocument.Parse("{}").RootElement;
        if (p.TryGetProperty("output_size", out var os) && os.ValueKind != JsonValueKind.Null)
            return (null, "max_unpool with output_size indexes the output_size plane; ONNX MaxUnpool indexes the inferred one");
        if (!inputs.TryGetValue("input", out var x) || x.DType is not (DType.Float32 or DType.Float16 or DType.Float64)) return (null, "input dtype has no ONNX kernel");
        int[] Tuple(string name, int[] dflt)
        {
            if (!p.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return dflt;
            if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetInt32(), nd).ToArray();
            var a = v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            return a.Length == 0 ? dflt : a.Length == 1 ? Enumerable.Repeat(a[0], nd).ToArray() : a;
        }
        var k = Tuple("kernel_size", []);
        if (k.Length != nd) return (null, "kernel_size is not a valid tuple");
        var s = Tuple("stride", k);
        var pad = Tuple("padding", new int[nd]);
        var obj = new JsonObject
        {
            ["kernel_shape"] = new JsonArray(k.Select(v => (JsonNode)v).ToArray()),
            ["strides"] = new JsonArray(s.Select(v => (JsonNode)v).ToArray()),
            ["pads"] = new JsonArray(pad.Concat(pad).Select(v => (JsonNode)v).ToArray()),
        };
        return (new CaseSpec(c.Id, "onnx.MaxUnpool", JsonDocument.Parse(obj.ToJsonString()).RootElement,
            new Dictionary<string, string> { ["X"] = "", ["I"] = "" }, ["output"], null), null);
    }

    /// <summary>Runs a mapped torch.* case through ONNX Runtime and returns its outputs under the torch names.</summary>
    public static Dictionary<string, Tensor> Run(CaseSpec onnx, IReadOnlyDictionary<string, Tensor> inputs, int nd)
    {
        var x = inputs["input"];
        bool unbatched = x.Rank == nd + 1;
        var xb = unbatched ? new Tensor(x.DType, [1, .. x.Shape], x.Data) : x;
        var feeds = new Dictionary<string, Tensor> { ["X"] = xb };
        if (onnx.Op == "onnx.MaxUnpool")
        {
            // Per-plane indices of the default-size output → flat indices over N×C×output.
            var kernel = onnx.Params!.Value.GetProperty("kernel_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var stride = onnx.Params!.Value.GetProperty("strides").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var pads = onnx.Params!.Value.GetProperty("pads").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            long outPlane = 1;
            for (int a = 0; a < nd; a++) outPlane *= (long)(xb.Shape[2 + a] - 1) * stride[a] + kernel[a] - 2 * pads[a];
            int inPlane = (int)Tensor.ElementCount(xb.Shape[2..]);
            var flat = inputs["indices"].Data.Select((v, i) => v + (i / inPlane) * (double)outPlane).ToArray();
            feeds["I"] = new Tensor(DType.Int64, xb.Shape, flat);
        }
        var r = OnnxRuntimeBackend.RunCase(onnx, feeds);
        var result = new Dictionary<string, Tensor>();
        var y = r.TryGetValue("Y", out var yy) ? yy : r["output"];
        result["output"] = unbatched ? new Tensor(y.DType, y.Shape[1..], y.Data) : y;
        if (r.TryGetValue("Indices", out var idx))
        {
            long plane = Tensor.ElementCount(xb.Shape[2..]);
            int perPlaneOut = (int)Tensor.ElementCount(idx.Shape[2..]);
            var d = idx.Data.Select((v, i) => v - (i / perPlaneOut) * (double)plane).ToArray();
            result["indices"] = new Tensor(DType.Int64, unbatched ? idx.Shape[1..] : idx.Shape, d);
        }
        return result;
    }
}
