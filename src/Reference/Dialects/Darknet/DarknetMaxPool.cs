using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Darknet;

/// <summary>
/// Darknet's <c>[maxpool]</c> layer (pjreddie/darknet <c>src/parser.c</c> <c>parse_maxpool</c>, <c>src/maxpool_layer.c</c>;
/// METHODS.md §6): parameters <c>size</c>, <c>stride</c> (default 1), <c>size</c> (default <c>stride</c>) and <c>padding</c>
/// (the TOTAL padding, default <c>size − 1</c>). Output <c>(w + padding − size)/stride + 1</c> per axis in C integer division;
/// window <c>o</c> starts at <c>o·stride − padding/2</c> (C truncation: padding 1 gives offset 0; a Python <c>//</c> port gets −1)
/// — see <see cref="PoolGeometry.Darknet"/>.
/// <para>Scan (row-major, h outer): the running max starts at −FLT_MAX (darknet's literal; float32's whatever the dtype) and the
/// index at −1; an in-bounds tap replaces them only when strictly greater (ties keep the first, NaN never wins); out-of-bounds
/// taps are skipped (darknet reads them as −FLT_MAX, which never wins). So a window with no in-bounds tap, or only NaN or values
/// ≤ −FLT_MAX, gives −FLT_MAX with index −1 — darknet's defined output, compared like any other.</para>
/// <para><c>indices</c> is darknet's global index <c>w + W·(h + H·(c + C·n))</c> (int64), the canonical in-plane index plus
/// <c>H·W·(c + C·n)</c>.</para>
/// </summary>
public sealed class DarknetMaxPool : PoolOp
{
    /// <summary>Darknet max: init −FLT_MAX (with scan type float32), strict <c>&gt;</c>, NaN never wins.</summary>
    public static PoolSemantics Semantics { get; } = PoolSemantics.Generic with
    {
        Nan = NanPolicy.Ignore, MaxInitial = MaxInitial.Lowest, EmptyMax = EmptyWindow.Lowest,
    };

    public override string Name => "darknet.maxpool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("size", "int", "stride", "window side"),
        new("stride", "int", "1"),
        new("padding", "int", "size - 1", "TOTAL padding over both sides; window offset -padding/2 (C truncation)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "exact (selection); indices exact (global darknet index)";
    public override string Summary => "darknet [maxpool] layer";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int stride = p.Int("stride", 1);
        int size = p.Int("size", stride);
        int padding = p.Int("padding", size - 1);
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        var axes = Axes(x, size, stride, padding);
        var (v, i) = Compute(x, axes, "output", "indices");
        var r = new OpResult { Descriptor = $"DarknetMax size={size} stride={stride} padding={padding} ax0[{axes[0]}] ax1[{axes[1]}]" };
        r.Add(v);
        r.Add(i);
        r.Windows = Windows.Enumerate(axes);
        r.WindowInputShape = [x.Shape[2], x.Shape[3]];
        r.WindowOutputShape = [axes[0].Output, axes[1].Output];
        return r;
    }

    /// <summary>The two spatial axes of a darknet maxpool over an N×C×H×W input.</summary>
    public static Axis[] Axes(Tensor x, int size, int stride, int padding) =>
        [PoolGeometry.Darknet(x.Shape[2], size, stride, padding), PoolGeometry.Darknet(x.Shape[3], size, stride, padding)];

    /// <summary>Darknet's forward pass over the given axes: values and global indices.</summary>
    public static (Expectation Values, Expectation Indices) Compute(Tensor x, Axis[] axes, string valueName, string indexName)
    {
        var windows = Windows.Enumerate(axes);
        int n = x.Shape[0], c = x.Shape[1];
        int planeIn = x.Shape[2] * x.Shape[3], planeOut = axes[0].Output * axes[1].Output;
        double floor = -DType.Float32.MaxFinite();
        var vals = new double[n * c * planeOut];
        var idx = new double[vals.Length];
        for (int q = 0; q < n * c; q++)
            for (int j = 0; j < planeOut; j++)
            {
                var (v, i, _) = MaxPool.Reduce(x.Data, q * planeIn, windows[j].Taps, Semantics, DType.Float32);
                int o = q * planeOut + j;
                vals[o] = x.DType.Round(v);
                // A tap won only if it is strictly above −FLT_MAX; otherwise darknet's max_i keeps its initial −1.
                idx[o] = v > floor ? i + (long)q * planeIn : -1;
            }
        int[] shape = [n, c, axes[0].Output, axes[1].Output];
        return (new Expectation { Name = valueName, Value = new Tensor(x.DType, shape, vals) },
                new Expectation { Name = indexName, Value = new Tensor(DType.Int64, shape, idx), IsIndex = true });
    }
}
