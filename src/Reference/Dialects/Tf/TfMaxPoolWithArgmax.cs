using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Tf;

/// <summary>
/// TensorFlow <c>tf.nn.max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", output_dtype=int64,
/// include_batch_in_index=False)</c>, 4-D NHWC only. The CPU kernel seeds each window with its first tap and replaces when
/// <c>max &lt; val</c>: ties keep the first, a NaN wins only as the first tap (<see cref="NanPolicy.FirstTapOnly"/>), an all −∞
/// window gives −∞. <c>argmax</c> is the NHWC-flattened position <c>(y·W + x)·C + c</c>, plus <c>b·H·W·C</c> with
/// <c>include_batch_in_index</c>.
/// </summary>
public sealed class TfMaxPoolWithArgmax : PoolOp
{
    public override string Name => "tf.nn.max_pool_with_argmax";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("ksize", "int | int[]", "required"), new("strides", "int | int[]", "required"), new("padding", "\"SAME\" | \"VALID\"", "required"),
        new("data_format", "string", "NHWC", "NHWC only"), new("output_dtype", "string", "int64", "int64 only"),
        new("include_batch_in_index", "bool", "false"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output", "argmax"];
    public override string ToleranceText => "exact (selection); argmax exact";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var input = Input(inputs, "input");
        RequireFloat(input, "input");
        if (input.Rank != 4) throw InputErrors.Bad("input", $"{Name} expects a 4-D NHWC input, got {Tensor.ShapeText(input.Shape)}");
        p.String("data_format", "NHWC", "NHWC");
        p.String("output_dtype", "int64", "int64");
        bool withBatch = p.Bool("include_batch_in_index", false);
        var ksize = TfCommon.Window(p, "ksize", 2, true);
        var strides = TfCommon.Window(p, "strides", 2, true);
        var x = Layout.ToChannelsFirst(input);
        var axes = TfCommon.Axes(p, x.Shape[2..], ksize, strides, true, allowExplicit: false);
        p.EnsureAllUsed(Name);
        var desc = new PoolDescriptor(Reduction.Max, axes, PoolSemantics.TfArgmax);
        var (v, i) = MaxPool.Compute(x, desc, "output", "argmax");
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var tfIdx = new double[i.Value.Data.Length];
        int planeOut = axes[0].Output * axes[1].Output;
        for (int o = 0; o < tfIdx.Length; o++)
        {
            int q = o / planeOut, n = q / c, ch = q % c;
            tfIdx[o] = i.Value.Data[o] * c + ch + (withBatch ? (double)n * h * w * c : 0);
        }
        var idx = new Expectation { Name = "argmax", Value = new Tensor(DType.Int64, i.Value.Shape, tfIdx), IsIndex = true };
        var r = new OpResult { Descriptor = desc.ToString() + " layout=NHWC" };
        r.Add(Layout.Map(v, Layout.ToChannelsLast));
        r.Add(Layout.Map(idx, Layout.ToChannelsLast));
        Onnx.OnnxMaxPool.TorchLikeWindows(r, axes);
        return r;
    }
}
