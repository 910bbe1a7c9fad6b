namespace PoolingConformance.Core;

/// <summary>A parameter combination that is invalid for its dialect; <see cref="Field"/> names the parameter.</summary>
public sealed class InvalidParameterException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>How the output length of a windowed axis is rounded (METHODS.md §0.2, DIALECTS.md §9 row 1).</summary>
public enum CeilRule
{
    /// <summary><c>O = floor((L + pb + pe − K)/s) + 1</c>.</summary>
    Floor,
    /// <summary>PyTorch <c>Pool.h</c> and ONNX <c>convPoolShapeInference</c>: ceil, then drop a last window that would start in the end padding.</summary>
    CeilTorchOnnx,
    /// <summary>Caffe: ceil, the same drop only when the padding is non-zero.</summary>
    CeilCaffeIfPadded,
    /// <summary>WebNN <c>outputShapeRounding: "ceil"</c>: ceil with no correction.</summary>
    CeilNoCorrection,
}

/// <summary>ONNX <c>auto_pad</c> / TensorFlow <c>padding</c> modes that derive the pads.</summary>
public enum AutoPad { NotSet, SameUpper, SameLower, Valid }

/// <summary>
/// One spatial axis of a windowed pooling problem: input length <c>L</c>, kernel <c>k</c>, stride <c>s</c>,
/// dilation <c>d</c> (1 = dense), begin/end padding and the output length <c>O</c>.
/// Tap <c>m</c> of output <c>o</c> sits at <c>i = o·s − pb + m·d</c>; it belongs to the window's in-bounds
/// set <c>R_o</c> when <c>0 ≤ i &lt; L</c>.
/// </summary>
public readonly record struct Axis(int Length, int Kernel, int Stride, int Dilation, int PadBegin, int PadEnd, int Output)
{
    /// <summary><c>K = (k − 1)·d + 1</c>.</summary>
    public int EffectiveKernel => (Kernel - 1) * Dilation + 1;

    /// <summary>Position of tap <c>m</c> of output <c>o</c> (may be outside the input).</summary>
    public long Tap(int o, int m) => (long)o * Stride - PadBegin + (long)m * Dilation;

    /// <summary>The in-bounds taps of output <c>o</c>, in scan order.</summary>
    public IEnumerable<int> InBoundsTaps(int o)
    {
        for (int m = 0; m < Kernel; m++)
        {
            long i = Tap(o, m);
            if (i >= 0 && i < Length) yield return (int)i;
        }
    }

    /// <summary><c>|R_o|</c> along this axis: taps with <c>0 ≤ i &lt; L</c>.</summary>
    public int InBoundsCount(int o)
    {
        int n = 0;
        for (int m = 0; m < Kernel; m++) { long i = Tap(o, m); if (i >= 0 && i < Length) n++; }
        return n;
    }

    /// <summary>
    /// Taps inside the padded extent <c>[−pb, L + pe)</c>: the IncludePad divisor along this axis.
    /// Padding cells count, the ceil-mode overhang past <c>L + pe</c> does not (PyTorch <c>AvgPoolKernel.cpp</c>,
    /// Caffe AVE, ONNX <c>count_include_pad=1</c>; for <c>d = 1</c> this is <c>min(o·s − pb + k, L + pe) − (o·s − pb)</c>).
    /// </summary>
    public int PaddedCount(int o)
    {
        int n = 0;
        for (int m = 0; m < Kernel; m++) { long i = Tap(o, m); if (i >= -PadBegin && i < (long)Length + PadEnd) n++; }
        return n;
    }

    public override string ToString() => $"L={Length} k={Kernel} s={Stride} d={Dilation} pads=({PadBegin},{PadEnd}) O={Output}";
}

/// <summary>
/// The single copy of the project's shape maths. Every rule is computed in 64-bit integers with
/// floor division on non-negative numerators (an invalid numerator is refused, never truncated).
/// </summary>
public static class PoolGeometry
{
    static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    /// <summary>
    /// Output length for explicit padding. Floor: <c>floor((L + pb + pe − K)/s) + 1</c>. Ceil rules:
    /// <c>ceil((L + pb + pe − K)/s) + 1</c>, then (TorchOnnx always, Caffe only when padded)
    /// <c>if (O − 1)·s ≥ L + pb: O −= 1</c> so the last window starts inside the input or the begin padding.
    /// Refuses <c>L + pb + pe &lt; K</c> (the window does not fit) with the field <paramref name="field"/>.
    /// </summary>
    public static int OutputSize(int length, int kernel, int stride, int dilation, int padBegin, int padEnd, CeilRule rule, string field = "kernel_size")
    {
        if (kernel <= 0) throw new InvalidParameterException(field, $"kernel must be positive, got {kernel}");
        if (stride <= 0) throw new InvalidParameterException("stride", $"stride must be positive, got {stride}");
        if (dilation <= 0) throw new InvalidParameterException("dilation", $"dilation must be positive, got {dilation}");
        if (padBegin < 0 || padEnd < 0) throw new InvalidParameterException("padding", $"padding must be non-negative, got ({padBegin}, {padEnd})");
        long eff = (long)(kernel - 1) * dilation + 1;
        long num = (long)length + padBegin + padEnd - eff;
        if (num < 0)
            throw new InvalidParameterException(field, $"effective kernel {eff} is larger than the padded input {length + (long)padBegin + padEnd}: output size would be below 1");
        long o = rule == CeilRule.Floor ? num / stride + 1 : CeilDiv(num, stride) + 1;
        bool drop = rule == CeilRule.CeilTorchOnnx || (rule == CeilRule.CeilCaffeIfPadded && (padBegin > 0 || padEnd > 0));
        if (drop && (o - 1) * stride >= (long)length + padBegin) o--;
        if (o < 1) throw new InvalidParameterException(field, "output size is below 1");
        if (o > int.MaxValue) throw new InvalidParameterException(field, "output size overflows");
        return (int)o;
    }

    public static Axis Explicit(int length, int kernel, int stride, int dilation, int padBegin, int padEnd, CeilRule rule, string field = "kernel_size") =>
        new(length, kernel, stride, dilation, padBegin, padEnd, OutputSize(length, kernel, stride, dilation, padBegin, padEnd, rule, field));

    /// <summary>
    /// ONNX <c>auto_pad</c> pads per the C++ shape inference (<c>convPoolShapeInference</c>):
    /// total <c>= max(0, K − (L mod s == 0 ? s : L mod s))</c> — clamped at 0 where the spec text is not —
    /// with <c>small = total/2</c>; SAME_UPPER puts the odd extra at the end, SAME_LOWER at the beginning;
    /// VALID has no padding. TensorFlow SAME equals SAME_UPPER: its <c>(ceil(L/s) − 1)·s + K − L</c> is the same total.
    /// </summary>
    public static (int PadBegin, int PadEnd) AutoPads(int length, int kernel, int stride, int dilation, AutoPad mode)
    {
        if (mode is AutoPad.Valid or AutoPad.NotSet) return (0, 0);
        long eff = (long)(kernel - 1) * dilation + 1;
        long r = length % stride;
        long total = Math.Max(0, eff - (r == 0 ? stride : r));
        int small = (int)(total / 2), big = (int)(total - total / 2);
        return mode == AutoPad.SameUpper ? (small, big) : (big, small);
    }

    /// <summary>WebNN output size: <c>(L − K + pb + pe)/s + 1</c> in real arithmetic, floored or ceiled, no correction.</summary>
    public static int WebNnOutputSize(int length, int kernel, int stride, int dilation, int padBegin, int padEnd, bool ceil) =>
        OutputSize(length, kernel, stride, dilation, padBegin, padEnd, ceil ? CeilRule.CeilNoCorrection : CeilRule.Floor, "windowDimensions");

    /// <summary>
    /// Adaptive bin <c>i</c> of <c>O</c> over <c>L</c>: <c>[floor(i·L/O), ceil((i+1)·L/O))</c> in integers
    /// (PyTorch <c>AdaptivePooling.h</c> after PRs #82833/#84010).
    /// </summary>
    public static (int Start, int End) AdaptiveBin(int i, int length, int output)
    {
        long start = (long)i * length / output;
        long end = ((long)(i + 1) * length + output - 1) / output;
        return ((int)start, (int)end);
    }

    /// <summary>
    /// SPP bins of the paper (He et al. 2014, METHODS.md §5 <c>Paper</c>): window <c>ceil(a/n)</c>, stride <c>floor(a/n)</c>, no
    /// padding, floor rule. That yields <c>floor((a − win)/str) + 1</c> windows, which is <c>n</c> only for some <c>(a, n)</c>
    /// (all of <c>n ∈ {1, 2, 3, 4, 6}</c> at <c>a = 13</c>; not <c>a = 7, n = 4</c> → 6, <c>a = 10, n = 6</c> → 9, <c>a = 5, n = 3</c> → 4)
    /// and the stride is 0 for <c>a &lt; n</c>: every such case is refused, naming <paramref name="field"/>.
    /// </summary>
    public static Axis SppPaper(int length, int bins, string field = "levels")
    {
        if (bins < 1) throw new InvalidParameterException(field, $"a pyramid level must have at least 1 bin, got {bins}");
        if (length < bins)
            throw new InvalidParameterException(field, $"paper binning needs the input size {length} to be at least the level's bin count {bins} (its stride floor({length}/{bins}) is 0)");
        int win = (int)CeilDiv(length, bins), str = length / bins;
        int o = OutputSize(length, win, str, 1, 0, 0, CeilRule.Floor, field);
        if (o != bins)
            throw new InvalidParameterException(field,
                $"paper binning of level {bins} over size {length}: window ceil({length}/{bins}) = {win}, stride floor({length}/{bins}) = {str} gives {o} bins, not {bins}");
        return new Axis(length, win, str, 1, 0, 0, o);
    }

    /// <summary>
    /// SPP bins of Caffe (<c>spp_layer.cpp</c> <c>GetPoolingParam</c>, METHODS.md §5 <c>Caffe</c>): <c>kernel = stride = ceil(a/n)</c>,
    /// <c>pad = (kernel·n − a + 1)/2</c> on both sides, then Caffe's ceil rule (<see cref="CeilRule.CeilCaffeIfPadded"/>).
    /// Caffe's pooling layer aborts when <c>pad ≥ kernel</c> (<c>a = 13, n = 6</c>: kernel 3, pad 3; <c>a = 5, n = 4</c>: kernel 2,
    /// pad 2; every <c>a &lt; n</c>: kernel 1, pad ≥ 1): refused here, naming <paramref name="field"/>. Whenever it does not abort
    /// the rule gives exactly <c>n</c> bins (checked for a &lt; 300, n &lt; 40; asserted anyway).
    /// </summary>
    public static Axis SppCaffe(int length, int bins, string field = "levels")
    {
        if (bins < 1) throw new InvalidParameterException(field, $"a pyramid level must have at least 1 bin, got {bins}");
        if (length < 1) throw new InvalidParameterException(field, "input dimensions cannot be zero");
        int k = (int)CeilDiv(length, bins);
        long remainder = (long)k * bins - length;
        int pad = (int)((remainder + 1) / 2);
        if (pad >= k)
            throw new InvalidParameterException(field,
                $"Caffe binning of level {bins} over size {length}: kernel ceil({length}/{bins}) = {k}, pad ({k}·{bins} − {length} + 1)/2 = {pad}; Caffe aborts when pad >= kernel");
        var ax = Explicit(length, k, k, 1, pad, pad, CeilRule.CeilCaffeIfPadded, field);
        if (ax.Output != bins)
            throw new InvalidParameterException(field, $"Caffe binning of level {bins} over size {length} gives {ax.Output} bins, not {bins}");
        return ax;
    }

    /// <summary>
    /// Darknet <c>[maxpool]</c> output length (<c>make_maxpool_layer</c>): <c>(L + padding − size)/stride + 1</c> in C integer
    /// division, which truncates toward zero — a numerator of −1 with stride 2 gives 1, where Python's <c>//</c> gives 0.
    /// <c>padding</c> is the TOTAL padding (default <c>size − 1</c>).
    /// </summary>
    public static int DarknetOutputSize(int length, int size, int stride, int padding)
    {
        if (stride <= 0) throw new InvalidParameterException("stride", $"stride must be positive, got {stride}");
        if (size <= 0) throw new InvalidParameterException("size", $"size must be positive, got {size}");
        if (padding < 0) throw new InvalidParameterException("padding", $"padding must be non-negative, got {padding}");
        long o = ((long)length + padding - size) / stride + 1; // C# '/' truncates toward zero, as C does
        if (o < 1) throw new InvalidParameterException("size", $"(w + padding − size)/stride + 1 = ({length} + {padding} − {size})/{stride} + 1 = {o} is below 1");
        if (o > int.MaxValue) throw new InvalidParameterException("size", "output size overflows");
        return (int)o;
    }

    /// <summary>
    /// Darknet <c>[maxpool]</c> axis: window <c>o</c> covers <c>[o·stride + off, o·stride + off + size)</c> with
    /// <c>off = −padding/2</c> in C (truncation toward zero: padding 1 gives offset 0, not Python's −1), so the begin padding
    /// is <c>padding/2</c> and the end padding the rest (<c>padding − padding/2</c>; the last window ends at most there).
    /// </summary>
    public static Axis Darknet(int length, int size, int stride, int padding)
    {
        int o = DarknetOutputSize(length, size, stride, padding);
        int offset = -padding / 2; // C: (−padding)/2, truncated toward zero
        return new Axis(length, size, stride, 1, -offset, padding + offset, o);
    }

    /// <summary>Multiplies the per-axis counts (the divisor or window size of a cell).</summary>
    /// <summary>The most elements on one axis of an unpooled output (2^28, ONNX's <c>output_shape</c> cap).</summary>
    public const long MaxUnpoolAxis = 1L << 28;

    /// <summary>
    /// PyTorch <c>max_unpoolNd</c> output sizes: <c>(L − 1)·s + k − 2p</c> per axis, or the last <c>nd</c> entries of an
    /// explicit <c>output_size</c> (nd or nd + 2 entries), which must lie strictly within <c>default ± s</c>. Sizes are
    /// computed in long; an axis above <see cref="MaxUnpoolAxis"/> is refused naming <c>stride</c>, a size below 1 naming
    /// <c>padding</c> (default) or <c>output_size</c>. The one copy for the oracle and the backends.
    /// </summary>
    public static int[] TorchUnpoolOutput(IReadOnlyList<int> spatial, int[] k, int[] s, int[] pad, int[]? outputSize)
    {
        int nd = k.Length;
        if (outputSize is not null && outputSize.Length != nd && outputSize.Length != nd + 2)
            throw new InvalidParameterException("output_size", $"output_size must have {nd} or {nd + 2} entries, got {outputSize.Length}");
        var outSpatial = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            long dflt = (long)(spatial[a] - 1) * s[a] + k[a] - 2L * pad[a];
            if (dflt > MaxUnpoolAxis)
                throw new InvalidParameterException("stride", $"default output size {dflt} of dim {a} is more than the {MaxUnpoolAxis} elements the oracle materializes");
            long size = dflt;
            if (outputSize is not null)
            {
                long want = outputSize[outputSize.Length - nd + a];
                if (!(want > dflt - s[a] && want < dflt + s[a]))
                    throw new InvalidParameterException("output_size", $"invalid output_size: dim {a} must be between {dflt - s[a]} and {dflt + s[a]} (exclusive), got {want}");
                size = want;
            }
            if (size < 1) throw new InvalidParameterException(outputSize is null ? "padding" : "output_size", $"output size {size} is below 1");
            outSpatial[a] = (int)size;
        }
        return outSpatial;
    }

    public static long Product(IEnumerable<int> counts)
    {
        long p = 1;
        foreach (var c in counts) p = checked(p * c);
        return p;
    }
}
