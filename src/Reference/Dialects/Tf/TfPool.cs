using System.Text.Json;
using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Tf;

/// <summary>
/// TensorFlow <c>tf.nn.max_pool</c> and <c>tf.nn.avg_pool</c> (1-D to 3-D, <c>kernel_shape_util.cc</c> geometry):
/// <c>ksize</c>/<c>strides</c> an int or a list of 1, N or N + 2 entries (batch and channel entries 1); <c>padding</c> "SAME"
/// (<c>O = ceil(L/s)</c>, total <c>max(0, (O − 1)·s + K − L)</c>, odd extra at the end), "VALID", or — for max_pool — explicit
/// pairs per axis of the data format; <c>data_format</c> channels-last by default (NWC/NHWC/NDHWC) or channels-first.
/// max_pool starts from <c>lowest()</c>, so an all −∞ window gives −FLT_MAX (tensorflow/tensorflow#2501); its NaN behaviour
/// depends on vector lanes (#125965) and is not part of the dialect. avg_pool excludes SAME padding from the count
/// (tensorflow/tensorflow#45579).
/// </summary>
public sealed class TfPool(bool max) : PoolOp
{
    public override string Name => max ? "tf.nn.max_pool" : "tf.nn.avg_pool";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("ksize", "int | int[]", "required"), new("strides", "int | int[]", "required"),
        new("padding", max ? "\"SAME\" | \"VALID\" | [[int,int],...]" : "\"SAME\" | \"VALID\"", "required"),
        new("data_format", "string", "channels-last (NWC/NHWC/NDHWC)"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => max ? "exact (selection)" : "derived: (n+2)·u·Σ|x|/n + 2·u_out·|y| + (n+2)·η";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        if (input.Rank is < 3 or > 5) throw InputErrors.Bad("input", $"{Name} expects a rank 3 to 5 input, got {Tensor.ShapeText(input.Shape)}");
        int nd = input.Rank - 2;
        bool channelsLast = TfCommon.ChannelsLast(p, nd);
        var ksize = TfCommon.Window(p, "ksize", nd, channelsLast);
        var strides = TfCommon.Window(p, "strides", nd, channelsLast);
        var x = channelsLast ? Layout.ToChannelsFirst(input) : input;
        var axes = TfCommon.Axes(p, x.Shape[2..], ksize, strides, channelsLast, allowExplicit: max);
        p.EnsureAllUsed(Name);
        var sem = PoolSemantics.Tf;
        var desc = new PoolDescriptor(max ? Reduction.Max : Reduction.Average, axes, sem);
        var e = max ? MaxPool.Compute(x, desc, "output", "indices").Values : AveragePool.Compute(x, desc, "output");
        var r = new OpResult { Descriptor = desc.ToString() + (channelsLast ? " layout=channels-last" : "") };
        r.Add(channelsLast ? Layout.Map(e, Layout.ToChannelsLast) : e);
        Onnx.OnnxMaxPool.TorchLikeWindows(r, axes, max ? null : w => $"divisor {w.InBounds}");
        return r;
    }
}

/// <summary>TensorFlow parameter conventions shared by the <c>tf.*</c> ops.</summary>
internal static class TfCommon
{
    static readonly string[][] Formats = [["NWC", "NCW"], ["NHWC", "NCHW"], ["NDHWC", "NCDHW"]];

    public static bool ChannelsLast(ParamReader p, int nd)
    {
        var f = p.String("data_format", Formats[nd - 1][0], Formats[nd - 1]);
        return f == Formats[nd - 1][0];
    }

    /// <summary>An int, or a list of 1, N or N + 2 entries in data-format order (batch and channel entries must be 1).</summary>
    public static int[] Window(ParamReader p, string name, int nd, bool channelsLast)
    {
        var raw = p.Raw(name) ?? throw new InvalidParameterException(name, $"'{name}' is required");
        int[] v;
        if (raw.ValueKind == JsonValueKind.Number) v = [raw.TryGetInt32(out var one) ? one : throw new InvalidParameterException(name, $"'{name}' must be an int")];
        else if (raw.ValueKind == JsonValueKind.Array)
            v = raw.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw new InvalidParameterException(name, $"'{name}' entries must be ints")).ToArray();
        else throw new InvalidParameterException(name, $"'{name}' must be an int or a list of ints");
        int[] spatial;
        if (v.Length == 1) spatial = Enumerable.Repeat(v[0], nd).ToArray();
        else if (v.Length == nd) spatial = v;
        else if (v.Length == nd + 2)
        {
            int bi = 0, ci = channelsLast ? nd + 1 : 1;
            if (v[bi] != 1 || v[ci] != 1) throw new InvalidParameterException(name, $"'{name}' must be 1 on the batch and channel dimensions");
            spatial = channelsLast ? v[1..(nd + 1)] : v[2..];
        }
        else throw new InvalidParameterException(name, $"'{name}' must have 1, {nd} or {nd + 2} entries, got {v.Length}");
        if (spatial.Any(s => s <= 0)) throw new InvalidParameterException(name, $"'{name}' entries must be positive");
        return spatial;
    }

    public static Axis[] Axes(ParamReader p, int[] spatial, int[] k, int[] s, bool channelsLast, bool allowExplicit)
    {
        var raw = p.Raw("padding") ?? throw new InvalidParameterException("padding", "'padding' is required");
        int nd = spatial.Length;
        var axes = new Axis[nd];
        if (raw.ValueKind == JsonValueKind.String)
        {
            var mode = raw.GetString() switch
            {
                "SAME" => AutoPad.SameUpper, "VALID" => AutoPad.Valid,
                var m => throw new InvalidParameterException("padding", $"padding must be \"SAME\" or \"VALID\"{(allowExplicit ? " or explicit pairs" : "")}, got \"{m}\""),
            };
            for (int a = 0; a < nd; a++)
            {
                var (pb, pe) = PoolGeometry.AutoPads(spatial[a], k[a], s[a], 1, mode);
                axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], 1, pb, pe, CeilRule.Floor, "ksize");
            }
            return axes;
        }
        if (!allowExplicit || raw.ValueKind != JsonValueKind.Array)
            throw new InvalidParameterException("padding", allowExplicit ? "padding must be \"SAME\", \"VALID\" or a list of pairs" : "padding must be \"SAME\" or \"VALID\"");
        var pairs = raw.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(v => v.TryGetInt32(out var i) ? i : -1).ToArray() : []).ToArray();
        if (pairs.Length != nd + 2 || pairs.Any(q => q.Length != 2 || q.Any(v => v < 0)))
            throw new InvalidParameterException("padding", $"explicit padding must be {nd + 2} pairs of non-negative ints in data-format order");
        int ci = channelsLast ? nd + 1 : 1;
        if (pairs[0].Any(v => v != 0) || pairs[ci].Any(v => v != 0))
            throw new InvalidParameterException("padding", "explicit padding must be 0 on the batch and channel dimensions");
        for (int a = 0; a < nd; a++)
        {
            var pr = pairs[channelsLast ? 1 + a : 2 + a];
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], 1, pr[0], pr[1], CeilRule.Floor, "ksize");
        }
        return axes;
    }
}
