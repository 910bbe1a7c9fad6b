namespace PoolingConformance.Reference;

/// <summary>Reduction of one MOP window to a descriptor.</summary>
public enum MopReduce { Avg, Max, None }

/// <summary>One MOP level: window and stride (square, no padding), the window reduction, whether VLAD is applied.</summary>
public sealed record MopLevel(int Window, int Stride, MopReduce Reduce, bool Vlad);

/// <summary>
/// Multi-scale orderless pooling (Gong, Wang, Guo, Lazebnik, ECCV 2014, arXiv:1403.1840) as a pooling operator over one
/// C×H×W map (METHODS.md §9). Per level: windows extracted row-major at the stride (they must fit: <c>((H − w)/t + 1)·((W − w)/t + 1)</c>
/// windows), each reduced to a descriptor <c>d</c> (<c>Avg</c>/<c>Max</c> over the window per channel: C values; <c>None</c>:
/// the window's values flattened channel, row, column: C·w² values — the CNN of the paper is outside the operator),
/// optional PCA <c>z = P(d − μ)</c>, then hard VLAD (Jégou et al. 2010): <c>k* = argmin_k ‖z − c_k‖²</c> (lowest k on ties),
/// <c>v_k = Σ_{z: k*=k} (z − c_k)</c>, k-major; a level without VLAD sums its descriptors (one window: the descriptor itself,
/// the paper's level 1). Every value carries a first-order bound; each window records the margin of its assignment.
/// </summary>
public static class Mop
{
    public sealed record LevelResult(double[] V, double[] Dv, double MinMargin);

    public static int Count(int len, int w, int t) => (len - w) / t + 1;

    /// <summary>Descriptors of a level's windows (row-major window order) and their bounds.</summary>
    public static List<(double[] D, double[] Dd)> Descriptors(ReadOnlySpan<double> x, int c, int h, int w, MopLevel lv, double u)
    {
        var list = new List<(double[], double[])>();
        int nh = Count(h, lv.Window, lv.Stride), nw = Count(w, lv.Window, lv.Stride), k = lv.Window;
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nw; j++)
            {
                int h0 = i * lv.Stride, w0 = j * lv.Stride;
                if (lv.Reduce == MopReduce.None)
                {
                    var d = new double[c * k * k];
                    for (int ch = 0; ch < c; ch++)
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++) d[(ch * k + a) * k + b] = x[(ch * h + h0 + a) * w + w0 + b];
                    list.Add((d, new double[d.Length]));
                    continue;
                }
                var dv = new double[c]; var dd = new double[c];
                for (int ch = 0; ch < c; ch++)
                {
                    double s = 0, m = 0, mx = double.NegativeInfinity; bool nan = false;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                        {
                            double v = x[(ch * h + h0 + a) * w + w0 + b];
                            s += v; m += Math.Abs(v); nan |= double.IsNaN(v);
                            if (v > mx) mx = v;
                        }
                    dv[ch] = lv.Reduce == MopReduce.Avg ? s / (k * k) : nan ? double.NaN : mx;
                    dd[ch] = lv.Reduce == MopReduce.Avg ? (k * k + 2) * u * m / (k * k) : 0;
                }
                list.Add((dv, dd));
            }
        return list;
    }

    /// <summary><c>z = P(d − μ)</c>, P D×C; bound <c>(C + 2)·u·Σ|P|(|d| + |μ|) + Σ|P|·δd</c>.</summary>
    public static (double[] Z, double[] Dz) Pca(double[] d, double[] dd, double[] mu, double[] p, int dim, double u)
    {
        int c = d.Length;
        var z = new double[dim]; var dz = new double[dim];
        for (int r = 0; r < dim; r++)
        {
            double s = 0, m = 0, e = 0;
            for (int q = 0; q < c; q++)
            {
                s += p[r * c + q] * (d[q] - mu[q]);
                m += Math.Abs(p[r * c + q]) * (Math.Abs(d[q]) + Math.Abs(mu[q]));
                e += Math.Abs(p[r * c + q]) * dd[q];
            }
            z[r] = s; dz[r] = (c + 2) * u * m + e;
        }
        return (z, dz);
    }

    /// <summary>
    /// Hard VLAD of descriptors <c>z</c> against a K×D codebook. Margin of a window: the gap between its two smallest distances
    /// minus both distances' bounds (<c>δdist_k = Σ_j 2|z_j − c_kj|·δz_j + (D + 2)·u·dist_k</c>); ≤ 0 means a correct backend
    /// may assign differently.
    /// </summary>
    public static LevelResult Vlad(List<(double[] Z, double[] Dz)> zs, double[] cb, int k, double u)
    {
        int dim = zs[0].Z.Length;
        var v = new double[k * dim]; var dv = new double[k * dim];
        var assign = new int[zs.Count];
        var counts = new int[k];
        double minMargin = double.PositiveInfinity;
        for (int wi = 0; wi < zs.Count; wi++)
        {
            var (z, dz) = zs[wi];
            var dist = new double[k]; var ddist = new double[k];
            for (int q = 0; q < k; q++)
            {
                double s = 0, e = 0;
                for (int j = 0; j < dim; j++) { double r = z[j] - cb[q * dim + j]; s += r * r; e += 2 * Math.Abs(r) * dz[j]; }
                dist[q] = s; ddist[q] = e + (dim + 2) * u * s;
            }
            int best = 0;
            for (int q = 1; q < k; q++) if (dist[q] < dist[best]) best = q;
            for (int q = 0; q < k; q++)
                if (q != best) minMargin = Math.Min(minMargin, dist[q] - dist[best] - ddist[q] - ddist[best]);
            if (dist.Any(double.IsNaN)) best = 0;
            assign[wi] = best; counts[best]++;
        }
        for (int wi = 0; wi < zs.Count; wi++)
        {
            var (z, dz) = zs[wi];
            int q = assign[wi];
            for (int j = 0; j < dim; j++)
            {
                double r = z[j] - cb[q * dim + j];
                v[q * dim + j] += r;
                dv[q * dim + j] += dz[j] + (counts[q] + 1) * u * Math.Abs(r);
            }
        }
        return new LevelResult(v, dv, minMargin);
    }

    /// <summary>A level without VLAD: the sum of its descriptors.</summary>
    public static LevelResult Sum(List<(double[] Z, double[] Dz)> zs, double u)
    {
        int dim = zs[0].Z.Length;
        var v = new double[dim]; var dv = new double[dim];
        foreach (var (z, dz) in zs)
            for (int j = 0; j < dim; j++) { v[j] += z[j]; dv[j] += dz[j] + zs.Count * u * Math.Abs(z[j]); }
        return new LevelResult(v, dv, double.PositiveInfinity);
    }
}
