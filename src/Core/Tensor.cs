namespace PoolingConformance.Core;

/// <summary>
/// A dense, C-order tensor whose elements are held as exact doubles. Every dtype of the contract embeds
/// exactly in a double (float16/float32 values, and integers of magnitude below 2^53 — indices and
/// counts of any plausible suite), so the oracle computes on the exact input values.
/// </summary>
public sealed class Tensor
{
    public DType DType { get; }
    public int[] Shape { get; }
    public double[] Data { get; }

    public Tensor(DType dtype, int[] shape, double[] data)
    {
        long n = ElementCount(shape);
        if (n != data.Length) throw new ArgumentException($"shape [{string.Join(",", shape)}] needs {n} elements, data has {data.Length}");
        DType = dtype; Shape = shape; Data = data;
    }

    public static Tensor Zeros(DType dtype, params int[] shape) => new(dtype, shape, new double[checked((int)ElementCount(shape))]);

    public int Rank => Shape.Length;
    public long Length => Data.Length;

    /// <summary>Product of the dimensions, checked against overflow; negative dimensions are refused.</summary>
    public static long ElementCount(IReadOnlyList<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException("negative dimension");
            n = checked(n * d);
        }
        return n;
    }

    public static string ShapeText(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";

    public override string ToString() => $"{DType.Name()}{ShapeText(Shape)}";

    /// <summary>Row-major coordinates of a flat element index.</summary>
    public int[] Unravel(long flat)
    {
        var idx = new int[Shape.Length];
        for (int a = Shape.Length - 1; a >= 0; a--)
        {
            if (Shape[a] == 0) break;
            idx[a] = (int)(flat % Shape[a]);
            flat /= Shape[a];
        }
        return idx;
    }
}
