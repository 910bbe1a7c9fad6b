namespace PoolingConformance.Optimized.Kernels;

/// <summary>
/// Spatial pyramid pooling (He et al. 2014; <c>poolconf.spp</c>, Caffe's <c>SPP</c> layer): every level is one window problem
/// over the whole H×W plane — <c>n×n</c> adaptive bins (<see cref="PoolPlan.Adaptive"/>) or the paper's / Caffe's fixed windows
/// (a <see cref="PoolPlan"/> of the level's <see cref="Core.PoolDescriptor"/>) — run on the registry's planar 2-D window or
/// adaptive kernel of the level's reduction (plane-parallel, SIMD along the rows, results independent of the thread count), then
/// scattered into the pyramid layout: per sample the levels in the order given, each level channel-major (<c>c·n² + y·n + x</c>),
/// which for a planar N×C×n×n level block is one contiguous copy of <c>C·n²</c> floats per sample.
/// <para>Max is exact (selection). With <c>clampLowest</c> (Caffe MAX: a scan from −FLT_MAX with a strict <c>&gt;</c>, NaN
/// never wins) the input is first mapped through <c>x &gt; −FLT_MAX ? x : −FLT_MAX</c> — NaN and −∞ become −FLT_MAX — after which
/// the NaN-propagating first-of-ties max of the window kernel gives Caffe's result bit for bit. Average accumulates in float32 as
/// the window kernels do (the divisor comes with the plan: the bin size, or Caffe AVE's padded extent).</para>
/// </summary>
public sealed class SpatialPyramidKernel
{
    public const string KernelName = "SpatialPyramid_F32_Nchw";
    public string Name => KernelName;
    public override string ToString() => Name;

    /// <summary>The registry kernel of a level plan: the adaptive kernel for adaptive bins, the 2-D window kernel otherwise.</summary>
    public static KernelEntry KernelFor(PoolPlan level) => level.Descriptor is null
        ? KernelRegistry.FindAdaptive(level.Reduction, 2, TensorLayout.Nchw)
        : KernelRegistry.All.First(k => k.Kind == KernelKind.Window && k.Rank == 2 && k.Reduction == level.Reduction && k.Layout == TensorLayout.Nchw);

    /// <summary>x N×C×H×W (planar) → y N×(C·Σ cells of the levels); every level plan is over the same H×W plane.</summary>
    public void Run(PoolPlan[] levels, int batch, int channels, float[] x, float[] y, bool clampLowest = false, int threads = 1)
    {
        if (levels.Length == 0) throw new ArgumentException($"{Name}: no levels", nameof(levels));
        int plane = levels[0].InputPlane;
        if (levels.Any(l => l.InputPlane != plane || l.Rank != 2)) throw new ArgumentException($"{Name}: every level must pool the same 2-D plane");
        long perSample = 0;
        foreach (var l in levels) perSample += (long)channels * l.OutputPlane;
        long inN = (long)batch * channels * plane;
        if (x.Length < inN || y.Length < batch * perSample) throw new ArgumentException($"{Name}: buffers too small");
        if (clampLowest)
        {
            var xc = new float[inN];
            const float lowest = -float.MaxValue;
            Parallel.For(0, Math.Max(1, batch * channels), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, q =>
            {
                long o = (long)q * plane;
                for (long i = o; i < o + plane && i < inN; i++) { float v = x[i]; xc[i] = v > lowest ? v : lowest; }
            });
            x = xc;
        }
        long offset = 0;
        foreach (var level in levels)
        {
            long block = (long)channels * level.OutputPlane;
            var tmp = new float[batch * block];
            KernelFor(level).Run(level, batch, channels, x, tmp, null, threads);
            for (int b = 0; b < batch; b++) Array.Copy(tmp, b * block, y, b * perSample + offset, block);
            offset += block;
        }
    }
}
