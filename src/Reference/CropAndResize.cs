using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// TensorFlow <c>image.crop_and_resize</c> (<c>crop_and_resize_op.cc</c>): for crop row <c>y</c> of box <c>[y1, x1, y2, x2]</c> (normalized),
/// <c>in_y = y1·(H − 1) + y·(y2 − y1)·(H − 1)/(crop_h − 1)</c>, or <c>0.5·(y1 + y2)·(H − 1)</c> when <c>crop_h = 1</c>; columns alike — in
/// float32, parity mode. A row or column with <c>in &lt; 0</c> or <c>in &gt; H − 1</c> takes <c>extrapolation_value</c>. Bilinear:
/// <c>top = tl + (tr − tl)·x_lerp</c>, <c>bottom = bl + (br − bl)·x_lerp</c>, <c>top + (bottom − top)·y_lerp</c> with floor/ceil neighbours
/// (computed in double); nearest: the pixel at <c>roundf</c> (half away from zero). Output float32, NHWC.
/// Tolerance: 8·u·(|tl| + |tr| + |bl| + |br|) for the three lerps, plus the coordinate term (slope × 4·u·|coordinate terms|),
/// plus the output rounding; nearest is exact.
/// </summary>
public static class CropAndResize
{
    static double F(double v) => (float)v;

    /// <summary>Source coordinate of output index <paramref name="i"/> along an axis of input length <paramref name="len"/>.</summary>
    public static double Coordinate(double a, double b, int i, int crop, int len)
    {
        if (crop > 1)
        {
            double scale = F(F(F(b - a) * (len - 1)) / (crop - 1));
            return F(F(a * (len - 1)) + F(i * scale));
        }
        return F(0.5 * F(a + b) * (len - 1));
    }

    public static Expectation Compute(Tensor imageNhwc, double[] boxes, int[] boxIndex, int cropH, int cropW, bool nearest, double extrapolation, string name)
    {
        int h = imageNhwc.Shape[1], w = imageNhwc.Shape[2], c = imageNhwc.Shape[3];
        int nb = boxIndex.Length;
        var vals = new double[nb * cropH * cropW * c];
        var bound = new double[vals.Length];
        double u = DType.Float32.UnitRoundoff(), eta = DType.Float32.SmallestSubnormal();
        double V(int b, int y, int x, int d) => imageNhwc.Data[((b * h + y) * w + x) * c + d];
        for (int k = 0; k < nb; k++)
        {
            double y1 = boxes[4 * k], x1 = boxes[4 * k + 1], y2 = boxes[4 * k + 2], x2 = boxes[4 * k + 3];
            int b = boxIndex[k];
            for (int yy = 0; yy < cropH; yy++)
            {
                double iny = Coordinate(y1, y2, yy, cropH, h);
                double dy = 4 * u * (Math.Abs(y1 * (h - 1)) + Math.Abs(iny));
                for (int xx = 0; xx < cropW; xx++)
                {
                    double inx = Coordinate(x1, x2, xx, cropW, w);
                    double dx = 4 * u * (Math.Abs(x1 * (w - 1)) + Math.Abs(inx));
                    for (int d = 0; d < c; d++)
                    {
                        int o = ((k * cropH + yy) * cropW + xx) * c + d;
                        if (iny < 0 || iny > h - 1 || inx < 0 || inx > w - 1) { vals[o] = F(extrapolation); continue; }
                        if (nearest)
                        {
                            vals[o] = F(V(b, (int)RoiGeometry.RoundHalfAway(iny), (int)RoiGeometry.RoundHalfAway(inx), d));
                            continue;
                        }
                        int ty = (int)Math.Floor(iny), by = (int)Math.Ceiling(iny), lx = (int)Math.Floor(inx), rx = (int)Math.Ceiling(inx);
                        double yl = iny - ty, xl = inx - lx;
                        double tl = V(b, ty, lx, d), tr = V(b, ty, rx, d), bl = V(b, by, lx, d), br = V(b, by, rx, d);
                        double top = tl + (tr - tl) * xl, bottom = bl + (br - bl) * xl;
                        double v = top + (bottom - top) * yl;
                        vals[o] = F(v);
                        double slopeX = Math.Max(Math.Abs(tr - tl), Math.Abs(br - bl)), slopeY = Math.Max(Math.Abs(bl - tl), Math.Abs(br - tr));
                        double b0 = 8 * u * (Math.Abs(tl) + Math.Abs(tr) + Math.Abs(bl) + Math.Abs(br)) + slopeX * dx + slopeY * dy + 2 * u * Math.Abs(v) + 4 * eta;
                        bound[o] = double.IsFinite(b0) ? b0 : 0;
                    }
                }
            }
        }
        return new Expectation { Name = name, Value = new Tensor(DType.Float32, [nb, cropH, cropW, c], vals), Bound = nearest ? null : bound };
    }
}
