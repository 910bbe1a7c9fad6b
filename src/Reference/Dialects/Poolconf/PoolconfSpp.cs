using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Poolconf;

/// <summary>
/// <c>poolconf.spp(input, levels, mode="max", binning="adaptive")</c>: spatial pyramid pooling as the paper defines it
/// (<see cref="SpatialPyramidPool"/>, METHODS.md §5). Input N×C×H×W, output N × (C·Σn²): the levels in the order given,
/// channel-major within a level (element <c>c·n² + y·n + x</c>).
/// <para><c>binning</c>: <c>"adaptive"</c> (PyTorch's adaptive bins, always valid), <c>"paper"</c> (window <c>ceil(a/n)</c>,
/// stride <c>floor(a/n)</c>: refused, naming <c>levels</c>, unless that gives exactly <c>n</c> bins on both axes) or
/// <c>"caffe"</c> (Caffe's kernel, stride and padding; refused where Caffe aborts, <c>pad ≥ kernel</c>).</para>
/// <para><c>mode="max"</c> has PyTorch's semantics (<see cref="PoolSemantics.Torch"/>, as <c>adaptive_max_pool2d</c>): any NaN in a
/// bin makes it NaN; ties and ±0 keep the first; padding cells of the Caffe binning are skipped. <c>mode="avg"</c>: the bin's sum
/// over its size (paper, adaptive) or over Caffe AVE's padded extent (caffe), with the derived average bound.</para>
/// </summary>
public sealed class PoolconfSpp : PoolOp
{
    public override string Name => "poolconf.spp";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("levels", "int[]", "required", "bins per side of each level, in output order, each >= 1 (e.g. [1, 2, 4] or [6, 3, 2, 1])"),
        new("mode", "\"max\" | \"avg\"", "\"max\"", "max: PyTorch semantics (NaN propagates); avg: Caffe AVE divisor under binning caffe"),
        new("binning", "\"adaptive\" | \"paper\" | \"caffe\"", "\"adaptive\"", "paper and caffe refuse sizes their rule cannot bin into n"),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "mode max: exact (selection); mode avg: derived: (n+2)·u·Σ|x|/D + 2·u_out·|y| + (n+2)·η";
    public override string Summary => "spatial pyramid pooling, N×C×H×W → N×(C·Σn²)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var levels = SpatialPyramidPool.ValidLevels(p.IntList("levels"));
        bool max = p.String("mode", "max", "max", "avg") == "max";
        var binning = p.String("binning", "adaptive", "adaptive", "paper", "caffe") switch
        {
            "paper" => SppBinning.Paper,
            "caffe" => SppBinning.Caffe,
            _ => SppBinning.Adaptive,
        };
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        int h = x.Shape[2], w = x.Shape[3];
        // N × C·Σn² outputs: refused past the oracle's limit, where Σn² alone can overflow an int.
        OutputLimit.Check("levels", Math.Max(x.Shape[0], 1), x.Shape[1], levels.Sum(n => (long)n * n));
        var reduction = max ? Reduction.Max : Reduction.Average;
        var r = new OpResult { Descriptor = SpatialPyramidPool.Describe(h, w, levels, binning, reduction) };
        r.Add(SpatialPyramidPool.Compute(x, levels, binning, reduction, PoolSemantics.Torch, "output"));
        r.Windows = SpatialPyramidPool.AllWindows(h, w, levels, binning);
        r.WindowInputShape = [h, w];
        r.WindowOutputShape = [r.Windows.Count];
        r.DivisorText = max ? null : win => $"divisor {win.Padded}";
        return r;
    }
}
