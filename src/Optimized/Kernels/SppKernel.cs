using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>The max rule of an SPP block's pools.</summary>
public enum SppMax
{
    /// <summary>PyTorch <c>nn.MaxPool2d(k, 1, k // 2)</c> (ultralytics SPP / SPPF): NaN propagates, out-of-bounds taps skipped.</summary>
    Torch,
    /// <summary>darknet <c>[maxpool] stride=1</c>: start from −FLT_MAX, strict <c>&gt;</c>, NaN never wins, out-of-bounds taps skipped.</summary>
    Darknet,
}

/// <summary>
/// YOLO SPP / SPPF: stride-1 "same" max pools of several window sizes over one input, concatenated along channels with the
/// input itself. <c>blocks</c> lists the output blocks in order: 0 is the input copied unchanged, <c>k ≥ 1</c> the max pool of
/// window <c>k</c> with <c>(k − 1)/2</c> taps before the centre and the rest after (odd <c>k</c>: <c>k/2</c> each side, PyTorch's
/// <c>padding = k // 2</c>; darknet's <c>padding = size − 1</c>, offset <c>−(size − 1)/2</c> in C). ultralytics SPP is
/// <c>[0, 5, 9, 13]</c>, darknet's yolov3-spp <c>[13, 9, 5, 0]</c>, SPPF(k) <c>[0, k, 2k − 1, 3k − 2]</c> (the chained pools' windows).
/// <para>Two separable algorithms (row max, then column max), chosen by <see cref="SppAlgorithm"/> (default: the measured choice
/// of <see cref="SppChoice.UseVanHerk"/>, which is van Herk in every shape measured). <b>Van Herk / Gil-Werman</b>
/// (<see cref="SlidingMax.Spp"/>): per pool and axis, prefix maxima inside blocks of <c>k</c> taps and suffix maxima, each window
/// the max of one suffix and one prefix — about three operations per element whatever <c>k</c>. <b>Doubling</b>: max tables over
/// 2, 4, 8, … taps, then each window of <c>k</c> taps as the max of two overlapping table entries (max is idempotent, so the
/// overlap is exact) — O(log k) operations per element for all sizes together. Out-of-bounds taps are a border of the rule's
/// identity (−∞ for PyTorch: <c>x &gt; −∞ || isnan(x)</c> keeps every genuine tap, and a window of −∞ is −∞; −FLT_MAX for
/// darknet, whose inputs are first clamped to ≥ −FLT_MAX with NaN → −FLT_MAX, exactly what its strict <c>&gt;</c> from −FLT_MAX
/// yields). Values are exact: max of max over any cover of the window is the window's max, and NaN propagates (PyTorch) through
/// every partial max; a ±0 result is rescanned in row-major order, so both algorithms give the scan's sign of zero (a test
/// compares them bit for bit with each other and with the oracle). No indices.</para>
/// <para>Planar: parallel over (n, c) planes; channels-last: parallel over images, SIMD over the row of W·C floats.</para>
/// </summary>
public sealed class SppKernel(TensorLayout layout)
{
    public TensorLayout Layout { get; } = layout;
    public string Name => $"YoloSpp_F32_{Layout}";
    public override string ToString() => Name;

    /// <summary>Checks the block list: every entry 0 (the input) or a window size ≥ 1.</summary>
    public static string? Unsupported(int[] blocks) =>
        blocks.Length == 0 ? "no blocks" : blocks.FirstOrDefault(b => b < 0) is var bad && bad < 0 ? $"window size {bad}" : null;

    /// <summary>
    /// Runs the block: planar x N×C×H×W → y N×(B·C)×H×W; channels-last x N×H×W×C → y N×H×W×(B·C), B = <paramref name="blocks"/>.Length.
    /// </summary>
    public void Run(SppMax rule, int[] blocks, int batch, int channels, int h, int w, float[] x, float[] y, int threads = 1,
        SppAlgorithm algorithm = SppAlgorithm.Auto)
    {
        if (Unsupported(blocks) is { } why) throw new ArgumentException(why, nameof(blocks));
        long inN = (long)batch * channels * h * w;
        if (x.Length < inN || y.Length < inN * blocks.Length) throw new ArgumentException($"{Name}: buffers too small");
        if (SppChoice.UseVanHerk(algorithm)) { SlidingMax.Spp(Layout, rule, blocks, batch, channels, h, w, x, y, threads); return; }
        if (rule == SppMax.Torch) Run<MaxOperator>(float.NegativeInfinity, false, blocks, batch, channels, h, w, x, y, threads);
        else Run<NanIgnoringMaxOperator>(-float.MaxValue, true, blocks, batch, channels, h, w, x, y, threads);
    }

    sealed class Scratch
    {
        public readonly float[] P, Rk, Out;
        public readonly float[][] A, B;

        public Scratch(int size, int levels, float identity)
        {
            P = new float[size]; Rk = new float[size]; Out = new float[size];
            A = new float[levels][]; B = new float[levels][];
            for (int j = 0; j < levels; j++) { A[j] = new float[size]; B[j] = new float[size]; }
            Array.Fill(P, identity);
            Array.Fill(Rk, identity);
        }
    }

    void Run<TOp>(float identity, bool clamp, int[] blocks, int batch, int channels, int h, int w, float[] x, float[] y, int threads) where TOp : ISelectOperator
    {
        int maxK = Math.Max(1, blocks.Max());
        int before = (maxK - 1) / 2, after = maxK - 1 - before; // border widths: every block's window fits
        int e = Layout == TensorLayout.Nchw ? 1 : channels;      // floats per pixel
        int hp = h + before + after, wp = w + before + after, rowF = wp * e;
        int size = hp * rowF + e;                                  // + one pixel of slack for the flat passes' last reads
        int levels = 1;
        while ((1 << levels) <= maxK) levels++;                    // tables over 1, 2, 4, …, largest power of two ≤ maxK taps
        int units = Layout == TensorLayout.Nchw ? batch * channels : batch;
        void Unit(int u, Scratch s) => Plane<TOp>(u, s, identity, clamp, blocks, channels, h, w, e, before, hp, rowF, levels, x, y);
        Workers.For(units, threads, () => new Scratch(size, levels, identity), Unit);
    }

    void Plane<TOp>(int u, Scratch s, float identity, bool clamp, int[] blocks, int C, int h, int w, int e, int before, int hp, int rowF,
        int levels, float[] x, float[] y) where TOp : ISelectOperator
    {
        int rowIn = w * e, pix = h * w;
        long xBase = (long)u * pix * e;
        // Interior of the bordered plane (clamped for darknet: NaN and −∞ become −FLT_MAX).
        for (int ih = 0; ih < h; ih++)
        {
            int dst = (before + ih) * rowF + before * e;
            if (clamp) ShiftFromInput<TOp>(s.P, dst, x, xBase + (long)ih * rowIn, rowIn, identity);
            else Array.Copy(x, xBase + (long)ih * rowIn, s.P, dst, rowIn);
        }
        // Row tables on the band of interior rows: A[j][q] = max of 2^j consecutive pixels starting at q.
        int band0 = before * rowF, bandN = h * rowF;
        s.A[0] = s.P;
        for (int j = 1; j < levels; j++) ShiftDriver.Combine<TOp>(s.A[j], band0, s.A[j - 1], band0, (1 << (j - 1)) * e, bandN);
        int B = blocks.Length;
        for (int b = 0; b < B; b++)
        {
            int k = blocks[b];
            if (k == 0) { CopyOut(x, xBase, 0, w * e, s, b, B, C, h, w, e, u, y, fromInput: true); continue; }
            int j = Log2(k), p2 = 1 << j, kb = (k - 1) / 2;
            // Row pass: Rk[q] = max of k pixels from q (two overlapping table entries).
            if (p2 == k) Array.Copy(s.A[j], band0, s.Rk, band0, bandN);
            else ShiftMax<TOp>(s.Rk, s.A[j], band0, (k - p2) * e, bandN);
            // Column pass over the rows the outputs need: output row oh reads rows [r0 + oh, r0 + oh + k).
            int r0 = before - kb;
            s.B[0] = s.Rk;
            for (int t = 1; t <= j; t++)
            {
                int rows = h + k - (1 << t);
                ShiftDriver.Combine<TOp>(s.B[t], r0 * rowF, s.B[t - 1], r0 * rowF, (1 << (t - 1)) * rowF, rows * rowF);
            }
            if (p2 == k) Array.Copy(s.B[j], r0 * rowF, s.Out, r0 * rowF, h * rowF);
            else ShiftMax<TOp>(s.Out, s.B[j], r0 * rowF, (k - p2) * rowF, h * rowF);
            CopyOut(x, xBase, r0 * rowF + (before - kb) * e, rowF, s, b, B, C, h, w, e, u, y, fromInput: false);
        }
        s.A[0] = s.P; s.B[0] = s.Rk;
    }

    static void ShiftMax<TOp>(float[] dst, float[] src, int start, int off, int n) where TOp : ISelectOperator =>
        ShiftDriver.Combine<TOp>(dst, start, src, start, off, n);

    /// <summary>Copies an input row into the bordered plane through <c>max(identity, x)</c> with the rule (darknet's clamp).</summary>
    static void ShiftFromInput<TOp>(float[] p, int dst, float[] x, long src, int n, float identity) where TOp : ISelectOperator
    {
        for (int i = 0; i < n; i++) { float v = x[src + i]; p[dst + i] = TOp.Replaces(v, identity) ? v : identity; }
    }

    /// <summary>Writes block <paramref name="b"/>: from the input itself or from the result plane (rows <paramref name="rowStride"/> apart from <paramref name="start"/>).</summary>
    void CopyOut(float[] x, long xBase, int start, int rowStride, Scratch s, int b, int B, int C, int h, int w, int e, int u, float[] y, bool fromInput)
    {
        if (Layout == TensorLayout.Nchw)
        {
            int n = u / C, c = u % C;
            long yBase = ((long)(n * B + b) * C + c) * h * w;
            if (fromInput) { Array.Copy(x, xBase, y, yBase, (long)h * w); return; }
            for (int oh = 0; oh < h; oh++) Array.Copy(s.Out, start + oh * rowStride, y, yBase + (long)oh * w, w);
        }
        else
        {
            long yPix = (long)u * h * w; // pixel index of the image's first output pixel
            for (int oh = 0; oh < h; oh++)
                for (int ow = 0; ow < w; ow++)
                {
                    long dst = ((yPix + (long)oh * w + ow) * B + b) * C;
                    if (fromInput) Array.Copy(x, xBase + ((long)oh * w + ow) * C, y, dst, C);
                    else Array.Copy(s.Out, start + oh * rowStride + ow * e, y, dst, C);
                }
        }
    }

    static int Log2(int k) { int j = 0; while ((2 << j) <= k) j++; return j; }
}
