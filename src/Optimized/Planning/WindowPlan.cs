using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Planning;

/// <summary>What a NaN tap does to a max, as one switch a kernel branches on (from <see cref="NanPolicy"/> and <see cref="NanIndex"/>).</summary>
public enum NanMode
{
    /// <summary>PyTorch: <c>v &gt; max || isnan(v)</c> — NaN propagates, the last NaN's index is reported.</summary>
    PropagateLast,
    /// <summary>NaN propagates, the first NaN's index is kept (ONNX, TF, WebNN as the oracle pins them).</summary>
    PropagateFirst,
    /// <summary>NaN never wins (Caffe, darknet).</summary>
    Ignore,
    /// <summary>The first tap seeds the scan, then <c>max &lt; v</c> replaces: NaN wins only as the first tap (TF argmax).</summary>
    FirstTapOnly,
}

/// <summary>How a max kernel's canonical index (flat in-plane, row-major, <c>(t·H + h)·W + w</c>) is reported.</summary>
public enum IndexFormat
{
    /// <summary>PyTorch: flat per (n, c) plane, as the kernel computes it.</summary>
    Plane,
    /// <summary>ONNX <c>Indices</c>: flat over N×C×spatial, <c>q·Π + in-plane</c>; in-plane column-major when <c>storage_order = 1</c>.</summary>
    OnnxFlat,
}

/// <summary>
/// The semantics a window kernel needs, as plain values: NaN mode, the max scan's initial value (−∞ or −FLT_MAX), the value of
/// a max window without an in-bounds tap (index −1), the value of an average whose divisor is 0, and the Lp term sign mode.
/// </summary>
public sealed record PlanSemantics(NanMode Nan, float MaxInitial, float EmptyMax, float EmptyAverage, bool LpRaw)
{
    public static PlanSemantics From(PoolSemantics s)
    {
        if (s.SignedZero != SignedZeroPolicy.FirstWins) throw new NotServedException($"signed-zero policy {s.SignedZero} (the kernels keep the first of ±0)");
        var nan = s.Nan switch
        {
            NanPolicy.Propagate => s.NanIndex == NanIndex.Last ? NanMode.PropagateLast : NanMode.PropagateFirst,
            NanPolicy.Ignore => NanMode.Ignore,
            _ => NanMode.FirstTapOnly,
        };
        static float Empty(EmptyWindow e) => e switch
        {
            EmptyWindow.Zero => 0f, EmptyWindow.NegativeInfinity => float.NegativeInfinity, EmptyWindow.Lowest => -float.MaxValue, _ => float.NaN,
        };
        return new PlanSemantics(nan, s.MaxInitial == Core.MaxInitial.Lowest ? -float.MaxValue : float.NegativeInfinity,
            Empty(s.EmptyMax), Empty(s.EmptyAverage), s.LpSign == LpSignMode.Raw);
    }
}

/// <summary>A case (or input) the planned kernels do not serve; the message is the skip reason.</summary>
public sealed class NotServedException(string message) : Exception(message);

/// <summary>
/// A window-pooling case planned for any backend (CPU SIMD, GPU): float32 input in N×C×spatial (or N×spatial×C when
/// <see cref="ChannelsLast"/>), 1 to 3 spatial axes padded to three by leading <see cref="AxisTable.Unit"/> axes, the per-axis
/// tap tables, a per-output-cell divisor (averages; 0 means the window takes <see cref="PlanSemantics.EmptyAverage"/>) or Lp
/// scale (PyTorch's ceil inflation <c>Πk/|R|</c>, else 1), the semantics, and how to turn the kernel's float32 output and
/// canonical indices into the case's named outputs (<see cref="Assemble"/>).
/// <para>Kernel contract. Output cell <c>(od, oh, ow)</c> of plane <c>q</c> reduces the input at <c>(d, h, w)</c> for
/// <c>d = D.Start[od] + i·D.Step, i &lt; D.Count[od]</c> (likewise h, w), scanned d outermost, w innermost. Max: start from
/// <see cref="PlanSemantics.MaxInitial"/> (FirstTapOnly: the first tap), replace on <c>v &gt; max</c> and by the NaN mode; index
/// = first in-bounds tap unless replaced, as <c>(d·H + h)·W + w</c>; a window with no tap gives EmptyMax and −1. Average:
/// sum / Divisor[cell] (Divisor 0 → EmptyAverage). Lp: terms <c>|x|^p</c> (or <c>x^p</c> when LpRaw), <c>z = Σ·LpScale[cell]</c>,
/// <c>y = z^{1/p}</c> (p = 1: z); an empty window gives 0.</para>
/// </summary>
public sealed class WindowPlan
{
    public required string Op { get; init; }
    public required Reduction Reduction { get; init; }
    public double P { get; init; } = 2;
    public required int N { get; init; }
    public required int C { get; init; }
    /// <summary>The input's spatial sizes (1 to 3 axes).</summary>
    public required int[] InSpatial { get; init; }
    /// <summary>The three axes (depth, height, width); leading axes are <see cref="AxisTable.Unit"/> for 1-D and 2-D problems.</summary>
    public required AxisTable[] Axes { get; init; }
    public bool ChannelsLast { get; init; }
    public float[]? Divisor { get; init; }
    public float[]? LpScale { get; init; }
    public required PlanSemantics Semantics { get; init; }
    /// <summary>The canonical descriptor of a fixed-window problem (the CPU registry's key and the repro line); null for adaptive bins.</summary>
    public PoolDescriptor? Descriptor { get; init; }
    /// <summary>The input as float32 in the plan's layout (float16 widened exactly).</summary>
    public required float[] X { get; init; }
    public required DType InputDType { get; init; }
    public required string ValueName { get; init; }
    /// <summary>The index output's name, or null when the op has none or the case does not ask for it.</summary>
    public string? IndexName { get; init; }
    public IndexFormat IndexFormat { get; init; } = IndexFormat.Plane;
    public bool ColumnMajor { get; init; }
    /// <summary>Shape of the value (and index) outputs as the case reports them (unbatched torch inputs lose N; channels-last keeps C last).</summary>
    public required int[] OutputShape { get; init; }

    public AxisTable D => Axes[0];
    public AxisTable H => Axes[1];
    public AxisTable W => Axes[2];
    public int Rank => InSpatial.Length;
    public int[] OutSpatial => Axes[(3 - Rank)..].Select(a => a.Output).ToArray();
    public int InPlane => D.Length * H.Length * W.Length;
    public int OutPlane => D.Output * H.Output * W.Output;
    public long OutputElements => (long)N * C * OutPlane;
    public bool WantsIndices => IndexName is not null;

    /// <summary>The in-bounds taps of output cell <c>(od·OH + oh)·OW + ow</c> as canonical in-plane indices, in scan order (for tests and explain).</summary>
    public IEnumerable<int> CellTaps(int cell)
    {
        int ow = cell % W.Output, oh = cell / W.Output % H.Output, od = cell / (W.Output * H.Output);
        foreach (var d in D.Taps(od))
            foreach (var h in H.Taps(oh))
                foreach (var w in W.Taps(ow))
                    yield return (d * H.Length + h) * W.Length + w;
    }

    /// <summary>
    /// The case's outputs from a kernel's results: <paramref name="y"/> in the plan's layout (N×C×out or N×out×C), and
    /// <paramref name="indices"/> (N×C×out, canonical in-plane, −1 for empty windows) when <see cref="WantsIndices"/>.
    /// Values are rounded once to the input dtype.
    /// </summary>
    public Dictionary<string, Tensor> Assemble(ReadOnlySpan<float> y, ReadOnlySpan<long> indices)
    {
        if (y.Length < OutputElements) throw new ArgumentException($"{Op}: {y.Length} output values, the plan needs {OutputElements}");
        var vals = new double[OutputElements];
        for (int i = 0; i < vals.Length; i++) vals[i] = InputDType.Round(y[i]);
        var outs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [ValueName] = new Tensor(InputDType, OutputShape, vals) };
        if (IndexName is null) return outs;
        if (indices.Length < OutputElements) throw new ArgumentException($"{Op}: {indices.Length} indices, the plan needs {OutputElements}");
        var data = new double[OutputElements];
        int plane = OutPlane;
        var inS = InSpatial;
        for (int i = 0; i < data.Length; i++)
        {
            long t = indices[i];
            if (t < 0 || IndexFormat == IndexFormat.Plane) { data[i] = t < 0 ? -1 : t; continue; }
            data[i] = (long)(i / plane) * InPlane + (ColumnMajor ? ColumnMajorIndex(t, inS) : t);
        }
        outs[IndexName] = new Tensor(DType.Int64, OutputShape, data);
        return outs;
    }

    /// <summary>A row-major in-plane index re-expressed column-major (first axis fastest), ONNX <c>storage_order = 1</c>.</summary>
    public static long ColumnMajorIndex(long rowMajor, int[] spatial)
    {
        long rem = rowMajor, result = 0, colStride = 1;
        var coords = new long[spatial.Length];
        for (int a = spatial.Length - 1; a >= 0; a--) { coords[a] = rem % spatial[a]; rem /= spatial[a]; }
        for (int a = 0; a < spatial.Length; a++) { result += coords[a] * colStride; colStride *= spatial[a]; }
        return result;
    }

    public override string ToString() =>
        $"{Op}: {Reduction} N={N} C={C} in={Tensor.ShapeText(InSpatial)} out={Tensor.ShapeText(OutSpatial)}{(ChannelsLast ? " channels-last" : "")} nan={Semantics.Nan}" +
        (Descriptor is null ? " (adaptive bins)" : $" [{Descriptor}]");
}
