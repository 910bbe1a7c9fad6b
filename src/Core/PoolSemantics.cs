namespace PoolingConformance.Core;

/// <summary>Average divisor <c>D_j</c> (METHODS.md §0.3, DIALECTS.md §9 row 2).</summary>
public enum DivisorPolicy
{
    /// <summary>Tap positions inside <c>[−pb, L + pe)</c>: padding counts, the ceil overhang does not.</summary>
    IncludePad,
    /// <summary>In-bounds taps <c>|R_j|</c>.</summary>
    ExcludePad,
    /// <summary><c>Π k</c> (oneDNN <c>avg_include_padding</c>).</summary>
    FullKernel,
    /// <summary>A fixed divisor (PyTorch <c>divisor_override</c>).</summary>
    Override,
}

/// <summary>What a NaN tap does to a max (DIALECTS.md §9 row 5).</summary>
public enum NanPolicy
{
    /// <summary>Any NaN tap makes the value NaN.</summary>
    Propagate,
    /// <summary>NaN never wins.</summary>
    Ignore,
    /// <summary>NaN wins only as the first tap visited (later comparisons against NaN are false).</summary>
    FirstTapOnly,
}

/// <summary>Which NaN's position a propagating max reports.</summary>
public enum NanIndex
{
    /// <summary>PyTorch CPU: update when <c>val &gt; max || isnan(val)</c>, so the last NaN in scan order.</summary>
    Last,
    /// <summary>The first NaN in scan order.</summary>
    First,
}

/// <summary>How a max orders −0 and +0 (DIALECTS.md §9 row 7).</summary>
public enum SignedZeroPolicy
{
    /// <summary>Strict <c>&gt;</c>: the first of the two zeros is kept (PyTorch, Caffe, oneDNN).</summary>
    FirstWins,
    /// <summary>IEEE 754-2019 <c>maximum</c>: +0 &gt; −0.</summary>
    PositiveGreater,
}

/// <summary>Value of a window with no in-bounds tap (METHODS.md §0.5, DIALECTS.md §9 row 8).</summary>
public enum EmptyWindow
{
    /// <summary>0 (the generic definition; index −1).</summary>
    Zero,
    /// <summary>−∞ (PyTorch's initial value).</summary>
    NegativeInfinity,
    /// <summary>The dtype's lowest finite value (TensorFlow, Caffe, darknet).</summary>
    Lowest,
    /// <summary>The dialect leaves the value undefined: expected outputs hold NaN and <c>verify</c> does not compare the element.</summary>
    Unspecified,
}

/// <summary>Initial value of a max scan: −∞, or the dtype's lowest finite value (TensorFlow <c>nn.max_pool</c> CPU), which then floors every result.</summary>
public enum MaxInitial { NegativeInfinity, Lowest }

/// <summary>Lp terms: <c>|x|^p</c> (the norm) or <c>x^p</c> (PyTorch; DIALECTS.md §9 row 3).</summary>
public enum LpSignMode { Abs, Raw }

/// <summary>Lp on ceil-mode partial windows: the true norm, or PyTorch's <c>(Σ·Πk/|R|)^{1/p}</c> (DIALECTS.md §9 row 4).</summary>
public enum CeilInflation { TrueNorm, TorchInflated }

/// <summary>
/// Every divergence switch that touches the window-pooling ops. A value, with one named preset per
/// dialect; the reference reads only this, never the dialect name.
/// </summary>
public sealed record PoolSemantics(
    DivisorPolicy Divisor = DivisorPolicy.ExcludePad,
    NanPolicy Nan = NanPolicy.Propagate,
    NanIndex NanIndex = NanIndex.First,
    SignedZeroPolicy SignedZero = SignedZeroPolicy.FirstWins,
    EmptyWindow EmptyMax = EmptyWindow.Zero,
    EmptyWindow EmptyAverage = EmptyWindow.Zero,
    MaxInitial MaxInitial = MaxInitial.NegativeInfinity,
    LpSignMode LpSign = LpSignMode.Abs,
    CeilInflation LpCeil = CeilInflation.TrueNorm)
{
    /// <summary>The generic <c>poolconf.*</c> definition (METHODS.md §0).</summary>
    public static PoolSemantics Generic { get; } = new();

    /// <summary>
    /// PyTorch 1.13 CPU: NaN propagates with the last NaN's index; ties and ±0 keep the first; an empty max
    /// window (only reachable with dilation and padding) is −∞ with no defined index; empty averages 0;
    /// Lp uses <c>x^p</c> and the ceil inflation.
    /// </summary>
    public static PoolSemantics Torch { get; } = new(DivisorPolicy.IncludePad, NanPolicy.Propagate, NanIndex.Last,
        SignedZeroPolicy.FirstWins, EmptyWindow.NegativeInfinity, EmptyWindow.Zero, MaxInitial.NegativeInfinity,
        LpSignMode.Raw, CeilInflation.TorchInflated);

    /// <summary>
    /// ONNX per the spec text and C++ shape inference: ties first; the spec is silent on NaN and on windows
    /// made only of padding, so NaN propagates (first NaN's index, the oracle's choice) and empty windows are
    /// unspecified; LpPool is the true norm <c>(Σ|x|^p)^{1/p}</c>.
    /// </summary>
    public static PoolSemantics Onnx { get; } = new(DivisorPolicy.ExcludePad, NanPolicy.Propagate, NanIndex.First,
        SignedZeroPolicy.FirstWins, EmptyWindow.Unspecified, EmptyWindow.Unspecified, MaxInitial.NegativeInfinity,
        LpSignMode.Abs, CeilInflation.TrueNorm);

    /// <summary>
    /// TensorFlow <c>nn.max_pool</c>/<c>nn.avg_pool</c> CPU: max starts from <c>lowest()</c> (an all −∞ window gives
    /// −FLT_MAX); NaN handling depends on vector lanes, so NaN is unspecified (never generated); SAME padding is
    /// excluded from the average.
    /// </summary>
    public static PoolSemantics Tf { get; } = new(DivisorPolicy.ExcludePad, NanPolicy.Propagate, NanIndex.First,
        SignedZeroPolicy.FirstWins, EmptyWindow.Lowest, EmptyWindow.Zero, MaxInitial.Lowest);

    /// <summary>TensorFlow <c>nn.max_pool_with_argmax</c> CPU: the first tap seeds the scan, then <c>out &lt; in</c> replaces it, so NaN wins only first.</summary>
    public static PoolSemantics TfArgmax { get; } = Tf with { Nan = NanPolicy.FirstTapOnly, MaxInitial = MaxInitial.NegativeInfinity };

    /// <summary>WebNN (webnn-baseline): average excludes padding; l2 is the true norm; a ceil window with no in-bounds tap is unspecified (webmachinelearning/webnn#935).</summary>
    public static PoolSemantics WebNn { get; } = new(DivisorPolicy.ExcludePad, NanPolicy.Propagate, NanIndex.First,
        SignedZeroPolicy.FirstWins, EmptyWindow.Unspecified, EmptyWindow.Unspecified, MaxInitial.NegativeInfinity,
        LpSignMode.Abs, CeilInflation.TrueNorm);
}

/// <summary>The reduction a windowed pooling op applies.</summary>
public enum Reduction { Max, Average, Lp }

/// <summary>
/// The canonical window-pooling problem: geometry per spatial axis, reduction and semantics. Its
/// <see cref="ToString"/> is the one-line repro printed with every failure.
/// </summary>
public sealed record PoolDescriptor(Reduction Reduction, Axis[] Axes, PoolSemantics Semantics, double P = 2, double DivisorOverride = 0,
    string PadField = "padding")
{
    /// <summary>
    /// Refuses a problem whose output (N·C·Π outputs, from <paramref name="batch"/> and <paramref name="channels"/>) passes the
    /// oracle's limit (<see cref="OutputLimit"/>), naming <see cref="PadField"/> (the dialect's padding parameter: only padding
    /// makes a window op's output larger than its input).
    /// </summary>
    public void CheckOutputSize(long batch, long channels) =>
        OutputLimit.Check(PadField, [batch, channels, .. Axes.Select(a => (long)a.Output)]);

    public override string ToString()
    {
        var ax = string.Join(" ", Axes.Select((a, i) => $"ax{i}[{a}]"));
        string extra = Reduction switch
        {
            Reduction.Lp => $" p={P} sign={Semantics.LpSign} ceil={Semantics.LpCeil}",
            Reduction.Average => Semantics.Divisor == DivisorPolicy.Override ? $" divisor={DivisorOverride}" : $" divisor={Semantics.Divisor}",
            _ => $" nan={Semantics.Nan}/{Semantics.NanIndex} init={Semantics.MaxInitial} empty={Semantics.EmptyMax}",
        };
        return $"{Reduction} {ax}{extra}";
    }
}
