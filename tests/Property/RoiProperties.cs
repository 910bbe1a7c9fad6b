using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// One generated ROI problem: an N×C×H×W float32 map, K boxes <c>[batch, x1, y1, x2, y2]</c> in image coordinates, the output
/// size, sampling ratio, alignment and spatial scale. Box corners are quarter-pixels of the map divided by the scale, so they
/// are exact in float32 and their scaled values hit the rounding ties 0.5, 1.5, … of roi_pool.
/// </summary>
public sealed record RoiCase(int N, int C, int H, int W, int Ph, int Pw, int Sr, bool Aligned, double Scale, Family Family, double[] X, double[][] Boxes)
{
    public Tensor Input => new(DType.Float32, [N, C, H, W], X);
    public Tensor Boxes5 => new(DType.Float32, [Boxes.Length, 5], Boxes.SelectMany(b => b).ToArray());
    public Tensor Boxes4 => new(DType.Float32, [Boxes.Length, 4], Boxes.SelectMany(b => b.Skip(1)).ToArray());
    public Tensor BatchIndices => new(DType.Int64, [Boxes.Length], Boxes.Select(b => b[0]).ToArray());
    public RoiCase WithData(double[] x) => this with { X = x };

    public string ScaleJson => Fmt(Scale);

    /// <summary>torchvision parameters (roi_pool and ps_roi_pool take neither sampling_ratio nor aligned; ps_roi_align no aligned).</summary>
    public string Tv(bool sampling = true, bool aligned = true) =>
        $$"""{"output_size":[{{Ph}},{{Pw}}],"spatial_scale":{{ScaleJson}}{{(sampling ? $",\"sampling_ratio\":{Sr}" : "")}}{{(aligned ? $",\"aligned\":{J(Aligned)}" : "")}}}""";

    /// <summary>onnx.RoiAlign parameters: sampling_ratio ≤ 0 is ONNX's 0 (adaptive); aligned ↔ half_pixel.</summary>
    public string Onnx(string mode = "avg") =>
        $$"""{"output_height":{{Ph}},"output_width":{{Pw}},"sampling_ratio":{{Math.Max(Sr, 0)}},"spatial_scale":{{ScaleJson}},"mode":"{{mode}}","coordinate_transformation_mode":"{{(Aligned ? "half_pixel" : "output_half_pixel")}}"}""";

    public string Caffe => $$"""{"pooled_h":{{Ph}},"pooled_w":{{Pw}},"sampling_ratio":{{Sr}},"spatial_scale":{{ScaleJson}}}""";

    public override string ToString() =>
        $"RoiCase(N={N} C={C} H={H} W={W} out={Ph}x{Pw} sr={Sr} aligned={Aligned} scale={ScaleJson} {Family} " +
        $"boxes=[{string.Join("; ", Boxes.Select(b => string.Join(" ", b.Select(Fmt))))}] x=[{string.Join(" ", X.Select(Fmt))}])";
}

/// <summary>
/// Invariants of the ROI ops (METHODS.md §7, DIALECTS.md §2, §3.4, §4.6, §9 rows 9–11, issue 3): roi_pool selects an element of
/// its bin (the whole map at 1×1 is the global max), ROI Align is linear and reproduces constants, the position-sensitive ops
/// read their channel, the dialect pairs coincide where their switches do, and crop_and_resize of the whole image is the identity.
/// </summary>
[TestFixture]
public class RoiProperties
{
    const double U32 = 1.0 / (1 << 24);
    static readonly double Lowest32 = -(double)float.MaxValue;

    // ───────────────────────────── generators ─────────────────────────────

    /// <summary>
    /// A corner pair along an axis of <paramref name="len"/> pixels, in map coordinates (quarter pixels). <c>inside</c>: a ≤ b − 1/4,
    /// a ∈ [0, len − 1], b ≤ len − 3/4, so every ROI Align sample (with or without the −0.5 offset, with or without the ROI ≥ 1
    /// clamp) lies in [−1, len] where the bilinear rule clamps instead of cutting off. Otherwise anything in [−2, len + 2]:
    /// reversed, degenerate (a = b, one in five), partly or fully outside.
    /// </summary>
    static Gen<(double A, double B)> Span(int len, bool inside) => inside
        ? from a in Gen.Choose(0, 4 * (len - 1)) from b in Gen.Choose(a + 1, 4 * (len - 1) + 1) select (a / 4.0, b / 4.0)
        : Gen.Frequency(
            (4, from a in Gen.Choose(-8, 4 * len + 8) from b in Gen.Choose(-8, 4 * len + 8) select (a / 4.0, b / 4.0)),
            (1, from a in Gen.Choose(-8, 4 * len + 8) select (a / 4.0, a / 4.0)));

    static Gen<double[]> Box(int n, int h, int w, double scale, bool inside) =>
        from b in Gen.Choose(0, n - 1)
        from x in Span(w, inside)
        from y in Span(h, inside)
        select new[] { b, x.A / scale, y.A / scale, x.B / scale, y.B / scale };

    /// <summary>ROI problems; <paramref name="ps"/> makes C a multiple of PH·PW (C_out ∈ {1, 2}).</summary>
    static Gen<RoiCase> Cases(Family[] families, bool ps = false, bool inside = false, int[]? samplingRatios = null) =>
        from n in Gen.Choose(1, 2)
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from ph in Gen.Choose(1, 3)
        from pw in Gen.Choose(1, 3)
        from c in ps ? Gen.Choose(1, 2).Select(co => co * ph * pw) : Gen.Choose(1, 3)
        from sr in Gen.Elements(samplingRatios ?? [-1, 0, 1, 2, 3])
        from aligned in Gen.Elements(false, true)
        from scale in Gen.Elements(1.0, 0.5, 0.25)
        from fam in Gen.Elements(families)
        from x in Gens.Values(fam, n * c, h * w, DType.Float32)
        from k in Gen.Choose(1, 4)
        from boxes in Gen.ArrayOf(Box(n, h, w, scale, inside), k)
        select new RoiCase(n, c, h, w, ph, pw, sr, aligned, scale, fam, x, boxes);

    /// <summary>Shrinks by dropping boxes (the failing box is usually alone at the end).</summary>
    static IEnumerable<RoiCase> Shrink(RoiCase c) =>
        c.Boxes.Length <= 1 ? [] : Enumerable.Range(0, c.Boxes.Length).Select(i => c with { Boxes = c.Boxes.Where((_, j) => j != i).ToArray() });

    static Arbitrary<RoiCase> Arb_(Gen<RoiCase> g) => Arb.From(g, Shrink);

    static Expectation Tv(string op, RoiCase c, string json) => Eval(op, json, ("input", c.Input), ("boxes", c.Boxes5)).Outputs["output"];
    static Expectation Tv(string op, RoiCase c, string json, Tensor x) => Eval(op, json, ("input", x), ("boxes", c.Boxes5)).Outputs["output"];
    static Expectation OnnxAlign(RoiCase c, string mode = "avg", Tensor? x = null) =>
        Eval("onnx.RoiAlign", c.Onnx(mode), ("X", x ?? c.Input), ("rois", c.Boxes4), ("batch_indices", c.BatchIndices)).Outputs["Y"];
    static Expectation Caffe(RoiCase c, Tensor? x = null) =>
        Eval("caffe.roi_align", c.Caffe, ("X", x ?? c.Input), ("rois", c.Boxes5)).Outputs["Y"];

    /// <summary>The ROI Align family under test: name → its output for a case (and an optional replacement map).</summary>
    static Expectation Align(string op, RoiCase c, Tensor? x = null) => op switch
    {
        "torchvision.roi_align" or "poolconf.roi_align_max" => Tv(op, c, c.Tv(), x ?? c.Input),
        "torchvision.ps_roi_align" => Tv(op, c, c.Tv(aligned: false), x ?? c.Input),
        "onnx.RoiAlign" => OnnxAlign(c, "avg", x),
        "caffe.roi_align" => Caffe(c, x),
        _ => throw new ArgumentException(op),
    };

    /// <summary>Whether the op subtracts half a pixel without clamping the ROI (else: no offset, ROI ≥ 1).</summary>
    static bool HalfPixel(string op, RoiCase c) => op switch
    {
        "torchvision.ps_roi_align" => true,
        "caffe.roi_align" => false,
        _ => c.Aligned,
    };

    static void Within(double got, double want, double bound, Func<string> what)
    {
        if (double.IsNaN(want) || double.IsNaN(got)) { Require(double.IsNaN(want) && double.IsNaN(got), () => $"{what()}: {Fmt(got)} vs {Fmt(want)}"); return; }
        if (got == want) return; // equal infinities included
        Require(Math.Abs(got - want) <= bound, () => $"{what()}: {Fmt(got)} vs {Fmt(want)}, |diff| {Fmt(Math.Abs(got - want))} > bound {Fmt(bound)}");
    }

    static double B(Expectation e, int o) => e.Bound?[o] ?? 0;

    // ───────────────────────────── roi_pool / MaxRoiPool ─────────────────────────────

    /// <summary>
    /// A Fast R-CNN bin along one axis computed here in C# <c>float</c> (IEEE single, as the C++ kernels compute in the boxes'
    /// dtype): corners <c>roundf(x·σ)</c> half away from zero, size <c>max(e − s + 1, 1)</c> (roi_pool) or <c>max(e − s, 1)</c>
    /// (ps_roi_pool), <c>bin = size/P</c>, <c>[floor(p·bin) + s, ceil((p + 1)·bin) + s)</c> clipped to <c>[0, clip]</c>.
    /// </summary>
    static (int S, int E) FastRcnnBin(double start, double end, double scale, int p, int pooled, int clip, bool plusOne)
    {
        float sc = (float)scale;
        int s = (int)MathF.Round((float)start * sc, MidpointRounding.AwayFromZero);
        int e = (int)MathF.Round((float)end * sc, MidpointRounding.AwayFromZero);
        int size = Math.Max(e - s + (plusOne ? 1 : 0), 1);
        float bin = (float)size / pooled;
        int lo = (int)MathF.Floor(p * bin) + s, hi = (int)MathF.Ceiling((p + 1) * bin) + s;
        return (Math.Clamp(lo, 0, clip), Math.Clamp(hi, 0, clip));
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RoiPool_EveryOutputIsTheMaxOfItsBin_AnElementOfIt_OrZeroWhenEmpty()
    {
        // METHODS.md §7a: an empty bin gives 0; otherwise the strict-> max from −FLT_MAX: an element of the bin that is ≥ every
        // non-NaN element, or −FLT_MAX when the bin holds only NaN or −∞. Both torchvision.roi_pool and onnx.MaxRoiPool.
        var gen = from c in Cases(FamilySets.All) from onnx in Gen.Elements(false, true) select (c, onnx);
        return Prop.ForAll(Arb.From(gen, t => Shrink(t.c).Select(c => (c, t.onnx))), t =>
        {
            var (c, onnx) = t;
            var y = onnx
                ? Eval("onnx.MaxRoiPool", $$"""{"pooled_shape":[{{c.Ph}},{{c.Pw}}],"spatial_scale":{{c.ScaleJson}}}""", ("X", c.Input), ("rois", c.Boxes5)).Outputs["Y"].Value.Data
                : Tv("torchvision.roi_pool", c, c.Tv(false, false)).Value.Data;
            for (int k = 0; k < c.Boxes.Length; k++)
            {
                var bx = c.Boxes[k];
                for (int ch = 0; ch < c.C; ch++)
                    for (int i = 0; i < c.Ph; i++)
                        for (int j = 0; j < c.Pw; j++)
                        {
                            var (hs, he) = FastRcnnBin(bx[2], bx[4], c.Scale, i, c.Ph, c.H, plusOne: true);
                            var (ws, we) = FastRcnnBin(bx[1], bx[3], c.Scale, j, c.Pw, c.W, plusOne: true);
                            int o = ((k * c.C + ch) * c.Ph + i) * c.Pw + j, plane = ((int)bx[0] * c.C + ch) * c.H * c.W;
                            double got = y[o];
                            Func<string> what = () => $"{(onnx ? "MaxRoiPool" : "roi_pool")} box {k} channel {ch} bin ({i},{j}) rows [{hs},{he}) cols [{ws},{we})";
                            if (he <= hs || we <= ws) { Require(SameBits(got, 0.0), () => $"{what()}: empty bin gave {Fmt(got)}"); continue; }
                            var bin = (from yy in Enumerable.Range(hs, he - hs) from xx in Enumerable.Range(ws, we - ws) select c.X[plane + yy * c.W + xx]).ToArray();
                            var real = bin.Where(v => !double.IsNaN(v)).ToArray();
                            Require(real.All(v => got >= v), () => $"{what()}: {Fmt(got)} is below an element of [{string.Join(" ", bin.Select(Fmt))}]");
                            Require(got == Lowest32 || bin.Any(v => SameBits(v, got)),
                                () => $"{what()}: {Fmt(got)} is not an element of [{string.Join(" ", bin.Select(Fmt))}]");
                            if (got == Lowest32 && !bin.Any(v => v == Lowest32))
                                Require(real.All(v => v == double.NegativeInfinity), () => $"{what()}: −FLT_MAX although the bin has a finite element");
                        }
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property RoiPool_OneRoiOverTheWholeMap_1x1_IsTheGlobalMax()
    {
        // METHODS.md §7a invariant: box (−m, −m, W − 1 + m, H − 1 + m) covers the map (its bin clips to [0, H) × [0, W)) → the
        // global max with NaN never selected: a scan with strict > from −FLT_MAX (first of ±0 kept). Also onnx.MaxRoiPool.
        var gen = from c in Cases(FamilySets.All)
                  from m in Gen.Choose(0, 2)
                  select c with
                  {
                      Ph = 1, Pw = 1,
                      Boxes = Enumerable.Range(0, c.N).Select(b => new[] { b, -m / c.Scale, -m / c.Scale, (c.W - 1 + m) / c.Scale, (c.H - 1 + m) / c.Scale }).ToArray(),
                  };
        return Prop.ForAll(Arb.From(gen), c =>
        {
            var tv = Tv("torchvision.roi_pool", c, c.Tv(false, false)).Value.Data;
            var onnx = Eval("onnx.MaxRoiPool", $$"""{"pooled_shape":[1,1],"spatial_scale":{{c.ScaleJson}}}""", ("X", c.Input), ("rois", c.Boxes5)).Outputs["Y"].Value.Data;
            int plane = c.H * c.W;
            for (int p = 0; p < c.N * c.C; p++)
            {
                double max = Lowest32;
                for (int t = 0; t < plane; t++) if (c.X[p * plane + t] > max) max = c.X[p * plane + t];
                int pp = p;
                Require(SameBits(tv[p], max), () => $"roi_pool plane {pp}: {Fmt(tv[pp])}, global max {Fmt(max)}");
                Require(SameBits(onnx[p], max), () => $"MaxRoiPool plane {pp}: {Fmt(onnx[pp])}, global max {Fmt(max)}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property MaxRoiPool_EqualsTorchvisionRoiPool()
    {
        // DIALECTS.md §3.4 / §9 row 11: ONNX Runtime's MaxRoiPool is the Fast R-CNN kernel, as torchvision's roi_pool: same
        // selections bit for bit (spatial_scale here is a power of two, so ONNX's float32 attribute equals the double).
        return Prop.ForAll(Arb_(Cases(FamilySets.All)), c =>
        {
            var tv = Tv("torchvision.roi_pool", c, c.Tv(false, false)).Value.Data;
            var onnx = Eval("onnx.MaxRoiPool", $$"""{"pooled_shape":[{{c.Ph}},{{c.Pw}}],"spatial_scale":{{c.ScaleJson}}}""", ("X", c.Input), ("rois", c.Boxes5)).Outputs["Y"].Value.Data;
            for (int o = 0; o < tv.Length; o++) { int oo = o; Require(SameBits(tv[o], onnx[o]), () => $"output {oo}: roi_pool {Fmt(tv[oo])}, MaxRoiPool {Fmt(onnx[oo])}"); }
            return true;
        });
    }

    // ───────────────────────────── ps_roi_pool ─────────────────────────────

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property PsRoiPool_IsTheMeanOfItsBin_OnThePositionSensitiveChannel()
    {
        // DIALECTS.md §2.3: bin (ph, pw) of output channel c_out averages input channel (c_out·PH + ph)·PW + pw over
        // [floor(p·bin) + s, ceil((p + 1)·bin) + s) clipped to [0, H − 1] (no +1 in the size); an empty bin is 0.
        return Prop.ForAll(Arb_(Cases(FamilySets.Moderate, ps: true)), c =>
        {
            var e = Tv("torchvision.ps_roi_pool", c, c.Tv(false, false));
            int cOut = c.C / (c.Ph * c.Pw);
            for (int k = 0; k < c.Boxes.Length; k++)
            {
                var bx = c.Boxes[k];
                for (int co = 0; co < cOut; co++)
                    for (int i = 0; i < c.Ph; i++)
                        for (int j = 0; j < c.Pw; j++)
                        {
                            var (hs, he) = FastRcnnBin(bx[2], bx[4], c.Scale, i, c.Ph, c.H - 1, plusOne: false);
                            var (ws, we) = FastRcnnBin(bx[1], bx[3], c.Scale, j, c.Pw, c.W - 1, plusOne: false);
                            int cin = (co * c.Ph + i) * c.Pw + j, plane = ((int)bx[0] * c.C + cin) * c.H * c.W;
                            int o = ((k * cOut + co) * c.Ph + i) * c.Pw + j;
                            double want = 0;
                            if (he > hs && we > ws)
                                want = (from yy in Enumerable.Range(hs, he - hs) from xx in Enumerable.Range(ws, we - ws) select c.X[plane + yy * c.W + xx]).Average();
                            int kk = k, ii = i, jj = j, cc = co;
                            Within(e.Value.Data[o], want, B(e, o) + 2 * U32 * Math.Abs(want), () => $"box {kk} c_out {cc} bin ({ii},{jj}) channel {cin} rows [{hs},{he}) cols [{ws},{we})");
                        }
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property PsRoiPool_ChannelConstants_TellWhichChannelEachBinReads()
    {
        // Channel c holds the constant c + 1 everywhere: every non-empty bin (ph, pw) of output channel c_out must read exactly
        // (c_out·PH + ph)·PW + pw + 1 (the mean of a constant); an empty bin is 0 — so the output names the channel it read.
        return Prop.ForAll(Arb_(Cases([Family.General], ps: true)), c0 =>
        {
            var c = c0.WithData(Enumerable.Range(0, c0.X.Length).Select(i => (double)(i / (c0.H * c0.W) % c0.C + 1)).ToArray());
            var y = Tv("torchvision.ps_roi_pool", c, c.Tv(false, false)).Value.Data;
            int cOut = c.C / (c.Ph * c.Pw);
            for (int o = 0; o < y.Length; o++)
            {
                int j = o % c.Pw, i = o / c.Pw % c.Ph, co = o / (c.Ph * c.Pw) % cOut, cin = (co * c.Ph + i) * c.Pw + j, oo = o;
                Require(y[o] == 0 || y[o] == cin + 1, () => $"output {oo} (c_out {co}, bin {i},{j}) read {Fmt(y[oo])}, expected channel {cin} → {cin + 1} (or 0 when empty)");
            }
            return true;
        });
    }

    // ───────────────────────────── ROI Align family ─────────────────────────────

    static readonly string[] AlignOps = ["torchvision.roi_align", "poolconf.roi_align_max", "torchvision.ps_roi_align", "onnx.RoiAlign", "caffe.roi_align"];

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property RoiAlign_ConstantMap_IsTheConstant_ForBoxesWhoseSamplesAreInside()
    {
        // METHODS.md §7b invariant. Inside boxes (see Span) keep every sample within [−1, H] × [−1, W], where the bilinear weights
        // clamp and sum to 1, and have a non-empty grid (b > a), so every bin of every op is c. The oracle computes the weights in
        // double and rounds once: within 2u·|c|.
        var gen = from c in Cases([Family.General], ps: true, inside: true)
                  from op in Gen.Elements(AlignOps)
                  from fam in Gen.Elements(FamilySets.Finite)
                  from v in Gens.Values(fam, 1, 1, DType.Float32)
                  select (c: c.WithData(Enumerable.Repeat(v[0], c.X.Length).ToArray()), op, v: v[0]);
        return Prop.ForAll(Arb.From(gen), t =>
        {
            var (c, op, v) = t;
            var y = Align(op, c).Value.Data;
            for (int o = 0; o < y.Length; o++)
            {
                int oo = o;
                Within(y[o], v, 2 * U32 * Math.Abs(v), () => $"{op} {c} output {oo}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property RoiAlign_IsLinearInTheFeatureMap()
    {
        // METHODS.md §7b: f(a·x + b·z) = a·f(x) + b·f(z) for the average ops, on any boxes (outside, reversed, degenerate), within
        // the sum of the three derived bounds. Integer maps and small integer a, b keep a·x + b·z exact in float32.
        // ps_roi_align's 0/0 (degenerate box, adaptive) is NaN on both sides.
        string[] ops = ["torchvision.roi_align", "torchvision.ps_roi_align", "onnx.RoiAlign", "caffe.roi_align"];
        var gen = from c in Cases([Family.Integers], ps: true)
                  from z in Gens.Values(Family.Integers, c.N * c.C, c.H * c.W, DType.Float32)
                  from a in Gen.Choose(-3, 3)
                  from b in Gen.Choose(-3, 3)
                  from op in Gen.Elements(ops)
                  select (c, z, a, b, op);
        return Prop.ForAll(Arb.From(gen), t =>
        {
            var (c, z, a, b, op) = t;
            var mix = new Tensor(DType.Float32, c.Input.Shape, c.X.Zip(z, (u, v) => a * u + b * v).ToArray());
            var fx = Align(op, c);
            var fz = Align(op, c, new Tensor(DType.Float32, c.Input.Shape, z));
            var fm = Align(op, c, mix);
            for (int o = 0; o < fm.Value.Data.Length; o++)
            {
                double want = a * fx.Value.Data[o] + b * fz.Value.Data[o];
                double bound = B(fm, o) + Math.Abs(a) * B(fx, o) + Math.Abs(b) * B(fz, o);
                int oo = o;
                Within(fm.Value.Data[o], want, bound, () => $"{op} a={a} b={b} output {oo} of {c}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property RoiAlignMax_IsAtLeastTheAverage()
    {
        // The largest interpolated sample ≥ their mean, bin by bin (same boxes, offset, clamp and grid): poolconf.roi_align_max
        // vs torchvision.roi_align. Empty grids and reversed aligned boxes give 0 on both. Finite maps only (a zero weight times
        // −∞ is NaN).
        return Prop.ForAll(Arb_(Cases(FamilySets.Finite)), c =>
        {
            var max = Tv("poolconf.roi_align_max", c, c.Tv());
            var avg = Tv("torchvision.roi_align", c, c.Tv());
            for (int o = 0; o < avg.Value.Data.Length; o++)
            {
                double m = max.Value.Data[o], v = avg.Value.Data[o];
                int oo = o;
                Require(m >= v - B(avg, o), () => $"output {oo}: max {Fmt(m)} < avg {Fmt(v)} (bound {Fmt(B(avg, oo))})");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OnnxWeightedCornerMax_IsAtMostTheInterpolatedMax_OnNonNegativeMaps()
    {
        // DIALECTS.md §9 row 9: for v ≥ 0 and weights ≥ 0, max_i w_i·v_i ≤ Σ w_i·v_i, so ONNX's max ≤ poolconf.roi_align_max
        // (half_pixel ↔ aligned=True, output_half_pixel ↔ aligned=False); equal where a sample sits on a pixel.
        return Prop.ForAll(Arb_(Cases(FamilySets.NonNegative)), c =>
        {
            var onnx = OnnxAlign(c, "max").Value.Data;
            var interp = Tv("poolconf.roi_align_max", c, c.Tv()).Value.Data;
            for (int o = 0; o < onnx.Length; o++)
            {
                int oo = o;
                Require(onnx[o] <= interp[o], () => $"output {oo}: ONNX max {Fmt(onnx[oo])} > interpolated max {Fmt(interp[oo])}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OnnxRoiAlignAvg_EqualsTorchvisionRoiAlign()
    {
        // DIALECTS.md §3.4, §9 row 10: half_pixel = aligned=True (−0.5, no ROI clamp), output_half_pixel = aligned=False (no offset,
        // ROI ≥ 1); both divide by max(G_h·G_w, 1). ONNX sampling_ratio 0 = torchvision's ≤ 0. Equal within the two bounds
        // (rounding parity: the same decisions in float32).
        return Prop.ForAll(Arb_(Cases(FamilySets.Finite)), c =>
        {
            var onnx = OnnxAlign(c);
            var tv = Tv("torchvision.roi_align", c, c.Tv());
            for (int o = 0; o < tv.Value.Data.Length; o++)
            {
                int oo = o;
                Within(onnx.Value.Data[o], tv.Value.Data[o], B(onnx, o) + B(tv, o), () => $"output {oo}");
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property OnnxRoiAlign_Opset10Default_IsOutputHalfPixel()
    {
        // Opset 10 has no coordinate_transformation_mode and behaves as output_half_pixel: identical to opset 22 with it set.
        return Prop.ForAll(Arb_(Cases(FamilySets.Finite)), c =>
        {
            string p10 = $$"""{"output_height":{{c.Ph}},"output_width":{{c.Pw}},"sampling_ratio":{{Math.Max(c.Sr, 0)}},"spatial_scale":{{c.ScaleJson}},"opset":10}""";
            var a = Eval("onnx.RoiAlign", p10, ("X", c.Input), ("rois", c.Boxes4), ("batch_indices", c.BatchIndices)).Outputs["Y"].Value.Data;
            var b = OnnxAlign(c with { Aligned = false }).Value.Data;
            for (int o = 0; o < a.Length; o++) { int oo = o; Require(SameValue(a[o], b[o]), () => $"output {oo}: opset 10 {Fmt(a[oo])}, output_half_pixel {Fmt(b[oo])}"); }
            return true;
        });
    }

    /// <summary>The grid along one axis as the kernels compute it in float32: sampling_ratio, or ceil(roi/P) (roi may be ≤ 0 here).</summary>
    static int Grid(double start, double end, double scale, int pooled, int sr)
    {
        if (sr > 0) return sr;
        float sc = (float)scale;
        float s = (float)start * sc - 0.5f, e = (float)end * sc - 0.5f;
        return (int)MathF.Ceiling((e - s) / pooled);
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property PsRoiAlign_EqualsRoiAlignAligned_OnThePositionSensitiveChannel()
    {
        // DIALECTS.md §2.4: ps_roi_align is roi_align aligned=True (−0.5, no ROI clamp, same bilinear rule) reading channel
        // (c_out·PH + ph)·PW + pw for bin (ph, pw) — except its divisor G_h·G_w is not clamped: where that product is 0
        // (adaptive grid, −P < roi ≤ 0 on an axis) ps_roi_align gives 0/0 = NaN and roi_align 0. Where it is negative both are ±0.
        return Prop.ForAll(Arb_(Cases(FamilySets.All, ps: true)), c =>
        {
            var ps = Tv("torchvision.ps_roi_align", c, c.Tv(aligned: false)).Value.Data;
            var ra = Tv("torchvision.roi_align", c with { Aligned = true }, (c with { Aligned = true }).Tv()).Value.Data;
            int cOut = c.C / (c.Ph * c.Pw);
            for (int k = 0; k < c.Boxes.Length; k++)
            {
                var bx = c.Boxes[k];
                int g = Grid(bx[2], bx[4], c.Scale, c.Ph, c.Sr) * Grid(bx[1], bx[3], c.Scale, c.Pw, c.Sr);
                for (int co = 0; co < cOut; co++)
                    for (int i = 0; i < c.Ph; i++)
                        for (int j = 0; j < c.Pw; j++)
                        {
                            int cin = (co * c.Ph + i) * c.Pw + j;
                            int o = ((k * cOut + co) * c.Ph + i) * c.Pw + j, r = ((k * c.C + cin) * c.Ph + i) * c.Pw + j;
                            double p = ps[o], q = ra[r];
                            int kk = k;
                            if (g == 0) Require(double.IsNaN(p) && q == 0, () => $"box {kk}: empty grid: ps {Fmt(p)} (want NaN), roi_align {Fmt(q)} (want 0)");
                            else Require(SameValue(p, q), () => $"box {kk} c_out {co} bin ({i},{j}) channel {cin}: ps {Fmt(p)}, roi_align {Fmt(q)}");
                        }
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property CaffeRoiAlign_EqualsTorchvisionUnaligned_And4ColumnsMeanBatch0()
    {
        // DIALECTS.md §2.6: Detectron v1 = torchvision aligned=False (no offset, ROI ≥ 1, so the adaptive grid is ≥ 1 and the
        // unclamped divisor never matters). R×4 rois mean batch 0: with N = 1 they equal the R×5 form.
        return Prop.ForAll(Arb_(Cases(FamilySets.All)), c0 =>
        {
            var c = c0 with { Aligned = false };
            var caffe = Caffe(c);
            var tv = Tv("torchvision.roi_align", c, c.Tv());
            for (int o = 0; o < tv.Value.Data.Length; o++) { int oo = o; Within(caffe.Value.Data[o], tv.Value.Data[o], B(caffe, o) + B(tv, o), () => $"output {oo}"); }
            // One image: the 4-column rois of the same boxes on image 0.
            var one = c with { N = 1, X = c.X[..(c.C * c.H * c.W)], Boxes = c.Boxes.Select(b => (double[])[0, .. b[1..]]).ToArray() };
            var five = Caffe(one).Value.Data;
            var four = Eval("caffe.roi_align", one.Caffe, ("X", one.Input), ("rois", one.Boxes4)).Outputs["Y"].Value.Data;
            for (int o = 0; o < five.Length; o++) { int oo = o; Require(SameBits(five[o], four[o]), () => $"4-column output {oo}: {Fmt(four[oo])} vs 5-column {Fmt(five[oo])}"); }
            return true;
        });
    }

    // ───────────────────────────── tf.image.crop_and_resize ─────────────────────────────

    sealed record CropCase(int N, int H, int W, int C, Family Family, double[] X, long[] Index, bool FlipY, bool FlipX, bool Nearest)
    {
        public Tensor Image => new(DType.Float32, [N, H, W, C], X);
        public override string ToString() =>
            $"CropCase(N={N} H={H} W={W} C={C} {Family} index=[{string.Join(" ", Index)}] flipY={FlipY} flipX={FlipX} nearest={Nearest} x=[{string.Join(" ", X.Select(Fmt))}])";
    }

    static Gen<CropCase> CropCases(Family[] families) =>
        from n in Gen.Choose(1, 3)
        from h in Gen.Choose(1, 6)
        from w in Gen.Choose(1, 6)
        from c in Gen.Choose(1, 3)
        from fam in Gen.Elements(families)
        from x in Gens.Values(fam, n, h * w * c, DType.Float32)
        from k in Gen.Choose(1, 4)
        from idx in Gen.ArrayOf(Gen.Choose(0, n - 1).Select(v => (long)v), k)
        from fy in Gen.Elements(false, true)
        from fx in Gen.Elements(false, true)
        from nearest in Gen.Elements(false, true)
        select new CropCase(n, h, w, c, fam, x, idx, fy, fx, nearest);

    static Expectation CropAndResize(Tensor image, double[] boxes, long[] index, int ch, int cw, bool nearest, double extrapolation = 0) =>
        Eval("tf.image.crop_and_resize",
            string.Create(CultureInfo.InvariantCulture, $$"""{"crop_size":[{{ch}},{{cw}}],"method":"{{(nearest ? "nearest" : "bilinear")}}","extrapolation_value":{{Fmt(extrapolation)}}}"""),
            ("image", image), ("boxes", new Tensor(DType.Float32, [index.Length, 4], boxes)), ("box_indices", new Tensor(DType.Int64, [index.Length], index.Select(v => (double)v).ToArray())))
            .Outputs["output"];

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property CropAndResize_WholeImageBoxAtImageSize_IsTheIdentity_FlippedBoxMirrors()
    {
        // DIALECTS.md §4.6: box [0, 0, 1, 1] with crop H×W gives in_y = 0 + y·((H − 1)/(H − 1)) = y exactly (H = 1: 0.5·1·0 = 0):
        // every output pixel is an input pixel, for bilinear (floor = ceil, zero lerp; the sign of zero may change: −0 + 0 = +0)
        // and nearest (bit-exact). A flipped corner pair ([1, ·, 0, ·]) gives in_y = (H − 1) − y: the mirrored image.
        return Prop.ForAll(Arb.From(CropCases(FamilySets.Finite)), t =>
        {
            var boxes = t.Index.SelectMany(_ => new double[] { t.FlipY ? 1 : 0, t.FlipX ? 1 : 0, t.FlipY ? 0 : 1, t.FlipX ? 0 : 1 }).ToArray();
            var y = CropAndResize(t.Image, boxes, t.Index, t.H, t.W, t.Nearest).Value.Data;
            for (int k = 0; k < t.Index.Length; k++)
                for (int r = 0; r < t.H; r++)
                    for (int q = 0; q < t.W; q++)
                        for (int d = 0; d < t.C; d++)
                        {
                            int sr = t.FlipY ? t.H - 1 - r : r, sq = t.FlipX ? t.W - 1 - q : q;
                            double want = t.X[(((int)t.Index[k] * t.H + sr) * t.W + sq) * t.C + d];
                            double got = y[((k * t.H + r) * t.W + q) * t.C + d];
                            int kk = k, rr = r, qq = q, dd = d;
                            Require(t.Nearest ? SameBits(got, want) : SameValue(got, want),
                                () => $"box {kk} pixel ({rr},{qq}) channel {dd}: {Fmt(got)}, image[{t.Index[kk]}] ({sr},{sq}) = {Fmt(want)}");
                        }
            return true;
        });
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property CropAndResize_ConstantImage_GivesTheConstantOrTheExtrapolationValue()
    {
        // Any boxes (outside, flipped, degenerate), any crop size: every output pixel is either interpolated from a constant
        // image (c + (c − c)·l = c) or the extrapolation value e; with e = c every pixel is c.
        var gen = from t in CropCases(FamilySets.Finite)
                  from box in Gen.ArrayOf(Gen.Choose(-4, 8).Select(v => v / 4.0), 4 * t.Index.Length)
                  from ch in Gen.Choose(1, 5)
                  from cw in Gen.Choose(1, 5)
                  from e in Gen.Choose(-8, 8).Select(v => v / 2.0)
                  from same in Gen.Elements(false, true)
                  select (t, box, ch, cw, e, same);
        return Prop.ForAll(Arb.From(gen), g =>
        {
            var (t, box, ch, cw, e, same) = g;
            double c = t.X[0];
            var image = new Tensor(DType.Float32, [t.N, t.H, t.W, t.C], Enumerable.Repeat(c, t.X.Length).ToArray());
            double extra = same ? c : e;
            var y = CropAndResize(image, box, t.Index, ch, cw, t.Nearest, extra).Value.Data;
            for (int o = 0; o < y.Length; o++)
            {
                int oo = o;
                Require(SameValue(y[o], c) || SameValue(y[o], extra),
                    () => $"output {oo}: {Fmt(y[oo])} is neither c = {Fmt(c)} nor e = {Fmt(extra)} (boxes [{string.Join(" ", box.Select(Fmt))}], crop {ch}x{cw}, {t})");
            }
            return true;
        });
    }
}
