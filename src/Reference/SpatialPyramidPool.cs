using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>How an SPP level of <c>n</c> bins is laid over an axis of length <c>a</c> (METHODS.md §5; three incompatible conventions).</summary>
public enum SppBinning
{
    /// <summary>The paper: window <c>ceil(a/n)</c>, stride <c>floor(a/n)</c>, no padding; refused unless that gives <c>n</c> windows (<see cref="PoolGeometry.SppPaper"/>).</summary>
    Paper,
    /// <summary>Caffe <c>spp_layer.cpp</c>: kernel = stride = <c>ceil(a/n)</c>, pad <c>(kernel·n − a + 1)/2</c>, Caffe's ceil rule; <c>pad ≥ kernel</c> refused (<see cref="PoolGeometry.SppCaffe"/>).</summary>
    Caffe,
    /// <summary>PyTorch adaptive bins <c>[floor(i·a/n), ceil((i+1)·a/n))</c>: always <c>n</c> bins, valid for <c>a &lt; n</c> (<see cref="PoolGeometry.AdaptiveBin"/>).</summary>
    Adaptive,
}

/// <summary>
/// Spatial pyramid pooling (He et al., ECCV 2014; METHODS.md §5). Input N×C×H×W; for each level <c>n</c>, in the order given
/// (never sorted), the plane is pooled into <c>n×n</c> bins laid out by the <see cref="SppBinning"/>; the level block is
/// flattened channel-major — element <c>c·n² + y·n + x</c> — and the blocks are concatenated:
/// <c>y[b] = [level_1 (C·n_1²) | level_2 | …]</c>, length <c>C·Σn²</c> whatever H and W.
/// <para>Max: <see cref="MaxPool.Reduce"/> over the in-bounds taps of each bin (padding cells of the Caffe binning are skipped,
/// never read as a sentinel), with the semantics the caller names (PyTorch's for <c>poolconf.spp</c>: NaN propagates, ties keep
/// the first; Caffe's for <c>caffe.spp</c>: the scan starts at −FLT_MAX and NaN never wins). Average:
/// <see cref="AveragePool.Apply"/> with <see cref="DivisorPolicy.IncludePad"/> — the bin's size for the paper and adaptive
/// binnings (no padding there), and Caffe AVE's divisor counting padding cells for the Caffe binning — with its derived bound.</para>
/// </summary>
public static class SpatialPyramidPool
{
    /// <summary>The <c>n×n</c> bins of one level over an H×W plane, in row-major bin order (taps as flat in-plane indices).</summary>
    public static Window[] LevelWindows(int h, int w, int n, SppBinning binning, string field = "levels")
    {
        if (n < 1) throw new InvalidParameterException(field, $"every pyramid level must be at least 1, got {n}");
        return binning switch
        {
            SppBinning.Paper => Windows.Enumerate([PoolGeometry.SppPaper(h, n, field), PoolGeometry.SppPaper(w, n, field)]),
            SppBinning.Caffe => Windows.Enumerate([PoolGeometry.SppCaffe(h, n, field), PoolGeometry.SppCaffe(w, n, field)]),
            _ => AdaptivePool.Bins([h, w], [n, n]),
        };
    }

    /// <summary>One line per level: its per-axis geometry (the descriptor of <c>explain</c> and failure reports).</summary>
    public static string Describe(int h, int w, IReadOnlyList<int> levels, SppBinning binning, Reduction reduction) =>
        $"SPP {reduction} binning={binning} in=[{h},{w}] levels=[{string.Join(",", levels)}]" + string.Concat(levels.Select(n => binning switch
        {
            SppBinning.Paper => $" | n={n}: H[{PoolGeometry.SppPaper(h, n)}] W[{PoolGeometry.SppPaper(w, n)}]",
            SppBinning.Caffe => $" | n={n}: H[{PoolGeometry.SppCaffe(h, n)}] W[{PoolGeometry.SppCaffe(w, n)}]",
            _ => $" | n={n}: adaptive",
        }));

    /// <summary>
    /// Every bin of every level, numbered in output order within one (n, c = 0) block of each level
    /// (level offset + <c>y·n + x</c>); what <c>explain</c> prints and where suite NaN fills are placed.
    /// </summary>
    public static Window[] AllWindows(int h, int w, IReadOnlyList<int> levels, SppBinning binning, string field = "levels")
    {
        var all = new List<Window>();
        foreach (var n in levels)
        {
            int offset = all.Count;
            all.AddRange(LevelWindows(h, w, n, binning, field).Select(win => win with { Output = offset + win.Output }));
        }
        return all.ToArray();
    }

    /// <summary>
    /// Pools N×C×H×W into N × (C·Σn²). <paramref name="scanType"/> is the dtype whose lowest finite value starts a
    /// <see cref="MaxInitial.Lowest"/> scan (Caffe's literal −FLT_MAX is float32's whatever the input dtype).
    /// </summary>
    public static Expectation Compute(Tensor x, IReadOnlyList<int> levels, SppBinning binning, Reduction reduction, PoolSemantics sem,
        string name, string field = "levels", DType? scanType = null)
    {
        if (levels.Count == 0) throw new InvalidParameterException(field, "at least one pyramid level is required");
        int batch = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int plane = h * w;
        int perSample = checked(c * levels.Sum(n => checked(n * n)));
        var vals = new double[checked(batch * perSample)];
        double[]? bound = reduction == Reduction.Average ? new double[vals.Length] : null;
        int levelOffset = 0;
        foreach (var n in levels)
        {
            var windows = LevelWindows(h, w, n, binning, field);
            int bins = n * n;
            if (reduction == Reduction.Max)
            {
                for (int b = 0; b < batch; b++)
                    for (int ch = 0; ch < c; ch++)
                        for (int j = 0; j < bins; j++)
                        {
                            var (v, _, _) = MaxPool.Reduce(x.Data, (b * c + ch) * plane, windows[j].Taps, sem, scanType ?? x.DType);
                            vals[b * perSample + levelOffset + ch * bins + j] = x.DType.Round(v);
                        }
            }
            else
            {
                // AveragePool.Apply gives N×C×n×n; sample b's level block is its C·n² consecutive elements.
                var avg = AveragePool.Apply(x, windows, [n, n], sem with { Divisor = DivisorPolicy.IncludePad }, 0, name);
                for (int b = 0; b < batch; b++)
                {
                    Array.Copy(avg.Value.Data, b * c * bins, vals, b * perSample + levelOffset, c * bins);
                    Array.Copy(avg.Bound!, b * c * bins, bound!, b * perSample + levelOffset, c * bins);
                }
            }
            levelOffset += c * bins;
        }
        return new Expectation { Name = name, Value = new Tensor(x.DType, [batch, perSample], vals), Bound = bound };
    }

    /// <summary>Checks an SPP input: rank 4 (N×C×H×W), with C, H and W non-zero (N = 0 allowed).</summary>
    public static void RequireNchw(Tensor x, string op, string input = "input")
    {
        if (x.Rank != 4) throw InputErrors.Bad(input, $"{op} expects a 4-D input N×C×H×W, got {Tensor.ShapeText(x.Shape)}");
        if (x.Shape[1] == 0 || x.Shape[2] == 0 || x.Shape[3] == 0)
            throw InputErrors.Bad(input, $"{op}: channels and spatial sizes must be non-zero, got {Tensor.ShapeText(x.Shape)}");
    }

    /// <summary>Validates a level list: non-empty, every entry at least 1.</summary>
    public static int[] ValidLevels(int[]? levels, string field = "levels")
    {
        if (levels is null) throw new InvalidParameterException(field, $"'{field}' is required (a list of bin counts, e.g. [1, 2, 4])");
        if (levels.Length == 0) throw new InvalidParameterException(field, $"'{field}' must not be empty");
        foreach (var n in levels)
            if (n < 1) throw new InvalidParameterException(field, $"every pyramid level must be at least 1, got {n}");
        return levels;
    }
}
