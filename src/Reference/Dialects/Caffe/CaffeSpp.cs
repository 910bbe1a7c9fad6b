using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects.Caffe;

/// <summary>
/// Caffe's <c>SPP</c> layer (BVLC/caffe <c>src/caffe/layers/spp_layer.cpp</c>; <c>spp_param { pyramid_height, pool }</c>):
/// levels <c>n = 2^0, 2^1, …, 2^(h−1)</c> in that order, each a Caffe <c>Pooling</c> layer with kernel = stride = <c>ceil(a/n)</c>
/// and pad <c>(kernel·n − a + 1)/2</c> (<see cref="PoolGeometry.SppCaffe"/>; the pooling layer's <c>CHECK_LT(pad, kernel)</c> abort
/// is an error naming <c>pyramid_height</c>), flattened and concatenated: N × (C·Σn²), element <c>c·n² + y·n + x</c> within a level.
/// With <c>pyramid_height = 1</c> Caffe uses the single pooling layer's top directly, so the output is N×C×1×1.
/// <para><c>MAX</c>: the scan starts at −FLT_MAX (Caffe's literal, whatever the dtype) and a tap replaces it only when strictly
/// greater: ties keep the first, NaN never wins, a bin of NaN or of values ≤ −FLT_MAX gives −FLT_MAX; padding cells are
/// skipped. <c>AVE</c>: sum of the in-bounds taps over the bin's extent clipped to <c>[−pad, a + pad)</c> (padding cells
/// count), with the derived average bound. <c>STOCHASTIC</c> (GPU only in Caffe) is not served.</para>
/// </summary>
public sealed class CaffeSpp : PoolOp
{
    /// <summary>Caffe <c>PoolingLayer</c> MAX: init −FLT_MAX, strict <c>&gt;</c>, NaN never wins.</summary>
    public static PoolSemantics CaffeMax { get; } = PoolSemantics.Generic with
    {
        Nan = NanPolicy.Ignore, MaxInitial = MaxInitial.Lowest, EmptyMax = EmptyWindow.Lowest, Divisor = DivisorPolicy.IncludePad,
    };

    public override string Name => "caffe.spp";
    public override IReadOnlyList<ParamInfo> Params =>
    [
        new("pyramid_height", "int", "required", "h >= 1: levels 1, 2, 4, …, 2^(h−1)"),
        new("pool", "\"MAX\" | \"AVE\"", "\"MAX\""),
    ];
    public override IReadOnlyList<string> Inputs => ["input"];
    public override IReadOnlyList<string> Outputs => ["output"];
    public override string ToleranceText => "MAX: exact (selection); AVE: derived: (n+2)·u·Σ|x|/D + 2·u_out·|y| + (n+2)·η";
    public override string Summary => "Caffe SPP layer, N×C×H×W → N×(C·Σ4^l)";

    public override OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs)
    {
        int height = p.RequiredInt("pyramid_height");
        if (height < 1) throw new InvalidParameterException("pyramid_height", $"pyramid_height must be at least 1, got {height}");
        if (height > 15) throw new InvalidParameterException("pyramid_height", $"pyramid_height {height} gives 2^{height - 1} bins per side: too large");
        bool max = p.String("pool", "MAX", "MAX", "AVE") == "MAX";
        p.EnsureAllUsed(Name);
        var x = Input(inputs, "input");
        RequireFloat(x, "input");
        SpatialPyramidPool.RequireNchw(x, Name);
        int h = x.Shape[2], w = x.Shape[3];
        var levels = Enumerable.Range(0, height).Select(l => 1 << l).ToArray();
        var reduction = max ? Reduction.Max : Reduction.Average;
        var y = SpatialPyramidPool.Compute(x, levels, SppBinning.Caffe, reduction, CaffeMax, "output", "pyramid_height", DType.Float32);
        if (height == 1) y = Layout.Reshape(y, [x.Shape[0], x.Shape[1], 1, 1]);
        var r = new OpResult { Descriptor = SpatialPyramidPool.Describe(h, w, levels, SppBinning.Caffe, reduction) };
        r.Add(y);
        r.Windows = SpatialPyramidPool.AllWindows(h, w, levels, SppBinning.Caffe, "pyramid_height");
        r.WindowInputShape = [h, w];
        r.WindowOutputShape = [r.Windows.Count];
        r.DivisorText = max ? null : win => $"divisor {win.Padded}";
        return r;
    }
}
