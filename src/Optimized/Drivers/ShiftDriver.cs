using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Operators;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// The flat elementwise step of sliding-window max by doubling (sparse table): <c>dst[q] = combine(src[q], src[q + off])</c> for
/// <c>q &lt; n</c>, SIMD along the buffer with an overlapping last vector (<c>dst</c> and <c>src</c> are distinct buffers), where
/// <c>combine</c> keeps <c>src[q]</c> unless the operator's rule lets <c>src[q + off]</c> replace it. A row pass uses
/// <c>off</c> = element steps, a column pass whole rows; the layout only scales the offsets.
/// </summary>
public static class ShiftDriver
{
    public static void Combine<TOp>(float[] dst, int dstStart, float[] src, int srcStart, int off, int n) where TOp : ISelectOperator
    {
        if (n <= 0) return;
        if ((long)srcStart + n + off > src.Length || (long)dstStart + n > dst.Length || dstStart < 0 || srcStart < 0)
            throw new ArgumentOutOfRangeException(nameof(n), "shift range outside the buffers");
        ref float d = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), dstStart);
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), srcStart);
        switch (Cascade.For(n))
        {
            case Tier.V512: Run<TOp, W512, Vector512<float>, Vector512<int>, Vector512<float>>(ref d, ref s, off, n); break;
            case Tier.V256: Run<TOp, W256, Vector256<float>, Vector256<int>, Vector256<float>>(ref d, ref s, off, n); break;
            case Tier.V128: Run<TOp, W128, Vector128<float>, Vector128<int>, Vector128<float>>(ref d, ref s, off, n); break;
            default: Run<TOp, Scalar, float, int, bool>(ref d, ref s, off, n); break;
        }
    }

    static void Run<TOp, TW, TV, TI, TM>(ref float d, ref float s, int off, int n) where TOp : ISelectOperator where TW : IWidth<TV, TI, TM>
    {
        int w = TW.Count;
        for (int q = 0; NchwDriver.Next(ref q, w, n); q += w)
            TW.Store(TW.Combine<TOp>(TW.Load(ref s, q), TW.Load(ref s, q + off)), ref d, q);
    }
}
