using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>How ROI Align reduces the samples of a bin (DIALECTS.md §9 row 9).</summary>
public enum RoiAlignReduce
{
    /// <summary>Mean of the bilinear sample values (torchvision, ONNX <c>avg</c>, Caffe2).</summary>
    Average,
    /// <summary>ONNX/ONNX Runtime <c>max</c>: the largest weighted corner <c>max(w_i·v_i)</c> over all samples — not an interpolated value.</summary>
    OnnxWeightedCornerMax,
    /// <summary>The paper's intent (and mmcv): the largest interpolated sample value.</summary>
    InterpolatedMax,
}

/// <summary>The divergence switches of ROI Align: pixel offset, minimum ROI size, divisor clamp, reduction.</summary>
public sealed record RoiAlignMode(double Offset, bool MinSize1, bool CountAtLeastOne, RoiAlignReduce Reduce);

/// <summary>
/// ROI Align (He et al., Mask R-CNN). Per bin, a <c>G_h × G_w</c> grid of sample points from
/// <see cref="RoiGeometry.AlignGrid"/> (coordinates in the boxes' dtype, parity mode). Bilinear value at <c>(y, x)</c>: 0 when
/// <c>y &lt; −1</c>, <c>y &gt; H</c>, <c>x &lt; −1</c> or <c>x &gt; W</c>; else clamp to ≥ 0, <c>y_low = floor(y)</c>, collapse to the last row
/// when <c>y_low ≥ H − 1</c>, and weight the four corners by <c>(1 − ly)(1 − lx)</c>, <c>(1 − ly)lx</c>, <c>ly(1 − lx)</c>, <c>ly·lx</c>
/// — computed in double from the parity coordinates. Average divides by <c>G_h·G_w</c> (clamped to ≥ 1 when
/// <see cref="RoiAlignMode.CountAtLeastOne"/>; otherwise an empty grid gives 0/0 = NaN, as <c>ps_roi_align</c>).
/// Tolerance (TESTING.md §3.4): <c>(G + 8)·u·B/G + 2·u_out·|y|</c> with <c>B = Σ_samples Σ_corners |w·v|</c>, plus the coordinate
/// term <c>Σ_s (|Δv_y|·Δy + |Δv_x|·Δx)/G</c> with <c>Δy = 4·u·(|y1'| + |p·bin| + |bin|)</c> and <c>Δv</c> the neighbour differences;
/// the max modes take the largest per-sample bound.
/// </summary>
public static class RoiAlign
{
    readonly record struct Sample(double Value, double WeightedCornerMax, double AbsTerms, double SlopeY, double SlopeX);

    /// <summary>The four bilinear corners of a sample and its fractional offsets, or null outside <c>[−1, H] × [−1, W]</c>.</summary>
    readonly record struct Corners(int Yl, int Yh, int Xl, int Xh, double Ly, double Lx);

    /// <summary>The one copy of the sampling rule: cutoff, clamp at 0, collapse to the last row/column.</summary>
    static Corners? Locate(double y, double x, int h, int w)
    {
        if (y < -1.0 || y > h || x < -1.0 || x > w) return null;
        if (y <= 0) y = 0;
        if (x <= 0) x = 0;
        int yl = (int)y, xl = (int)x, yh, xh;
        if (yl >= h - 1) { yh = yl = h - 1; y = yl; } else yh = yl + 1;
        if (xl >= w - 1) { xh = xl = w - 1; x = xl; } else xh = xl + 1;
        return new Corners(yl, yh, xl, xh, y - yl, x - xl);
    }

    static Sample Bilinear(double[] data, int plane, int h, int w, double y, double x)
    {
        if (Locate(y, x, h, w) is not { } c) return new Sample(0, 0, 0, 0, 0);
        int yl = c.Yl, yh = c.Yh, xl = c.Xl, xh = c.Xh;
        double ly = c.Ly, lx = c.Lx, hy = 1 - ly, hx = 1 - lx;
        double v1 = data[plane + yl * w + xl], v2 = data[plane + yl * w + xh], v3 = data[plane + yh * w + xl], v4 = data[plane + yh * w + xh];
        double t1 = hy * hx * v1, t2 = hy * lx * v2, t3 = ly * hx * v3, t4 = ly * lx * v4;
        double value = t1 + t2 + t3 + t4;
        double cornerMax = Math.Max(Math.Max(Math.Max(t1, t2), t3), t4);
        double abs = Math.Abs(t1) + Math.Abs(t2) + Math.Abs(t3) + Math.Abs(t4);
        double slopeY = Math.Max(Math.Abs(v3 - v1), Math.Abs(v4 - v2));
        double slopeX = Math.Max(Math.Abs(v2 - v1), Math.Abs(v4 - v3));
        return new Sample(value, cornerMax, abs, double.IsNaN(slopeY) ? 0 : slopeY, double.IsNaN(slopeX) ? 0 : slopeX);
    }

    /// <summary>Every ROI's bins with their sample points, bilinear corners and weights, for <c>explain</c>.</summary>
    public static IEnumerable<string> Describe(Roi[] rois, int ph, int pw, double scale, int samplingRatio, RoiAlignMode mode, int h, int w, DType coordType)
    {
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, scale, mode.Offset, mode.MinSize1, ph, samplingRatio, coordType);
            var ax = RoiGeometry.AlignGrid(r.X1, r.X2, scale, mode.Offset, mode.MinSize1, pw, samplingRatio, coordType);
            int raw = ay.Grid * ax.Grid;
            double count = mode.CountAtLeastOne ? Math.Max(raw, 1) : raw;
            yield return $"roi {k}: batch {r.Batch}, start (y {ay.Start}, x {ax.Start}), bin {ay.BinSize} × {ax.BinSize}, grid {ay.Grid} × {ax.Grid}, divisor {count}, reduce {mode.Reduce}";
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                {
                    yield return $"  bin [{i},{j}]:";
                    foreach (var y in ay.Samples[i])
                        foreach (var x in ax.Samples[j])
                            yield return "    " + SampleText(y, x, h, w);
                }
        }
    }

    static string SampleText(double y, double x, int h, int w)
    {
        if (Locate(y, x, h, w) is not { } c) return $"sample (y {y}, x {x}): outside [-1, H] × [-1, W], contributes 0";
        int yl = c.Yl, yh = c.Yh, xl = c.Xl, xh = c.Xh;
        double ly = c.Ly, lx = c.Lx;
        return $"sample (y {y}, x {x}): ({yl},{xl})·{(1 - ly) * (1 - lx):G6} + ({yl},{xh})·{(1 - ly) * lx:G6} + ({yh},{xl})·{ly * (1 - lx):G6} + ({yh},{xh})·{ly * lx:G6}";
    }

    /// <summary>
    /// Pools every ROI. With <paramref name="positionSensitive"/> the output has C/(PH·PW) channels and bin (ph, pw) of
    /// output channel <c>c</c> reads input channel <c>(c·PH + ph)·PW + pw</c>.
    /// </summary>
    public static Expectation Compute(Tensor x, Roi[] rois, int ph, int pw, double scale, int samplingRatio, RoiAlignMode mode, DType coordType,
        string name, bool positionSensitive = false, string boxField = "inputs.boxes")
    {
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int cOut = positionSensitive ? c / (ph * pw) : c;
        var vals = new double[rois.Length * cOut * ph * pw];
        var bound = new double[vals.Length];
        double u = x.DType.UnitRoundoff(), uc = coordType.UnitRoundoff(), eta = x.DType.SmallestSubnormal();
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var ay = RoiGeometry.AlignGrid(r.Y1, r.Y2, scale, mode.Offset, mode.MinSize1, ph, samplingRatio, coordType, boxField);
            var ax = RoiGeometry.AlignGrid(r.X1, r.X2, scale, mode.Offset, mode.MinSize1, pw, samplingRatio, coordType, boxField);
            int g = ay.SampleCount * ax.SampleCount;
            // The divisor is the raw product of the grids, as the C++ computes it (see RoiGeometry.AlignGrid).
            int raw = ay.Grid * ax.Grid;
            double count = mode.CountAtLeastOne ? Math.Max(raw, 1) : raw;
            for (int co = 0; co < cOut; co++)
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++)
                    {
                        int cin = positionSensitive ? (co * ph + i) * pw + j : co;
                        int plane = (r.Batch * c + cin) * h * w;
                        double dy = 4 * uc * (Math.Abs(ay.Start) + Math.Abs(i * ay.BinSize) + Math.Abs(ay.BinSize));
                        double dx = 4 * uc * (Math.Abs(ax.Start) + Math.Abs(j * ax.BinSize) + Math.Abs(ax.BinSize));
                        double sum = 0, absSum = 0, slope = 0, maxInterp = double.NegativeInfinity, maxCorner = double.NegativeInfinity, maxSampleBound = 0;
                        foreach (var y in ay.Samples[i])
                            foreach (var xx in ax.Samples[j])
                            {
                                var s = Bilinear(x.Data, plane, h, w, y, xx);
                                sum += s.Value;
                                absSum += s.AbsTerms;
                                double sl = s.SlopeY * dy + s.SlopeX * dx;
                                slope += sl;
                                if (s.Value > maxInterp || double.IsNaN(s.Value)) maxInterp = s.Value;
                                if (s.WeightedCornerMax > maxCorner || double.IsNaN(s.WeightedCornerMax)) maxCorner = s.WeightedCornerMax;
                                maxSampleBound = Math.Max(maxSampleBound, 8 * u * s.AbsTerms + sl);
                            }
                        double v = mode.Reduce switch
                        {
                            RoiAlignReduce.Average => sum / count,
                            RoiAlignReduce.OnnxWeightedCornerMax => g == 0 ? 0 : maxCorner,
                            _ => g == 0 ? 0 : maxInterp,
                        };
                        int o = ((k * cOut + co) * ph + i) * pw + j;
                        vals[o] = x.DType.Round(v);
                        double b = mode.Reduce == RoiAlignReduce.Average
                            ? (g == 0 || count == 0 ? 0 : ((g + 8) * u * absSum + slope) / Math.Abs(count))
                            : maxSampleBound;
                        bound[o] = b + 2 * u * Math.Abs(double.IsFinite(v) ? v : 0) + (g + 2) * eta;
                    }
        }
        return new Expectation { Name = name, Value = new Tensor(x.DType, [rois.Length, cOut, ph, pw], vals), Bound = bound };
    }
}
