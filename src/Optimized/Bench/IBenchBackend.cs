namespace PoolingConformance.Optimized.Bench;

/// <summary>
/// A competitor in <c>poolconf bench</c> (reference, optimized, onnxruntime, gpu, ...). <see cref="Prepare"/> does everything
/// that is not the timed work — allocation, input fill and upload, model/kernel compilation — and checks one run's output
/// against the oracle, so a fast wrong backend is never timed.
/// </summary>
public interface IBenchBackend
{
    /// <summary>Short name as written on the command line, e.g. <c>optimized</c>, <c>gpu</c>.</summary>
    string Name { get; }

    /// <summary>Why this backend cannot run the workload (no kernel, no device), or null.</summary>
    string? Unsupported(BenchWorkload workload);

    /// <summary>Prepares one workload at a thread count (ignored where meaningless, e.g. a GPU).</summary>
    IPreparedBench Prepare(BenchWorkload workload, int threads);
}

/// <summary>A prepared workload: <see cref="Run"/> performs the timed work once and returns when its results are complete
/// (a GPU backend synchronizes its stream).</summary>
public interface IPreparedBench : IDisposable
{
    void Run();

    /// <summary>Bytes moved by one run at minimum (inputs read once + outputs written once), for GB/s figures.</summary>
    long Bytes { get; }
}

/// <summary>
/// Optional for an <see cref="IPreparedBench"/>: the output of its last <see cref="IPreparedBench.Run"/> (float32, in the
/// workload's <see cref="BenchWorkload.OutputShape"/> and layout; a device backend copies it back here). When a prepared
/// workload implements this, <c>poolconf bench</c> (and the CI performance gate) compare it with the oracle under the
/// tolerance objects of <c>verify</c> right after <see cref="IBenchBackend.Prepare"/>, before anything is timed — a second,
/// independent check beside the backend's own.
/// </summary>
public interface IBenchOutput
{
    float[] ReadOutput();
}
