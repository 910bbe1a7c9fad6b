using ILGPU;


namespace PoolingConformance.Optimized.Gpu;

/// <summary>Arguments of the unpool kernels: input and output elements per plane.</summary>
public struct UnpoolArgs
{
    public long InPlane, OutPlane;
}

/// <summary>Arguments of the ROI kernels (output K×C×PH×PW).</summary>
public struct RoiArgs
{
    public int C, H, W, PH, PW;
    /// <summary>Ints per ROI in the info buffer.</summary>
    public int InfoStride;
}

/// <summary>Arguments of the channel-copy kernel (concatenation): source channels and plane, destination channels and offset.</summary>
public struct ConcatArgs
{
    public int C, Plane, YC, YOff;
}

/// <summary>
/// Max unpool, ROI align (average), ROI pool and channel concatenation. Every kernel writes each output element from one thread;
/// unpool resolves duplicate indices deterministically (see <see cref="UnpoolClaim"/>).
/// </summary>
public static class OtherKernels
{
    /// <summary>
    /// Unpool, pass 1: input element <c>i</c> claims its output cell with an atomic max of its own position, so the cell ends up
    /// owned by the LAST input element (row-major order) that names it — what a sequential scatter leaves, whatever the
    /// thread schedule. Indices were validated on the host.
    /// </summary>
    public static void UnpoolClaim(Index1D i, ArrayView<long> indices, ArrayView<int> winner, UnpoolArgs a)
    {
        long q = i / a.InPlane;
        long cell = q * a.OutPlane + indices[i];
        Atomic.Max(ref winner[cell], (int)i);
    }

    /// <summary>Unpool, pass 2: every output cell takes its owner's value, or 0.</summary>
    public static void UnpoolGather(Index1D o, ArrayView<float> x, ArrayView<int> winner, ArrayView<float> y)
    {
        int w = winner[o];
        y[o] = w >= 0 ? x[w] : 0f;
    }

    /// <summary>
    /// ROI align average: bin (ph, pw) of ROI k, channel c, averages the bilinear samples at the host-planned coordinates
    /// (computed in the boxes' dtype, operation by operation, by <c>RoiGeometry.AlignGrid</c>). Corner weights and the sample
    /// value in double, each sample rounded once to float32 and summed in float32, divided by the planned count.
    /// Info per ROI: batch, samples per bin along y and x, offset of the y and x coordinates, divisor.
    /// </summary>
    public static void RoiAlignAvg(Index1D i, ArrayView<float> x, ArrayView<int> info, ArrayView<double> coords, ArrayView<float> y, RoiArgs a)
    {
        int pw = i % a.PW, t = i / a.PW, ph = t % a.PH, t2 = t / a.PH, c = t2 % a.C, k = t2 / a.C;
        int bi = k * a.InfoStride;
        int batch = info[bi], gy = info[bi + 1], gx = info[bi + 2], offY = info[bi + 3], offX = info[bi + 4], count = info[bi + 5];
        long plane = ((long)batch * a.C + c) * a.H * a.W;
        float sum = 0f;
        for (int iy = 0; iy < gy; iy++)
        {
            double yy = coords[offY + ph * gy + iy];
            for (int ix = 0; ix < gx; ix++)
            {
                double xx = coords[offX + pw * gx + ix];
                sum += (float)Bilinear(x, plane, a.H, a.W, yy, xx);
            }
        }
        y[i] = sum / count;
    }

    /// <summary>The bilinear value at (y, x): 0 outside [−1, H] × [−1, W]; clamp at 0; collapse to the last row/column.</summary>
    static double Bilinear(ArrayView<float> x, long plane, int h, int w, double yy, double xx)
    {
        if (yy < -1.0 || yy > h || xx < -1.0 || xx > w) return 0;
        if (yy <= 0) yy = 0;
        if (xx <= 0) xx = 0;
        int yl = (int)yy, xl = (int)xx, yh, xh;
        if (yl >= h - 1) { yh = yl = h - 1; yy = yl; } else yh = yl + 1;
        if (xl >= w - 1) { xh = xl = w - 1; xx = xl; } else xh = xl + 1;
        double ly = yy - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;
        double v1 = x[plane + yl * w + xl], v2 = x[plane + yl * w + xh], v3 = x[plane + yh * w + xl], v4 = x[plane + yh * w + xh];
        return hy * hx * v1 + hy * lx * v2 + ly * hx * v3 + ly * lx * v4;
    }

    /// <summary>
    /// ROI pool (Fast R-CNN max): bin (ph, pw) of ROI k is rows [hs, he) × cols [ws, we) from the host-planned bins; max from
    /// −FLT_MAX with strict &gt; (NaN never wins); an empty bin gives 0. Info per ROI: batch, then (hs, he) per ph, (ws, we) per pw.
    /// </summary>
    public static void RoiPool(Index1D i, ArrayView<float> x, ArrayView<int> info, ArrayView<double> unused, ArrayView<float> y, RoiArgs a)
    {
        int pw = i % a.PW, t = i / a.PW, ph = t % a.PH, t2 = t / a.PH, c = t2 % a.C, k = t2 / a.C;
        int bi = k * a.InfoStride;
        int batch = info[bi];
        int hs = info[bi + 1 + 2 * ph], he = info[bi + 2 + 2 * ph];
        int ws = info[bi + 1 + 2 * a.PH + 2 * pw], we = info[bi + 2 + 2 * a.PH + 2 * pw];
        if (he <= hs || we <= ws) { y[i] = 0f; return; }
        long plane = ((long)batch * a.C + c) * a.H * a.W;
        float m = -float.MaxValue;
        for (int r = hs; r < he; r++)
            for (int q = ws; q < we; q++)
            {
                float v = x[plane + r * a.W + q];
                if (v > m) m = v;
            }
        y[i] = m;
    }

    /// <summary>Copies an N×C×plane tensor into channels [YOff, YOff + C) of an N×YC×plane tensor.</summary>
    public static void CopyChannels(Index1D i, ArrayView<float> x, ArrayView<float> y, ConcatArgs a)
    {
        int per = a.C * a.Plane;
        int n = i / per, rem = i - n * per;
        y[((long)n * a.YC + a.YOff) * a.Plane + rem] = x[i];
    }

}
