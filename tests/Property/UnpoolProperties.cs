using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using static PoolingConformance.Tests.Property.P;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

/// <summary>Consistency of max pooling's indices with the input and with max unpooling (METHODS.md §12, §0.1).</summary>
[TestFixture]
public class UnpoolProperties
{
    static Tensor I64(int[] shape, double[] data) => new(DType.Int64, shape, data);

    /// <summary>The taps of window <paramref name="o"/> from the definition (not the enumeration): positions o·s − pb + m·d in bounds, per axis.</summary>
    static HashSet<int> DefinedTaps(Case c, int[] outShape, int o)
    {
        var co = OrderProperties.Unravel(o, outShape);
        IEnumerable<int[]> taps = [Array.Empty<int>()];
        for (int a = 0; a < c.Nd; a++)
        {
            int oa = co[a], aa = a;
            var along = Enumerable.Range(0, c.K[a]).Select(m => oa * c.S[aa] - c.Pb[aa] + m * c.D[aa]).Where(i => i >= 0 && i < c.L[aa]).ToArray();
            taps = taps.SelectMany(t => along.Select(i => (int[])[.. t, i])).ToArray();
        }
        return taps.Select(t => OrderProperties.Ravel(t, c.L)).ToHashSet();
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxPoolIndices_LieInsideTheirOwnWindow_AndTheInputThereEqualsTheOutput()
    {
        // PyTorch (symmetric pads, dilation, ceil) and ONNX (asymmetric pads, both storage orders) over every value family.
        var torch = new Profile([1, 2, 3], MaxDilation: 2, Pad: PadMode.TorchSymmetric);
        var onnx = new Profile([1, 2, 3], MaxDilation: 2, Pad: PadMode.Asymmetric);
        var gen = Gen.OneOf(Gens.CaseGen(torch).Select(c => (c, onnx: false)), Gens.CaseGen(onnx).Select(c => (c, onnx: true)));
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(t.onnx ? onnx : torch, t.c).Select(c => (c, t.onnx))), t =>
        {
            var (c, isOnnx) = t;
            double[] vals, idx;
            if (isOnnx)
            {
                var r = Eval("onnx.MaxPool", OnnxJson(c), "X", c.Tensor);
                vals = r.Outputs["Y"].Value.Data;
                // ONNX indices are flat over N×C×spatial: subtract the plane offset to get the in-plane index.
                int po = PlaneOut(r.Outputs["Y"]);
                idx = r.Outputs["Indices"].Value.Data.Select((v, o) => v < 0 ? v : v - (long)(o / po) * c.Plane).ToArray();
            }
            else
            {
                var r = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
                vals = r.Outputs["output"].Value.Data; idx = r.Outputs["indices"].Value.Data;
            }
            var outShape = Enumerable.Range(0, c.Nd).Select(a => c.Axes()[a].Output).ToArray();
            int planeOut = outShape.Aggregate(1, (p, v) => p * v);
            for (int o = 0; o < vals.Length; o++)
            {
                var taps = DefinedTaps(c, outShape, o % planeOut);
                if (taps.Count == 0) continue; // an empty window has no index to check
                int oo = o, i = (int)idx[o];
                Require(taps.Contains(i), () => $"output {oo}: index {i} is not a tap of its window {{{string.Join(",", taps.Order())}}}");
                double at = c.X[(o / planeOut) * c.Plane + i];
                Require(SameBits(at, vals[o]), () => $"output {oo}: x[{i}] = {Fmt(at)}, output {Fmt(vals[oo])}");
            }
            return true;
        });
    }

    /// <summary>Non-overlapping max pooling (s ≥ k, d = 1) in PyTorch's space, so every input cell is in at most one window.</summary>
    static readonly Profile NonOverlapping = new([1, 2, 3], Pad: PadMode.TorchSymmetric, NonOverlapping: true);

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property Unpool_OfPool_KeepsInputAtArgmaxPositions_AndZerosElsewhere_ForNonOverlappingWindows()
    {
        return Prop.ForAll(Gens.Cases(NonOverlapping), c =>
        {
            var pr = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor);
            var (y, i) = (pr.Outputs["output"].Value, pr.Outputs["indices"].Value);
            // PyTorch: the pooled size's default unpool size is (O − 1)·s + k − 2p; ask for the original L (inside the open interval).
            var torchOut = Eval(TorchName("max_unpool", c),
                $$"""{"kernel_size":{{J(c.K)}},"stride":{{J(c.S)}},"padding":{{J(c.Pb)}},"output_size":{{J(c.L)}}}""",
                ("input", y), ("indices", I64(i.Shape, i.Data))).Outputs["output"].Value.Data;
            CheckKeepsArgmax(c, y.Data, i.Data, torchOut, "torch");
            // ONNX: flat indices over N×C×spatial, scattered into the inferred shape (X − 1)·s − (pb + pe) + k, then padded at the end to
            // output_shape. The flat index is read in the inferred layout, so the round trip restores x only when that layout is the input's.
            if (Enumerable.Range(0, c.Nd).Any(a => (y.Shape[2 + a] - 1) * c.S[a] - c.Pb[a] - c.Pe[a] + c.K[a] != c.L[a])) return true;
            var opr = Eval("onnx.MaxPool", OnnxJson(c), "X", c.Tensor);
            var (oy, oi) = (opr.Outputs["Y"].Value, opr.Outputs["Indices"].Value);
            var shape = new Tensor(DType.Int64, [c.Nd + 2], c.Shape.Select(v => (double)v).ToArray());
            var onnxOut = Eval("onnx.MaxUnpool", $$"""{"kernel_shape":{{J(c.K)}},"strides":{{J(c.S)}},"pads":{{J([.. c.Pb, .. c.Pe])}}}""",
                ("X", oy), ("I", I64(oi.Shape, oi.Data)), ("output_shape", shape));
            var od = onnxOut.Outputs["output"].Value;
            Require(od.Shape.SequenceEqual(c.Shape), () => $"onnx unpool shape {Tensor.ShapeText(od.Shape)}");
            // ONNX keeps the first NaN of a window and PyTorch the last: check against ONNX's own argmax positions.
            int po = oy.Data.Length / (c.N * c.C);
            var onnxPerPlane = oi.Data.Select((v, o) => v - (long)(o / po) * c.Plane).ToArray();
            CheckKeepsArgmax(c, oy.Data, onnxPerPlane, od.Data, "onnx");
            return true;
        });
    }

    static void CheckKeepsArgmax(Case c, double[] y, double[] idx, double[] unpooled, string who)
    {
        int planeOut = y.Length / (c.N * c.C);
        var kept = new bool[c.X.Length];
        for (int o = 0; o < y.Length; o++) kept[(o / planeOut) * c.Plane + (int)idx[o]] = true;
        for (int i = 0; i < c.X.Length; i++)
        {
            double want = kept[i] ? c.X[i] : 0;
            int ii = i;
            Require(SameBits(unpooled[i], want), () => $"{who}: unpool(pool(x))[{ii}] = {Fmt(unpooled[ii])}, want {(kept[ii] ? "x" : "0")} = {Fmt(want)}");
        }
    }

    [FsProperty(MaxTest = 300)]
    public FsCheck.Property Unpool_PreservesTheSum_WhenIndicesAreUnique()
    {
        // y is a case's data (any finite family); the unpooled plane is larger by a random factor, indices a random injection.
        var profile = new Profile([1, 2, 3], AllowCeil: false, Families: FamilySets.Moderate);
        return Prop.ForAll(Gens.WithSeed(profile), t =>
        {
            var (c, seed) = t;
            var rng = new SplitMix(seed);
            var k = Enumerable.Range(0, c.Nd).Select(_ => 1 + rng.Below(2)).ToArray();
            var outL = c.L.Zip(k, (l, kk) => l * kk).ToArray();
            int outPlane = outL.Aggregate(1, (p, v) => p * v);
            var idx = new double[c.X.Length];
            for (int q = 0; q < c.N * c.C; q++)
            {
                var perm = Enumerable.Range(0, outPlane).ToArray();
                for (int i = perm.Length - 1; i > 0; i--) { int j = rng.Below(i + 1); (perm[i], perm[j]) = (perm[j], perm[i]); }
                for (int i = 0; i < c.Plane; i++) idx[q * c.Plane + i] = perm[i];
            }
            var z = Eval(TorchName("max_unpool", c), $$"""{"kernel_size":{{J(k)}},"output_size":{{J(outL)}}}""",
                ("input", c.Tensor), ("indices", I64(c.Shape, idx))).Outputs["output"].Value.Data;
            for (int q = 0; q < c.N * c.C; q++)
            {
                double sy = 0, sz = 0, abs = 0;
                for (int i = 0; i < c.Plane; i++) { sy += c.X[q * c.Plane + i]; abs += Math.Abs(c.X[q * c.Plane + i]); }
                for (int i = 0; i < outPlane; i++) sz += z[q * outPlane + i];
                int qq = q;
                // Both sums are double sums of the same terms (plus zeros) in different orders: γ_n·Σ|y| covers the difference.
                Require(Math.Abs(sy - sz) <= 2 * (c.Plane + outPlane) * Math.ScaleB(1, -53) * abs, () => $"plane {qq}: Σy = {Fmt(sy)}, Σ unpool(y) = {Fmt(sz)}");
            }
            return true;
        });
    }

    /// <summary>
    /// y with one index per window of a k = s grid (each window of size Πk > 1): unpooling puts y at that index and zeros around it,
    /// so max pooling with the same k = s returns max(y, 0) — and the index when y &gt; 0.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property MaxPool_OfUnpool_EqualsMaxOfYAndZero_ForNonOverlappingWindowsLargerThanOne()
    {
        var profile = new Profile([1, 2, 3], AllowCeil: false, Families: FamilySets.All, MaxBatch: 1, MaxChannels: 2);
        return Prop.ForAll(Gens.WithSeed(profile), t =>
        {
            var (c, seed) = t;
            var rng = new SplitMix(seed);
            var k = Enumerable.Range(0, c.Nd).Select(_ => 1 + rng.Below(3)).ToArray();
            if (k.All(v => v == 1)) k[rng.Below(c.Nd)] = 2;
            var outL = c.L.Zip(k, (l, kk) => l * kk).ToArray();
            var idx = new double[c.X.Length];
            for (int i = 0; i < c.X.Length; i++)
            {
                var co = OrderProperties.Unravel(i % c.Plane, c.L);
                var pos = co.Select((v, a) => v * k[a] + rng.Below(k[a])).ToArray();
                idx[i] = OrderProperties.Ravel(pos, outL);
            }
            string kj = J(k);
            var z = Eval(TorchName("max_unpool", c), $$"""{"kernel_size":{{kj}}}""", ("input", c.Tensor), ("indices", I64(c.Shape, idx))).Outputs["output"].Value;
            var pr = Eval(TorchName("max_pool", c), $$"""{"kernel_size":{{kj}},"return_indices":true}""", "input", z);
            var (v, vi) = (pr.Outputs["output"].Value.Data, pr.Outputs["indices"].Value.Data);
            for (int i = 0; i < c.X.Length; i++)
            {
                double y = c.X[i], want = double.IsNaN(y) ? y : Math.Max(y, 0);
                int ii = i;
                Require(SameValue(v[i], want), () => $"cell {ii}: maxpool(unpool(y)) = {Fmt(v[ii])}, max(y, 0) = {Fmt(want)} (k = {kj})");
                Require(!(y > 0) || vi[i] == idx[i], () => $"cell {ii}: y = {Fmt(y)} > 0 at {idx[ii]}, pooled index {vi[ii]}");
            }
            return true;
        });
    }

    /// <summary>
    /// PyTorch's per-plane row-major index <c>h·W + w</c> and ONNX's flat <c>q·HW + h·W + w</c> (storage_order 0) or
    /// <c>q·HW + h + w·H</c> (storage_order 1) describe the same tap: each converts into the other.
    /// </summary>
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property TorchAndOnnxIndexLayouts_ConvertIntoEachOther()
    {
        var profile = new Profile([1, 2, 3], MaxDilation: 2, Pad: PadMode.TorchSymmetric, Families: FamilySets.NoNaN);
        var gen = from c in Gens.CaseGen(profile) from so in Gen.Elements(0, 1) select (c, so);
        return Prop.ForAll(Arb.From(gen, t => Gens.Shrink(profile, t.c).Select(c => (c, t.so))), t =>
        {
            var (c, so) = t;
            var ti = Eval(TorchName("max_pool", c), TorchMaxJson(c), "input", c.Tensor).Outputs["indices"];
            var oi = Eval("onnx.MaxPool", OnnxJson(c, $",\"storage_order\":{so}"), "X", c.Tensor).Outputs["Indices"];
            int po = PlaneOut(ti);
            var colStr = new int[c.Nd];
            for (int a = 0, st = 1; a < c.Nd; a++) { colStr[a] = st; st *= c.L[a]; }
            for (int o = 0; o < ti.Value.Data.Length; o++)
            {
                if (ti.Unspecified?[o] == true) continue;
                long q = o / po, torchIdx = (long)ti.Value.Data[o], onnxIdx = (long)oi.Value.Data[o];
                // torch → onnx
                var co = OrderProperties.Unravel((int)torchIdx, c.L);
                long inPlane = so == 0 ? torchIdx : co.Select((v, a) => (long)v * colStr[a]).Sum();
                long toOnnx = q * c.Plane + inPlane;
                // onnx → torch
                long rest = onnxIdx - q * c.Plane;
                var back = new int[c.Nd];
                if (so == 0) back = OrderProperties.Unravel((int)rest, c.L);
                else for (int a = c.Nd - 1; a >= 0; a--) { back[a] = (int)(rest / colStr[a]); rest %= colStr[a]; }
                long toTorch = OrderProperties.Ravel(back, c.L);
                int oo = o;
                Require(toOnnx == onnxIdx && toTorch == torchIdx,
                    () => $"output {oo} storage_order {so}: torch {torchIdx} → onnx {toOnnx} (onnx says {onnxIdx}); onnx → torch {toTorch}");
            }
            return true;
        });
    }
}
