namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// ONNX <c>MaxUnpool</c>: the scatter of <see cref="MaxUnpoolKernel"/> into the inferred shape N×C×(X_i − 1)·s_i − (pb_i + pe_i) + k_i,
/// then, for a larger <c>output_shape</c>, the result placed at the start of every axis of the zero output (the spec and its node
/// test pad at the end, onnx/onnx#2398). ONNX indices are flat over the whole inferred tensor (not per plane), so the scatter is
/// one plane of N·C·spatial elements, written serially in input order — duplicates keep the last write, the same for any thread
/// count (an inherently sequential scatter; the bounds check runs first, naming <c>inputs.I</c>). The padded copy is row by row
/// (innermost axis contiguous on both sides), parallel over rows.
/// </summary>
public sealed class OnnxMaxUnpoolKernel
{
    public const string KernelName = "OnnxMaxUnpool_F32_Nchw";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>x and indices (N×C×spatial, flat indices into the inferred shape); y of shape <paramref name="outShape"/> (each axis ≥ the inferred one).</summary>
    public void Run(float[] x, long[] indices, int[] inferredShape, int[] outShape, float[] y, int threads = 1)
    {
        long inferred = 1, total = 1;
        foreach (var v in inferredShape) inferred *= v;
        foreach (var v in outShape) total *= v;
        if (y.Length < total || inferred > int.MaxValue) throw new ArgumentException($"{Name}: output buffer too small or too large");
        if (inferredShape.SequenceEqual(outShape))
        {
            KernelRegistry.MaxUnpoolNchw.Run(x, indices, 1, 1, x.Length, (int)inferred, y, 1, "inputs.I");
            return;
        }
        var tmp = new float[inferred];
        KernelRegistry.MaxUnpoolNchw.Run(x, indices, 1, 1, x.Length, (int)inferred, tmp, 1, "inputs.I");
        Array.Clear(y, 0, (int)total);
        int rank = outShape.Length, rowLen = inferredShape[^1];
        long rows = inferred / Math.Max(1, rowLen);
        Parallel.For(0L, rows, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, r =>
        {
            // Unravel the row number over the inferred shape's outer axes, ravel it over the output's.
            long rem = r, o = 0, stride = outShape[^1];
            for (int a = rank - 2; a >= 0; a--)
            {
                long coord = rem % inferredShape[a];
                rem /= inferredShape[a];
                o += coord * stride;
                stride *= outShape[a];
            }
            Array.Copy(tmp, r * rowLen, y, o, rowLen);
        });
    }
}
