using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// ROI max pooling (Girshick, Fast R-CNN), the torchvision / Caffe Fast R-CNN / ONNX Runtime <c>MaxRoiPool</c> kernel:
/// bins from <see cref="RoiGeometry.FastRcnnBins"/> (inclusive end, clipped to the map); an empty bin is 0; otherwise the
/// maximum with strict <c>&gt;</c> starting from −FLT_MAX, so NaN is never selected and an all-NaN bin gives −FLT_MAX
/// (the float32 lowest value, whatever the dtype, as the C++ writes <c>-FLT_MAX</c>). Output K×C×PH×PW.
/// </summary>
public static class RoiPool
{
    /// <summary>The bins of every ROI, for <c>explain</c>.</summary>
    public static IEnumerable<string> Describe(Roi[] rois, int ph, int pw, double scale, int h, int w, DType coordType, bool inclusiveEnd = true)
    {
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            int clipH = inclusiveEnd ? h : h - 1, clipW = inclusiveEnd ? w : w - 1;
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, clipH, inclusiveEnd, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, clipW, inclusiveEnd, coordType);
            yield return $"roi {k}: batch {r.Batch}, box ({r.X1}, {r.Y1}, {r.X2}, {r.Y2}) × {scale}";
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                {
                    var (hs, he) = hb[i]; var (ws, we) = wb[j];
                    yield return $"  bin [{i},{j}]: rows [{hs}, {he}) cols [{ws}, {we}){(he <= hs || we <= ws ? " EMPTY (value 0)" : $", {(he - hs) * (we - ws)} cells")}";
                }
        }
    }

    public static Expectation Compute(Tensor x, Roi[] rois, int ph, int pw, double scale, DType coordType, string name)
    {
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var vals = new double[rois.Length * c * ph * pw];
        for (int k = 0; k < rois.Length; k++)
        {
            var r = rois[k];
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, h, inclusiveEnd: true, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, w, inclusiveEnd: true, coordType);
            for (int ch = 0; ch < c; ch++)
            {
                int plane = (r.Batch * c + ch) * h * w;
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++)
                    {
                        var (hs, he) = hb[i];
                        var (ws, we) = wb[j];
                        double v;
                        if (he <= hs || we <= ws) v = 0;
                        else
                        {
                            v = -float.MaxValue;
                            for (int y = hs; y < he; y++)
                                for (int xx = ws; xx < we; xx++)
                                {
                                    double t = x.Data[plane + y * w + xx];
                                    if (t > v) v = t;
                                }
                        }
                        vals[((k * c + ch) * ph + i) * pw + j] = x.DType.Round(v);
                    }
            }
        }
        return new Expectation { Name = name, Value = new Tensor(x.DType, [rois.Length, c, ph, pw], vals) };
    }
}
