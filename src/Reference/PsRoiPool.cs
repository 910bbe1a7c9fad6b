using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Position-sensitive ROI average pooling (R-FCN; torchvision <c>ps_roi_pool</c>): corners rounded half away from zero,
/// size <c>max(e' − s', 1)</c> (no +1), bins <c>[floor(p·bin) + s', ceil((p+1)·bin) + s')</c> clipped to <c>[0, H − 1]</c> — so the
/// forward pass never pools the last row or column (pytorch/vision, [run]). Output channel <c>c_out</c> of bin (ph, pw)
/// reads input channel <c>(c_out·PH + ph)·PW + pw</c>; value = mean over the bin, 0 when empty. Tolerance: the average bound.
/// </summary>
public static class PsRoiPool
{
    public static Expectation Compute(Tensor x, Roi[] rois, int ph, int pw, double scale, DType coordType, string name)
    {
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int cOut = c / (ph * pw);
        var vals = new double[rois.Length * cOut * ph * pw];
        var bound = new double[vals.Length];
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, h - 1, inclusiveEnd: false, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, w - 1, inclusiveEnd: false, coordType);
            for (int co = 0; co < cOut; co++)
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++)
                    {
                        int cin = (co * ph + i) * pw + j;
                        int plane = (r.Batch * c + cin) * h * w;
                        var (hs, he) = hb[i];
                        var (ws, we) = wb[j];
                        int o = ((k * cOut + co) * ph + i) * pw + j;
                        if (he <= hs || we <= ws) continue;
                        var taps = new List<int>();
                        for (int y = hs; y < he; y++)
                            for (int xx = ws; xx < we; xx++) taps.Add(y * w + xx);
                        var (sum, abs, ints) = AveragePool.Sum(x.Data, plane, taps.ToArray());
                        double mean = sum / taps.Count;
                        vals[o] = x.DType.Round(mean);
                        bound[o] = ErrorBounds.Average(taps.Count, abs / taps.Count, mean, ErrorBounds.ExactSum(abs, ints, x.DType), x.DType, x.DType);
                    }
        }
        return new Expectation { Name = name, Value = new Tensor(x.DType, [rois.Length, cOut, ph, pw], vals), Bound = bound };
    }
}
