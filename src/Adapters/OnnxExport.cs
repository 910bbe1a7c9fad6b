using PoolingConformance.Core;
using Tensor = PoolingConformance.Core.Tensor;

namespace PoolingConformance.Adapters;

/// <summary>
/// <c>generate --format onnx</c>: the ONNX-expressible cases of a suite (every <c>onnx.*</c> case without unspecified
/// elements) as ONNX backend node-test folders — <c>model.onnx</c> (one node) and <c>test_data_set_0/input_K.pb</c>,
/// <c>output_K.pb</c> (TensorProto) — which ONNX's own runner, ONNX Runtime and <c>poolconf onnx-test</c> read.
/// </summary>
public static class OnnxExport
{
    /// <summary>Why a case is not exported, or null when it is.</summary>
    public static string? NotExpressible(CaseSpec c, IReadOnlyDictionary<string, Expectation> expected) =>
        !c.Op.StartsWith("onnx.", StringComparison.Ordinal) ? $"{c.Op} is not an onnx.* op" :
        OnnxRuntimeBackend.Unsupported(c) ?? (c.Outputs.Any(o => expected[o].Unspecified?.Any(u => u) == true)
            ? "has elements the dialect leaves unspecified (windows made only of padding)" : null);

    /// <summary>Folder name of a case: its id with '/' replaced by '__' (node-test folders are flat).</summary>
    public static string FolderName(string id) => "test_" + id.Replace("/", "__");

    public static void Write(string outDir, CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyDictionary<string, Expectation> expected)
    {
        // ONNX's checker wants every graph output typed with a shape: the node tests carry the oracle's output shapes.
        var m = OnnxRuntimeBackend.BuildModel(c, inputs, OnnxRuntimeBackend.Opset(c), expected.ToDictionary(e => e.Key, e => e.Value.Value.Shape));
        var dir = Path.Combine(outDir, FolderName(c.Id));
        var data = Path.Combine(dir, "test_data_set_0");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), m.Bytes);
        int k = 0;
        foreach (var name in m.Inputs)
        {
            if (name.Length == 0) continue;
            File.WriteAllBytes(Path.Combine(data, $"input_{k++}.pb"), OnnxModelWriter.TensorProto(name, inputs[name]));
        }
        for (int j = 0; j < m.Outputs.Count; j++)
            File.WriteAllBytes(Path.Combine(data, $"output_{j}.pb"), OnnxModelWriter.TensorProto(m.Outputs[j], expected[m.Outputs[j]].Value));
    }
}
