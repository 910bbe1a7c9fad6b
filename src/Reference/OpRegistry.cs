using PoolingConformance.Core;
using PoolingConformance.Reference.Dialects.Caffe;
using PoolingConformance.Reference.Dialects.Darknet;
using PoolingConformance.Reference.Dialects.Onnx;
using PoolingConformance.Reference.Dialects.Poolconf;
using PoolingConformance.Reference.Dialects.Tf;
using PoolingConformance.Reference.Dialects.Torch;
using PoolingConformance.Reference.Dialects.Ultralytics;
using PoolingConformance.Reference.Dialects.WebNn;

namespace PoolingConformance.Reference;

/// <summary>Every reference op by its dialect name: the list <c>poolconf list</c> prints and suites draw from.</summary>
public static class OpRegistry
{
    public static IReadOnlyList<PoolOp> All { get; } = Build();

    static readonly Dictionary<string, PoolOp> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);

    static List<PoolOp> Build()
    {
        var ops = new List<PoolOp>();
        foreach (var nd in new[] { 1, 2, 3 })
        {
            ops.Add(new TorchMaxPool(nd));
            ops.Add(new TorchAvgPool(nd));
            ops.Add(new TorchLpPool(nd));
            ops.Add(new TorchAdaptivePool(nd, max: true));
            ops.Add(new TorchAdaptivePool(nd, max: false));
            if (nd > 1) ops.Add(new TorchFractionalMaxPool(nd));
            ops.Add(new TorchMaxUnpool(nd));
        }
        ops.Add(new OnnxMaxPool());
        ops.Add(new OnnxAveragePool());
        ops.Add(new OnnxLpPool());
        ops.Add(new OnnxGlobalPool(Reduction.Max));
        ops.Add(new OnnxGlobalPool(Reduction.Average));
        ops.Add(new OnnxGlobalPool(Reduction.Lp));
        ops.Add(new OnnxMaxUnpool());
        ops.Add(new TfPool(max: true));
        ops.Add(new TfPool(max: false));
        ops.Add(new TfMaxPoolWithArgmax());
        foreach (var kind in new[] { "roi_pool", "roi_align", "ps_roi_pool", "ps_roi_align" }) ops.Add(new Dialects.Torchvision.TorchvisionRoi(kind));
        ops.Add(new Dialects.Torchvision.TorchvisionMultiScaleRoiAlign());
        ops.Add(new OnnxRoiAlign());
        ops.Add(new OnnxMaxRoiPool());
        ops.Add(new Dialects.Caffe.CaffeRoiAlign());
        ops.Add(new TfCropAndResize());
        ops.Add(new Dialects.Torchvision.TorchvisionRoi("roi_align_max"));
        ops.Add(new WebNnPool2d(Reduction.Max));
        ops.Add(new WebNnPool2d(Reduction.Average));
        ops.Add(new WebNnPool2d(Reduction.Lp));
        ops.Add(new PoolconfSpp());
        ops.Add(new CaffeSpp());
        ops.Add(new DarknetMaxPool());
        ops.Add(new DarknetYoloV3Spp());
        ops.Add(new UltralyticsSpp());
        ops.Add(new UltralyticsSppf());
        ops.Add(new Dialects.Poolconf.PoolconfEdgeAwarePyramidPool());
        ops.Add(new Dialects.Poolconf.PoolconfSpectralPool());
        ops.Add(new Dialects.Poolconf.PoolconfNetVlad());
        ops.Add(new Dialects.Poolconf.PoolconfBilinearPool());
        ops.Add(new Dialects.Poolconf.PoolconfCompactBilinearPool());
        ops.Add(new Dialects.Poolconf.PoolconfMop());
        ops.Add(new Dialects.Poolconf.PoolconfMixedPool());
        ops.Add(new Dialects.Poolconf.PoolconfGatedPool());
        ops.Add(new Dialects.Poolconf.PoolconfStochasticPool());
        ops.Add(new Dialects.Poolconf.PoolconfMedianPool());
        ops.Add(new Dialects.Poolconf.PoolconfCombinedPool());
        ops.Add(new Dialects.Poolconf.PoolconfRankAvgPool());
        ops.Add(new Dialects.Poolconf.PoolconfRankWeightedPool());
        ops.Add(new Dialects.Poolconf.PoolconfRankStochasticPool());
        ops.Add(new Dialects.Poolconf.PoolconfWeightedPool());
        return ops;
    }

    public static PoolOp? Find(string name) => ByName.GetValueOrDefault(name);
}
