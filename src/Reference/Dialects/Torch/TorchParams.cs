using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>PyTorch's parameter conventions (<c>torch.nn.functional</c>, 1.13), shared by the <c>torch.*</c> ops.</summary>
internal static class TorchParams
{
    public static string Suffix(int nd) => $"{nd}d";

    public static int[] Kernel(ParamReader p, int nd)
    {
        var k = p.IntTuple("kernel_size", nd) ?? throw new InvalidParameterException("kernel_size", "'kernel_size' is required");
        if (k.Length == 0) throw new InvalidParameterException("kernel_size", "'kernel_size' must not be empty");
        foreach (var v in k) if (v <= 0) throw new InvalidParameterException("kernel_size", $"kernel size should be greater than zero, got {v}");
        return k;
    }

    /// <summary><c>stride=None</c> or an empty list means the kernel size.</summary>
    public static int[] Stride(ParamReader p, int nd, int[] kernel)
    {
        var s = p.IntTuple("stride", nd);
        if (s is null || s.Length == 0) return kernel;
        foreach (var v in s) if (v <= 0) throw new InvalidParameterException("stride", $"stride should be greater than zero, got {v}");
        return s;
    }

    public static int[] Dilation(ParamReader p, int nd)
    {
        var d = p.IntTuple("dilation", nd) ?? Enumerable.Repeat(1, nd).ToArray();
        if (d.Length == 0) throw new InvalidParameterException("dilation", $"'dilation' must be a single int or a tuple of {nd} ints, got an empty list");
        foreach (var v in d) if (v <= 0) throw new InvalidParameterException("dilation", $"dilation should be greater than zero, got {v}");
        return d;
    }

    /// <summary>Padding, checked against PyTorch 1.13's <c>pad ≤ kernel_size/2</c> (the raw kernel, in 1-D, 2-D and 3-D).</summary>
    public static int[] Padding(ParamReader p, int nd, int[] kernel)
    {
        var pad = p.IntTuple("padding", nd) ?? new int[nd];
        if (pad.Length == 0) pad = new int[nd];
        for (int a = 0; a < nd; a++)
        {
            if (pad[a] < 0) throw new InvalidParameterException("padding", $"pad must be non-negative, got {pad[a]}");
            if (pad[a] > kernel[a] / 2)
                throw new InvalidParameterException("padding", $"pad should be at most half of kernel size, but got pad={pad[a]} and kernel_size={kernel[a]}");
        }
        return pad;
    }

    public static Axis[] Axes(int[] spatial, int[] k, int[] s, int[] d, int[] pad, bool ceil)
    {
        var axes = new Axis[spatial.Length];
        for (int a = 0; a < spatial.Length; a++)
            axes[a] = PoolGeometry.Explicit(spatial[a], k[a], s[a], d[a], pad[a], pad[a], ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
        return axes;
    }

    public static readonly ParamInfo KernelInfo = new("kernel_size", "int | int[]", "required");
    public static readonly ParamInfo StrideInfo = new("stride", "int | int[] | null", "null (= kernel_size)");
    public static readonly ParamInfo PaddingInfo = new("padding", "int | int[]", "0", "at most kernel_size/2");
    public static readonly ParamInfo DilationInfo = new("dilation", "int | int[]", "1");
    public static readonly ParamInfo CeilInfo = new("ceil_mode", "bool", "false");

    public static void SetWindows(OpResult r, Axis[] axes, Func<Window, string>? divisor = null)
    {
        r.Windows = Windows.Enumerate(axes);
        r.WindowInputShape = axes.Select(a => a.Length).ToArray();
        r.WindowOutputShape = axes.Select(a => a.Output).ToArray();
        r.DivisorText = divisor;
    }
}
