namespace PoolingConformance.Core;

/// <summary>One region of interest: batch index and corners in image coordinates, as the framework read them.</summary>
public readonly record struct Roi(int Batch, double X1, double Y1, double X2, double Y2);

/// <summary>
/// ROI bin and sample-point geometry (METHODS.md §7, DIALECTS.md §2, §3.4). Every discrete decision — scaled and rounded
/// corners, bin edges, grid sizes, sample coordinates — is computed in parity mode: in the boxes' dtype, one rounding
/// after every arithmetic operation, exactly as the framework's C++ does (TESTING.md §1, §3.6). Emulating a float32
/// operation as a double operation rounded to float32 is exact for +, −, ×, ÷ (double has more than 2·24 + 2 bits).
/// </summary>
public static class RoiGeometry
{
    /// <summary>
    /// Reads K ROIs from a K×5 <c>[batch, x1, y1, x2, y2]</c> tensor (or K×4 with <paramref name="batchIndices"/>, or K×4 with
    /// batch 0 when <paramref name="allowFour"/>). Refuses non-finite coordinates (the C++ kernels crash or read garbage,
    /// pytorch/vision#9272), a batch column that is not an integer, and a batch index outside <c>[0, N)</c>.
    /// </summary>
    public static Roi[] Read(Tensor boxes, int batch, string field, Tensor? batchIndices = null, string? batchField = null, bool allowFour = false)
    {
        bool four = batchIndices is not null || (allowFour && boxes.Rank == 2 && boxes.Shape[1] == 4);
        int cols = four ? 4 : 5;
        if (boxes.Rank != 2 || boxes.Shape[1] != cols)
            throw new InvalidParameterException(field, $"boxes must have shape (K, {cols}){(four ? "" : " as [batch_index, x1, y1, x2, y2]")}, got {Tensor.ShapeText(boxes.Shape)}");
        if (!boxes.DType.IsFloat()) throw new InvalidParameterException(field, $"boxes must be a float tensor, got {boxes.DType.Name()}");
        int k = boxes.Shape[0];
        if (batchIndices is not null && (batchIndices.Rank != 1 || batchIndices.Shape[0] != k))
            throw new InvalidParameterException(batchField!, $"batch indices must have shape ({k}), got {Tensor.ShapeText(batchIndices.Shape)}");
        var rois = new Roi[k];
        for (int i = 0; i < k; i++)
        {
            var d = boxes.Data.AsSpan(i * cols, cols);
            double b = batchIndices is not null ? batchIndices.Data[i] : four ? 0 : d[0];
            string bf = batchIndices is not null ? batchField! : field;
            for (int j = four ? 0 : 1; j < cols; j++)
                if (!double.IsFinite(d[j])) throw new InvalidParameterException(field, $"box {i} has a non-finite coordinate {d[j]}");
            if (!double.IsFinite(b) || b != Math.Floor(b)) throw new InvalidParameterException(bf, $"box {i}: batch index {b} is not an integer");
            if (b < 0 || b >= batch) throw new InvalidParameterException(bf, $"box {i}: batch index {b} is outside [0, {batch})");
            int o = four ? 0 : 1;
            rois[i] = new Roi((int)b, d[o], d[o + 1], d[o + 2], d[o + 3]);
        }
        return rois;
    }

    /// <summary>C/C++ <c>round</c>: halves away from zero (C# <c>Math.Round</c> defaults to banker's rounding).</summary>
    public static double RoundHalfAway(double v) => Math.Round(v, MidpointRounding.AwayFromZero);

    /// <summary>
    /// A Fast R-CNN max-pool bin (torchvision <c>roi_pool</c>, Caffe, ONNX Runtime <c>MaxRoiPool</c>) along one axis:
    /// start <c>s' = round(s·σ)</c>, end <c>e' = round(e·σ)</c> (half away from zero, in dtype <paramref name="t"/>);
    /// size <c>max(e' − s' + 1, 1)</c> (<paramref name="inclusiveEnd"/>) or <c>max(e' − s', 1)</c>; <c>bin = size/P</c> in <paramref name="t"/>;
    /// bin <c>p</c> covers <c>[floor(p·bin) + s', ceil((p+1)·bin) + s')</c>, clipped to <c>[0, clipEnd]</c>.
    /// </summary>
    public static (int Start, int End)[] FastRcnnBins(double start, double end, double scale, int pooled, int clipEnd, bool inclusiveEnd, DType t)
    {
        double R(double v) => t.Round(v);
        int s0 = (int)RoundHalfAway(R(R(start) * R(scale)));
        int e0 = (int)RoundHalfAway(R(R(end) * R(scale)));
        int size = Math.Max(e0 - s0 + (inclusiveEnd ? 1 : 0), 1);
        double bin = R((double)size / pooled);
        var bins = new (int, int)[pooled];
        for (int p = 0; p < pooled; p++)
        {
            int hs = (int)Math.Floor(R(p * bin)) + s0;
            int he = (int)Math.Ceiling(R((p + 1) * bin)) + s0;
            bins[p] = (Math.Clamp(hs, 0, clipEnd), Math.Clamp(he, 0, clipEnd));
        }
        return bins;
    }

    /// <summary>The ROI Align sample grid of one axis: per bin, the sample coordinates (in the boxes' dtype).</summary>
    public sealed record AlignAxis(double Start, double BinSize, int Grid, double[][] Samples)
    {
        /// <summary>The number of samples per bin along the axis (the raw grid may be negative).</summary>
        public int SampleCount => Math.Max(Grid, 0);
    }

    /// <summary>
    /// The most samples per bin side an adaptive grid (<c>sampling_ratio ≤ 0</c>, <c>G = ceil(size/P)</c>) may have: 2^16. A box that
    /// many bins wide already samples every feature-map cell of any realistic map many times over; past it the grid (up to
    /// int.MaxValue for a coordinate like 1e30) would exhaust memory, so such a box is refused naming the boxes input.
    /// </summary>
    public const int MaxAdaptiveSamplesPerBinSide = 1 << 16;

    /// <summary>The scaled start and the size of one ROI axis, in dtype <paramref name="t"/> (see <see cref="AlignGrid"/>).</summary>
    static (double Start, double Size) AlignExtent(double start, double end, double scale, double offset, bool minSize1, DType t)
    {
        double R(double v) => t.Round(v);
        double sc = R(scale);
        double s = R(R(R(start) * sc) - offset);
        double e = R(R(R(end) * sc) - offset);
        double size = R(e - s);
        if (minSize1) size = Math.Max(size, 1);
        return (s, size);
    }

    /// <summary>
    /// The raw sample grid of one axis, <c>samplingRatio &gt; 0 ? samplingRatio : ceil(size/P)</c>; an adaptive grid that
    /// passes <see cref="MaxAdaptiveSamplesPerBinSide"/> is refused naming <paramref name="field"/>.
    /// </summary>
    static int GridOf(double size, int pooled, int samplingRatio, DType t, string field)
    {
        if (samplingRatio > 0) return samplingRatio;
        double g = Math.Ceiling(t.Round(size / pooled));
        // Only a positive grid allocates samples; a negative one (a reversed box without the ≥ 1 clamp, however huge) samples
        // nothing and keeps its raw value for the divisor, as torchvision's C++ computes it.
        if (!(g <= MaxAdaptiveSamplesPerBinSide))
            throw new InvalidParameterException(field, $"a box spans {size} cells over {pooled} bins: with sampling_ratio ≤ 0 that is {g} samples per bin side, more than the {MaxAdaptiveSamplesPerBinSide} the oracle takes (give a sampling_ratio > 0 or a smaller box)");
        return (int)g;
    }

    /// <summary>
    /// Refuses (naming <paramref name="field"/>) any ROI whose adaptive sample grid passes <see cref="MaxAdaptiveSamplesPerBinSide"/>
    /// on either axis — the check <see cref="AlignGrid"/> makes, done up front so that a parallel kernel refuses before it starts.
    /// </summary>
    public static void CheckAlignGrids(IEnumerable<Roi> rois, double scale, double offset, bool minSize1, int ph, int pw, int samplingRatio, DType t,
        string field = "inputs.boxes")
    {
        if (samplingRatio > 0) return;
        foreach (var r in rois)
        {
            GridOf(AlignExtent(r.Y1, r.Y2, scale, offset, minSize1, t).Size, ph, samplingRatio, t, field);
            GridOf(AlignExtent(r.X1, r.X2, scale, offset, minSize1, t).Size, pw, samplingRatio, t, field);
        }
    }

    /// <summary>
    /// ROI Align geometry along one axis (torchvision <c>roi_align_kernel.cpp</c>, ONNX RoiAlign, Caffe2 RoIAlign):
    /// <c>s' = s·σ − offset</c>, <c>e' = e·σ − offset</c>, <c>size = e' − s'</c> (at least 1 when <paramref name="minSize1"/>);
    /// <c>bin = size/P</c>; grid <c>G = samplingRatio &gt; 0 ? samplingRatio : ceil(size/P)</c>; sample <c>i</c> of bin <c>p</c> at
    /// <c>s' + p·bin + (i + 0.5)·bin/G</c>. All in dtype <paramref name="t"/>, operation by operation. An adaptive grid past
    /// <see cref="MaxAdaptiveSamplesPerBinSide"/> is refused naming <paramref name="field"/>.
    /// </summary>
    public static AlignAxis AlignGrid(double start, double end, double scale, double offset, bool minSize1, int pooled, int samplingRatio, DType t,
        string field = "inputs.boxes")
    {
        double R(double v) => t.Round(v);
        var (s, size) = AlignExtent(start, end, scale, offset, minSize1, t);
        double bin = R(size / pooled);
        // The grid may be negative for a reversed box without the ≥ 1 clamp; it is kept raw because the kernels divide by
        // the raw product G_h·G_w (two negative grids give a positive count and an empty loop: output 0, not NaN).
        int grid = GridOf(size, pooled, samplingRatio, t, field);
        var samples = new double[pooled][];
        for (int p = 0; p < pooled; p++)
        {
            samples[p] = new double[Math.Max(grid, 0)];
            for (int i = 0; i < grid; i++)
                samples[p][i] = R(R(s + R(p * bin)) + R(R((i + 0.5) * bin) / grid));
        }
        return new AlignAxis(s, bin, grid, samples);
    }
}
