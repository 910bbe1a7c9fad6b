namespace PoolingConformance.Core;

/// <summary>Element types of the suite format (CONTRACT.md §3): exactly the NumPy dtypes a suite may hold.</summary>
public enum DType { Float16, Float32, Float64, Int64, Int32, UInt8, Int8, Bool }

public static class DTypes
{
    public static string Name(this DType t) => t switch
    {
        DType.Float16 => "float16", DType.Float32 => "float32", DType.Float64 => "float64",
        DType.Int64 => "int64", DType.Int32 => "int32", DType.UInt8 => "uint8", DType.Int8 => "int8",
        _ => "bool",
    };

    public static bool TryParseName(string s, out DType t)
    {
        foreach (var v in Enum.GetValues<DType>())
            if (v.Name() == s) { t = v; return true; }
        t = default;
        return false;
    }

    /// <summary>The NumPy <c>descr</c> string the contract allows for this dtype.</summary>
    public static string Descr(this DType t) => t switch
    {
        DType.Float16 => "<f2", DType.Float32 => "<f4", DType.Float64 => "<f8", DType.Int64 => "<i8",
        DType.Int32 => "<i4", DType.UInt8 => "|u1", DType.Int8 => "|i1", _ => "|b1",
    };

    public static int Size(this DType t) => t switch
    {
        DType.Float16 => 2, DType.Float32 => 4, DType.Float64 => 8, DType.Int64 => 8, DType.Int32 => 4, _ => 1,
    };

    public static bool IsFloat(this DType t) => t is DType.Float16 or DType.Float32 or DType.Float64;

    /// <summary>Unit roundoff u (half an ulp at 1.0): 2^-11, 2^-24, 2^-53; 0 for integer types (exact).</summary>
    public static double UnitRoundoff(this DType t) => t switch
    {
        DType.Float16 => Math.ScaleB(1, -11), DType.Float32 => Math.ScaleB(1, -24), DType.Float64 => Math.ScaleB(1, -53),
        _ => 0,
    };

    /// <summary>Smallest positive subnormal of the type (the absolute floor of a derived bound).</summary>
    public static double SmallestSubnormal(this DType t) => t switch
    {
        DType.Float16 => Math.ScaleB(1, -24), DType.Float32 => Math.ScaleB(1, -149), DType.Float64 => double.Epsilon,
        _ => 0,
    };

    /// <summary>Number of significand bits (with the hidden bit): every integer of magnitude up to 2^bits is exact.</summary>
    public static int SignificandBits(this DType t) => t switch
    {
        DType.Float16 => 11, DType.Float32 => 24, DType.Float64 => 53, _ => 63,
    };

    /// <summary>Largest finite value of a float type, used as "lowest" (negated) by TensorFlow/Caffe-style initial values.</summary>
    public static double MaxFinite(this DType t) => t switch
    {
        DType.Float16 => 65504.0, DType.Float32 => float.MaxValue, DType.Float64 => double.MaxValue,
        DType.Int64 => long.MaxValue, DType.Int32 => int.MaxValue, DType.UInt8 => 255, DType.Int8 => 127, _ => 1,
    };

    /// <summary>
    /// Rounds an exact (double) value once to the dtype: round to nearest even for floats
    /// (System.Half and float conversions from double are correctly rounded), truncation toward zero
    /// for integers (C++ semantics of PyTorch's integer average), saturating for out-of-range values.
    /// </summary>
    public static double Round(this DType t, double v) => t switch
    {
        DType.Float64 => v,
        DType.Float32 => (float)v,
        DType.Float16 => (double)(Half)v,
        DType.Bool => v != 0 ? 1 : 0,
        _ => double.IsNaN(v) ? 0 : Math.Clamp(Math.Truncate(v), t.MinInteger(), t.MaxFinite()),
    };

    /// <summary>Smallest value of an integer type.</summary>
    public static double MinInteger(this DType t) => t switch
    {
        DType.Int64 => long.MinValue, DType.Int32 => int.MinValue, DType.Int8 => -128, _ => 0,
    };

    /// <summary>True when v is exactly representable in the dtype (used to check inputs and integer outputs).</summary>
    public static bool IsRepresentable(this DType t, double v) =>
        t.IsFloat() ? double.IsNaN(v) || t.Round(v) == v : !double.IsNaN(v) && !double.IsInfinity(v) && Math.Truncate(v) == v && t.Round(v) == v;
}
