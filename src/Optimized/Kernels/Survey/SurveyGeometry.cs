using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Planning;

namespace PoolingConformance.Optimized.Kernels.Survey;

/// <summary>
/// The 2-D window geometry of the survey's <c>poolconf.*_pool2d</c> ops (METHODS.md §0.2: symmetric padding whose taps are
/// skipped, dilation, PyTorch/ONNX ceil rule) in the form the survey kernels read: one <see cref="AxisTable"/> per axis (first
/// in-bounds tap, count, step), the kernel position of each window's first in-bounds tap (for the gate's <c>ωᵀx</c>), and the
/// helpers every survey kernel shares: gathering one window's in-bounds taps in scan order (row-major, W innermost) and the
/// plane-parallel loop. Input and output planar N×C×H×W / N×C×OH×OW.
/// </summary>
public sealed class SurveyGeometry
{
    public Axis AxisH { get; }
    public Axis AxisW { get; }
    public AxisTable H { get; }
    public AxisTable W { get; }
    /// <summary>Per output row / column: the kernel position <c>m</c> of its first in-bounds tap (0 when it has none).</summary>
    public int[] FirstKernelH { get; }
    public int[] FirstKernelW { get; }
    public int InPlane => H.Length * W.Length;
    public int OutPlane => H.Output * W.Output;
    /// <summary><c>k_h·k_w</c>: the most taps a window can hold.</summary>
    public int KernelTaps => AxisH.Kernel * AxisW.Kernel;

    public SurveyGeometry(Axis h, Axis w)
    {
        AxisH = h; AxisW = w;
        H = AxisTable.From(h); W = AxisTable.From(w);
        FirstKernelH = FirstKernel(h, H);
        FirstKernelW = FirstKernel(w, W);
    }

    static int[] FirstKernel(Axis a, AxisTable t)
    {
        var m0 = new int[a.Output];
        for (int o = 0; o < a.Output; o++)
            if (t.Count[o] > 0) m0[o] = (int)((t.Start[o] - a.Tap(o, 0)) / a.Dilation);
        return m0;
    }

    /// <summary>The generic-semantics descriptor (ExcludePad average, NaN-propagating max, empty window 0) of this geometry.</summary>
    public PoolDescriptor Descriptor(Reduction r) => new(r, [AxisH, AxisW], PoolSemantics.Generic);

    /// <summary>Number of in-bounds taps of output cell (oh, ow).</summary>
    public int Count(int oh, int ow) => H.Count[oh] * W.Count[ow];

    /// <summary>
    /// Copies the in-bounds taps of output cell (oh, ow) of the plane starting at <paramref name="planeOffset"/> into
    /// <paramref name="vals"/> and their flat in-plane indices into <paramref name="taps"/>, in scan order; returns their count.
    /// The spans must hold <see cref="KernelTaps"/> elements; the tables keep every tap inside the plane, so reads are unchecked.
    /// </summary>
    int Gather(float[] x, long planeOffset, int oh, int ow, Span<float> vals, Span<int> taps)
    {
        int hc = H.Count[oh], wc = W.Count[ow];
        if (hc == 0 || wc == 0) return 0;
        int width = W.Length, h0 = H.Start[oh], hs = H.Step, w0 = W.Start[ow], ws = W.Step;
        ref float plane = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)planeOffset);
        ref float v = ref MemoryMarshal.GetReference(vals);
        ref int t = ref MemoryMarshal.GetReference(taps);
        int n = 0;
        for (int a = 0; a < hc; a++)
        {
            int row = (h0 + a * hs) * width + w0;
            for (int b = 0; b < wc; b++, n++)
            {
                int tap = row + b * ws;
                Unsafe.Add(ref v, n) = Unsafe.Add(ref plane, tap);
                Unsafe.Add(ref t, n) = tap;
            }
        }
        return n;
    }

    /// <summary>
    /// The window loop of the scalar survey kernels: for every output cell of every plane (planes in parallel through
    /// <see cref="ForPlanes"/>, cells in output order), the cell's in-bounds taps gathered into <see cref="WindowScratch.Values"/>
    /// and <see cref="WindowScratch.Taps"/> (<see cref="Gather"/>), then <paramref name="cell"/> with the flat output index and the
    /// tap count. The scratch is one per plane, its extra arrays free for the kernel's own use.
    /// </summary>
    public void ForEachWindow(float[] x, int planes, int threads, Action<long, int, WindowScratch> cell)
    {
        int outPlane = OutPlane, inPlane = InPlane, ow = W.Output, oh = H.Output, kk = KernelTaps;
        ForPlanes(planes, threads, q =>
        {
            var s = new WindowScratch(kk) { InBase = (long)q * inPlane };
            long outBase = (long)q * outPlane;
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                    cell(outBase + (long)r * ow + c, Gather(x, s.InBase, r, c, s.Values, s.Taps), s);
        });
    }

    /// <summary>
    /// Runs <paramref name="plane"/> for every plane, in parallel over planes with at most <paramref name="threads"/> workers;
    /// every plane is computed by one thread the same way, so results do not depend on the thread count. When planes throw, the
    /// exception of the lowest plane is rethrown (the one the reference, which scans in output order, reports first).
    /// </summary>
    public static void ForPlanes(int planes, int threads, Action<int> plane)
    {
        if (threads <= 1 || planes <= 1) { for (int q = 0; q < planes; q++) plane(q); return; }
        var errors = new Exception?[planes];
        Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, q =>
        {
            try { plane(q); }
            catch (Exception e) { errors[q] = e; }
        });
        foreach (var e in errors) if (e is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    /// <summary>Window max (NaN propagates) and ExcludePad average of every cell by the registry's SIMD window kernels; empty windows 0.</summary>
    public (float[] Max, float[] Avg) MaxAndAverage(float[] x, int batch, int channels, int threads)
    {
        long outN = (long)batch * channels * OutPlane;
        var max = new float[outN];
        var avg = new float[outN];
        if (outN == 0) return (max, avg);
        KernelRegistry.MaxPool2dNchw.Run(new PoolPlan(Descriptor(Reduction.Max)), batch, channels, x, max, null, threads);
        KernelRegistry.AvgPool2dNchw.Run(new PoolPlan(Descriptor(Reduction.Average)), batch, channels, x, avg, null, threads);
        return (max, avg);
    }

    /// <summary>The position of the first NaN among the first <paramref name="n"/> gathered values (scan order), or −1: the survey ops propagate the first NaN tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FirstNaN(float[] vals, int n)
    {
        for (int i = 0; i < n; i++) if (float.IsNaN(vals[i])) return i;
        return -1;
    }

    /// <summary>Compensated (TwoSum) accumulation step in double: <c>s + v</c> with the rounding error added to <paramref name="comp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TwoSum(ref double s, ref double comp, double v)
    {
        double n = s + v;
        comp += Math.Abs(s) >= Math.Abs(v) ? (s - n) + v : (v - n) + s;
        s = n;
    }

    /// <summary>A compensated sum's value: <c>s + comp</c>, or <c>s</c> where that is not finite (an infinite or NaN term).</summary>
    public static double Total(double s, double comp) => double.IsFinite(s + comp) ? s + comp : s;
}

/// <summary>Per-plane buffers of <see cref="SurveyGeometry.ForEachWindow"/>: the gathered window and where its plane starts.</summary>
public sealed class WindowScratch(int taps)
{
    /// <summary>The window's in-bounds tap values, in scan order.</summary>
    public readonly float[] Values = new float[taps];
    /// <summary>Their flat in-plane indices.</summary>
    public readonly int[] Taps = new int[taps];
    /// <summary>Free for the kernel: a second gathered input, sorted values.</summary>
    public readonly float[] Extra = new float[taps];
    /// <summary>Free for the kernel: a rank order.</summary>
    public readonly int[] Order = new int[taps];
    /// <summary>Free for the kernel: per-tap probabilities.</summary>
    public readonly double[] Weights = new double[taps];
    /// <summary>The plane's first input element (<see cref="Taps"/> are relative to it).</summary>
    public long InBase;
}
