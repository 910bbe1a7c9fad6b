using System.Runtime.Intrinsics;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>The ISA cascade every driver uses: the widest accelerated vector that fits the run length, else scalar.</summary>
public enum Tier { Scalar = 1, V128 = 4, V256 = 8, V512 = 16 }

public static class Cascade
{
    /// <summary>The widest tier the process has (read once: <c>DOTNET_EnableAVX512=0</c> and friends act at start-up).</summary>
    public static Tier Widest { get; } =
        Vector512.IsHardwareAccelerated ? Tier.V512 : Vector256.IsHardwareAccelerated ? Tier.V256 : Vector128.IsHardwareAccelerated ? Tier.V128 : Tier.Scalar;

    /// <summary>The tier for a contiguous run of <paramref name="length"/> floats: never wider than the run (tails overlap).</summary>
    public static Tier For(int length)
    {
        var w = Widest;
        while (w != Tier.Scalar && length < (int)w) w = w == Tier.V512 ? Tier.V256 : w == Tier.V256 ? Tier.V128 : Tier.Scalar;
        return w;
    }

    public static string Name(Tier t) => t switch { Tier.V512 => "Vector512", Tier.V256 => "Vector256", Tier.V128 => "Vector128", _ => "scalar" };
}
