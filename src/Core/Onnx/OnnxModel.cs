using System.Buffers.Binary;
using System.Text;

namespace PoolingConformance.Core.Onnx;

/// <summary>
/// The subset of <c>onnx.proto</c> that node tests use, read with <see cref="ProtoReader"/> (field numbers:
/// STACK.md §7 and onnx.proto). Unknown fields are skipped; sub-graphs (attribute <c>g</c>, <c>graphs</c>) are not read.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Largest file read (model or tensor): a node-test file is a few MB; beyond this is refused before reading.</summary>
    public const long MaxFileBytes = 1L << 28;

    public long IrVersion { get; private set; }
    /// <summary><c>opset_import</c>: domain ("" = ai.onnx) → version.</summary>
    public Dictionary<string, long> Opsets { get; } = new(StringComparer.Ordinal);
    public OnnxGraph Graph { get; private set; } = new();

    /// <summary>The ai.onnx opset (domain "" or "ai.onnx"); 1 when the model imports none (IR version &lt; 3 models).</summary>
    public long DefaultOpset =>
        Opsets.TryGetValue("", out var v) ? v : Opsets.TryGetValue("ai.onnx", out var w) ? w : 1;

    public static OnnxModel Load(string path) => Parse(ReadFile(path), Path.GetFileName(path));

    /// <summary>Reads a whole file after checking its size against <see cref="MaxFileBytes"/>.</summary>
    public static byte[] ReadFile(string path)
    {
        var len = new FileInfo(path).Length;
        if (len > MaxFileBytes) throw new OnnxFormatException($"{Path.GetFileName(path)}: {len} bytes, more than the {MaxFileBytes} this reader accepts");
        return File.ReadAllBytes(path);
    }

    public static OnnxModel Parse(byte[] bytes, string fileName)
    {
        var m = new OnnxModel();
        var r = new ProtoReader(bytes, $"{fileName}: ModelProto");
        bool graphSeen = false;
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: m.IrVersion = r.Int64("ir_version"); break;
                case 7: m.Graph = OnnxGraph.Parse(r.Message("graph")); graphSeen = true; break;
                case 8:
                    {
                        var o = r.Message($"opset_import[{m.Opsets.Count}]");
                        string domain = ""; long version = 0;
                        while (o.Next())
                        {
                            if (o.Field == 1) domain = o.String("domain");
                            else if (o.Field == 2) version = o.Int64("version");
                            else o.Skip();
                        }
                        m.Opsets[domain] = version;
                        break;
                    }
                default: r.Skip(); break;
            }
        }
        if (!graphSeen) throw r.Error("graph", "the model has no graph");
        return m;
    }
}

/// <summary>GraphProto: nodes in order, input/output/value_info names, initializers.</summary>
public sealed class OnnxGraph
{
    public List<OnnxNode> Nodes { get; } = [];
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public List<string> ValueInfo { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public string Name { get; private set; } = "";

    internal static OnnxGraph Parse(ProtoReader r)
    {
        var g = new OnnxGraph();
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: g.Nodes.Add(OnnxNode.Parse(r.Message($"node[{g.Nodes.Count}]"))); break;
                case 2: g.Name = r.String("name"); break;
                case 5: g.Initializers.Add(OnnxTensor.Parse(r.Message($"initializer[{g.Initializers.Count}]"))); break;
                case 11: g.Inputs.Add(ValueInfoName(r.Message($"input[{g.Inputs.Count}]"))); break;
                case 12: g.Outputs.Add(ValueInfoName(r.Message($"output[{g.Outputs.Count}]"))); break;
                case 13: g.ValueInfo.Add(ValueInfoName(r.Message($"value_info[{g.ValueInfo.Count}]"))); break;
                default: r.Skip(); break;
            }
        }
        return g;
    }

    /// <summary>ValueInfoProto: only the name (field 1) is needed; the type is checked against the data instead.</summary>
    static string ValueInfoName(ProtoReader r)
    {
        string name = "";
        while (r.Next())
            if (r.Field == 1) name = r.String("name"); else r.Skip();
        return name;
    }
}

/// <summary>NodeProto.</summary>
public sealed class OnnxNode
{
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public string Name { get; private set; } = "";
    public string OpType { get; private set; } = "";
    public string Domain { get; private set; } = "";
    public List<OnnxAttribute> Attributes { get; } = [];

    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    internal static OnnxNode Parse(ProtoReader r)
    {
        var n = new OnnxNode();
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: n.Inputs.Add(r.String($"input[{n.Inputs.Count}]")); break;
                case 2: n.Outputs.Add(r.String($"output[{n.Outputs.Count}]")); break;
                case 3: n.Name = r.String("name"); break;
                case 4: n.OpType = r.String("op_type"); break;
                case 5: n.Attributes.Add(OnnxAttribute.Parse(r.Message($"attribute[{n.Attributes.Count}]"))); break;
                case 7: n.Domain = r.String("domain"); break;
                default: r.Skip(); break;
            }
        }
        if (n.OpType.Length == 0) throw r.Error("op_type", "the node has no op_type");
        return n;
    }

    public override string ToString() => $"{(Domain.Length > 0 ? Domain + "." : "")}{OpType}{(Name.Length > 0 ? $" '{Name}'" : "")}";
}

/// <summary>AttributeProto.Type values.</summary>
public enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8, Tensors = 9, Graphs = 10,
    SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

/// <summary>AttributeProto: name, the scalar and list values, and the declared <c>type</c>.</summary>
public sealed class OnnxAttribute
{
    public string Name { get; private set; } = "";
    public OnnxAttributeType Type { get; private set; }
    public float? F { get; private set; }
    public long? I { get; private set; }
    public byte[]? S { get; private set; }
    public OnnxTensor? T { get; private set; }
    public List<double> Floats { get; } = [];
    public List<long> Ints { get; } = [];
    public List<byte[]> Strings { get; } = [];

    /// <summary>
    /// The attribute's type: the declared <c>type</c>, or — for writers that omit it (IR version &lt; 0.0.2) — the kind of
    /// value that is present.
    /// </summary>
    public OnnxAttributeType Kind =>
        Type != OnnxAttributeType.Undefined ? Type
        : F is not null ? OnnxAttributeType.Float : I is not null ? OnnxAttributeType.Int : S is not null ? OnnxAttributeType.String
        : T is not null ? OnnxAttributeType.Tensor : Floats.Count > 0 ? OnnxAttributeType.Floats : Ints.Count > 0 ? OnnxAttributeType.Ints
        : Strings.Count > 0 ? OnnxAttributeType.Strings : OnnxAttributeType.Undefined;

    public string StringValue => S is null ? "" : Encoding.UTF8.GetString(S);

    internal static OnnxAttribute Parse(ProtoReader r)
    {
        var a = new OnnxAttribute();
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: a.Name = r.String("name"); break;
                case 2: a.F = r.Float("f"); break;
                case 3: a.I = r.Int64("i"); break;
                case 4: a.S = r.Bytes("s"); break;
                case 5: a.T = OnnxTensor.Parse(r.Message("t")); break;
                case 7: r.RepeatedFloat("floats", a.Floats); break;
                case 8: r.RepeatedVarint("ints", a.Ints); break;
                case 9: a.Strings.Add(r.Bytes($"strings[{a.Strings.Count}]")); break;
                case 20:
                    {
                        var t = r.Int64("type");
                        a.Type = t is >= 0 and <= 14 ? (OnnxAttributeType)t : throw r.Error("type", $"unknown attribute type {t}");
                        break;
                    }
                default: r.Skip(); break;
            }
        }
        if (a.Name.Length == 0) throw r.Error("name", "the attribute has no name");
        return a;
    }
}

/// <summary>
/// TensorProto: dims, data_type, name and the data from <c>raw_data</c> (little-endian) or the typed fields
/// (<c>float_data</c>, <c>int32_data</c> — which also carries uint8, int8, bool and float16 bit patterns —,
/// <c>int64_data</c>, <c>double_data</c>). Data types FLOAT 1, UINT8 2, INT8 3, INT32 6, INT64 7, BOOL 9, FLOAT16 10,
/// DOUBLE 11; anything else is refused when the tensor is converted.
/// </summary>
public sealed class OnnxTensor
{
    /// <summary>The most elements a tensor may hold (2^26): dims are checked against this and against the data present.</summary>
    public const long MaxElements = 1L << 26;

    public List<long> Dims { get; } = [];
    public int DataType { get; private set; }
    public string Name { get; private set; } = "";
    public byte[]? RawData { get; private set; }
    public List<double> FloatData { get; } = [];
    public List<long> Int32Data { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<double> DoubleData { get; } = [];
    public bool External { get; private set; }
    /// <summary>File name and message path, for error messages.</summary>
    public string Where { get; private set; } = "";

    public static OnnxTensor Load(string path) => Parse(new ProtoReader(OnnxModel.ReadFile(path), $"{Path.GetFileName(path)}: TensorProto"));

    public static OnnxTensor Parse(byte[] bytes, string fileName) => Parse(new ProtoReader(bytes, $"{fileName}: TensorProto"));

    internal static OnnxTensor Parse(ProtoReader r)
    {
        var t = new OnnxTensor { Where = r.Where };
        // Typed fields hold at most one value per byte of the message: the limit keeps a lying file from growing lists.
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: r.RepeatedVarint("dims", t.Dims, 64); break;
                case 2:
                    {
                        long dt = r.Int64("data_type");
                        t.DataType = dt is >= 0 and <= 64 ? (int)dt : throw r.Error("data_type", $"invalid data type {dt}");
                        break;
                    }
                case 4: r.RepeatedFloat("float_data", t.FloatData, MaxElements); break;
                case 5: r.RepeatedVarint("int32_data", t.Int32Data, MaxElements); break;
                case 7: r.RepeatedVarint("int64_data", t.Int64Data, MaxElements); break;
                case 8: t.Name = r.String("name"); break;
                case 9: t.RawData = r.Bytes("raw_data"); break;
                case 10: r.RepeatedDouble("double_data", t.DoubleData, MaxElements); break;
                case 13: t.External = true; r.Skip(); break;
                case 14: if (r.Int64("data_location") == 1) t.External = true; break;
                default: r.Skip(); break;
            }
        }
        return t;
    }

    OnnxFormatException Error(string field, string message) => new($"{Where}.{field}: {message}");

    /// <summary>The ONNX data type as the suite's dtype; null for a type the oracle has no dtype for.</summary>
    public static DType? ToDType(int dataType) => dataType switch
    {
        1 => DType.Float32, 2 => DType.UInt8, 3 => DType.Int8, 6 => DType.Int32, 7 => DType.Int64, 9 => DType.Bool,
        10 => DType.Float16, 11 => DType.Float64, _ => null,
    };

    /// <summary>The ONNX data type number of a dtype.</summary>
    public static int FromDType(DType t) => t switch
    {
        DType.Float32 => 1, DType.UInt8 => 2, DType.Int8 => 3, DType.Int32 => 6, DType.Int64 => 7, DType.Bool => 9,
        DType.Float16 => 10, _ => 11,
    };

    public static string DataTypeName(int dataType) => dataType switch
    {
        1 => "FLOAT", 2 => "UINT8", 3 => "INT8", 4 => "UINT16", 5 => "INT16", 6 => "INT32", 7 => "INT64", 8 => "STRING", 9 => "BOOL",
        10 => "FLOAT16", 11 => "DOUBLE", 12 => "UINT32", 13 => "UINT64", 14 => "COMPLEX64", 15 => "COMPLEX128", 16 => "BFLOAT16",
        _ => $"data type {dataType}",
    };

    /// <summary>Converts to a <see cref="Tensor"/>, checking dims, data type and that the data holds exactly Π dims elements.</summary>
    public Tensor ToTensor()
    {
        if (External) throw Error("data_location", "external data is not supported");
        var dtype = ToDType(DataType) ?? throw Error("data_type", $"{DataTypeName(DataType)} is not supported (FLOAT, UINT8, INT8, INT32, INT64, BOOL, FLOAT16, DOUBLE)");
        var shape = new int[Dims.Count];
        long n = 1;
        for (int i = 0; i < Dims.Count; i++)
        {
            if (Dims[i] < 0 || Dims[i] > MaxElements) throw Error("dims", $"dimension {i} is {Dims[i]}");
            shape[i] = (int)Dims[i];
            n *= Dims[i];
            if (n > MaxElements) throw Error("dims", $"more than {MaxElements} elements ({Tensor.ShapeText(shape[..(i + 1)])}…)");
        }
        int size = dtype.Size();
        if (RawData is { } raw)
        {
            if (raw.LongLength != n * size)
                throw Error("raw_data", $"{raw.Length} bytes, but dims {Tensor.ShapeText(shape)} of {DataTypeName(DataType)} need {n * size}");
            var data = new double[n];
            for (int i = 0; i < n; i++)
            {
                var s = raw.AsSpan(i * size, size);
                data[i] = dtype switch
                {
                    DType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
                    DType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(s),
                    DType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(s),
                    DType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s),
                    DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s),
                    DType.UInt8 => s[0],
                    DType.Int8 => (sbyte)s[0],
                    _ => s[0] != 0 ? 1 : 0,
                };
            }
            return new Tensor(dtype, shape, data);
        }
        (string field, int count) = dtype switch
        {
            DType.Float32 => ("float_data", FloatData.Count),
            DType.Float64 => ("double_data", DoubleData.Count),
            DType.Int64 => ("int64_data", Int64Data.Count),
            _ => ("int32_data", Int32Data.Count),
        };
        if (count != n) throw Error(field, $"{count} values, but dims {Tensor.ShapeText(shape)} need {n} (and there is no raw_data)");
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            d[i] = dtype switch
            {
                DType.Float32 => FloatData[i],
                DType.Float64 => DoubleData[i],
                DType.Int64 => Int64Data[i],
                DType.Float16 => (double)BitConverter.UInt16BitsToHalf((ushort)Int32Data[i]),
                DType.Int32 => (int)Int32Data[i],
                DType.UInt8 => (byte)Int32Data[i],
                DType.Int8 => (sbyte)Int32Data[i],
                _ => Int32Data[i] != 0 ? 1 : 0,
            };
        }
        return new Tensor(dtype, shape, d);
    }
}
