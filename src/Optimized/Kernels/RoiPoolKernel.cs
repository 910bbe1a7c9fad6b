using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Core;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// ROI max pooling (Fast R-CNN; torchvision <c>roi_pool</c>, ONNX <c>MaxRoiPool</c> as ONNX Runtime computes it): bins from
/// <see cref="RoiGeometry.FastRcnnBins"/> (box arithmetic in the boxes' dtype, C <c>round</c>, inclusive end, clipped to the map);
/// an empty bin is 0; otherwise the max by <see cref="NanIgnoringMaxOperator"/> seeded with −FLT_MAX, so NaN is never selected and
/// an all-NaN bin gives −FLT_MAX, as the C++. Exact. Channels-last: SIMD over channels, parallel over ROIs; planar inputs are
/// transposed to channels-last once per call and each ROI's result back. Values only (no argmax).
/// </summary>
public sealed class RoiPoolKernel(TensorLayout layout)
{
    public TensorLayout Layout { get; } = layout;
    public string Name => $"RoiPool_F32_{Layout}";
    public override string ToString() => Name;

    /// <summary>Planar: x N×C×H×W → y K×C×PH×PW; channels-last: x N×H×W×C → y K×PH×PW×C.</summary>
    public void Run(float[] x, int batch, int channels, int h, int w, Roi[] rois, int ph, int pw, double scale, DType coordType, float[] y, int threads = 1)
    {
        long inN = (long)batch * channels * h * w, outN = (long)rois.Length * channels * ph * pw;
        if (x.Length < inN || y.Length < outN) throw new ArgumentException($"{Name}: buffers too small");
        foreach (var r in rois)
            if (r.Batch < 0 || r.Batch >= batch) throw new ArgumentException($"{Name}: batch index {r.Batch} outside [0, {batch})");
        bool planar = Layout == TensorLayout.Nchw;
        float[] xl = x;
        if (planar) { xl = new float[inN]; ChannelsLast.FromPlanar(x, 0, xl, 0, batch, channels, h * w, threads); }
        int C = channels, cells = ph * pw;
        void One(int k, float[] tmp)
        {
            var r = rois[k];
            var hb = RoiGeometry.FastRcnnBins(r.Y1, r.Y2, scale, ph, h, inclusiveEnd: true, coordType);
            var wb = RoiGeometry.FastRcnnBins(r.X1, r.X2, scale, pw, w, inclusiveEnd: true, coordType);
            float[] dst = planar ? tmp : y;
            long dstBase = planar ? 0 : (long)k * cells * C;
            long img = (long)r.Batch * h * w;
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                {
                    var (hs, he) = hb[i];
                    var (ws, we) = wb[j];
                    long o = dstBase + (long)(i * pw + j) * C;
                    if (he <= hs || we <= ws) { Array.Clear(dst, (int)o, C); continue; }
                    Bin(xl, img, C, w, hs, he, ws, we, dst, o);
                }
            if (planar) ChannelsLast.ToPlanar(tmp, 0, y, (long)k * C * cells, C, cells);
        }
        int tmpSize = planar ? cells * C : 1;
        Workers.For(rois.Length, threads, () => new float[tmpSize], One);
    }

    static void Bin(float[] x, long img, int C, int w, int hs, int he, int ws, int we, float[] y, long o)
    {
        ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)o);
        switch (Cascade.For(C))
        {
            case Tier.V512: Max<W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref xr, img, C, w, hs, he, ws, we, ref yr); break;
            case Tier.V256: Max<W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref xr, img, C, w, hs, he, ws, we, ref yr); break;
            case Tier.V128: Max<W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref xr, img, C, w, hs, he, ws, we, ref yr); break;
            default: Max<Scalar, float, int, bool>(ref xr, img, C, w, hs, he, ws, we, ref yr); break;
        }
    }

    static void Max<TW, TV, TI, TM>(ref float x, long img, int C, int w, int hs, int he, int ws, int we, ref float y) where TW : IWidth<TV, TI, TM>
    {
        int n = TW.Count;
        for (int c = 0; NchwDriver.Next(ref c, n, C); c += n)
        {
            TV acc = TW.Broadcast(-float.MaxValue);
            for (int yy = hs; yy < he; yy++)
                for (int xx = ws; xx < we; xx++)
                    acc = TW.Combine<NanIgnoringMaxOperator>(acc, TW.Load(ref x, (nint)((img + (long)yy * w + xx) * C + c)));
            TW.Store(acc, ref y, c);
        }
    }
}
