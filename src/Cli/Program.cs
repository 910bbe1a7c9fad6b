using System.Text.Json;
using System.Text.Json.Nodes;
using PoolingConformance.Cli.Engine;
using PoolingConformance.Cli.Suites;
using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli;

/// <summary>
/// <c>poolconf</c>: the command-line contract of CONTRACT.md §1. Exit codes: 0 success, 1 a case failed or errored,
/// 2 unusable input (one line on standard error naming the file, case and field; nothing written).
/// </summary>
public static class Program
{
    public const string Usage = """
        usage: poolconf <command> [options]
          list [--json]                                    ops, parameters, defaults, tolerances, backends
          generate --suite smoke|standard --out DIR [--seed N] [--dtype float32|float64|float16] [--format npy|onnx]
          run --suite DIR --backend NAME --out RESULTS     backends: reference, optimized [--threads N], onnxruntime, gpu, gpu:cpu, exec:<command>
          verify --suite DIR --results RESULTS [--report FILE.json] [--junit FILE.xml] [--html FILE.html] [--strict] [--quiet] [--divergences FILE]
          explain --op NAME --params JSON --shape N,C,H,W [--boxes "b,x1,y1,x2,y2;..."]
          onnx-test DIR...                                 ONNX node-test folders (model.onnx + test_data_set_*), or folders of them
          bench [--backends reference,optimized,onnxruntime,copy,gpu,gpu:cpu] [--workloads W1,W2,...] [--threads 1,2] [--repeats N] [--min-time S] [--json FILE]
          gpu-info                                         the devices ILGPU sees (exit 2 when there is no CUDA device)
          gpu-bench [--cpu] [--workloads W1,...] [--min-ms N] [--peak-gbs N] [--json FILE]  GPU kernels alone on W1-W8
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0) { stdout.WriteLine(Usage); throw new UsageException("no command given (list, generate, run, verify, explain, onnx-test, bench)"); }
            if (args[0] is "-h" or "--help" or "help") { stdout.WriteLine(Usage); return 0; }
            var rest = args[1..];
            return args[0] switch
            {
                "list" => Commands.List(new Args(rest, [], ["--json"]), stdout),
                "generate" => Commands.Generate(new Args(rest, ["--suite", "--out", "--seed", "--dtype", "--format"], []), stdout, stderr),
                "run" => Commands.RunBackend(new Args(rest, ["--suite", "--backend", "--out", "--threads"], []), stdout, stderr),
                "verify" => Commands.Verify(new Args(rest, ["--suite", "--results", "--report", "--junit", "--html", "--divergences"], ["--strict", "--quiet"]), stdout, stderr),
                "explain" => Commands.Explain(new Args(rest, ["--op", "--params", "--shape", "--boxes"], []), stdout),
                "onnx-test" => OnnxTest.Run(new Args(rest, [], []), stdout, stderr),
                "bench" => Bench.BenchCommand.Run(new Args(rest, Bench.BenchCommand.Options, []), stdout, stderr),
                "gpu-info" => Engine.GpuRun.Info(stdout, stderr),
                "gpu-bench" => Engine.GpuRun.Bench(new Args(rest, ["--workloads", "--min-ms", "--peak-gbs", "--json"], ["--cpu"]), stdout, stderr),
                var c => throw new UsageException($"unknown command '{c}' (list, generate, run, verify, explain, onnx-test, bench, gpu-info, gpu-bench)"),
            };
        }
        catch (UsageException e) { stderr.WriteLine($"poolconf: error: command line: {e.Message}"); return 2; }
        catch (UnusableException e) { stderr.WriteLine($"poolconf: error: {e.OneLine}"); return 2; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder the user named cannot be read or written (permissions, a file in the way, a full disk).
            stderr.WriteLine($"poolconf: error: {e.Message.Split('\n')[0]}");
            return 2;
        }
    }
}
