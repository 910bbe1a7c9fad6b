using System.Buffers.Binary;
using System.Text;

namespace PoolingConformance.Core.Onnx;

/// <summary>
/// A file that is not the protobuf message it should be. The message names the file and the field path
/// (e.g. <c>model.onnx: ModelProto.graph.node[0].attribute[2].ints: length 9 runs past the end of the message</c>).
/// </summary>
public sealed class OnnxFormatException(string message) : Exception(message);

/// <summary>Protobuf wire types (the deprecated groups, 3 and 4, are refused).</summary>
public enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 }

/// <summary>
/// A dependency-free reader of the protobuf wire format over one message's bytes: varints, fixed 32/64-bit values,
/// length-delimited fields (strings, bytes, sub-messages, packed repeated scalars), unknown fields skipped.
/// Every length is checked against the bytes that remain before anything is allocated, so a malformed or hostile
/// file gives an <see cref="OnnxFormatException"/> naming <see cref="Where"/> and the field — never an
/// out-of-range read or a huge allocation.
/// </summary>
public sealed class ProtoReader
{
    readonly byte[] _buf;
    readonly int _end;
    int _pos;

    /// <summary>File name and message path of this message, for error messages (e.g. <c>model.onnx: ModelProto.graph</c>).</summary>
    public string Where { get; }

    /// <summary>The field the last <see cref="Next"/> returned (number and wire type).</summary>
    public int Field { get; private set; }
    public WireType Wire { get; private set; }

    public ProtoReader(byte[] buffer, string where) : this(buffer, 0, buffer.Length, where) { }

    ProtoReader(byte[] buffer, int start, int end, string where)
    {
        _buf = buffer; _pos = start; _end = end; Where = where;
    }

    public OnnxFormatException Error(string field, string message) => new($"{Where}.{field}: {message}");

    OnnxFormatException Error(string message) => new($"{Where}: field {Field}: {message}");

    /// <summary>Advances to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (_pos >= _end) return false;
        ulong key = RawVarint("field key");
        int field = (int)(key >> 3);
        if (key >> 3 > 0x1FFFFFFF || field == 0) throw new OnnxFormatException($"{Where}: invalid field number {key >> 3} at byte {_pos}");
        var wt = (int)(key & 7);
        Field = field;
        Wire = wt switch
        {
            0 => WireType.Varint, 1 => WireType.Fixed64, 2 => WireType.LengthDelimited, 5 => WireType.Fixed32,
            3 or 4 => throw Error($"wire type {wt} (a protobuf group) is not supported"),
            _ => throw Error($"invalid wire type {wt}"),
        };
        return true;
    }

    ulong RawVarint(string what)
    {
        ulong v = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _end) throw new OnnxFormatException($"{Where}: {what}: varint runs past the end of the message");
            byte b = _buf[_pos++];
            if (shift == 63 && b > 1) throw new OnnxFormatException($"{Where}: {what}: varint longer than 64 bits");
            v |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new OnnxFormatException($"{Where}: {what}: varint longer than 10 bytes");
    }

    void Expect(WireType w, string name)
    {
        if (Wire != w) throw Error(name, $"wire type {(int)Wire}, expected {(int)w} ({w})");
    }

    /// <summary>The current varint field as an unsigned 64-bit value.</summary>
    public ulong Varint(string name)
    {
        Expect(WireType.Varint, name);
        return RawVarint(name);
    }

    /// <summary>An <c>int64</c>/<c>int32</c> field (two's complement varint; negative values take 10 bytes).</summary>
    public long Int64(string name) => (long)Varint(name);

    /// <summary>A 32-bit <c>float</c> field (wire type 5).</summary>
    public float Float(string name)
    {
        Expect(WireType.Fixed32, name);
        return BinaryPrimitives.ReadSingleLittleEndian(Take(4, name));
    }

    /// <summary>A 64-bit <c>double</c> field (wire type 1).</summary>
    public double Double(string name)
    {
        Expect(WireType.Fixed64, name);
        return BinaryPrimitives.ReadDoubleLittleEndian(Take(8, name));
    }

    ReadOnlySpan<byte> Take(int n, string name)
    {
        if (_end - _pos < n) throw Error(name, $"{n} bytes needed, {_end - _pos} left in the message");
        var s = new ReadOnlySpan<byte>(_buf, _pos, n);
        _pos += n;
        return s;
    }

    int Length(string name)
    {
        Expect(WireType.LengthDelimited, name);
        ulong len = RawVarint(name);
        if (len > (ulong)(_end - _pos)) throw Error(name, $"length {len} runs past the end of the message ({_end - _pos} bytes left)");
        return (int)len;
    }

    /// <summary>A <c>bytes</c> field (a copy of exactly its bytes).</summary>
    public byte[] Bytes(string name) => Take(Length(name), name).ToArray();

    /// <summary>A <c>string</c> field (UTF-8; invalid sequences are refused).</summary>
    public string String(string name)
    {
        var b = Take(Length(name), name);
        try { return new UTF8Encoding(false, true).GetString(b); }
        catch (DecoderFallbackException) { throw Error(name, "not valid UTF-8"); }
    }

    /// <summary>A sub-message: a reader over exactly its bytes, whose <see cref="Where"/> extends this one's by <paramref name="path"/>.</summary>
    public ProtoReader Message(string path)
    {
        int len = Length(path);
        var sub = new ProtoReader(_buf, _pos, _pos + len, $"{Where}.{path}");
        _pos += len;
        return sub;
    }

    /// <summary>
    /// One or more values of a repeated varint field: packed (one length-delimited run) or unpacked (this one value);
    /// the encoder may mix both forms, so call this for every occurrence of the field.
    /// </summary>
    public void RepeatedVarint(string name, List<long> into, long limit = int.MaxValue)
    {
        if (Wire == WireType.Varint) { Add(into, (long)RawVarint(name), name, limit); return; }
        int len = Length(name);
        int end = _pos + len;
        while (_pos < end)
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (_pos >= end || shift >= 70) throw Error(name, "packed varint runs past the end of its field");
                byte b = _buf[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            Add(into, (long)v, name, limit);
        }
    }

    /// <summary>Values of a repeated <c>float</c> field, packed or unpacked.</summary>
    public void RepeatedFloat(string name, List<double> into, long limit = int.MaxValue)
    {
        if (Wire == WireType.Fixed32) { Add(into, Float(name), name, limit); return; }
        int len = Length(name);
        if (len % 4 != 0) throw Error(name, $"packed float field of {len} bytes is not a multiple of 4");
        for (int i = 0; i < len; i += 4) Add(into, BinaryPrimitives.ReadSingleLittleEndian(Take(4, name)), name, limit);
    }

    /// <summary>Values of a repeated <c>double</c> field, packed or unpacked.</summary>
    public void RepeatedDouble(string name, List<double> into, long limit = int.MaxValue)
    {
        if (Wire == WireType.Fixed64) { Add(into, Double(name), name, limit); return; }
        int len = Length(name);
        if (len % 8 != 0) throw Error(name, $"packed double field of {len} bytes is not a multiple of 8");
        for (int i = 0; i < len; i += 8) Add(into, BinaryPrimitives.ReadDoubleLittleEndian(Take(8, name)), name, limit);
    }

    void Add<T>(List<T> into, T v, string name, long limit)
    {
        if (into.Count >= limit) throw Error(name, $"more than {limit} values");
        into.Add(v);
    }

    /// <summary>Skips the current field, whatever its wire type (unknown fields are allowed by protobuf).</summary>
    public void Skip()
    {
        switch (Wire)
        {
            case WireType.Varint: RawVarint($"field {Field}"); break;
            case WireType.Fixed64: Take(8, $"field {Field}"); break;
            case WireType.Fixed32: Take(4, $"field {Field}"); break;
            default: Take(Length($"field {Field}"), $"field {Field}"); break;
        }
    }
}
