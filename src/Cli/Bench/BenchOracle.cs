using System.Globalization;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Bench;
using PoolingConformance.Reference;
using PoolingConformance.Reference.Dialects;

namespace PoolingConformance.Cli.Bench;

/// <summary>
/// The oracle's answer to a bench workload and the check of a backend's output against it, with the tolerance object
/// <c>verify</c> applies to a case without an override (<see cref="Tolerance.Derived"/>: exact for max, the derived bound for
/// averages, Lp and ROI align). Window workloads go through the reference operators on the workload's descriptor; ROI align
/// is <c>torchvision.roi_align</c> and YOLO SPP is <c>ultralytics.spp</c> (order <c>[x, mp5, mp9, mp13]</c>) from the op
/// registry. NHWC workloads are the same problem in NCHW; their outputs are transposed back before comparing.
/// </summary>
public static class BenchOracle
{
    /// <summary>The workload's input as the oracle reads it: N×C×H×W float32 (values of <see cref="BenchWorkload.CreateInput"/>).</summary>
    public static Tensor Input(BenchWorkload w)
    {
        var x = (w with { Layout = TensorLayout.Nchw }).CreateInput();
        return new Tensor(DType.Float32, [w.N, w.C, w.H, w.W], Array.ConvertAll(x, v => (double)v));
    }

    /// <summary>The K×5 float32 box rows of a ROI workload, or null.</summary>
    public static Tensor? Boxes(BenchWorkload w) =>
        w.CreateBoxes() is { } b ? new Tensor(DType.Float32, [w.Roi!.Boxes, 5], Array.ConvertAll(b, v => (double)v)) : null;

    /// <summary>The oracle's output for the workload (NCHW; float64 arithmetic rounded once to float32, with its bound).</summary>
    public static Expectation Compute(BenchWorkload w, Tensor x, Tensor? boxes)
    {
        switch (w.Kind)
        {
            case WorkloadKind.Window:
                var d = w.Descriptor!;
                return d.Reduction switch
                {
                    Reduction.Max => MaxPool.Compute(x, d, "output", "indices").Values,
                    Reduction.Average => AveragePool.Compute(x, d, "output"),
                    Reduction.Lp => LpPool.Compute(x, d, "output"),
                    var r => throw new NotSupportedException($"{w.Name}: no oracle for {r} pooling"),
                };
            case WorkloadKind.RoiAlign:
                var r2 = w.Roi!;
                var json = string.Create(CultureInfo.InvariantCulture,
                    $"{{\"output_size\":[{r2.PooledH},{r2.PooledW}],\"spatial_scale\":{r2.SpatialScale:R},\"sampling_ratio\":{r2.SamplingRatio},\"aligned\":{(r2.Aligned ? "true" : "false")}}}");
                return OpRegistry.Find("torchvision.roi_align")!.Evaluate(json, new Dictionary<string, Tensor> { ["input"] = x, ["boxes"] = boxes! }).Outputs["output"];
            default:
                var k = $"{{\"k\":[{string.Join(",", w.SppKernels!)}]}}";
                return OpRegistry.Find("ultralytics.spp")!.Evaluate(k, new Dictionary<string, Tensor> { ["input"] = x }).Outputs["output"];
        }
    }

    /// <summary>
    /// Compares a backend's float32 output (in the workload's layout and <see cref="BenchWorkload.OutputShape"/>) with the
    /// oracle's expectation; null when every element is within tolerance, else the first mismatches in words.
    /// </summary>
    public static string? Check(BenchWorkload w, Expectation expected, float[] output)
    {
        if (output.LongLength != w.OutputElements)
            return $"output has {output.LongLength} elements, expected {w.OutputElements} ({Tensor.ShapeText(w.OutputShape)})";
        var got = new Tensor(DType.Float32, w.OutputShape, Array.ConvertAll(output, v => (double)v));
        if (w.Layout == TensorLayout.Nhwc) got = Layout.ToChannelsFirst(got);
        var cmp = OutputComparer.Compare(expected, got, Tolerance.Derived);
        return cmp.Passed ? null : cmp.Describe();
    }
}
