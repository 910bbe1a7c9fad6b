using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Torch;

/// <summary>
/// <c>torch.fractional_max_pool2d/3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False)</c> with
/// the extra input <c>samples</c> (PyTorch's <c>_random_samples</c>): shape (N', C, 2|3) with N' ≥ N, same dtype as the input,
/// values in [0, 1). 2-D: <c>samples[..., 0]</c> drives W and <c>[..., 1]</c> drives H; 3-D: <c>[0]</c>→T, <c>[1]</c>→H, <c>[2]</c>→W.
/// Exactly one of <c>output_size</c> and <c>output_ratio</c> (in (0, 1): <c>O = int(L·ratio)</c>); <c>O + k − 1 ≤ L</c>.
/// </summary>
public sealed class TorchFractionalMaxPool(int nd) : PoolOp
{
    public override string Name => $"torch.fractional_max_pool{TorchParams.Suffix(nd)}";
    public override IReadOnlyList<ParamInfo> Params =>
        [TorchParams.KernelInfo, new("output_size", "int | int[] | null", "null"), new("output_ratio", "number | number[] | null", "null"),
         new("return_indices", "bool", "false")];
    public override IReadOnlyList<string> Inputs => ["input", "samples"];
    public override IReadOnlyList<string> Outputs => ["output", "indices"];
    public override string ToleranceText => "exact (selection); indices exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var k = TorchParams.Kernel(p, nd);
        var os = p.IntTuple("output_size", nd);
        if (os is { Length: 0 }) throw new InvalidParameterException("output_size", $"'output_size' must have 1 or {nd} entries, got an empty list");
        double[]? ratio = null;
        if (p.Has("output_ratio"))
        {
            // A non-number (string, bool, object, null, list entry) reads as NaN and is refused below naming output_ratio:
            // JsonElement.TryGetDouble itself throws InvalidOperationException on anything but a number.
            static double Num(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.TryGetDouble(out var d) ? d : double.NaN;
            var raw = p.Raw("output_ratio")!.Value;
            ratio = raw.ValueKind == System.Text.Json.JsonValueKind.Array ? raw.EnumerateArray().Select(Num).ToArray() : [Num(raw)];
            if (ratio.Length == 1) ratio = Enumerable.Repeat(ratio[0], nd).ToArray();
            if (ratio.Length != nd || ratio.Any(r => !(r > 0 && r < 1)))
                throw new InvalidParameterException("output_ratio", $"output_ratio must be {nd} numbers in (0, 1)");
        }
        else p.Raw("output_ratio");
        bool withIndices = p.Bool("return_indices", false);
        p.EnsureAllUsed(Name);
        if ((os is null) == (ratio is null))
            throw new InvalidParameterException("output_size", "fractional_max_pool requires specifying either an output_size or an output_ratio (exactly one)");
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        var (x, unbatched) = Layout.TorchBatch(input, nd, Name);
        var spatial = x.Shape[2..];
        var outSpatial = os ?? spatial.Select((l, a) => (int)(l * ratio![a])).ToArray();
        for (int a = 0; a < nd; a++)
        {
            if (outSpatial[a] < 1) throw new InvalidParameterException(os is null ? "output_ratio" : "output_size", $"output size must be at least 1, got {outSpatial[a]}");
            // PyTorch 1.13 checks O + k − 1 ≤ L in 2-D but O + k − 1 < L in 3-D (FractionalMaxPool3d.cpp): the dialect keeps both.
            if (nd == 2 ? outSpatial[a] + k[a] - 1 > spatial[a] : outSpatial[a] + k[a] - 1 >= spatial[a])
                throw new InvalidParameterException("output_size", $"pool size too large: output {outSpatial[a]} + kernel {k[a]} − 1 must be {(nd == 2 ? "at most" : "less than")} input {spatial[a]}");
        }
        var samples = Input(inputs, "samples");
        int n = x.Shape[0], c = x.Shape[1];
        if (samples.Rank != 3 || samples.Shape[0] < n || samples.Shape[1] != c || samples.Shape[2] != nd)
            throw InputErrors.Bad("samples", $"samples must have shape (N' >= {n}, {c}, {nd}), got {Tensor.ShapeText(samples.Shape)}");
        if (samples.DType != input.DType)
            throw InputErrors.Bad("samples", $"samples must have the input's dtype {input.DType.Name()}, got {samples.DType.Name()}");
        if (samples.Data.Any(u => !(u >= 0 && u < 1)))
            throw InputErrors.Bad("samples", "samples must lie in [0, 1)");
        // Sample component → spatial axis: 2-D [0]→W, [1]→H; 3-D [0]→T, [1]→H, [2]→W.
        int[] componentOfAxis = nd == 2 ? [1, 0] : [0, 1, 2];
        var planes = new Window[n * c][];
        for (int q = 0; q < n * c; q++)
        {
            var u = componentOfAxis.Select(comp => samples.Data[q * nd + comp]).ToArray();
            planes[q] = FractionalMaxPool.PlaneWindows(u, spatial, outSpatial, k, input.DType);
        }
        var (v, i) = MaxPool.Apply(x, planes.Length > 0 ? planes[0] : [], outSpatial, PoolSemantics.Torch, "output", "indices", q => planes[q]);
        var r = new OpResult { Descriptor = $"FractionalMax in={Tensor.ShapeText(spatial)} out={Tensor.ShapeText(outSpatial)} k={Tensor.ShapeText(k)}" };
        r.Add(Layout.TorchUnbatch(v, unbatched));
        r.Add(Layout.TorchUnbatch(i, unbatched), withIndices);
        if (planes.Length > 0) { r.Windows = planes[0]; r.WindowInputShape = spatial; r.WindowOutputShape = outSpatial; }
        return r;
    }
}
