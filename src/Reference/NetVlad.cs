namespace PoolingConformance.Reference;

/// <summary>
/// NetVLAD (Arandjelović et al., CVPR 2016) over one set of N descriptors of dimension D with K clusters, in double:
/// (0) optional <c>x_i ← x_i / max(‖x_i‖₂, eps)</c>; (1) <c>a_k(x_i) = softmax_k(w_kᵀx_i + b_k)</c> (max subtracted);
/// (2) <c>V(k, j) = Σ_i a_k(x_i)·(x_i(j) − c_k(j))</c>; (3) intra-normalization <c>V(k,:) / max(‖V(k,:)‖₂, eps)</c>;
/// (4) k-major flatten (element <c>k·D + j</c>); (5) global <c>V / max(‖V‖₂, eps)</c>.
/// Every step carries a first-order absolute error bound (TESTING.md §3.5 for softmax ops).
/// </summary>
public static class NetVlad
{
    /// <summary>exp's relative error in units of u (CUDA's documented 2-ulp expf doubled, twice for the max-subtracted form).</summary>
    public const int CExp = 8;

    /// <summary>
    /// The paper's parameterization: <c>w_k = 2α·c_k</c>, <c>b_k = −α‖c_k‖²</c>, so that <c>softmax_k(w_kᵀx + b_k) =
    /// softmax_k(−α‖x − c_k‖²)</c> (the <c>−α‖x‖²</c> term is common to every k and cancels). Returns w as K×D row-major and b.
    /// </summary>
    public static (double[] W, double[] B) PaperInit(double[] centers, int k, int d, double alpha)
    {
        if (centers.Length != k * d) throw new ArgumentException($"centers must hold K·D = {k * d} values");
        var w = new double[k * d]; var b = new double[k];
        for (int c = 0; c < k; c++)
        {
            double sq = 0;
            for (int j = 0; j < d; j++) { w[c * d + j] = 2 * alpha * centers[c * d + j]; sq += centers[c * d + j] * centers[c * d + j]; }
            b[c] = -alpha * sq;
        }
        return (w, b);
    }

    /// <summary>Softmax over a vector, the maximum subtracted first.</summary>
    public static double[] Softmax(double[] z)
    {
        double mx = z.Max();
        if (double.IsNaN(mx) || z.Any(double.IsNaN)) return z.Select(_ => double.NaN).ToArray();
        var e = z.Select(v => Math.Exp(v - mx)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    /// <summary>
    /// One sample. <paramref name="x"/> is D×N (channels-first, location <c>i</c> at column i), w K×D, b K, c K×D.
    /// Returns the K·D output and its per-element bound.
    /// </summary>
    public static (double[] Y, double[] Dy) Apply(double[] x, int d, int n, double[] w, double[] b, double[] c, int k, bool normalizeInput, double eps, double u)
    {
        var v = new double[k * d];
        var mag = new double[k * d];   // Σ_i a_ki·(|x_ij| + |c_kj|): the scale of each residual sum's error
        double rA = 0;                 // largest relative error of an assignment
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var xi = new double[d];
            for (int j = 0; j < d; j++) xi[j] = x[j * n + i];
            if (normalizeInput)
            {
                double nn = Math.Sqrt(xi.Sum(t => t * t));
                double den = Math.Max(nn, eps);
                for (int j = 0; j < d; j++) xi[j] /= den;
            }
            rows[i] = xi;
        }
        var assign = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var logits = new double[k];
            double maxDl = 0;
            for (int q = 0; q < k; q++)
            {
                double s = b[q], sa = Math.Abs(b[q]);
                for (int j = 0; j < d; j++) { s += w[q * d + j] * rows[i][j]; sa += Math.Abs(w[q * d + j] * rows[i][j]); }
                logits[q] = s;
                // The dot product (D + 1 roundings) on x known to (D/2 + 3)·u relative when normalized.
                maxDl = Math.Max(maxDl, (d + 2 + (normalizeInput ? d / 2.0 + 3 : 0)) * u * sa);
            }
            assign[i] = Softmax(logits);
            // A logit error δ changes every softmax output by at most a factor e^{2δ} ≈ 1 + 2δ.
            rA = Math.Max(rA, (k + CExp + 3) * u + 2 * maxDl);
        }
        for (int q = 0; q < k; q++)
            for (int j = 0; j < d; j++)
            {
                double s = 0, m = 0;
                for (int i = 0; i < n; i++)
                {
                    s += assign[i][q] * (rows[i][j] - c[q * d + j]);
                    m += assign[i][q] * (Math.Abs(rows[i][j]) + Math.Abs(c[q * d + j]));
                }
                v[q * d + j] = s; mag[q * d + j] = m;
            }
        // δV = (N + 3 + D/2 + 3)·u·mag (sum of N products, the subtraction, the normalized x) + rA·mag.
        double cv = (n + 3 + (normalizeInput ? d / 2.0 + 3 : 0)) * u + rA;
        var y = new double[k * d]; var dy = new double[k * d];
        for (int q = 0; q < k; q++)
        {
            var blk = v.AsSpan(q * d, d).ToArray();
            var dblk = mag.AsSpan(q * d, d).ToArray().Select(t => cv * t).ToArray();
            var (yb, db) = NormalizeSteps.L2(blk, dblk, eps, u);
            yb.CopyTo(y, q * d); db.CopyTo(dy, q * d);
        }
        return NormalizeSteps.L2(y, dy, eps, u);
    }
}
