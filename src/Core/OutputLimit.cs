namespace PoolingConformance.Core;

/// <summary>
/// The oracle's one materialization limit, 2^28 elements (2 GiB of doubles), applied to any output a parameter sizes: a case
/// asking for more is one clear refusal naming that parameter, never an int overflow or a failed allocation that stops the
/// whole run. In Core so that the oracle and the optimized and GPU backends refuse with one check, the same field and wording.
/// </summary>
public static class OutputLimit
{
    public const long MaxElements = 1L << 28;

    /// <summary>
    /// The product of <paramref name="dims"/> (0 when one is 0), refused naming <paramref name="field"/> past <see cref="MaxElements"/>.
    /// Saturating, so huge dims cannot wrap.
    /// </summary>
    public static long Check(string field, params long[] dims)
    {
        if (dims.Any(d => d == 0)) return 0;
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > MaxElements || n * d > MaxElements)
                throw new InvalidParameterException(field, $"'{field}' asks for an output of {string.Join("×", dims)} elements, more than the {MaxElements} the oracle materializes");
            n *= d;
        }
        return n;
    }
}
