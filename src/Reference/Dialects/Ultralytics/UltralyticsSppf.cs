using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Ultralytics;

/// <summary>
/// The pooling core of ultralytics' <c>SPPF</c> (YOLOv5 <c>models/common.py</c>, <c>ultralytics/nn/modules/block.py</c>; METHODS.md §6):
/// <c>m = nn.MaxPool2d(k, stride=1, padding=k // 2)</c> (default <c>k = 5</c>), <c>y1 = m(x)</c>, <c>y2 = m(y1)</c>, <c>y3 = m(y2)</c>,
/// output <c>cat([x, y1, y2, y3], 1)</c>: 4C channels, spatial size kept. Computed literally as the chain, with PyTorch semantics
/// (<see cref="PoolSemantics.Torch"/>: NaN propagates, ties keep the first). It equals <c>ultralytics.spp</c> with
/// <c>k = [k, 2k − 1, 3k − 2]</c> exactly (the windows' Minkowski sum; the property tests check it). Even <c>k</c> refused.
/// </summary>
public sealed class UltralyticsSppf : PoolOp
{
    public override string Name => "ultralytics.sppf";
    public override IReadOnlyList<ParamInfo> Params =>
        [new("k", "int", "5", "odd kernel size of the chained MaxPool2d(k, stride=1, padding=k//2)")];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "exact (selection)";
    public override string Summary => "YOLOv5/ultralytics SPPF core: cat[x, m(x), m(m(x)), m(m(m(x)))]";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int k = p.Int("k", 5);
        UltralyticsSpp.RequireOddKernel(k);
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        var desc = UltralyticsSpp.SamePool(x, k);
        var y1 = MaxPool.Compute(x, desc, "output", "indices").Values.Value;
        var y2 = MaxPool.Compute(y1, desc, "output", "indices").Values.Value;
        var y3 = MaxPool.Compute(y2, desc, "output", "indices").Values.Value;
        var r = new OpResult { Descriptor = $"UltralyticsSppf k={k} chain=[x,m,m∘m,m∘m∘m] m[{desc}]" };
        r.Add(new Expectation { Name = "output", Value = ChannelConcat.Concat([x, y1, y2, y3]) });
        // explain: the composite window of y_t is the (t·(k−1) + 1)-window with padding t·(k/2), for t = 1, 2, 3.
        var windows = new List<Window>();
        foreach (var t in new[] { 1, 2, 3 })
        {
            int kt = t * (k - 1) + 1, pt = kt / 2;
            Axis[] axes = [PoolGeometry.Explicit(x.Shape[2], kt, 1, 1, pt, pt, CeilRule.Floor, "k"), PoolGeometry.Explicit(x.Shape[3], kt, 1, 1, pt, pt, CeilRule.Floor, "k")];
            windows.AddRange(Windows.Enumerate(axes).Select(w => w with { Output = windows.Count + w.Output }));
        }
        r.Windows = windows;
        r.WindowInputShape = x.Shape[2..];
        r.WindowOutputShape = [windows.Count];
        return r;
    }
}
