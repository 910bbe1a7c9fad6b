namespace PoolingConformance.Cli.Suites;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): the project's documented generator for suite data; System.Random's algorithm is
/// not a contract. Tensors are filled in 64-element chunks, chunk <c>i</c> seeded from (case seed, tensor role, i), so the
/// data does not depend on how the filling is scheduled (TESTING.md §7).
/// </summary>
public sealed class SplitMix64(ulong state)
{
    ulong _s = state;

    public ulong Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public int NextInt(int lo, int hiInclusive) => lo + (int)(Next() % (ulong)(hiInclusive - lo + 1));

    /// <summary>FNV-1a of a string mixed with a seed: the stable per-case seed of (suite seed, case id).</summary>
    public static ulong Hash(ulong seed, string text)
    {
        ulong h = 14695981039346656037UL ^ seed;
        foreach (char ch in text) { h ^= ch; h *= 1099511628211UL; }
        return new SplitMix64(h).Next();
    }

    /// <summary>Fills <paramref name="count"/> values chunk by chunk from (seed, role).</summary>
    public static double[] Fill(int count, ulong seed, string role, Func<SplitMix64, double> draw)
    {
        var data = new double[count];
        ulong roleSeed = Hash(seed, role);
        for (int chunk = 0; chunk * 64 < count; chunk++)
        {
            var rng = new SplitMix64(roleSeed ^ ((ulong)chunk * 0xD1B54A32D192ED03UL));
            for (int i = chunk * 64; i < Math.Min(count, chunk * 64 + 64); i++) data[i] = draw(rng);
        }
        return data;
    }
}
