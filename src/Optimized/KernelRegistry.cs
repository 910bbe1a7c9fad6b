using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Kernels;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized;

/// <summary>Memory layout of a kernel's input and output: planar (NCL, NCHW, NCDHW) or channels-last (NLC, NHWC, NDHWC).</summary>
public enum TensorLayout { Nchw, Nhwc }

/// <summary>How a window kernel gets its windows: a <see cref="PoolDescriptor"/> geometry, the whole plane, or adaptive bins.</summary>
public enum KernelKind { Window, Global, Adaptive }

/// <summary>
/// One optimized window kernel as the registry lists it: name, reduction, layout, spatial rank, dtype and accumulation dtype,
/// the ISA tiers it runs in (a runtime cascade: Vector512 → Vector256 → Vector128 → scalar, by <see cref="Cascade"/>), what it
/// supports, and its entry point. Input and output are float32 (float16 callers widen on load); indices int64 per (n, c) plane.
/// </summary>
public sealed record KernelEntry(string Name, Reduction Reduction, TensorLayout Layout, KernelKind Kind = KernelKind.Window, int Rank = 2)
{
    public string DType => "float32";
    public string Accumulation => "float32";
    public string Isa => "Vector512/Vector256/Vector128/scalar cascade (active widest: " + Cascade.Name(Cascade.Widest) + ")";
    public string Subnormals => "kept (no flush-to-zero)";
    /// <summary>Documented limits of the kernel against the reference (which computes in double), or empty.</summary>
    public string Limits => Reduction == Reduction.Lp
        ? "Lp terms are formed in float32 (p = 2: x·x; general p: |x|^p in double rounded to float32): a term below float32's range "
          + "(|x| < 2^-75 for p = 2, e.g. subnormal inputs) loses precision or becomes 0, one above it (|x| > 2^64 for p = 2) overflows to +∞"
        : "";

    /// <summary>Why this kernel does not serve a problem, or null when it does.</summary>
    public string? Unsupported(PoolDescriptor d)
    {
        if (Kind == KernelKind.Adaptive) return $"{Name} pools to adaptive bins (PoolPlan.Adaptive), not a window descriptor";
        if (d.Reduction != Reduction) return $"{Name} computes {Reduction}, not {d.Reduction}";
        if (Kind == KernelKind.Window && d.Axes.Length != Rank) return $"{Name} is {Rank}-D, not {d.Axes.Length}-D";
        if (d.Reduction == Reduction.Max && d.Semantics.Nan == NanPolicy.FirstTapOnly && Layout == TensorLayout.Nchw) return FirstTapOnlyPlanar;
        if (PoolPlan.Unsupported(d) is { } why) return why;
        if (Kind == KernelKind.Global && !new PoolPlan(d).IsGlobal) return $"{Name} needs one window covering the whole input";
        return null;
    }

    /// <summary>
    /// Runs the kernel on a plan. Planar: <paramref name="x"/> is N×C×(D×)(H×)W, <paramref name="y"/> and <paramref name="indices"/>
    /// N×C×(OD×)(OH×)OW; channels-last: N×(D×)(H×)W×C and N×(OD×)(OH×)OW×C. <paramref name="indices"/> (max only, may be null)
    /// receive the flat in-plane tap <c>(id·H + ih)·W + iw</c>, −1 for a window without in-bounds taps. Results do not depend on
    /// <paramref name="threads"/>. A global average or Lp plan (<see cref="PoolPlan.IsGlobal"/>) takes the flat reduction of
    /// <see cref="GlobalDriver"/> in every layout, so layouts stay bit-identical.
    /// </summary>
    public void Run(PoolPlan plan, int batch, int channels, float[] x, float[] y, long[]? indices, int threads = 1)
    {
        if (plan.Reduction != Reduction) throw new ArgumentException($"{Name} computes {Reduction}, not {plan.Reduction}");
        if (Kind != KernelKind.Global && plan.Rank != Rank) throw new ArgumentException($"{Name} is {Rank}-D, the plan {plan.Rank}-D");
        if (Kind == KernelKind.Global && !plan.IsGlobal) throw new ArgumentException($"{Name} needs a global plan");
        long inN = (long)batch * channels * plan.InputPlane, outN = (long)batch * channels * plan.OutputPlane;
        if (x.Length < inN || y.Length < outN || (indices is not null && indices.Length < outN))
            throw new ArgumentException($"{Name}: buffers too small for {batch}×{channels} planes of {plan.InputPlane} → {plan.OutputPlane}");
        int planes = batch * channels;
        switch (Reduction)
        {
            case Reduction.Max:
                bool lastNan = plan.NanIndex == NanIndex.Last;
                if (plan.NanFirstTapOnly && Layout == TensorLayout.Nchw) throw new NotSupportedException(FirstTapOnlyPlanar);
                if (plan.NanFirstTapOnly)
                {
                    // Seeded by the first tap, replaced on a strict ordered >: a NaN never replaces, and a NaN first tap is never replaced.
                    if (Layout == TensorLayout.Nchw) NchwDriver.Select<NanIgnoringMaxOperator>(plan, planes, x, y, indices, threads);
                    else NhwcDriver.Select<NanIgnoringMaxOperator>(plan, batch, channels, x, y, indices, threads);
                }
                else if (Layout == TensorLayout.Nchw)
                {
                    if (lastNan) NchwDriver.Select<MaxOperator>(plan, planes, x, y, indices, threads);
                    else NchwDriver.Select<FirstNanMaxOperator>(plan, planes, x, y, indices, threads);
                }
                else if (lastNan) NhwcDriver.Select<MaxOperator>(plan, batch, channels, x, y, indices, threads);
                else NhwcDriver.Select<FirstNanMaxOperator>(plan, batch, channels, x, y, indices, threads);
                if (plan.FloorAtLowest) // a scan from −FLT_MAX: only −∞ results change (to −FLT_MAX); NaN is unspecified there
                    for (long i = 0; i < outN; i++) if (y[i] < -float.MaxValue) y[i] = -float.MaxValue;
                break;
            case Reduction.Average:
                Accumulate<AverageOperator>(plan, batch, channels, x, y, threads);
                break;
            case Reduction.Lp:
                double p = plan.P;
                if (p == 2) Accumulate<LpSquareOperator>(plan, batch, channels, x, y, threads);
                else if (p == 1 && !plan.LpRaw) Accumulate<LpAbsOperator>(plan, batch, channels, x, y, threads);
                else if (p == 1) Accumulate<ScaledSumOperator>(plan, batch, channels, x, y, threads);
                else
                {
                    // General p: terms x^p (|x|^p) in double rounded once to float32, the scaled float32 sum, the root in double.
                    var terms = new float[inN];
                    bool abs = !plan.LpRaw;
                    Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, q =>
                    {
                        long o = (long)q * plan.InputPlane;
                        for (long i = o; i < o + plan.InputPlane; i++) { double v = x[i]; terms[i] = (float)Math.Pow(abs ? Math.Abs(v) : v, p); }
                    });
                    Accumulate<ScaledSumOperator>(plan, batch, channels, terms, y, threads);
                    double inv = 1 / p;
                    for (long i = 0; i < outN; i++) y[i] = (float)Math.Pow(y[i], inv);
                }
                break;
            default: throw new NotSupportedException(Name);
        }
    }

    /// <summary>
    /// Why the planar kernels refuse TensorFlow's first-tap-only NaN rule: their separable passes seed every window row with its
    /// own first tap, and a NaN there would hide the rest of that row, where the full scan only ignores it.
    /// </summary>
    const string FirstTapOnlyPlanar = "a NaN that wins only as the first tap needs the direct window scan of the channels-last kernel (the planar kernel is separable)";

    void Accumulate<TOp>(PoolPlan plan, int batch, int channels, float[] x, float[] y, int threads) where TOp : IAccumulateOperator
    {
        int planes = batch * channels;
        if (plan.IsGlobal)
        {
            if (Layout == TensorLayout.Nchw) GlobalDriver.AccumulateNchw<TOp>(plan, planes, x, y, threads);
            else GlobalDriver.AccumulateNhwc<TOp>(plan, batch, channels, x, y, threads);
        }
        else if (Layout == TensorLayout.Nchw) NchwDriver.Accumulate<TOp>(plan, planes, x, y, threads);
        else NhwcDriver.Accumulate<TOp>(plan, batch, channels, x, y, threads);
    }

    public override string ToString() => Name;
}

/// <summary>
/// The one list of optimized kernels that the <c>optimized</c> backend, the conformance tests and the benchmarks read
/// (STYLE.md §2.6). The NaN index rule (PyTorch last / ONNX first) is an operator struct chosen from the semantics inside each
/// max kernel; the Lp exponent picks the operator (p = 2: <c>x·x</c> and a square root; p = 1; general p) inside each Lp kernel.
/// </summary>
public static partial class KernelRegistry
{
    static KernelEntry Pool(Reduction r, int rank, TensorLayout l) =>
        new($"{(r == Reduction.Average ? "Avg" : r.ToString())}Pool{rank}d_F32_{l}", r, l, KernelKind.Window, rank);

    public static KernelEntry MaxPool2dNchw { get; } = Pool(Reduction.Max, 2, TensorLayout.Nchw);
    public static KernelEntry MaxPool2dNhwc { get; } = Pool(Reduction.Max, 2, TensorLayout.Nhwc);
    public static KernelEntry AvgPool2dNchw { get; } = Pool(Reduction.Average, 2, TensorLayout.Nchw);
    public static KernelEntry AvgPool2dNhwc { get; } = Pool(Reduction.Average, 2, TensorLayout.Nhwc);
    public static KernelEntry LpPool2dNchw { get; } = Pool(Reduction.Lp, 2, TensorLayout.Nchw);
    public static KernelEntry LpPool2dNhwc { get; } = Pool(Reduction.Lp, 2, TensorLayout.Nhwc);
    public static KernelEntry GlobalAvgPoolNchw { get; } = new("GlobalAvgPool_F32_Nchw", Reduction.Average, TensorLayout.Nchw, KernelKind.Global, 0);
    public static KernelEntry GlobalAvgPoolNhwc { get; } = new("GlobalAvgPool_F32_Nhwc", Reduction.Average, TensorLayout.Nhwc, KernelKind.Global, 0);
    public static KernelEntry GlobalLpPoolNchw { get; } = new("GlobalLpPool_F32_Nchw", Reduction.Lp, TensorLayout.Nchw, KernelKind.Global, 0);
    public static KernelEntry GlobalLpPoolNhwc { get; } = new("GlobalLpPool_F32_Nhwc", Reduction.Lp, TensorLayout.Nhwc, KernelKind.Global, 0);

    /// <summary>Every window kernel: global ones first (so <see cref="Find"/> prefers the flat reduction), then max / avg / Lp in 1-D, 2-D, 3-D.</summary>
    public static IReadOnlyList<KernelEntry> All { get; } = Build();

    /// <summary>Adaptive kernels (plans from <see cref="PoolPlan.Adaptive"/>): max and average, 1-D to 3-D, both layouts.</summary>
    public static IReadOnlyList<KernelEntry> Adaptive { get; } =
        [.. from r in new[] { Reduction.Max, Reduction.Average } from rank in new[] { 1, 2, 3 } from l in new[] { TensorLayout.Nchw, TensorLayout.Nhwc }
            select new KernelEntry($"Adaptive{(r == Reduction.Average ? "Avg" : "Max")}Pool{rank}d_F32_{l}", r, l, KernelKind.Adaptive, rank)];

    /// <summary>YOLO SPP / SPPF (stride-1 same-padded max pools of several sizes, concatenated), both layouts.</summary>
    public static SppKernel SppNchw { get; } = new(TensorLayout.Nchw);
    public static SppKernel SppNhwc { get; } = new(TensorLayout.Nhwc);
    /// <summary>ROI Align (average; fixed or adaptive sampling; aligned or not) and ROI max pooling, both layouts.</summary>
    public static RoiAlignKernel RoiAlignNchw { get; } = new(TensorLayout.Nchw);
    public static RoiAlignKernel RoiAlignNhwc { get; } = new(TensorLayout.Nhwc);
    public static RoiPoolKernel RoiPoolNchw { get; } = new(TensorLayout.Nchw);
    public static RoiPoolKernel RoiPoolNhwc { get; } = new(TensorLayout.Nhwc);
    /// <summary>Max unpooling (scatter per plane; duplicates: the last write wins), both layouts.</summary>
    public static MaxUnpoolKernel MaxUnpoolNchw { get; } = new(TensorLayout.Nchw);
    public static MaxUnpoolKernel MaxUnpoolNhwc { get; } = new(TensorLayout.Nhwc);

    /// <summary>Every kernel's name, window and others, for listings.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. All.Select(k => k.Name), .. Adaptive.Select(k => k.Name), SppNchw.Name, SppNhwc.Name, RoiAlignNchw.Name, RoiAlignNhwc.Name,
         RoiPoolNchw.Name, RoiPoolNhwc.Name, MaxUnpoolNchw.Name, MaxUnpoolNhwc.Name,
         .. RegionKernelNames(), .. SurveyKernelNames(), .. FeatureKernelNames()];

    static List<KernelEntry> Build()
    {
        var all = new List<KernelEntry> { GlobalAvgPoolNchw, GlobalAvgPoolNhwc, GlobalLpPoolNchw, GlobalLpPoolNhwc };
        foreach (var r in new[] { Reduction.Max, Reduction.Average, Reduction.Lp })
            foreach (var rank in new[] { 1, 2, 3 })
                foreach (var l in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
                    all.Add(rank == 2 ? Known(r, l) : Pool(r, rank, l));
        return all;
    }

    static KernelEntry Known(Reduction r, TensorLayout l) => (r, l) switch
    {
        (Reduction.Max, TensorLayout.Nchw) => MaxPool2dNchw,
        (Reduction.Max, TensorLayout.Nhwc) => MaxPool2dNhwc,
        (Reduction.Average, TensorLayout.Nchw) => AvgPool2dNchw,
        (Reduction.Average, TensorLayout.Nhwc) => AvgPool2dNhwc,
        (Reduction.Lp, TensorLayout.Nchw) => LpPool2dNchw,
        _ => LpPool2dNhwc,
    };

    /// <summary>The kernel serving a problem in a layout, or null with the reason.</summary>
    public static (KernelEntry? Kernel, string? Why) Find(PoolDescriptor d, TensorLayout layout)
    {
        string? why = null;
        foreach (var k in All)
        {
            if (k.Layout != layout || k.Reduction != d.Reduction) continue;
            var w = k.Unsupported(d);
            if (w is null) return (k, null);
            if (k.Kind == KernelKind.Window) why = w;
        }
        return (null, why ?? $"no {layout} kernel for {d.Reduction} pooling");
    }

    /// <summary>The adaptive kernel for a reduction, rank and layout.</summary>
    public static KernelEntry FindAdaptive(Reduction r, int rank, TensorLayout layout) =>
        Adaptive.FirstOrDefault(k => k.Reduction == r && k.Rank == rank && k.Layout == layout)
        ?? throw new NotSupportedException($"no adaptive {r} kernel of rank {rank}");
}
