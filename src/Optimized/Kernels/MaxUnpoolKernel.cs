using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoolingConformance.Core;

namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Max unpooling: a zero-filled output, then for every input element of a (n, c) plane in its scan order
/// <c>out[plane][idx] = v</c> — duplicates keep the last write, as PyTorch's serial CPU loop. Planes are independent (parallel
/// over planes; each plane written by one thread in scan order, so results do not depend on the thread count). An index outside
/// <c>[0, output plane)</c> is refused before anything is written (PyTorch: "Found an invalid max index"), naming
/// the index field. Planar: x, indices N×C×P_in, y N×C×P_out; channels-last: N×P_in×C and N×P_out×C.
/// </summary>
public sealed class MaxUnpoolKernel(TensorLayout layout)
{
    public TensorLayout Layout { get; } = layout;
    public string Name => $"MaxUnpool_F32_{Layout}";
    public override string ToString() => Name;

    public void Run(float[] x, long[] indices, int batch, int channels, int inPlane, int outPlane, float[] y, int threads = 1, string indexField = "inputs.indices")
    {
        long inN = (long)batch * channels * inPlane, outN = (long)batch * channels * outPlane;
        if (x.Length < inN || indices.Length < inN || y.Length < outN) throw new ArgumentException($"{Name}: buffers too small");
        for (long i = 0; i < inN; i++)
            if ((ulong)indices[i] >= (ulong)outPlane)
                throw new InvalidParameterException(indexField, $"Found an invalid max index: {indices[i]} (plane size {outPlane}) at element {Element(i, channels, inPlane)}");
        int planes = batch * channels, C = channels;
        bool planar = Layout == TensorLayout.Nchw;
        void Plane(int q)
        {
            // Every index was checked above to lie in [0, outPlane): the scatter needs no bounds checks.
            ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref long ir = ref MemoryMarshal.GetArrayDataReference(indices);
            ref float yr = ref MemoryMarshal.GetArrayDataReference(y);
            if (planar)
            {
                long ib = (long)q * inPlane, ob = (long)q * outPlane;
                y.AsSpan((int)ob, outPlane).Clear();
                for (int i = 0; i < inPlane; i++) Unsafe.Add(ref yr, (nint)(ob + Unsafe.Add(ref ir, (nint)(ib + i)))) = Unsafe.Add(ref xr, (nint)(ib + i));
            }
            else
            {
                int n = q / C, c = q % C;
                long ib = (long)n * inPlane * C + c, ob = (long)n * outPlane * C + c;
                for (int i = 0; i < outPlane; i++) Unsafe.Add(ref yr, (nint)(ob + (long)i * C)) = 0;
                for (int i = 0; i < inPlane; i++)
                    Unsafe.Add(ref yr, (nint)(ob + Unsafe.Add(ref ir, (nint)(ib + (long)i * C)) * C)) = Unsafe.Add(ref xr, (nint)(ib + (long)i * C));
            }
        }
        if (threads <= 1 || planes <= 1) for (int q = 0; q < planes; q++) Plane(q);
        else Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = threads }, Plane);
    }

    /// <summary>The planar flat element number of buffer position <paramref name="i"/> (as the reference reports it).</summary>
    long Element(long i, int channels, int inPlane)
    {
        if (Layout == TensorLayout.Nchw) return i;
        long n = i / ((long)inPlane * channels), r = i % ((long)inPlane * channels), p = r / channels, c = r % channels;
        return (n * channels + c) * inPlane + p;
    }
}
