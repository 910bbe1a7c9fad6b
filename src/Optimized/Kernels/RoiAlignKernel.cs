using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>How ROI Align reduces the samples of a bin.</summary>
public enum RoiAlignReduction
{
    /// <summary>Mean of the bilinear sample values (torchvision, ONNX <c>avg</c>).</summary>
    Average,
    /// <summary>ONNX <c>max</c>: the largest weighted corner <c>max(w_i·v_i)</c> over the samples.</summary>
    WeightedCornerMax,
    /// <summary>The paper's max (<c>poolconf.roi_align_max</c>): the largest interpolated sample value.</summary>
    InterpolatedMax,
}

/// <summary>
/// ROI Align, average (torchvision <c>roi_align</c>; ONNX <c>RoiAlign</c> avg with its offset): per ROI the sample grid of
/// <see cref="RoiGeometry.AlignGrid"/> — box arithmetic in the boxes' dtype, one rounding per operation, as the reference's parity
/// mode — then per sample the reference's rule (zero outside <c>[−1, H] × [−1, W]</c>, clamp at 0, collapse to the last row /
/// column) giving four corner pixels and weights <c>(1 − ly)(1 − lx)</c>, <c>(1 − ly)lx</c>, <c>ly(1 − lx)</c>, <c>ly·lx</c>
/// computed in double and rounded once to float32. Values accumulate in float32: per sample <c>((w1v1 + w2v2) + w3v3) + w4v4</c>,
/// samples row by row, divided by <c>max(G_h·G_w, 1)</c> (the raw grid product): at most <c>G + 6</c> roundings per term against
/// the <c>(G + 8)·u·Σ|w·v|/G</c> of the reference's bound (TESTING.md §3.4). Channels-last: SIMD over channels, parallel over ROIs;
/// planar inputs are transposed to channels-last once per call and each ROI's result back (results do not depend on layout or
/// thread count). The sample tables are built per ROI outside the channel loops. The max modes of <see cref="RoiAlignReduction"/>:
/// <see cref="BinMax"/>.
/// </summary>
public sealed class RoiAlignKernel(TensorLayout layout)
{
    public TensorLayout Layout { get; } = layout;
    public string Name => $"RoiAlign_F32_{Layout}";
    public override string ToString() => Name;

    /// <summary>One axis sample: the two neighbouring rows (columns) and their weights; <c>Valid</c> false outside the cutoff.</summary>
    readonly record struct Tap(int Lo, int Hi, double WLo, double WHi, bool Valid);

    /// <summary>
    /// Pools every ROI. Planar: x N×C×H×W → y K×C×PH×PW; channels-last: x N×H×W×C → y K×PH×PW×C. <paramref name="offset"/> is
    /// subtracted from the scaled corners (0.5 for torchvision <c>aligned=True</c> and ONNX half_pixel), <paramref name="minSize1"/>
    /// clamps the ROI size to ≥ 1 (torchvision <c>aligned=False</c>).
    /// </summary>
    public void Run(float[] x, int batch, int channels, int h, int w, Roi[] rois, int ph, int pw, double scale, int samplingRatio,
        double offset, bool minSize1, DType coordType, float[] y, int threads = 1, RoiAlignReduction reduction = RoiAlignReduction.Average)
    {
        long inN = (long)batch * channels * h * w, outN = (long)rois.Length * channels * ph * pw;
        if (x.Length < inN || y.Length < outN) throw new ArgumentException($"{Name}: buffers too small");
        if (ph < 1 || pw < 1) throw new ArgumentException($"{Name}: pooled size {ph}×{pw}");
        foreach (var r in rois)
            if (r.Batch < 0 || r.Batch >= batch) throw new ArgumentException($"{Name}: batch index {r.Batch} outside [0, {batch})");
        float[] xl = x;
        if (Layout == TensorLayout.Nchw)
        {
            xl = new float[inN];
            ChannelsLast.FromPlanar(x, 0, xl, 0, batch, channels, h * w, threads);
        }
        int C = channels, cells = ph * pw;
        bool planar = Layout == TensorLayout.Nchw;
        void One(int k, Table t)
        {
            var r = rois[k];
            var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, scale, offset, minSize1, ph, samplingRatio, coordType);
            var ax = RoiGeometry.AlignGrid(r.X1, r.X2, scale, offset, minSize1, pw, samplingRatio, coordType);
            Fill(t, (long)r.Batch * h * w, C, w, Taps(ay, h), Taps(ax, w));
            float count = (float)Math.Max((long)ay.Grid * ax.Grid, 1);
            float[] dst = planar ? t.Tmp : y;
            long dstBase = planar ? 0 : (long)k * cells * C;
            bool none = ay.SampleCount * ax.SampleCount == 0;
            for (int b = 0; b < cells; b++)
                if (reduction == RoiAlignReduction.Average) Bin(xl, C, t, t.Start[b], t.Start[b + 1], count, dst, dstBase + (long)b * C);
                else BinMax(xl, C, t, t.Start[b], t.Start[b + 1], t.HasInvalid[b] || none, reduction == RoiAlignReduction.WeightedCornerMax, dst, dstBase + (long)b * C);
            if (planar) ChannelsLast.ToPlanar(t.Tmp, 0, y, (long)k * C * cells, C, cells);
        }
        Table NewTable() => new(cells * 4, cells) { Tmp = new float[planar ? cells * C : 1] };
        if (threads <= 1 || rois.Length <= 1) { var t = NewTable(); for (int k = 0; k < rois.Length; k++) One(k, t); }
        else Parallel.For(0, rois.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, NewTable,
            (k, _, t) => { One(k, t); return t; }, _ => { });
    }

    /// <summary>The sampling rule along one axis of length <paramref name="n"/>, for every bin's samples.</summary>
    static Tap[][] Taps(RoiGeometry.AlignAxis a, int n)
    {
        var t = new Tap[a.Samples.Length][];
        for (int p = 0; p < t.Length; p++)
        {
            t[p] = new Tap[a.Samples[p].Length];
            for (int s = 0; s < t[p].Length; s++)
            {
                double v = a.Samples[p][s];
                if (v < -1.0 || v > n) { t[p][s] = new Tap(0, 0, 0, 0, false); continue; }
                if (v <= 0) v = 0;
                int lo = (int)v, hi;
                if (lo >= n - 1) { hi = lo = n - 1; v = lo; } else hi = lo + 1;
                double l = v - lo;
                t[p][s] = new Tap(lo, hi, 1 - l, l, true);
            }
        }
        return t;
    }

    /// <summary>Per ROI: every valid sample of every bin as four corner offsets (pixel·C) and four float32 weights; per bin its range.</summary>
    sealed class Table(int maxSamples, int cells)
    {
        public long[] Pos = new long[4 * Math.Max(1, maxSamples)];
        public float[] Wt = new float[4 * Math.Max(1, maxSamples)];
        public readonly int[] Start = new int[cells + 1];
        /// <summary>Per bin: some sample lies outside the cutoff (it contributes 0 to a max).</summary>
        public readonly bool[] HasInvalid = new bool[cells];
        public float[] Tmp = [];

        public void Ensure(int samples)
        {
            if (Pos.Length < 4 * samples) { Pos = new long[4 * samples]; Wt = new float[4 * samples]; }
        }
    }

    static void Fill(Table t, long img, int C, int w, Tap[][] ty, Tap[][] tx)
    {
        int ph = ty.Length, pw = tx.Length, n = 0;
        int total = 0;
        foreach (var a in ty) foreach (var b in tx) total += a.Length * b.Length;
        t.Ensure(total);
        for (int i = 0; i < ph; i++)
            for (int j = 0; j < pw; j++)
            {
                t.Start[i * pw + j] = n;
                t.HasInvalid[i * pw + j] = false;
                foreach (var a in ty[i])
                {
                    foreach (var b in tx[j])
                    {
                        if (!a.Valid || !b.Valid) { t.HasInvalid[i * pw + j] = true; continue; }
                        int o = 4 * n++;
                        t.Pos[o] = (img + (long)a.Lo * w + b.Lo) * C; t.Pos[o + 1] = (img + (long)a.Lo * w + b.Hi) * C;
                        t.Pos[o + 2] = (img + (long)a.Hi * w + b.Lo) * C; t.Pos[o + 3] = (img + (long)a.Hi * w + b.Hi) * C;
                        t.Wt[o] = (float)(a.WLo * b.WLo); t.Wt[o + 1] = (float)(a.WLo * b.WHi);
                        t.Wt[o + 2] = (float)(a.WHi * b.WLo); t.Wt[o + 3] = (float)(a.WHi * b.WHi);
                    }
                }
            }
        t.Start[ph * pw] = n;
    }

    /// <summary>
    /// The max modes: per sample the largest weighted corner <c>max(w_i·v_i)</c> (ONNX, <paramref name="corner"/>) or the
    /// interpolated value <c>((w1v1 + w2v2) + w3v3) + w4v4</c> (the paper), the largest over the samples, 0 for a sample outside
    /// the cutoff and for a bin without samples. <c>Max</c> (scalar <see cref="MathF.Max(float, float)"/>, lane-wise
    /// <c>Vector*.Max</c>) is IEEE 754:2019 <c>maximum</c>: NaN propagates, as the reference's <c>Math.Max</c> and its
    /// <c>&gt; || isnan</c> scan do; the value does not depend on the order.
    /// </summary>
    static void BinMax(float[] x, int C, Table t, int s0, int s1, bool withZero, bool corner, float[] y, long o)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)o);
        switch (Cascade.For(C))
        {
            case Tier.V512: BinMax<W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xr, t, C, s0, s1, withZero, corner, ref yr); break;
            case Tier.V256: BinMax<W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xr, t, C, s0, s1, withZero, corner, ref yr); break;
            case Tier.V128: BinMax<W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xr, t, C, s0, s1, withZero, corner, ref yr); break;
            default: BinMax<Scalar, float, int, bool>(ref xr, t, C, s0, s1, withZero, corner, ref yr); break;
        }
    }

    static void BinMax<TW, TV, TI, TM>(ref float xr, Table t, int C, int s0, int s1, bool withZero, bool corner, ref float yr) where TW : IWidth<TV, TI, TM>
    {
        ref long pos = ref MemoryMarshal.GetArrayDataReference(t.Pos);
        ref float wt = ref MemoryMarshal.GetArrayDataReference(t.Wt);
        int n = TW.Count;
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            TV acc = withZero || s0 == s1 ? TW.Zero : TW.Broadcast(float.NegativeInfinity);
            for (int s = s0; s < s1; s++)
            {
                int q = 4 * s;
                TV t1 = Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q, c), t2 = Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 1, c),
                   t3 = Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 2, c), t4 = Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 3, c);
                TV m = corner ? TW.MaxPropagate(TW.MaxPropagate(TW.MaxPropagate(t1, t2), t3), t4) : TW.Add(TW.Add(TW.Add(t1, t2), t3), t4);
                acc = TW.MaxPropagate(acc, m);
            }
            TW.Store(acc, ref yr, c);
        }
    }

    static void Bin(float[] x, int C, Table t, int s0, int s1, float count, float[] y, long o)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)o);
        switch (Cascade.For(C))
        {
            case Tier.V512: Bin<W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xr, t, C, s0, s1, count, ref yr); break;
            case Tier.V256: Bin<W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xr, t, C, s0, s1, count, ref yr); break;
            case Tier.V128: Bin<W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xr, t, C, s0, s1, count, ref yr); break;
            default: Bin<Scalar, float, int, bool>(ref xr, t, C, s0, s1, count, ref yr); break;
        }
    }

    /// <summary>One bin's average: per sample the four corner terms summed left to right, samples in order, one division.</summary>
    static void Bin<TW, TV, TI, TM>(ref float xr, Table t, int C, int s0, int s1, float count, ref float yr) where TW : IWidth<TV, TI, TM>
    {
        ref long pos = ref MemoryMarshal.GetArrayDataReference(t.Pos);
        ref float wt = ref MemoryMarshal.GetArrayDataReference(t.Wt);
        int n = TW.Count;
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            TV acc = TW.Zero;
            for (int s = s0; s < s1; s++)
            {
                int q = 4 * s;
                acc = TW.Add(acc, TW.Add(TW.Add(TW.Add(Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q, c), Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 1, c)),
                    Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 2, c)), Corner<TW, TV, TI, TM>(ref xr, ref pos, ref wt, q + 3, c)));
            }
            TW.Store(TW.Div(acc, TW.Broadcast(count)), ref yr, c);
        }
    }

    /// <summary>Corner term <paramref name="q"/> of the table for channels <c>c ..</c>: its weight times the input at its position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV Corner<TW, TV, TI, TM>(ref float xr, ref long pos, ref float wt, int q, int c) where TW : IWidth<TV, TI, TM> =>
        TW.Mul(TW.Broadcast(Unsafe.Add(ref wt, q)), TW.Load(ref xr, (nint)(Unsafe.Add(ref pos, q) + c)));
}
