using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using PoolingConformance.Reference;
using static PoolingConformance.Tests.TestKit.TestData;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>
/// Invariants of the spatial-pyramid family from METHODS.md §5, §6 and §17, at least two per op: <c>poolconf.spp</c>,
/// <c>caffe.spp</c>, <c>darknet.maxpool</c>, <c>darknet.yolov3_spp</c>, <c>ultralytics.spp</c>, <c>ultralytics.sppf</c>.
/// Data are small integers (ties are frequent); NaN and −∞ are mixed in where the property holds with them.
/// </summary>
[TestFixture]
public class SppProperties
{
    const double FltMax = 3.4028234663852886e38;

    /// <summary>Integers in [−range, range] in float32, with NaN (and −∞) at the given per-mille rates.</summary>
    static Tensor Data(int seed, int[] shape, int nanPerMille = 0, int negInfPerMille = 0, int range = 5)
    {
        var rng = new Random(seed);
        var d = new double[(int)Tensor.ElementCount(shape)];
        for (int i = 0; i < d.Length; i++)
        {
            int u = rng.Next(1000);
            d[i] = u < nanPerMille ? double.NaN : u < nanPerMille + negInfPerMille ? double.NegativeInfinity : rng.Next(-range, range + 1);
        }
        return new Tensor(DType.Float32, shape, d);
    }

    /// <summary>Element-wise equality where NaN equals NaN (and −0 equals +0).</summary>
    static bool Same(double[] a, double[] b) => a.Length == b.Length && a.Zip(b).All(p => p.First.Equals(p.Second));

    static double[] Y(OpResult r, string name = "output") => r.Outputs[name].Value.Data;

    static string Json(IEnumerable<int> v) => "[" + string.Join(",", v) + "]";

    /// <summary>Channel block <paramref name="block"/> (of <paramref name="c"/> channels each) of an N×(k·C)×H×W tensor.</summary>
    static double[] Block(Tensor t, int block, int c)
    {
        int n = t.Shape[0], total = t.Shape[1], plane = t.Shape[2] * t.Shape[3];
        var r = new List<double>();
        for (int b = 0; b < n; b++)
            r.AddRange(t.Data.Skip((b * total + block * c) * plane).Take(c * plane));
        return r.ToArray();
    }

    /// <summary>PyTorch's global max of every (n, c) plane: NaN when any element is NaN.</summary>
    static double[] GlobalMax(Tensor x)
    {
        int planes = x.Shape[0] * x.Shape[1], plane = x.Shape[2] * x.Shape[3];
        return Enumerable.Range(0, planes).Select(q =>
        {
            var v = x.Data.Skip(q * plane).Take(plane).ToArray();
            return v.Any(double.IsNaN) ? double.NaN : v.Max();
        }).ToArray();
    }

    /// <summary>The level-<paramref name="index"/> block (C·n² per sample) of an SPP output, over all samples.</summary>
    static double[] LevelBlock(double[] y, int n, int perSample, int offset, int length) =>
        Enumerable.Range(0, n).SelectMany(b => y.Skip(b * perSample + offset).Take(length)).ToArray();

    static readonly Gen<(int N, int C, int H, int W, int Seed)> Maps =
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from h in Gen.Choose(1, 14)
        from w in Gen.Choose(1, 14)
        from seed in Gen.Choose(0, 1 << 30)
        select (n, c, h, w, seed);

    // ------------------------------------------------------------------ poolconf.spp

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property Spp_Adaptive_OutputLengthIsCTimesSumOfSquares_ForAnyInputSize()
    {
        var gen = from m in Maps
                  from count in Gen.Choose(1, 4)
                  from lseed in Gen.Choose(0, 1 << 30)
                  from avg in Gen.Elements(false, true)
                  select (m, Levels: Enumerable.Range(0, count).Select(i => 1 + new Random(lseed + i).Next(8)).ToArray(), avg);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, levels, avg) = t;
            var r = Eval("poolconf.spp", $$"""{"levels": {{Json(levels)}}, "mode": "{{(avg ? "avg" : "max")}}"}""", Data(m.Seed, [m.N, m.C, m.H, m.W]));
            var shape = r.Outputs["output"].Value.Shape;
            return shape.SequenceEqual(new[] { m.N, m.C * levels.Sum(n => n * n) });
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property Spp_LevelOne_IsTheGlobalMax_InEveryBinning_NaNIncluded()
    {
        var gen = from m in Maps
                  from binning in Gen.Elements("adaptive", "paper", "caffe")
                  from nan in Gen.Elements(0, 30)
                  select (m, binning, nan);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, binning, nan) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W], nan);
            // Level 1 first, then a level 1 again after a level that every size accepts in this binning (n = 1): both global maxima.
            var y = Y(Eval("poolconf.spp", $$"""{"levels": [1, 1], "binning": "{{binning}}"}""", x));
            int per = 2 * m.C;
            var want = GlobalMax(x);
            return Same(LevelBlock(y, m.N, per, 0, m.C), want) && Same(LevelBlock(y, m.N, per, m.C, m.C), want);
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property Spp_AllBinningsAgree_AndEqualMaxPoolWithKernelAOverN_WhenNDividesTheSize()
    {
        var gen = from n in Gen.Choose(1, 4)
                  from p in Gen.Choose(1, 4)
                  from q in Gen.Choose(1, 4)
                  from c in Gen.Choose(1, 3)
                  from seed in Gen.Choose(0, 1 << 30)
                  from avg in Gen.Elements(false, true)
                  from nan in Gen.Elements(0, 20)
                  select (n, p, q, c, seed, avg, nan);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (n, p, q, c, seed, avg, nan) = t;
            var x = Data(seed, [1, c, n * p, n * q], avg ? 0 : nan);
            string mode = avg ? "avg" : "max";
            var ys = new[] { "adaptive", "paper", "caffe" }
                .Select(b => Y(Eval("poolconf.spp", $$"""{"levels": [{{n}}], "binning": "{{b}}", "mode": "{{mode}}"}""", x))).ToArray();
            // k = s = a/n per axis: the plain max (or average) pool, whose N×C×n×n output flattens to the same channel-major block.
            var op = avg ? "torch.avg_pool2d" : "torch.max_pool2d";
            var pooled = Y(Eval(op, $$"""{"kernel_size": [{{p}}, {{q}}], "stride": [{{p}}, {{q}}]}""", x));
            return Same(ys[0], ys[1]) && Same(ys[0], ys[2]) && Same(ys[0], pooled);
        });
    }

    [FsProperty(MaxTest = 100)]
    public FsCheck.Property Spp_MaxOverOneAdaptiveLevelsBins_IsTheGlobalMax()
    {
        var gen = from m in Maps from n in Gen.Choose(1, 9) select (m, n);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, n) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            var y = Y(Eval("poolconf.spp", $$"""{"levels": [{{n}}]}""", x));
            int bins = n * n;
            var perPlane = Enumerable.Range(0, m.N * m.C).Select(qi => y.Skip(qi * bins).Take(bins).Max()).ToArray();
            return Same(perPlane, GlobalMax(x));
        });
    }

    // ------------------------------------------------------------------ caffe.spp

    /// <summary>Caffe's abort, computed here from the formulas of <c>spp_layer.cpp</c> rather than through the oracle.</summary>
    static bool CaffeAborts(int a, int height) => Enumerable.Range(0, height).Any(l =>
    {
        int bins = 1 << l;
        int k = (a + bins - 1) / bins;
        int pad = (k * bins - a + 1) / 2;
        return pad >= k;
    });

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property CaffeSpp_RefusesExactlyWhereALevelHasPadNotBelowKernel_ElseGivesCTimesSumOfFourToTheL()
    {
        var gen = from m in Maps from h in Gen.Choose(1, 4) from ave in Gen.Elements(false, true) select (m, h, ave);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, h, ave) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            bool aborts = CaffeAborts(m.H, h) || CaffeAborts(m.W, h);
            try
            {
                var r = Eval("caffe.spp", $$"""{"pyramid_height": {{h}}, "pool": "{{(ave ? "AVE" : "MAX")}}"}""", x);
                int len = m.C * Enumerable.Range(0, h).Sum(l => 1 << (2 * l));
                int[] want = h == 1 ? [m.N, m.C, 1, 1] : [m.N, len];
                return !aborts && r.Outputs["output"].Value.Shape.SequenceEqual(want);
            }
            catch (InvalidParameterException e) { return aborts && e.Field == "pyramid_height"; }
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property CaffeSpp_EqualsPoolconfSppCaffeBinning_OnFiniteData_AndNeverReturnsNaN()
    {
        var gen = from m in Maps from h in Gen.Choose(1, 3) from ave in Gen.Elements(false, true) from nan in Gen.Elements(0, 50) select (m, h, ave, nan);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, h, ave, nan) = t;
            if (CaffeAborts(m.H, h) || CaffeAborts(m.W, h)) return true;
            var levels = Json(Enumerable.Range(0, h).Select(l => 1 << l));
            string pool = ave ? "AVE" : "MAX", mode = ave ? "avg" : "max";
            var finite = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            bool equal = Same(Y(Eval("caffe.spp", $$"""{"pyramid_height": {{h}}, "pool": "{{pool}}"}""", finite)),
                              Y(Eval("poolconf.spp", $$"""{"levels": {{levels}}, "binning": "caffe", "mode": "{{mode}}"}""", finite)));
            // With NaN in the data Caffe MAX still returns a number: NaN never wins, the floor is −FLT_MAX.
            var withNan = Data(m.Seed + 1, [m.N, m.C, m.H, m.W], nan);
            bool noNan = ave || Y(Eval("caffe.spp", $$"""{"pyramid_height": {{h}}}""", withNan)).All(v => !double.IsNaN(v) && v >= -FltMax);
            return equal && noNan;
        });
    }

    // ------------------------------------------------------------------ darknet.maxpool

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property DarknetMaxPool_ValueAtTheGlobalIndexIsTheValue_AndIndexMinusOneMeansMinusFltMax()
    {
        var gen = from m in Maps
                  from size in Gen.Choose(1, 5)
                  from stride in Gen.Choose(1, 3)
                  from padding in Gen.Choose(0, 7)
                  select (m, size, stride, padding);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, size, stride, padding) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W], nanPerMille: 100, negInfPerMille: 100);
            OpResult r;
            try { r = Eval("darknet.maxpool", $$"""{"size": {{size}}, "stride": {{stride}}, "padding": {{padding}}}""", x); }
            catch (InvalidParameterException) { return (m.H + padding - size) / stride + 1 < 1 || (m.W + padding - size) / stride + 1 < 1; }
            var v = Y(r);
            var idx = Y(r, "indices");
            for (int o = 0; o < v.Length; o++)
            {
                if (idx[o] == -1) { if (v[o] != -FltMax) return false; }
                else if (!(x.Data[(long)idx[o]] == v[o] && v[o] > -FltMax)) return false;
            }
            return true;
        });
    }

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property DarknetMaxPool_DefaultPadding_GivesCeilOfLOverStride_ForAnySize()
    {
        // padding = size − 1: (L + size − 1 − size)/s + 1 = (L − 1)/s + 1 = ceil(L/s) for L ≥ 1 — whatever the size.
        var gen = from m in Maps from size in Gen.Choose(1, 9) from stride in Gen.Choose(1, 4) select (m, size, stride);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, size, stride) = t;
            var r = Eval("darknet.maxpool", $$"""{"size": {{size}}, "stride": {{stride}}}""", Data(m.Seed, [m.N, m.C, m.H, m.W]));
            int Ceil(int l) => (l + stride - 1) / stride;
            return r.Outputs["output"].Value.Shape.SequenceEqual(new[] { m.N, m.C, Ceil(m.H), Ceil(m.W) });
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property DarknetMaxPool_OddSizeStrideOne_EqualsTorchSamePool_OnFiniteData()
    {
        // Odd size, stride 1, default padding: offset −(size−1)/2 = the symmetric PyTorch padding size/2; on finite data both pick
        // the first maximum of the same in-bounds taps, so values agree and darknet's index is PyTorch's plus H·W·(c + C·n).
        var gen = from m in Maps from half in Gen.Choose(0, 3) select (m, half);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, half) = t;
            int size = 2 * half + 1;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            var d = Eval("darknet.maxpool", $$"""{"size": {{size}}}""", x);
            var p = Eval("torch.max_pool2d", $$"""{"kernel_size": {{size}}, "stride": 1, "padding": {{half}}, "return_indices": true}""", x);
            int plane = m.H * m.W;
            var shifted = Y(p, "indices").Select((v, o) => v + (o / plane) * plane).ToArray();
            return Same(Y(d), Y(p)) && Same(Y(d, "indices"), shifted);
        });
    }

    // ------------------------------------------------------------------ darknet.yolov3_spp and ultralytics.spp

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property DarknetSpp_IsUltralyticsSppWithItsBlocksPermuted_OnNaNFreeData()
    {
        // darknet [mp13, mp9, mp5, x] = ultralytics [x, mp5, mp9, mp13] with blocks in order 3, 2, 1, 0. NaN-free data: darknet
        // ignores NaN and PyTorch propagates it. −∞ is kept out too (darknet floors it at −FLT_MAX, PyTorch keeps −∞).
        return Prop.ForAll(Maps.ToArbitrary(), m =>
        {
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            var d = Eval("darknet.yolov3_spp", "{}", x).Outputs["output"].Value;
            var u = Eval("ultralytics.spp", "{}", x).Outputs["output"].Value;
            return Enumerable.Range(0, 4).All(b => Same(Block(d, b, m.C), Block(u, 3 - b, m.C)));
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property DarknetSpp_KeepsTheSpatialSize_AndMp13GeMp9GeMp5GeX()
    {
        return Prop.ForAll(Maps.ToArbitrary(), m =>
        {
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            var d = Eval("darknet.yolov3_spp", "{}", x).Outputs["output"].Value;
            if (!d.Shape.SequenceEqual(new[] { m.N, 4 * m.C, m.H, m.W })) return false;
            var blocks = Enumerable.Range(0, 4).Select(b => Block(d, b, m.C)).ToArray();
            return Same(blocks[3], x.Data)
                && Enumerable.Range(0, 3).All(b => blocks[b].Zip(blocks[b + 1]).All(p => p.First >= p.Second));
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property UltralyticsSpp_EachBlockIsMaxPool2dSame_NaNIncluded()
    {
        // cat([x] + [MaxPool2d(k, 1, k//2)(x) for k in ks]): block 0 is x, block i the PyTorch pool, NaN propagating.
        var gen = from m in Maps
                  from ks in Gen.Elements(new[] { 5, 9, 13 }, new[] { 3 }, new[] { 1, 7 }, new[] { 13, 5 }, new[] { 3, 3, 11 })
                  from nan in Gen.Elements(0, 20)
                  select (m, ks, nan);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, ks, nan) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W], nan);
            var u = Eval("ultralytics.spp", $$"""{"k": {{Json(ks)}}}""", x).Outputs["output"].Value;
            if (!u.Shape.SequenceEqual(new[] { m.N, (ks.Length + 1) * m.C, m.H, m.W }) || !Same(Block(u, 0, m.C), x.Data)) return false;
            return ks.Select((k, i) => Same(Block(u, i + 1, m.C),
                Y(Eval("torch.max_pool2d", $$"""{"kernel_size": {{k}}, "stride": 1, "padding": {{k / 2}}}""", x)))).All(ok => ok);
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property UltralyticsSpp_KeepsTheSpatialSize_AndMp13GeMp9GeMp5GeX()
    {
        return Prop.ForAll(Maps.ToArbitrary(), m =>
        {
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W], negInfPerMille: 50);
            var u = Eval("ultralytics.spp", "{}", x).Outputs["output"].Value;
            if (!u.Shape.SequenceEqual(new[] { m.N, 4 * m.C, m.H, m.W })) return false;
            var blocks = Enumerable.Range(0, 4).Select(b => Block(u, b, m.C)).ToArray();
            return Enumerable.Range(0, 3).All(b => blocks[b + 1].Zip(blocks[b]).All(p => p.First >= p.Second));
        });
    }

    // ------------------------------------------------------------------ ultralytics.sppf

    [FsProperty(MaxTest = 200)]
    public FsCheck.Property SppF_EqualsSpp5_9_13_Exactly_NaNIncluded()
    {
        // Max over k×k composed with max over k×k is max over (2k−1)×(2k−1) (Minkowski sum of windows, out-of-bounds taps
        // ignored): SPPF(k) = SPP([k, 2k−1, 3k−2]) bit for bit, NaN propagating the same way; k = 5 gives [5, 9, 13].
        var gen = from m in Maps from k in Gen.Elements(5, 5, 1, 3, 7) from nan in Gen.Elements(0, 0, 15) select (m, k, nan);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (m, k, nan) = t;
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W], nan, negInfPerMille: 30);
            var f = Y(Eval("ultralytics.sppf", $$"""{"k": {{k}}}""", x));
            var s = Y(Eval("ultralytics.spp", $$"""{"k": [{{k}}, {{2 * k - 1}}, {{3 * k - 2}}]}""", x));
            return Same(f, s);
        });
    }

    [FsProperty(MaxTest = 150)]
    public FsCheck.Property SppF_KeepsTheSpatialSize_FirstBlockIsX_AndEachStepIsAtLeastThePrevious()
    {
        return Prop.ForAll(Maps.ToArbitrary(), m =>
        {
            var x = Data(m.Seed, [m.N, m.C, m.H, m.W]);
            var f = Eval("ultralytics.sppf", "{}", x).Outputs["output"].Value;
            if (!f.Shape.SequenceEqual(new[] { m.N, 4 * m.C, m.H, m.W }) || !Same(Block(f, 0, m.C), x.Data)) return false;
            return Enumerable.Range(0, 3).All(b => Block(f, b + 1, m.C).Zip(Block(f, b, m.C)).All(p => p.First >= p.Second));
        });
    }
}
