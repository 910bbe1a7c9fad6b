using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.WebNn;

/// <summary>
/// WebNN <c>maxPool2d</c>, <c>averagePool2d</c>, <c>l2Pool2d</c>(input, options): 4-D input; <c>windowDimensions</c> (default the
/// input's H, W: global), <c>padding</c> <c>[beginH, endH, beginW, endW]</c> (not ONNX's order), <c>strides</c>, <c>dilations</c>,
/// <c>layout</c> "nchw" | "nhwc", <c>outputShapeRounding</c> "floor" | "ceil" — ceil with <b>no</b> last-window correction —
/// and <c>outputSizes</c>, which must equal the floor or the ceil of the calculated size. Average excludes padding and l2 is
/// <c>sqrt(Σ x²)</c> over in-bounds taps (webnn-baseline). A window with no in-bounds tap (ceil rounding) is unspecified
/// (webmachinelearning/webnn#935). Zero window dimensions, strides or dilations are refused.
/// </summary>
public sealed class WebNnPool2d(Reduction reduction) : PoolOp
{
    public override string Name => reduction switch
    {
        Reduction.Max => "webnn.maxPool2d", Reduction.Average => "webnn.averagePool2d", _ => "webnn.l2Pool2d",
    };
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("windowDimensions", "int[2]", "input H, W"), new("padding", "int[4]", "[0,0,0,0]", "[beginH, endH, beginW, endW]"),
        new("strides", "int[2]", "[1,1]"), new("dilations", "int[2]", "[1,1]"), new("layout", "string", "nchw", "nchw | nhwc"),
        new("outputShapeRounding", "string", "floor", "floor | ceil"), new("outputSizes", "int[2] | null", "null"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => reduction == Reduction.Max ? "exact (selection)" : "derived (TESTING.md §3.3)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        if (input.Rank != 4) throw InputErrors.Bad("input", $"{Name} expects a 4-D input, got {Tensor.ShapeText(input.Shape)}");
        bool nhwc = p.String("layout", "nchw", "nchw", "nhwc") == "nhwc";
        var x = nhwc ? Layout.ToChannelsFirst(input) : input;
        var spatial = x.Shape[2..];
        var win = p.IntList("windowDimensions", 2) ?? spatial;
        var pad = p.IntList("padding", 4) ?? [0, 0, 0, 0];
        var st = p.IntList("strides", 2) ?? [1, 1];
        var dil = p.IntList("dilations", 2) ?? [1, 1];
        bool ceil = p.String("outputShapeRounding", "floor", "floor", "ceil") == "ceil";
        var sizes = p.IntList("outputSizes", 2);
        p.EnsureAllUsed(Name);
        if (win.Any(v => v <= 0)) throw new InvalidParameterException("windowDimensions", "windowDimensions must be positive");
        if (st.Any(v => v <= 0)) throw new InvalidParameterException("strides", "strides must be positive");
        if (dil.Any(v => v <= 0)) throw new InvalidParameterException("dilations", "dilations must be positive");
        if (pad.Any(v => v < 0)) throw new InvalidParameterException("padding", "padding must be non-negative");
        var axes = new Axis[2];
        for (int a = 0; a < 2; a++)
        {
            int pb = pad[2 * a], pe = pad[2 * a + 1];
            int floor = PoolGeometry.WebNnOutputSize(spatial[a], win[a], st[a], dil[a], pb, pe, false);
            int ceilSize = PoolGeometry.WebNnOutputSize(spatial[a], win[a], st[a], dil[a], pb, pe, true);
            int o = ceil ? ceilSize : floor;
            if (sizes is not null)
            {
                if (sizes[a] != floor && sizes[a] != ceilSize)
                    throw new InvalidParameterException("outputSizes", $"outputSizes[{a}] = {sizes[a]} is neither the floor ({floor}) nor the ceil ({ceilSize}) of the calculated size");
                o = sizes[a];
            }
            axes[a] = new Axis(spatial[a], win[a], st[a], dil[a], pb, pe, o);
        }
        var desc = new PoolDescriptor(reduction, axes, PoolSemantics.WebNn, P: 2);
        var e = reduction switch
        {
            Reduction.Max => MaxPool.Compute(x, desc, "output", "indices").Values,
            Reduction.Average => AveragePool.Compute(x, desc, "output"),
            _ => LpPool.Compute(x, desc, "output"),
        };
        if (reduction == Reduction.Lp) e = MarkEmpty(e, Windows.Enumerate(axes));
        var r = new OpResult { Descriptor = desc.ToString() + (nhwc ? " layout=nhwc" : "") };
        r.Add(nhwc ? Layout.Map(e, Layout.ToChannelsLast) : e);
        Onnx.OnnxMaxPool.TorchLikeWindows(r, axes);
        return r;
    }

    static Expectation MarkEmpty(Expectation e, Window[] ws)
    {
        var mask = new bool[e.Value.Data.Length];
        bool any = false;
        for (int o = 0; o < mask.Length; o++)
            if (ws[o % ws.Length].IsEmpty) { mask[o] = true; any = true; e.Value.Data[o] = double.NaN; }
        return any ? new Expectation { Name = e.Name, Value = e.Value, Bound = e.Bound, Unspecified = mask } : e;
    }
}
