using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The .npy reader and writer against CONTRACT.md §3: versions 1.0–3.0, little-endian, C order, the eight dtypes;
/// everything else refused with a clear message before any large allocation. Files for the reader are built by
/// hand (<see cref="NpyBytes"/>), files from the writer are parsed by hand, so neither side checks itself.
/// </summary>
[TestFixture]
public class NpyTests
{
    /// <summary>Values each dtype must carry exactly: extremes, signed zero, subnormals, NaN and infinities where they exist.</summary>
    public static IEnumerable<TestCaseData> DtypeValues()
    {
        yield return new TestCaseData(DType.Float16, "<f2", new[] { 0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, Math.ScaleB(1, -24), double.NaN, double.PositiveInfinity, double.NegativeInfinity, (double)(Half)0.1 }).SetArgDisplayNames("f2");
        yield return new TestCaseData(DType.Float32, "<f4", new[] { 0.0, -0.0, 1.0, -2.5, float.MaxValue, float.MinValue, float.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity, (double)0.1f }).SetArgDisplayNames("f4");
        yield return new TestCaseData(DType.Float64, "<f8", new[] { 0.0, -0.0, 1.0, -2.5, double.MaxValue, double.MinValue, double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.1 }).SetArgDisplayNames("f8");
        yield return new TestCaseData(DType.Int64, "<i8", new[] { 0.0, 1, -1, Math.ScaleB(1, 53), -Math.ScaleB(1, 53), 4294967296.0, -4294967297.0 }).SetArgDisplayNames("i8");
        yield return new TestCaseData(DType.Int32, "<i4", new[] { 0.0, 1, -1, int.MaxValue, int.MinValue, 65536 }).SetArgDisplayNames("i4");
        yield return new TestCaseData(DType.UInt8, "|u1", new[] { 0.0, 1, 127, 128, 255 }).SetArgDisplayNames("u1");
        yield return new TestCaseData(DType.Int8, "|i1", new[] { 0.0, 1, -1, 127, -128 }).SetArgDisplayNames("i1");
        yield return new TestCaseData(DType.Bool, "|b1", new[] { 0.0, 1, 1, 0 }).SetArgDisplayNames("b1");
    }

    /// <summary>Little-endian bytes of the values in the dtype, written independently of Npy.Write.</summary>
    static byte[] Raw(DType t, double[] v)
    {
        var buf = new byte[v.Length * t.Size()];
        for (int i = 0; i < v.Length; i++)
        {
            var s = buf.AsSpan(i * t.Size());
            switch (t)
            {
                case DType.Float16: BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v[i]); break;
                case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(s, (float)v[i]); break;
                case DType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(s, v[i]); break;
                case DType.Int64: BinaryPrimitives.WriteInt64LittleEndian(s, (long)v[i]); break;
                case DType.Int32: BinaryPrimitives.WriteInt32LittleEndian(s, (int)v[i]); break;
                case DType.UInt8: s[0] = (byte)v[i]; break;
                case DType.Int8: s[0] = unchecked((byte)(sbyte)v[i]); break;
                default: s[0] = v[i] != 0 ? (byte)1 : (byte)0; break;
            }
        }
        return buf;
    }

    /// <summary>Bitwise equality, so −0 ≠ +0 and NaN = NaN.</summary>
    static void AssertSameBits(double[] actual, double[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
            Assert.That(BitConverter.DoubleToInt64Bits(actual[i]) == BitConverter.DoubleToInt64Bits(expected[i])
                        || (double.IsNaN(actual[i]) && double.IsNaN(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    static Tensor ReadBytes(byte[] b) { using var ms = new MemoryStream(b); return Npy.Read(ms, b.Length); }

    static byte[] WriteBytes(Tensor t) { var ms = new MemoryStream(); Npy.Write(ms, t); return ms.ToArray(); }

    [TestCaseSource(nameof(DtypeValues))]
    public void Npy_WriteThenRead_RoundTripsEveryContractDtypeBitExactly(DType t, string descr, double[] values)
    {
        var back = ReadBytes(WriteBytes(new Tensor(t, [values.Length], values)));
        Assert.That(back.DType, Is.EqualTo(t));
        Assert.That(back.Shape, Is.EqualTo(new[] { values.Length }));
        AssertSameBits(back.Data, values);
    }

    [TestCaseSource(nameof(DtypeValues))]
    public void Npy_Read_DecodesAHandBuiltFileOfEveryContractDtype(DType t, string descr, double[] values)
    {
        var bytes = NpyBytes.Build(NpyBytes.Dict(descr, $"({values.Length},)"), Raw(t, values));
        var back = ReadBytes(bytes);
        Assert.That(back.DType, Is.EqualTo(t));
        AssertSameBits(back.Data, values);
    }

    [TestCaseSource(nameof(DtypeValues))]
    public void Npy_Write_EmitsTheContractDescrAndLittleEndianData(DType t, string descr, double[] values)
    {
        var bytes = WriteBytes(new Tensor(t, [values.Length], values));
        var (major, header, dataStart) = ParseHeader(bytes);
        Assert.That(major, Is.EqualTo(1));
        Assert.That(header, Does.Contain($"'descr': '{descr}'"));
        Assert.That(header, Does.Contain("'fortran_order': False"));
        Assert.That(header, Does.Contain($"'shape': ({values.Length},)"));
        Assert.That(bytes[dataStart..], Is.EqualTo(Raw(t, values)));
    }

    /// <summary>The NumPy format: magic, version, header length, a dict ending in '\n', data aligned to 64 bytes.</summary>
    static (int Major, string Header, int DataStart) ParseHeader(byte[] b)
    {
        Assert.That(b[..6], Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }));
        int major = b[6];
        Assert.That(b[7], Is.EqualTo(0));
        int prefix = major == 1 ? 10 : 12;
        int len = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        var header = Encoding.Latin1.GetString(b, prefix, len);
        Assert.That(header, Does.EndWith("\n"));
        Assert.That((prefix + len) % 64, Is.EqualTo(0), "data must start on a 64-byte boundary");
        return (major, header, prefix + len);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Npy_Read_AcceptsFormatVersions1To3(int major)
    {
        var v = new float[] { 1.5f, -2, 3, 4, 5, 6 };
        var back = ReadBytes(NpyBytes.Build(NpyBytes.Dict("<f4", "(2, 3)"), NpyBytes.F32(v), major));
        Assert.That(back.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(back.Data, Is.EqualTo(v.Select(x => (double)x).ToArray()));
    }

    [Test]
    public void Npy_Read_AcceptsHeaderKeysInAnyOrder()
    {
        var dict = "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}";
        var back = ReadBytes(NpyBytes.Build(dict, NpyBytes.F32(1, 2, 3)));
        Assert.That(back.Data, Is.EqualTo(new double[] { 1, 2, 3 }));
    }

    [TestCase(4)]
    [TestCase(0)]
    public void Npy_Read_RefusesAnUnknownFormatVersion(int major)
    {
        var b = NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), NpyBytes.F32(1), 2);
        b[6] = (byte)major;
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>().With.Message.Contains("version"));
    }

    [Test]
    public void Npy_WriteThenRead_KeepsAOneDimensionalShape()
    {
        var bytes = WriteBytes(new Tensor(DType.Float32, [5], [1, 2, 3, 4, 5]));
        Assert.That(ParseHeader(bytes).Header, Does.Contain("'shape': (5,)"), "a 1-tuple needs its trailing comma");
        Assert.That(ReadBytes(bytes).Shape, Is.EqualTo(new[] { 5 }));
    }

    [Test]
    public void Npy_WriteThenRead_KeepsAZeroDimensionalScalar()
    {
        var bytes = WriteBytes(new Tensor(DType.Float64, [], [2.75]));
        Assert.That(ParseHeader(bytes).Header, Does.Contain("'shape': ()"));
        var back = ReadBytes(bytes);
        Assert.That(back.Shape, Is.Empty);
        Assert.That(back.Data, Is.EqualTo(new[] { 2.75 }));
    }

    [Test]
    public void Npy_Read_DecodesAHandBuiltZeroDimensionalScalar()
    {
        var back = ReadBytes(NpyBytes.Build(NpyBytes.Dict("<f4", "()"), NpyBytes.F32(-7.5f)));
        Assert.That(back.Shape, Is.Empty);
        Assert.That(back.Data, Is.EqualTo(new[] { -7.5 }));
    }

    [TestCase(new[] { 0 })]
    [TestCase(new[] { 2, 0, 3 })]
    [TestCase(new[] { 0, 3, 4, 4 })]
    public void Npy_WriteThenRead_KeepsEmptyArraysAndTheirShape(int[] shape)
    {
        var bytes = WriteBytes(new Tensor(DType.Float32, shape, []));
        var (_, _, dataStart) = ParseHeader(bytes);
        Assert.That(bytes.Length, Is.EqualTo(dataStart), "no data bytes");
        var back = ReadBytes(bytes);
        Assert.That(back.Shape, Is.EqualTo(shape));
        Assert.That(back.Data, Is.Empty);
    }

    [Test]
    public void Npy_Write_UsesVersion2WhenTheHeaderNeedsIt()
    {
        // 30000 dimensions of 1 ("1, " each): the header is longer than the 65535 bytes a 1.0 header length can hold.
        var shape = Enumerable.Repeat(1, 30000).ToArray();
        var bytes = WriteBytes(new Tensor(DType.Int8, shape, [3]));
        var (major, _, _) = ParseHeader(bytes);
        Assert.That(major, Is.EqualTo(2));
        var back = ReadBytes(bytes);
        Assert.That(back.Shape, Has.Length.EqualTo(30000));
        Assert.That(back.Data, Is.EqualTo(new double[] { 3 }));
    }

    [TestCase("truncated", "size")]
    [TestCase("trailing_bytes", "size")]
    [TestCase("big_endian", "endian")]
    [TestCase("fortran_order", "Fortran")]
    [TestCase("header_lies_about_size", "size")]
    [TestCase("object_dtype", "|O")]
    [TestCase("truncated_header", "header")]
    [TestCase("bad_magic", "magic")]
    public void Npy_Read_RefusesWhatTheContractExcludes_WithAClearMessage(string kind, string messageMentions)
    {
        var b = NpyBytes.Bad(kind, [2, 3]);
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>().With.Message.Contains(messageMentions).IgnoreCase);
    }

    [TestCase(">f8")]
    [TestCase(">i8")]
    [TestCase(">i4")]
    [TestCase(">f2")]
    [TestCase("<u4")]
    [TestCase("<c8")]
    [TestCase("<U3")]
    public void Npy_Read_RefusesDtypesOutsideTheContract(string descr)
    {
        var b = NpyBytes.Build(NpyBytes.Dict(descr, "(1,)"), new byte[8]);
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>());
    }

    [Test]
    public void Npy_Read_RefusesAFileThroughTheFilePathOverloadToo()
    {
        using var root = new TempRoot("npy");
        var path = root["bad.npy"];
        File.WriteAllBytes(path, NpyBytes.Bad("fortran_order", [2, 2]));
        Assert.That(() => Npy.Read(path), Throws.TypeOf<NpyException>());
    }

    /// <summary>CONTRACT.md §3: a lying header is refused "before any large allocation".</summary>
    [Test]
    public void Npy_Read_RefusesAHugeClaimedShapeWithoutAllocatingIt()
    {
        // 10^9 float32 elements claimed (4 GB), 16 bytes present.
        var b = NpyBytes.Build(NpyBytes.Dict("<f4", "(1000000, 1000)"), NpyBytes.F32(1, 2, 3, 4));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(1 << 20), "the reader allocated before checking the size");
    }

    [Test]
    public void Npy_Read_RefusesAShapeWhoseElementCountOverflows()
    {
        var b = NpyBytes.Build(NpyBytes.Dict("<f4", "(2147483647, 2147483647, 2147483647)"), NpyBytes.F32(1));
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>());
    }

    [TestCase("(-1,)")]
    [TestCase("(2.5,)")]
    [TestCase("[2]")]
    public void Npy_Read_RefusesAMalformedShape(string shape)
    {
        var b = NpyBytes.Build(NpyBytes.Dict("<f4", shape), NpyBytes.F32(1, 2));
        Assert.That(() => ReadBytes(b), Throws.TypeOf<NpyException>());
    }
}
