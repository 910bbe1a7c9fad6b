using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace PoolingConformance.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/PoolingConformance.Benchmarks [-- --filter *Optimized*]</c>: in-process short jobs
/// (STACK.md §5: ShortRun + InProcessEmitToolchain, 100 ms iterations), results under BenchmarkDotNet.Artifacts. The workloads
/// are <c>BenchWorkload.All</c> (W1–W8), the backends those of <c>poolconf bench</c>; for one workload side by side with the
/// copy bound, interleaved in one process, use <c>poolconf bench</c> instead. <c>-- --sliding-interleaved</c> runs the van Herk
/// ablation (<see cref="SlidingMaxInterleaved"/>: each sliding-max case against its old path, interleaved, ratios).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["--sliding-interleaved", ..])
        {
            SlidingMaxInterleaved.Run(Console.Out);
            return;
        }
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithIterationTime(TimeInterval.FromMilliseconds(100));
        var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
    }
}
