using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace PoolingConformance.Core;

/// <summary>A .npy file the contract refuses; the message names what is wrong.</summary>
public sealed class NpyException(string message) : Exception(message);

/// <summary>
/// NumPy .npy reader and writer (format versions 1.0, 2.0 and 3.0; little-endian; C order; the dtypes
/// of CONTRACT.md §3). The reader validates the header and the exact byte count before it allocates
/// the data, so a header that lies about the size costs nothing.
/// </summary>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest element count the reader accepts (2^31 − 1: the oracle's arrays are int-indexed).</summary>
    public const long MaxElements = int.MaxValue;

    public static Tensor Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(fs, fs.Length);
    }

    public static Tensor Read(Stream s, long totalLength)
    {
        Span<byte> pre = stackalloc byte[10];
        if (ReadFully(s, pre) < 10 || !pre[..6].SequenceEqual(Magic))
            throw new NpyException("not a .npy file (bad magic string)");
        int major = pre[6], minor = pre[7];
        if (major is < 1 or > 3 || minor != 0) throw new NpyException($"unsupported .npy format version {major}.{minor} (1.0 to 3.0 are read)");
        long headerLen;
        int prefix;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..10]); prefix = 10; }
        else
        {
            Span<byte> two = stackalloc byte[2];
            if (ReadFully(s, two) < 2) throw new NpyException("truncated header");
            headerLen = BinaryPrimitives.ReadUInt32LittleEndian([pre[8], pre[9], two[0], two[1]]);
            prefix = 12;
        }
        if (headerLen > 1 << 20 || prefix + headerLen > totalLength) throw new NpyException("truncated header");
        var hb = new byte[headerLen];
        if (ReadFully(s, hb) < headerLen) throw new NpyException("truncated header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb);
        var (dtype, fortran, shape) = ParseHeader(header);
        if (fortran) throw new NpyException("Fortran-order data is not accepted (C order only)");
        long count;
        try { count = Tensor.ElementCount(shape); } catch (OverflowException) { throw new NpyException("shape overflows"); }
        if (count > MaxElements) throw new NpyException($"{count} elements is more than the reader accepts");
        long dataBytes = count * dtype.Size();
        long available = totalLength - prefix - headerLen;
        if (available != dataBytes)
            throw new NpyException($"size mismatch: shape {Tensor.ShapeText(shape)} of {dtype.Name()} needs {dataBytes} data bytes, the file has {available}");
        var raw = new byte[dataBytes];
        if (ReadFully(s, raw) < dataBytes) throw new NpyException("truncated data");
        return new Tensor(dtype, shape, Decode(raw, dtype, (int)count));
    }

    static int ReadFully(Stream s, Span<byte> buf)
    {
        int total = 0;
        while (total < buf.Length)
        {
            int n = s.Read(buf[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    static double[] Decode(byte[] raw, DType t, int count)
    {
        var d = new double[count];
        var sp = raw.AsSpan();
        for (int i = 0; i < count; i++)
        {
            d[i] = t switch
            {
                DType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(sp[(2 * i)..]),
                DType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(sp[(4 * i)..]),
                DType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(sp[(8 * i)..]),
                DType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(sp[(8 * i)..]),
                DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(sp[(4 * i)..]),
                DType.UInt8 => raw[i],
                DType.Int8 => (sbyte)raw[i],
                _ => raw[i] != 0 ? 1 : 0,
            };
        }
        return d;
    }

    [GeneratedRegex(@"^\{\s*(?:'(?<k>descr|fortran_order|shape)'\s*:\s*(?<v>'[^']*'|True|False|\([^)]*\))\s*,?\s*){3}\}\s*$")]
    private static partial Regex HeaderRegex();

    static (DType, bool, int[]) ParseHeader(string header)
    {
        var m = HeaderRegex().Match(header.TrimEnd('\n', ' ', '\0'));
        if (!m.Success) throw new NpyException("unreadable header dictionary");
        var keys = m.Groups["k"].Captures.Select(c => c.Value).ToArray();
        var vals = m.Groups["v"].Captures.Select(c => c.Value).ToArray();
        if (keys.Distinct().Count() != 3) throw new NpyException("header must hold descr, fortran_order and shape once each");
        string descr = vals[Array.IndexOf(keys, "descr")];
        string fo = vals[Array.IndexOf(keys, "fortran_order")];
        string shp = vals[Array.IndexOf(keys, "shape")];
        if (!descr.StartsWith('\'')) throw new NpyException("descr must be a string");
        descr = descr.Trim('\'');
        DType? t = null;
        foreach (var v in Enum.GetValues<DType>())
            if (v.Descr() == descr || (v.Size() == 1 && "=" + v.Descr()[1..] == descr)) t = v;
        if (t is null)
        {
            if (descr.StartsWith('>')) throw new NpyException($"big-endian data ('{descr}') is not accepted (little-endian only)");
            throw new NpyException($"dtype '{descr}' is not one of <f2 <f4 <f8 <i8 <i4 |u1 |i1 |b1");
        }
        bool fortran = fo switch
        {
            "True" => true, "False" => false, _ => throw new NpyException("fortran_order must be True or False"),
        };
        if (!shp.StartsWith('(')) throw new NpyException("shape must be a tuple");
        var parts = shp.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out shape[i]) || shape[i] < 0) throw new NpyException($"shape entry '{parts[i]}' is not a non-negative int32");
        return (t.Value, fortran, shape);
    }

    /// <summary>Writes format 1.0 (2.0 when the header needs it); the header is padded to a multiple of 64 bytes.</summary>
    public static void Write(string path, Tensor t)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(fs, t);
    }

    public static void Write(Stream s, Tensor t)
    {
        string shape = t.Shape.Length == 1 ? $"({t.Shape[0]},)" : "(" + string.Join(", ", t.Shape) + ")";
        string dict = $"{{'descr': '{t.DType.Descr()}', 'fortran_order': False, 'shape': {shape}, }}";
        int major = dict.Length + 11 > ushort.MaxValue ? 2 : 1;
        int prefix = major == 1 ? 10 : 12;
        int total = prefix + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        var hb = Encoding.Latin1.GetBytes(header);
        s.Write(Magic);
        s.WriteByte((byte)major); s.WriteByte(0);
        if (major == 1) { Span<byte> l = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)hb.Length); s.Write(l); }
        else { Span<byte> l = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(l, (uint)hb.Length); s.Write(l); }
        s.Write(hb);
        var buf = new byte[t.Data.Length * t.DType.Size()];
        var sp = buf.AsSpan();
        for (int i = 0; i < t.Data.Length; i++)
        {
            double v = t.Data[i];
            switch (t.DType)
            {
                case DType.Float16: BinaryPrimitives.WriteHalfLittleEndian(sp[(2 * i)..], (Half)v); break;
                case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(sp[(4 * i)..], (float)v); break;
                case DType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(sp[(8 * i)..], v); break;
                case DType.Int64: BinaryPrimitives.WriteInt64LittleEndian(sp[(8 * i)..], (long)v); break;
                case DType.Int32: BinaryPrimitives.WriteInt32LittleEndian(sp[(4 * i)..], (int)v); break;
                case DType.UInt8: buf[i] = (byte)v; break;
                case DType.Int8: buf[i] = (byte)(sbyte)v; break;
                default: buf[i] = v != 0 ? (byte)1 : (byte)0; break;
            }
        }
        s.Write(buf);
    }
}
