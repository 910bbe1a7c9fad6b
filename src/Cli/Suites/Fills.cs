using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli.Suites;

/// <summary>
/// Value fills of TESTING.md §4–5, each a named family. Values are drawn in double and rounded to the case dtype,
/// so the oracle sees exactly what the backend sees. Special values are placed at the first, middle or last tap of
/// chosen windows (found from the op's own window enumeration), including border windows.
/// </summary>
public static class Fills
{
    /// <summary>Integer range of the exact regime: any window of ≤ 8192 taps sums exactly below 2^24 in float32; float16 ±32.</summary>
    public static int IntRange(DType t) => t switch { DType.Float16 => 32, DType.Int64 => 2048, _ => 2048 };

    public static double[] Draw(string family, int count, DType dtype, ulong seed, string role)
    {
        double Round(double v) => dtype.Round(v);
        int r = IntRange(dtype);
        double tiny = dtype.SmallestSubnormal();
        var data = family switch
        {
            "rand" => SplitMix64.Fill(count, seed, role, g => Round(2 * g.NextDouble() - 1)),
            "pos" => SplitMix64.Fill(count, seed, role, g => Round(g.NextDouble())),
            "int" => SplitMix64.Fill(count, seed, role, g => g.NextInt(-r, r)),
            "int_pos" => SplitMix64.Fill(count, seed, role, g => g.NextInt(0, 8)),
            "int_small" => SplitMix64.Fill(count, seed, role, g => g.NextInt(-8, 8)),
            "ties" => SplitMix64.Fill(count, seed, role, g => g.NextInt(0, 2)),
            "signed_zero" => SplitMix64.Fill(count, seed, role, g => g.NextInt(0, 3) switch { 0 => -0.0, 1 => 0.0, 2 => -0.0, _ => -1 }),
            "subnormal" => SplitMix64.Fill(count, seed, role, g => Round(g.NextInt(-1000, 1000) * (dtype == DType.Float64 ? Math.ScaleB(1, -1060) : tiny))),
            "sentinel" => SplitMix64.Fill(count, seed, role, g => g.NextInt(0, 4) switch
            {
                0 => -dtype.MaxFinite(), 1 => dtype.MaxFinite(), 2 => Round(2 * g.NextDouble() - 1), 3 => -dtype.MaxFinite(), _ => Round(-g.NextDouble()),
            }),
            _ => SplitMix64.Fill(count, seed, role, g => Round(2 * g.NextDouble() - 1)),
        };
        return data;
    }

    /// <summary>
    /// Places <paramref name="value"/> at tap position <paramref name="where"/> ("first", "mid", "last", or "all") of every
    /// third window of every (n, c) plane, windows taken from the op's enumeration on channels-first planes.
    /// </summary>
    public static void Inject(double[] data, int planes, int planeSize, IReadOnlyList<Window> windows, string where, double value, int every = 3, int offsetSeed = 0)
    {
        for (int q = 0; q < planes; q++)
            for (int w = (q + offsetSeed) % every; w < windows.Count; w += every)
            {
                var taps = windows[w].Taps;
                if (taps.Length == 0) continue;
                switch (where)
                {
                    case "first": data[q * planeSize + taps[0]] = value; break;
                    case "mid": data[q * planeSize + taps[taps.Length / 2]] = value; break;
                    case "last": data[q * planeSize + taps[^1]] = value; break;
                    default: foreach (var t in taps) data[q * planeSize + t] = value; break;
                }
            }
    }

    /// <summary>Makes a tensor non-trivial: element 0 positive and not all elements equal (TESTING.md §4).</summary>
    public static void NonTrivial(double[] data, DType dtype)
    {
        if (data.Length < 2) return;
        // A change that survives rounding to the dtype (data[0] + 1 does not at −65504 in float16).
        if (data.All(v => v.Equals(data[0]))) data[^1] = dtype.Round(data[0] == 0 || !double.IsFinite(data[0]) ? 1 : data[0] / 2);
    }
}
