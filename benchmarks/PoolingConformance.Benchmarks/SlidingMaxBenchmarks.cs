using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using PoolingConformance.Core;
using PoolingConformance.Optimized;
using PoolingConformance.Optimized.Drivers;
using PoolingConformance.Optimized.Kernels;

namespace PoolingConformance.Benchmarks;

/// <summary>
/// One problem timed several ways (the first is the baseline): the SPP kernels by doubling and by van Herk, a stride-1 max pool
/// by the general kernels (<see cref="SlidingMax.OptOut"/>) and by <see cref="SlidingMax"/> with each planar row method.
/// </summary>
public sealed class SlidingCase(string name, params (string Label, Action Run)[] variants)
{
    public string Name { get; } = name;
    public (string Label, Action Run)[] Variants { get; } = variants;
    public override string ToString() => Name;

    static float[] Random(long n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>SPP over 1×C×H×W in one layout, doubling then van Herk (one thread).</summary>
    public static SlidingCase Spp(int[] blocks, int c, int h, int w, TensorLayout layout)
    {
        var k = layout == TensorLayout.Nchw ? KernelRegistry.SppNchw : KernelRegistry.SppNhwc;
        var x = Random((long)c * h * w, 1);
        var y = new float[(long)c * h * w * blocks.Length];
        return new($"SPP [{string.Join(",", blocks)}] 1x{c}x{h}x{w} {layout}",
            ("doubling", () => k.Run(SppMax.Torch, blocks, 1, c, h, w, x, y, 1, SppAlgorithm.Doubling)),
            ("vanHerk", () => k.Run(SppMax.Torch, blocks, 1, c, h, w, x, y, 1, SppAlgorithm.VanHerk)));
    }

    /// <summary>Max pool k×k stride 1 padding k/2 over 1×C×H×W, values only: the general kernel, then van Herk (NCHW: each row method).</summary>
    public static SlidingCase Pool(int kk, int c, int h, int w, TensorLayout layout, int threads = 1)
    {
        var d = new PoolDescriptor(Reduction.Max,
            [PoolGeometry.Explicit(h, kk, 1, 1, kk / 2, kk / 2, CeilRule.Floor), PoolGeometry.Explicit(w, kk, 1, 1, kk / 2, kk / 2, CeilRule.Floor)], PoolSemantics.Torch);
        var kernel = KernelRegistry.Find(d, layout).Kernel!;
        var general = new PoolPlan(d);
        SlidingMax.OptOut(general);
        var fast = new PoolPlan(d);
        var x = Random((long)c * h * w, 2);
        var y = new float[(long)c * fast.OutputPlane];
        var list = new List<(string, Action)> { ("general", () => kernel.Run(general, 1, c, x, y, null, threads)) };
        if (layout == TensorLayout.Nhwc)
        {
            var g = SlidingMax.Windows.For(fast, 1)!; // forced below the threshold too, to measure it
            list.Add(("vanHerk", () => SlidingMax.SelectNhwc<Optimized.Operators.MaxOperator>(fast, g, 1, c, x, y, threads)));
        }
        else
            foreach (var m in new[] { RowMethod.Naive, RowMethod.Doubling, RowMethod.VanHerkScalar })
            {
                var g = SlidingMax.Windows.For(fast, 1, m)!;
                list.Add(($"vanHerk/{m}", () => SlidingMax.SelectNchw<Optimized.Operators.MaxOperator>(fast, g, c, x, y, threads)));
            }
        return new($"maxpool k{kk} s1 p{kk / 2} 1x{c}x{h}x{w} {layout}" + (threads > 1 ? $" {threads} threads" : ""), [.. list]);
    }

    /// <summary>The cases of the measurements in docs/performance.md.</summary>
    public static IEnumerable<SlidingCase> All()
    {
        foreach (var l in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
        {
            yield return Spp([0, 5, 9, 13], 512, 20, 20, l);   // W8
            yield return Spp([0, 13], 512, 20, 20, l);
            yield return Spp([0, 5], 512, 20, 20, l);
            yield return Spp([0, 5, 9, 13], 64, 56, 56, l);
            yield return Spp([0, 13], 64, 56, 56, l);
            yield return Spp([0, 5], 64, 56, 56, l);
        }
        foreach (var l in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
            foreach (int k in new[] { 2, 3, 4, 5, 7, 9, 13, 17, 25 })
                yield return Pool(k, 64, 56, 56, l);
        yield return Pool(13, 64, 56, 56, TensorLayout.Nchw, threads: 2);
        yield return Pool(13, 64, 56, 56, TensorLayout.Nhwc, threads: 2);
    }
}

/// <summary>BenchmarkDotNet view of the same cases (in-process short job, Program's config): <c>--filter *SlidingMax*</c>.</summary>
public class SlidingMaxBenchmarks
{
    [ParamsSource(nameof(Cases))]
    public SlidingCase Case { get; set; } = null!;

    public static IEnumerable<SlidingCase> Cases() => SlidingCase.All();

    [Benchmark(Baseline = true)] public void Baseline() => Case.Variants[0].Run();
    [Benchmark] public void VanHerk() => Case.Variants[^1].Run();
}

/// <summary>
/// An interleaved harness (docs/performance.md: ratios from one run, alternating variants, repeated): per round every variant is
/// timed for at least <c>minMs</c> in a rotating order; the ratio baseline / variant is taken per round, and its median and range
/// over the rounds are reported.
/// </summary>
public static class SlidingMaxInterleaved
{
    public static void Run(TextWriter o, int rounds = 9, double minMs = 15, IEnumerable<SlidingCase>? cases = null)
    {
        foreach (var c in cases ?? SlidingCase.All())
        {
            int v = c.Variants.Length;
            var reps = new int[v];
            for (int i = 0; i < v; i++)
            {
                c.Variants[i].Run(); // warm-up and JIT
                var sw = Stopwatch.StartNew();
                int n = 0;
                while (sw.Elapsed.TotalMilliseconds < minMs) { c.Variants[i].Run(); n++; }
                reps[i] = Math.Max(1, n);
            }
            var t = new double[rounds, v];
            for (int r = 0; r < rounds; r++)
                for (int jj = 0; jj < v; jj++)
                {
                    int i = (jj + r) % v;
                    var sw = Stopwatch.StartNew();
                    for (int n = 0; n < reps[i]; n++) c.Variants[i].Run();
                    t[r, i] = sw.Elapsed.TotalMicroseconds / reps[i];
                }
            o.WriteLine(c.Name);
            for (int i = 0; i < v; i++)
            {
                var times = Enumerable.Range(0, rounds).Select(r => t[r, i]).Order().ToArray();
                var ratios = Enumerable.Range(0, rounds).Select(r => t[r, 0] / t[r, i]).Order().ToArray();
                o.WriteLine($"  {c.Variants[i].Label,-22} median {times[rounds / 2],9:F1} us   speed-up over {c.Variants[0].Label}: {ratios[rounds / 2]:F2}x (range {ratios[0]:F2}-{ratios[^1]:F2})");
            }
        }
    }
}
