using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Onnx;

/// <summary>
/// The attributes ONNX's MaxPool, AveragePool and LpPool share, read per the spec, with the output shape of the
/// C++ shape inference (<c>convPoolShapeInference</c>): explicit <c>pads</c> laid out <c>[x1_begin, x2_begin, …, x1_end, x2_end, …]</c>,
/// or <c>auto_pad</c> pads from <see cref="PoolGeometry.AutoPads"/>; ceil with the last-window drop.
/// </summary>
internal sealed record OnnxConvPool(int[] Kernel, int[] Strides, int[] Dilations, int[] PadsBegin, int[] PadsEnd, AutoPad AutoPad, bool Ceil)
{
    public static OnnxConvPool Read(ParamReader p, int nd, bool allowDilations, bool allowCeil)
    {
        var k = p.IntList("kernel_shape") ?? throw new InvalidParameterException("kernel_shape", "'kernel_shape' is required");
        if (k.Length != nd) throw new InvalidParameterException("kernel_shape", $"kernel_shape must have {nd} entries (the input's spatial rank), got {k.Length}");
        if (k.Any(v => v <= 0)) throw new InvalidParameterException("kernel_shape", "kernel_shape entries must be positive");
        var s = p.IntList("strides") ?? Enumerable.Repeat(1, nd).ToArray();
        if (s.Length != nd) throw new InvalidParameterException("strides", $"strides must have {nd} entries, got {s.Length}");
        if (s.Any(v => v <= 0)) throw new InvalidParameterException("strides", "strides must be positive");
        var d = allowDilations ? p.IntList("dilations") ?? Enumerable.Repeat(1, nd).ToArray() : Enumerable.Repeat(1, nd).ToArray();
        if (d.Length != nd) throw new InvalidParameterException("dilations", $"dilations must have {nd} entries, got {d.Length}");
        if (d.Any(v => v <= 0)) throw new InvalidParameterException("dilations", "dilations must be positive");
        bool padsGiven = p.Has("pads");
        var pads = p.IntList("pads") ?? new int[2 * nd];
        if (pads.Length != 2 * nd) throw new InvalidParameterException("pads", $"pads must have {2 * nd} entries ([begins..., ends...]), got {pads.Length}");
        if (pads.Any(v => v < 0)) throw new InvalidParameterException("pads", "pads must be non-negative");
        var autoPad = p.String("auto_pad", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID") switch
        {
            "SAME_UPPER" => AutoPad.SameUpper, "SAME_LOWER" => AutoPad.SameLower, "VALID" => AutoPad.Valid, _ => AutoPad.NotSet,
        };
        if (autoPad != AutoPad.NotSet && padsGiven && pads.Any(v => v != 0))
            throw new InvalidParameterException("pads", "pads cannot be used together with auto_pad");
        bool ceil = allowCeil && p.Flag01("ceil_mode", false);
        return new OnnxConvPool(k, s, d, pads[..nd], pads[nd..], autoPad, ceil);
    }

    public Axis[] Axes(int[] spatial)
    {
        var axes = new Axis[spatial.Length];
        for (int a = 0; a < spatial.Length; a++)
        {
            var (pb, pe) = AutoPad == AutoPad.NotSet ? (PadsBegin[a], PadsEnd[a]) : PoolGeometry.AutoPads(spatial[a], Kernel[a], Strides[a], Dilations[a], AutoPad);
            axes[a] = PoolGeometry.Explicit(spatial[a], Kernel[a], Strides[a], Dilations[a], pb, pe, Ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor, "kernel_shape");
        }
        return axes;
    }

    /// <summary>The input X: N×C×spatial with 1 to 3 spatial axes (the oracle's limit; ONNX allows more).</summary>
    public static Tensor X(Tensor x, string op)
    {
        if (x.Rank is < 3 or > 5) throw InputErrors.Bad("X", $"{op} expects X of rank 3 to 5 (N, C, 1 to 3 spatial axes), got shape {Tensor.ShapeText(x.Shape)}");
        if (x.Shape.Skip(2).Any(v => v == 0)) throw InputErrors.Bad("X", $"{op} expects non-empty spatial axes, got shape {Tensor.ShapeText(x.Shape)}");
        return x;
    }
}
