using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Optimized.Kernels.Features;

/// <summary>
/// The two float32 vector primitives the feature-level kernels are built from — a dot product and an <c>axpy</c> — in the
/// ISA tier of <see cref="Cascade.For"/> (Vector512 → 256 → 128 → scalar, the tier chosen by the run length). Reductions cannot
/// overlap their tails as the window drivers do (a tap would count twice), so the last <c>length mod width</c> elements are
/// scalar. The summation order depends only on the length and the process's tier, never on the thread count, so a kernel's
/// bits are the same for any <c>threads</c>. Every bound the reference derives for a sum holds for any order (ErrorBounds).
/// </summary>
public static class FeatureVector
{
    /// <summary><c>Σ a_i·b_i</c> in float32 (lane-wise partial sums, then the lanes, then the scalar tail).</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        if (b.Length < n) throw new ArgumentException("Dot: spans of different lengths");
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float s = 0;
        switch (Cascade.For(n))
        {
            case Tier.V512:
                {
                    var acc = Vector512<float>.Zero;
                    for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref pa, (nuint)i) * Vector512.LoadUnsafe(ref pb, (nuint)i);
                    s = Vector512.Sum(acc);
                    break;
                }
            case Tier.V256:
                {
                    var acc = Vector256<float>.Zero;
                    for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref pa, (nuint)i) * Vector256.LoadUnsafe(ref pb, (nuint)i);
                    s = Vector256.Sum(acc);
                    break;
                }
            case Tier.V128:
                {
                    var acc = Vector128<float>.Zero;
                    for (; i <= n - 4; i += 4) acc += Vector128.LoadUnsafe(ref pa, (nuint)i) * Vector128.LoadUnsafe(ref pb, (nuint)i);
                    s = Vector128.Sum(acc);
                    break;
                }
        }
        for (; i < n; i++) s += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return s;
    }

    /// <summary>
    /// <c>Σ a_i·b_i</c> of float32 vectors accumulated in double: each product is exact (24 + 24 significand bits), so only the
    /// additions round, at double's unit roundoff, and products of tiny (subnormal) inputs do not underflow — which matters where
    /// an L2 normalisation later rescales the sum to order one. Half the lanes of <see cref="Dot"/> per vector.
    /// </summary>
    public static double DotWide(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        if (b.Length < n) throw new ArgumentException("DotWide: spans of different lengths");
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        double s = 0;
        switch (Cascade.For(n))
        {
            case Tier.V512:
                {
                    var acc = Vector512<double>.Zero;
                    for (; i <= n - 16; i += 16)
                    {
                        var (al, ah) = Vector512.Widen(Vector512.LoadUnsafe(ref pa, (nuint)i));
                        var (bl, bh) = Vector512.Widen(Vector512.LoadUnsafe(ref pb, (nuint)i));
                        acc += al * bl + ah * bh;
                    }
                    s = Vector512.Sum(acc);
                    break;
                }
            case Tier.V256:
                {
                    var acc = Vector256<double>.Zero;
                    for (; i <= n - 8; i += 8)
                    {
                        var (al, ah) = Vector256.Widen(Vector256.LoadUnsafe(ref pa, (nuint)i));
                        var (bl, bh) = Vector256.Widen(Vector256.LoadUnsafe(ref pb, (nuint)i));
                        acc += al * bl + ah * bh;
                    }
                    s = Vector256.Sum(acc);
                    break;
                }
            case Tier.V128:
                {
                    var acc = Vector128<double>.Zero;
                    for (; i <= n - 4; i += 4)
                    {
                        var (al, ah) = Vector128.Widen(Vector128.LoadUnsafe(ref pa, (nuint)i));
                        var (bl, bh) = Vector128.Widen(Vector128.LoadUnsafe(ref pb, (nuint)i));
                        acc += al * bl + ah * bh;
                    }
                    s = Vector128.Sum(acc);
                    break;
                }
        }
        for (; i < n; i++) s += (double)Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return s;
    }

    /// <summary><c>y_i += α·x_i</c> in float32 (a product and a sum per element, no fused multiply-add, in every tier).</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = y.Length;
        if (x.Length < n) throw new ArgumentException("Axpy: spans of different lengths");
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int i = 0;
        switch (Cascade.For(n))
        {
            case Tier.V512:
                {
                    var a = Vector512.Create(alpha);
                    for (; i <= n - 16; i += 16) (Vector512.LoadUnsafe(ref py, (nuint)i) + a * Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
                    break;
                }
            case Tier.V256:
                {
                    var a = Vector256.Create(alpha);
                    for (; i <= n - 8; i += 8) (Vector256.LoadUnsafe(ref py, (nuint)i) + a * Vector256.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
                    break;
                }
            case Tier.V128:
                {
                    var a = Vector128.Create(alpha);
                    for (; i <= n - 4; i += 4) (Vector128.LoadUnsafe(ref py, (nuint)i) + a * Vector128.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
                    break;
                }
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) += alpha * Unsafe.Add(ref px, i);
    }

    /// <summary>The options of a kernel's <c>Parallel.For</c>: at least one worker.</summary>
    public static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = Math.Max(1, threads) };
}
