using System.Text;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Core.Onnx;
using PoolingConformance.Tests.TestKit;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// A protobuf writer for hand-built test bytes, independent of <see cref="ProtoReader"/>: the field numbers are
/// onnx.proto's (STACK.md §7), written out here so a wrong number in the reader shows.
/// </summary>
public static class Pb
{
    public static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        do { byte x = (byte)(v & 0x7F); v >>= 7; b.Add(v != 0 ? (byte)(x | 0x80) : x); } while (v != 0);
        return b.ToArray();
    }

    public static byte[] Tag(int field, int wire) => Varint((ulong)(field << 3 | wire));
    public static byte[] Int(int field, long v) => [.. Tag(field, 0), .. Varint((ulong)v)];
    public static byte[] Bytes(int field, byte[] b) => [.. Tag(field, 2), .. Varint((ulong)b.Length), .. b];
    public static byte[] Str(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
    public static byte[] F32(int field, float v) => [.. Tag(field, 5), .. BitConverter.GetBytes(v)];
    public static byte[] F64(int field, double v) => [.. Tag(field, 1), .. BitConverter.GetBytes(v)];
    public static byte[] Cat(params IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();
    public static byte[] Packed(int field, IEnumerable<long> values) => Bytes(field, Cat(values.Select(v => Varint((ulong)v))));

    /// <summary>TensorProto: dims 1, data_type 2, name 8, raw_data 9.</summary>
    public static byte[] Tensor(string name, int dataType, long[] dims, byte[] raw) =>
        Cat([.. dims.Select(d => Int(1, d)), Int(2, dataType), Str(8, name), Bytes(9, raw)]);

    public static byte[] FloatTensor(string name, long[] dims, float[] v) => Tensor(name, 1, dims, v.SelectMany(BitConverter.GetBytes).ToArray());
    public static byte[] Int64Tensor(string name, long[] dims, long[] v) => Tensor(name, 7, dims, v.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>AttributeProto: name 1, i 3, ints 8 (unpacked, as onnx's Python writer does), type 20.</summary>
    public static byte[] AttrInts(string name, params long[] v) => Cat([Str(1, name), .. v.Select(x => Int(8, x)), Int(20, 7)]);
    public static byte[] AttrInt(string name, long v) => Cat(Str(1, name), Int(3, v), Int(20, 2));

    /// <summary>NodeProto: input 1, output 2, op_type 4, attribute 5.</summary>
    public static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attrs) =>
        Cat([.. inputs.Select(i => Str(1, i)), .. outputs.Select(o => Str(2, o)), Str(4, op), .. attrs.Select(a => Bytes(5, a))]);

    /// <summary>ModelProto: ir_version 1, graph 7 (node 1, name 2, initializer 5, input 11, output 12), opset_import 8.</summary>
    public static byte[] Model(long opset, byte[][] nodes, string[] inputs, string[] outputs, params byte[][] initializers)
    {
        var graph = Cat([.. nodes.Select(n => Bytes(1, n)), Str(2, "g"), .. initializers.Select(t => Bytes(5, t)),
            .. inputs.Select(i => Bytes(11, Str(1, i))), .. outputs.Select(o => Bytes(12, Str(1, o)))]);
        return Cat(Int(1, 8), Bytes(7, graph), Bytes(8, Cat(Str(1, ""), Int(2, opset))));
    }
}

/// <summary><c>poolconf onnx-test</c> (CONTRACT.md §1, §6; DIALECTS.md §3.6) on the shared node-test samples and on hand-built folders.</summary>
[TestFixture]
public class OnnxTestCommandTests
{
    TempRoot _root = null!;

    [SetUp] public void Make() => _root = new TempRoot("onnxtest");
    [TearDown] public void Remove() => _root.Dispose();

    /// <summary>The six real node tests of <c>../shared/vectors/onnx</c> (next to the repository root).</summary>
    static string SharedVectors()
    {
        var dir = Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "vectors", "onnx"));
        if (!Directory.Exists(dir)) Assert.Ignore($"{dir} is absent: the shared ONNX node-test samples live next to the repository");
        return dir;
    }

    /// <summary>A copy of one shared sample under the temporary root.</summary>
    string CopySample(string name)
    {
        var to = _root[name];
        Suites.CopyDir(Path.Combine(SharedVectors(), name), to);
        return to;
    }

    [Test]
    public void SharedNodeTestsAllPass()
    {
        var r = Cli.Run("onnx-test", SharedVectors());
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, 6, 0);
        Assert.That(r.StdoutLines.Count(l => l.StartsWith("pass ")), Is.EqualTo(6), r.ToString());
    }

    [Test]
    public void OneFolderGivenDirectly()
    {
        var r = Cli.Run("onnx-test", Path.Combine(SharedVectors(), "test_maxpool_with_argmax_2d_precomputed_pads"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, 1, 0);
    }

    [Test]
    public void TamperedExpectedOutputFails()
    {
        var dir = CopySample("test_maxpool_2d_default");
        var file = Path.Combine(dir, "test_data_set_0", "output_0.pb");
        var t = OnnxTensor.Load(file).ToTensor();
        var data = t.Data.Select(v => (float)v).ToArray();
        data[17] += 0.5f;
        File.WriteAllBytes(file, Pb.FloatTensor("y", t.Shape.Select(d => (long)d).ToArray(), data));
        var r = Cli.Run("onnx-test", dir);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Cli.AssertSummary(r, 0, 1);
        Assert.That(r.StdoutLines[0], Does.StartWith("fail "), r.ToString());
        Assert.That(r.Stdout, Does.Contain("onnx rule:").And.Contain("oracle tolerance:").And.Contain("1 of"), r.ToString());
    }

    [Test]
    public void WrongExpectedDTypeFails()
    {
        var dir = CopySample("test_maxpool_2d_default");
        var file = Path.Combine(dir, "test_data_set_0", "output_0.pb");
        var t = OnnxTensor.Load(file).ToTensor();
        File.WriteAllBytes(file, Pb.Tensor("y", 11, t.Shape.Select(d => (long)d).ToArray(), t.Data.SelectMany(BitConverter.GetBytes).ToArray()));
        var r = Cli.Run("onnx-test", dir);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stdout, Does.Contain("dtype"), r.ToString());
    }

    /// <summary>A folder with model.onnx and test_data_set_0 from hand-built bytes.</summary>
    string WriteFolder(string name, byte[] model, byte[][] inputs, byte[][] outputs)
    {
        var dir = _root[name];
        Directory.CreateDirectory(Path.Combine(dir, "test_data_set_0"));
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), model);
        for (int i = 0; i < inputs.Length; i++) File.WriteAllBytes(Path.Combine(dir, "test_data_set_0", $"input_{i}.pb"), inputs[i]);
        for (int i = 0; i < outputs.Length; i++) File.WriteAllBytes(Path.Combine(dir, "test_data_set_0", $"output_{i}.pb"), outputs[i]);
        return dir;
    }

    [Test]
    public void NonPoolingNodeIsSkippedWithTheReason()
    {
        var x = Pb.FloatTensor("x", [1, 1, 2, 2], [1, -2, 3, -4]);
        var y = Pb.FloatTensor("y", [1, 1, 2, 2], [1, 0, 3, 0]);
        var dir = WriteFolder("test_relu", Pb.Model(22, [Pb.Node("Relu", ["x"], ["y"])], ["x"], ["y"]), [x], [y]);
        var r = Cli.Run("onnx-test", dir);
        Assert.That(r.Code, Is.EqualTo(0), "skipped is not a failure\n" + r);
        Assert.That(r.StdoutLines[0], Does.StartWith("skipped ").And.Contain("Relu"), r.ToString());
        Assert.That(r.LastStdoutLine, Is.EqualTo("0 passed, 0 failed, 1 skipped"), r.ToString());
    }

    [Test]
    public void PoolingGraphWithNonGlueNodeIsSkipped()
    {
        var x = Pb.FloatTensor("x", [1, 1, 2, 2], [1, -2, 3, -4]);
        var y = Pb.FloatTensor("y", [1, 1, 1, 1], [3]);
        var model = Pb.Model(22, [Pb.Node("Relu", ["x"], ["r"]), Pb.Node("MaxPool", ["r"], ["y"], Pb.AttrInts("kernel_shape", 2, 2))], ["x"], ["y"]);
        var r = Cli.Run("onnx-test", WriteFolder("test_relu_pool", model, [x], [y]));
        Assert.That(r.StdoutLines[0], Does.StartWith("skipped ").And.Contain("node 0").And.Contain("Relu"), r.ToString());
    }

    /// <summary>
    /// x → Transpose(H, W) → MaxPool 2×2 → Transpose(H, W) → Reshape(initializer [1, -1]): a square kernel commutes with
    /// the transpose, so the expected output is the sample's own output, flattened.
    /// </summary>
    [Test]
    public void PoolingNodesJoinedByShapeGluePass()
    {
        var src = Path.Combine(SharedVectors(), "test_maxpool_2d_default", "test_data_set_0");
        var input = File.ReadAllBytes(Path.Combine(src, "input_0.pb"));
        var expected = OnnxTensor.Load(Path.Combine(src, "output_0.pb")).ToTensor();
        var flat = Pb.FloatTensor("y", [1, expected.Length], expected.Data.Select(v => (float)v).ToArray());
        var model = Pb.Model(22,
            [
                Pb.Node("Transpose", ["x"], ["t"], Pb.AttrInts("perm", 0, 1, 3, 2)),
                Pb.Node("MaxPool", ["t"], ["p"], Pb.AttrInts("kernel_shape", 2, 2)),
                Pb.Node("Transpose", ["p"], ["u"], Pb.AttrInts("perm", 0, 1, 3, 2)),
                Pb.Node("Reshape", ["u", "shape"], ["y"]),
            ],
            ["x"], ["y"], Pb.Int64Tensor("shape", [2], [1, -1]));
        var r = Cli.Run("onnx-test", WriteFolder("test_glue", model, [input], [flat]));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, 1, 0);
        Assert.That(r.StdoutLines[0], Does.Contain("3 glue nodes"), r.ToString());
    }

    /// <summary>The PyTorch exporter's 1-D pooling: Unsqueeze → AveragePool → Squeeze at opset 6 (axes as attributes).</summary>
    [Test]
    public void OldOpsetSqueezeUnsqueezeGlue()
    {
        var x = Pb.FloatTensor("x", [1, 1, 4], [1, 2, 3, 5]);
        var y = Pb.FloatTensor("y", [1, 1, 2], [1.5f, 4]);
        var model = Pb.Model(6,
            [
                Pb.Node("Unsqueeze", ["x"], ["a"], Pb.AttrInts("axes", 3)),
                Pb.Node("AveragePool", ["a"], ["b"], Pb.AttrInts("kernel_shape", 2, 1), Pb.AttrInts("strides", 2, 1)),
                Pb.Node("Squeeze", ["b"], ["y"], Pb.AttrInts("axes", 3)),
            ],
            ["x"], ["y"]);
        var r = Cli.Run("onnx-test", WriteFolder("test_avg1d", model, [x], [y]));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Cli.AssertSummary(r, 1, 0);
    }

    [TestCase("input_0.pb")]
    [TestCase("output_0.pb")]
    [TestCase("model.onnx")]
    public void TruncatedFileIsAnError(string file)
    {
        var dir = CopySample("test_maxpool_2d_default");
        var path = file == "model.onnx" ? Path.Combine(dir, file) : Path.Combine(dir, "test_data_set_0", file);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var r = Cli.Run("onnx-test", dir);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Cli.AssertSummary(r, 0, 1);
        Assert.That(r.StdoutLines[0], Does.StartWith("error ").And.Contain(file), r.ToString());
    }

    [Test]
    public void ParentFolderRunsEveryTestAndCountsErrorsAsFailed()
    {
        CopySample("test_maxpool_2d_default");
        CopySample("test_lppool_2d_default");
        var bad = CopySample("test_roialign_aligned_false");
        File.Delete(Path.Combine(bad, "test_data_set_0", "input_1.pb"));
        var r = Cli.Run("onnx-test", _root.Dir);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Cli.AssertSummary(r, 2, 1);
        Assert.That(r.Stdout, Does.Contain("input_*.pb files"), r.ToString());
    }

    /// <summary>A MaxUnpool whose output_shape is far outside int range: an error naming output_shape, not an overflow crash.</summary>
    [Test]
    public void MaxUnpoolWithAHugeOutputShapeIsAnError()
    {
        var x = Pb.FloatTensor("x", [1, 1, 1, 1], [5]);
        var i = Pb.Int64Tensor("i", [1, 1, 1, 1], [3]);
        var shape = Pb.Int64Tensor("s", [4], [1, 1, 1L << 40, 1L << 40]);
        var y = Pb.FloatTensor("y", [1, 1, 2, 2], [0, 0, 0, 5]);
        var model = Pb.Model(22, [Pb.Node("MaxUnpool", ["x", "i", "s"], ["y"], Pb.AttrInts("kernel_shape", 2, 2), Pb.AttrInts("strides", 2, 2))], ["x", "i", "s"], ["y"]);
        var r = Cli.Run("onnx-test", WriteFolder("test_unpool_huge", model, [x, i, shape], [y]));
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.StdoutLines[0], Does.StartWith("error ").And.Contain("output_shape").And.Not.Contain("internal error"), r.ToString());
    }

    [Test]
    public void NoDirIsAUsageError() => Cli.AssertUnusable(Cli.Run("onnx-test"), "DIR");

    [Test]
    public void MissingDirIsUnusable() => Cli.AssertUnusable(Cli.Run("onnx-test", _root["nope"]), "nope", "no such folder");

    [Test]
    public void FolderWithoutModelIsUnusable() => Cli.AssertUnusable(Cli.Run("onnx-test", _root.Dir), "model.onnx");

    [Test]
    public void UnknownOptionIsAUsageError() => Cli.AssertUnusable(Cli.Run("onnx-test", "--fast", _root.Dir), "--fast");
}

/// <summary>The protobuf reader on hand-built bytes: wire types, packed and unpacked fields, unknown fields, refusals.</summary>
[TestFixture]
public class ProtoReaderTests
{
    static Tensor ReadTensor(byte[] b) => OnnxTensor.Parse(b, "t.pb").ToTensor();

    [Test]
    public void MultiByteAndNegativeVarints()
    {
        Assert.That(Pb.Varint(300), Is.EqualTo(new byte[] { 0xAC, 0x02 }));
        var model = Pb.Model(22, [Pb.Node("MaxPool", ["x"], ["y"], Pb.AttrInt("i", -3), Pb.AttrInts("kernel_shape", 300, 1L << 40))], ["x"], ["y"]);
        var m = OnnxModel.Parse(model, "m.onnx");
        var n = m.Graph.Nodes.Single();
        Assert.That(n.Attribute("i")!.I, Is.EqualTo(-3));
        Assert.That(n.Attribute("kernel_shape")!.Ints, Is.EqualTo(new long[] { 300, 1L << 40 }));
        Assert.That(m.DefaultOpset, Is.EqualTo(22));
        Assert.That(m.Graph.Inputs, Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public void PackedAndUnpackedRepeatedFieldsAgree()
    {
        var packed = Pb.Cat(Pb.Str(1, "k"), Pb.Packed(8, [2, 3, 300]), Pb.Int(20, 7));
        var unpacked = Pb.AttrInts("k", 2, 3, 300);
        foreach (var a in new[] { packed, unpacked })
        {
            var m = OnnxModel.Parse(Pb.Model(1, [Pb.Node("MaxPool", ["x"], ["y"], a)], ["x"], ["y"]), "m.onnx");
            Assert.That(m.Graph.Nodes[0].Attributes[0].Ints, Is.EqualTo(new long[] { 2, 3, 300 }));
        }
        var floatsPacked = Pb.Cat(Pb.Int(1, 2), Pb.Int(2, 1), Pb.Bytes(4, Pb.Cat(BitConverter.GetBytes(1.5f), BitConverter.GetBytes(-2f))));
        var floatsUnpacked = Pb.Cat(Pb.Int(1, 2), Pb.Int(2, 1), Pb.F32(4, 1.5f), Pb.F32(4, -2f));
        Assert.That(ReadTensor(floatsPacked).Data, Is.EqualTo(new[] { 1.5, -2 }));
        Assert.That(ReadTensor(floatsUnpacked).Data, Is.EqualTo(new[] { 1.5, -2 }));
    }

    [Test]
    public void UnknownFieldsOfEveryWireTypeAreSkipped()
    {
        var t = Pb.Cat(Pb.Int(99, 12345), Pb.F64(98, 1.0), Pb.F32(97, 2f), Pb.Str(96, "junk"),
            Pb.Tensor("x", 7, [3], new long[] { -1, 0, 1L << 40 }.SelectMany(BitConverter.GetBytes).ToArray()), Pb.Int(12345, 1));
        var r = ReadTensor(t);
        Assert.That(r.DType, Is.EqualTo(DType.Int64));
        Assert.That(r.Data, Is.EqualTo(new double[] { -1, 0, 1L << 40 }));
    }

    [Test]
    public void TypedDataFields()
    {
        // int64_data 7, double_data 10, int32_data 5 (also uint8, int8 and float16 bit patterns).
        Assert.That(ReadTensor(Pb.Cat(Pb.Int(1, 2), Pb.Int(2, 7), Pb.Packed(7, [5, -6]))).Data, Is.EqualTo(new double[] { 5, -6 }));
        Assert.That(ReadTensor(Pb.Cat(Pb.Int(1, 1), Pb.Int(2, 11), Pb.F64(10, 0.1))).Data, Is.EqualTo(new[] { 0.1 }));
        Assert.That(ReadTensor(Pb.Cat(Pb.Int(1, 2), Pb.Int(2, 2), Pb.Int(5, 200), Pb.Int(5, 7))).Data, Is.EqualTo(new double[] { 200, 7 }));
        Assert.That(ReadTensor(Pb.Cat(Pb.Int(1, 1), Pb.Int(2, 3), Pb.Int(5, -5))).Data, Is.EqualTo(new double[] { -5 }));
        var half = ReadTensor(Pb.Cat(Pb.Int(1, 1), Pb.Int(2, 10), Pb.Int(5, BitConverter.HalfToUInt16Bits((Half)1.5))));
        Assert.That((half.DType, half.Data[0]), Is.EqualTo((DType.Float16, 1.5)));
        var raw16 = ReadTensor(Pb.Tensor("h", 10, [1], BitConverter.GetBytes((Half)(-0.25))));
        Assert.That(raw16.Data[0], Is.EqualTo(-0.25));
        var u8 = ReadTensor(Pb.Tensor("u", 2, [2, 1], [255, 3]));
        Assert.That((u8.DType, u8.Shape, u8.Data), Is.EqualTo((DType.UInt8, new[] { 2, 1 }, new double[] { 255, 3 })));
        var scalar = ReadTensor(Pb.Tensor("s", 1, [], BitConverter.GetBytes(4f)));
        Assert.That((scalar.Rank, scalar.Data[0]), Is.EqualTo((0, 4.0)));
    }

    static string Refusal(byte[] bytes, bool model = false)
    {
        var e = Assert.Throws<OnnxFormatException>(() =>
        {
            if (model) OnnxModel.Parse(bytes, "bad.onnx"); else ReadTensor(bytes);
        })!;
        return e.Message;
    }

    [Test]
    public void LengthPastTheEndIsRefusedNamingFileAndField()
    {
        var full = Pb.Tensor("x", 1, [4], new byte[16]);
        var msg = Refusal(full[..^3]);
        Assert.That(msg, Does.Contain("t.pb").And.Contain("raw_data").And.Contain("runs past the end"));
    }

    [Test]
    public void RawDataThatDisagreesWithDimsIsRefused() =>
        Assert.That(Refusal(Pb.Tensor("x", 1, [5], new byte[16])), Does.Contain("raw_data").And.Contain("need 20"));

    [Test]
    public void HugeDimsAreRefusedBeforeAllocating() =>
        Assert.That(Refusal(Pb.Tensor("x", 1, [1L << 20, 1L << 20], new byte[4])), Does.Contain("dims").And.Contain("more than"));

    [Test]
    public void TypedDataCountMustMatchDims() =>
        Assert.That(Refusal(Pb.Cat(Pb.Int(1, 3), Pb.Int(2, 1), Pb.F32(4, 1f))), Does.Contain("float_data").And.Contain("need 3"));

    [Test]
    public void UnsupportedDataTypeIsNamed() =>
        Assert.That(Refusal(Pb.Tensor("x", 16, [1], new byte[2])), Does.Contain("data_type").And.Contain("BFLOAT16"));

    [Test]
    public void OverlongVarintIsRefused() =>
        Assert.That(Refusal([0x08, .. Enumerable.Repeat((byte)0xFF, 11)]), Does.Contain("varint"));

    [Test]
    public void GroupWireTypeIsRefused() => Assert.That(Refusal([0x0B, 0x0C]), Does.Contain("group"));

    [Test]
    public void FieldNumberZeroIsRefused() => Assert.That(Refusal([0x00, 0x01]), Does.Contain("field number 0"));

    [Test]
    public void WrongWireTypeForAKnownFieldIsRefused() =>
        Assert.That(Refusal(Pb.Cat(Pb.F32(2, 1f))), Does.Contain("data_type").And.Contain("wire type"));

    [Test]
    public void ModelWithoutGraphIsRefused() => Assert.That(Refusal(Pb.Int(1, 8), model: true), Does.Contain("bad.onnx").And.Contain("graph"));

    [Test]
    public void NestedErrorsNameThePath()
    {
        var node = Pb.Cat(Pb.Str(4, "MaxPool"), Pb.Bytes(5, Pb.Cat(Pb.Str(1, "k"), [0x42, 0x05, 0x01])));  // ints, length 5 with 1 byte
        var model = Pb.Cat(Pb.Bytes(7, Pb.Bytes(1, node)));
        Assert.That(Refusal(model, model: true), Does.Contain("bad.onnx: ModelProto.graph.node[0].attribute[0]"));
    }
}
