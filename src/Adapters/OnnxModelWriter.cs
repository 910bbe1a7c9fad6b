using System.Text;

namespace PoolingConformance.Adapters;

/// <summary>An ONNX node attribute value: int, float, string, ints or floats.</summary>
public abstract record OnnxAttribute(string Name)
{
    public sealed record Int(string N, long Value) : OnnxAttribute(N);
    public sealed record Float(string N, float Value) : OnnxAttribute(N);
    public sealed record Str(string N, string Value) : OnnxAttribute(N);
    public sealed record Ints(string N, long[] Values) : OnnxAttribute(N);
    public sealed record Floats(string N, float[] Values) : OnnxAttribute(N);
}

/// <summary>
/// A dependency-free writer of single-node ONNX models (protobuf wire format; field numbers of onnx.proto: ModelProto
/// ir_version 1, producer_name 2, graph 7, opset_import 8; GraphProto node 1, name 2, input 11, output 12; NodeProto input 1,
/// output 2, name 3, op_type 4, attribute 5; AttributeProto name 1, f 2, i 3, s 4, floats 7, ints 8, type 20; ValueInfoProto
/// name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1; dim_value 1).
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>ONNX TensorProto data types.</summary>
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7, Float16 = 10, Double = 11;

    sealed class W
    {
        readonly MemoryStream _s = new();
        public byte[] Bytes => _s.ToArray();
        void Varint(ulong v) { while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; } _s.WriteByte((byte)v); }
        void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));
        public W VarintField(int field, long v) { Tag(field, 0); Varint((ulong)v); return this; }
        public W FloatField(int field, float v) { Tag(field, 5); Span<byte> b = stackalloc byte[4]; BitConverter.TryWriteBytes(b, v); _s.Write(b); return this; }
        public W BytesField(int field, byte[] v) { Tag(field, 2); Varint((ulong)v.Length); _s.Write(v); return this; }
        public W StringField(int field, string v) => BytesField(field, Encoding.UTF8.GetBytes(v));
        public W Message(int field, W m) => BytesField(field, m.Bytes);
    }

    static W ValueInfo(string name, int elemType, IReadOnlyList<int>? shape)
    {
        var tensor = new W().VarintField(1, elemType);
        if (shape is not null)
        {
            var sh = new W();
            foreach (var d in shape) sh.Message(1, new W().VarintField(1, d));
            tensor.Message(2, sh);
        }
        return new W().StringField(1, name).Message(2, new W().Message(1, tensor));
    }

    static W Attribute(OnnxAttribute a)
    {
        var w = new W().StringField(1, a.Name);
        switch (a)
        {
            case OnnxAttribute.Float f: w.FloatField(2, f.Value).VarintField(20, 1); break;
            case OnnxAttribute.Int i: w.VarintField(3, i.Value).VarintField(20, 2); break;
            case OnnxAttribute.Str s: w.StringField(4, s.Value).VarintField(20, 3); break;
            case OnnxAttribute.Floats fs: foreach (var v in fs.Values) w.FloatField(7, v); w.VarintField(20, 6); break;
            case OnnxAttribute.Ints ins: foreach (var v in ins.Values) w.VarintField(8, v); w.VarintField(20, 7); break;
        }
        return w;
    }

    /// <summary>
    /// A TensorProto (field numbers: dims 1, data_type 2, name 8, raw_data 9; little-endian raw data), as the node-test
    /// folders store inputs and outputs.
    /// </summary>
    public static byte[] TensorProto(string name, PoolingConformance.Core.Tensor t)
    {
        var w = new W();
        foreach (var d in t.Shape) w.VarintField(1, d);
        int type = t.DType switch
        {
            PoolingConformance.Core.DType.Float32 => Float, PoolingConformance.Core.DType.Float64 => Double, PoolingConformance.Core.DType.Float16 => Float16,
            PoolingConformance.Core.DType.Int64 => Int64, PoolingConformance.Core.DType.Int32 => Int32, PoolingConformance.Core.DType.UInt8 => UInt8,
            PoolingConformance.Core.DType.Int8 => Int8, _ => throw new NotSupportedException($"dtype {t.DType}"),
        };
        w.VarintField(2, type).StringField(8, name);
        using var ms = new MemoryStream();
        PoolingConformance.Core.Npy.Write(ms, t);
        // The .npy writer's data section is exactly the little-endian raw_data: take the bytes after its header.
        var npy = ms.ToArray();
        int dataBytes = t.Data.Length * PoolingConformance.Core.DTypes.Size(t.DType);
        w.BytesField(9, npy[^dataBytes..]);
        return w.Bytes;
    }

    /// <summary>One node of a <see cref="Graph"/> model: op type, input and output value names, attributes.</summary>
    public sealed record Node(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IEnumerable<OnnxAttribute> Attributes);

    /// <summary>
    /// A model of several nodes in topological order (a small graph such as SPP's three MaxPools and a Concat): graph inputs
    /// with their shapes, graph outputs with their element types and optional shapes; intermediate values need no declaration.
    /// </summary>
    public static byte[] Graph(IReadOnlyList<Node> nodes, int opset, IReadOnlyList<(string Name, int ElemType, int[] Shape)> inputs,
        IReadOnlyList<(string Name, int ElemType, int[]? Shape)> outputs)
    {
        var graph = new W();
        for (int k = 0; k < nodes.Count; k++)
        {
            var node = new W();
            foreach (var i in nodes[k].Inputs) node.StringField(1, i);
            foreach (var o in nodes[k].Outputs) node.StringField(2, o);
            node.StringField(3, $"node{k}").StringField(4, nodes[k].OpType);
            foreach (var a in nodes[k].Attributes) node.Message(5, Attribute(a));
            graph.Message(1, node);
        }
        graph.StringField(2, "poolconf");
        foreach (var i in inputs) graph.Message(11, ValueInfo(i.Name, i.ElemType, i.Shape));
        foreach (var o in outputs) graph.Message(12, ValueInfo(o.Name, o.ElemType, o.Shape));
        return new W().VarintField(1, 8).StringField(2, "poolconf").Message(7, graph)
            .Message(8, new W().StringField(1, "").VarintField(2, opset)).Bytes;
    }

    /// <summary>A model of one node. Empty input names stand for omitted optional inputs.</summary>
    public static byte[] SingleNode(string opType, int opset, IReadOnlyList<(string Name, int ElemType, int[] Shape)> inputs,
        IReadOnlyList<(string Name, int ElemType)> outputs, IEnumerable<OnnxAttribute> attributes, IReadOnlyList<int[]>? outputShapes = null)
    {
        var node = new W();
        foreach (var i in inputs) node.StringField(1, i.Name);
        foreach (var o in outputs) node.StringField(2, o.Name);
        node.StringField(3, "node").StringField(4, opType);
        foreach (var a in attributes) node.Message(5, Attribute(a));
        var graph = new W().Message(1, node).StringField(2, "poolconf");
        foreach (var i in inputs.Where(i => i.Name.Length > 0)) graph.Message(11, ValueInfo(i.Name, i.ElemType, i.Shape));
        for (int j = 0; j < outputs.Count; j++) graph.Message(12, ValueInfo(outputs[j].Name, outputs[j].ElemType, outputShapes?[j]));
        return new W().VarintField(1, 8).StringField(2, "poolconf").Message(7, graph)
            .Message(8, new W().StringField(1, "").VarintField(2, opset)).Bytes;
    }
}
