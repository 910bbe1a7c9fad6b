using System.Text.Json.Nodes;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Suites;

/// <summary>
/// ROI cases (issue: ROI pooling and ROI Align): every ROI op × box families (inside, partly outside, far outside,
/// degenerate, reversed, integer corners, .5 rounding edges after scaling) × maps (tiny, smaller than the bin count,
/// non-square) × sampling ratios and alignment. Non-finite boxes are not generated: the oracle refuses them (a case
/// error), which the unit tests check.
/// </summary>
public static class RoiSuite
{
    static readonly string[] BoxFamilies = ["inside", "partly_outside", "far_outside", "degenerate", "reversed", "integer", "half_edges"];

    /// <summary>K boxes [x1, y1, x2, y2] in image coordinates for a map of <paramref name="h"/>×<paramref name="w"/> at scale σ.</summary>
    public static double[][] Boxes(string family, int k, int h, int w, double scale, ulong seed, DType t)
    {
        var g = new SplitMix64(seed);
        double W = w / scale, H = h / scale;
        double U(double lo, double hi) => lo + (hi - lo) * g.NextDouble();
        var boxes = new double[k][];
        for (int i = 0; i < k; i++)
        {
            double x1, y1, x2, y2;
            switch (family)
            {
                case "partly_outside": x1 = U(-0.4 * W, 0.5 * W); y1 = U(-0.4 * H, 0.5 * H); x2 = U(0.6 * W, 1.4 * W); y2 = U(0.6 * H, 1.4 * H); break;
                case "far_outside": x1 = U(1.6 * W, 2 * W); y1 = U(-2 * H, -1.6 * H); x2 = x1 + U(1, W); y2 = y1 + U(1, H); break;
                case "degenerate": x1 = U(0, W); y1 = U(0, H); x2 = i % 2 == 0 ? x1 : U(x1, W); y2 = i % 2 == 0 ? U(y1, H) : y1; break;
                case "reversed": x2 = U(0, 0.5 * W); y2 = U(0, 0.5 * H); x1 = U(0.5 * W, W); y1 = U(0.5 * H, H); break;
                case "integer": x1 = Math.Floor(U(0, W / 2)); y1 = Math.Floor(U(0, H / 2)); x2 = Math.Floor(U(W / 2, W)); y2 = Math.Floor(U(H / 2, H)); break;
                case "half_edges":
                    // Corners whose scaled value is k + 0.5: C++ round() goes away from zero, banker's rounding would not.
                    x1 = (g.NextInt(0, Math.Max(0, w / 2)) + 0.5) / scale; y1 = (g.NextInt(0, Math.Max(0, h / 2)) + 0.5) / scale;
                    x2 = (g.NextInt(w / 2, w) + 0.5) / scale; y2 = (g.NextInt(h / 2, h) + 0.5) / scale; break;
                default: x1 = U(0, 0.6 * W); y1 = U(0, 0.6 * H); x2 = U(x1, W); y2 = U(y1, H); break;
            }
            boxes[i] = [t.Round(x1), t.Round(y1), t.Round(x2), t.Round(y2)];
        }
        return boxes;
    }

    static JsonArray Arr(params int[] v) => StandardSuite.Arr(v);

    public static void Add(SuiteBuilder b, bool smoke)
    {
        var t = b.DType;
        var maps = new (int N, int C, int H, int W)[] { (2, 3, 9, 11), (1, 2, 1, 1), (1, 4, 3, 3), (2, 8, 16, 12) };
        var outs = new (int Ph, int Pw)[] { (2, 2), (7, 7), (3, 1) };
        var scales = new[] { 1.0, 0.5, 0.25 };
        int i = 0;
        foreach (var fam in BoxFamilies)
            foreach (var (n, c, h, w) in maps)
            {
                if (smoke && i % 5 != 0) { i++; continue; }
                var (ph, pw) = outs[i % outs.Length];
                double scale = scales[i % scales.Length];
                int k = 3;
                var boxes = Boxes(fam, k, h, w, scale, b.CaseSeed($"roi/{fam}/{i}"), t);
                var batch = Enumerable.Range(0, k).Select(j => (double)(j % n)).ToArray();
                var tv = new Tensor(t, [k, 5], boxes.SelectMany((bx, j) => new[] { batch[j], bx[0], bx[1], bx[2], bx[3] }).ToArray());
                var onnxRois = new Tensor(t, [k, 4], boxes.SelectMany(bx => bx).ToArray());
                var onnxBatch = new Tensor(DType.Int64, [k], batch);
                string fill = new[] { "rand", "int", "ties", "pos" }[i % 4];
                int sr = new[] { -1, 2, 1, 0 }[i % 4];
                bool aligned = i % 2 == 1;
                string tag = $"{fam}-{h}x{w}";
                var extra = new Dictionary<string, Tensor> { ["boxes"] = tv };
                b.Add("torchvision.roi_pool", tag, new JsonObject { ["output_size"] = Arr(ph, pw), ["spatial_scale"] = scale }, [n, c, h, w], fill == "pos" ? "nan_mid" : fill, extra: extra);
                b.Add("torchvision.roi_align", tag, new JsonObject { ["output_size"] = Arr(ph, pw), ["spatial_scale"] = scale, ["sampling_ratio"] = sr, ["aligned"] = aligned }, [n, c, h, w], fill, extra: extra);
                b.Add("poolconf.roi_align_max", tag, new JsonObject { ["output_size"] = Arr(ph, pw), ["spatial_scale"] = scale, ["sampling_ratio"] = sr, ["aligned"] = aligned }, [n, c, h, w], fill, extra: extra);
                int psC = ph * pw * (1 + i % 2);
                b.Add("torchvision.ps_roi_pool", tag, new JsonObject { ["output_size"] = Arr(ph, pw), ["spatial_scale"] = scale }, [n, psC, h, w], fill, extra: extra);
                // ps_roi_align divides by an unclamped G_h·G_w: degenerate boxes with adaptive sampling give NaN, kept as the dialect.
                b.Add("torchvision.ps_roi_align", tag, new JsonObject { ["output_size"] = Arr(ph, pw), ["spatial_scale"] = scale, ["sampling_ratio"] = sr }, [n, psC, h, w], fill, extra: extra);
                foreach (var mode in new[] { "avg", "max" })
                    b.Add("onnx.RoiAlign", $"{tag}-{mode}", new JsonObject
                    {
                        ["output_height"] = ph, ["output_width"] = pw, ["spatial_scale"] = scale, ["sampling_ratio"] = Math.Max(sr, 0), ["mode"] = mode,
                        ["coordinate_transformation_mode"] = aligned ? "half_pixel" : "output_half_pixel",
                    }, [n, c, h, w], fill, "X", extra: new() { ["rois"] = onnxRois, ["batch_indices"] = onnxBatch });
                b.Add("onnx.MaxRoiPool", tag, new JsonObject { ["pooled_shape"] = Arr(ph, pw), ["spatial_scale"] = scale }, [n, c, h, w], fill, "X", extra: new() { ["rois"] = tv });
                b.Add("caffe.roi_align", tag, new JsonObject { ["pooled_h"] = ph, ["pooled_w"] = pw, ["spatial_scale"] = scale, ["sampling_ratio"] = sr }, [n, c, h, w], fill, "X", extra: new() { ["rois"] = tv });
                // crop_and_resize: normalized boxes [y1, x1, y2, x2] (flipped ones allowed), NHWC image.
                var nb = boxes.SelectMany(bx => new[] { (double)(float)(bx[1] * scale / h), (double)(float)(bx[0] * scale / w), (double)(float)(bx[3] * scale / h), (double)(float)(bx[2] * scale / w) }).ToArray();
                foreach (var method in new[] { "bilinear", "nearest" })
                    b.Add("tf.image.crop_and_resize", $"{tag}-{method}", new JsonObject { ["crop_size"] = Arr(ph + 1, pw + 2), ["method"] = method, ["extrapolation_value"] = -1.5 },
                        [n, c, h, w], fill, "image", channelsLast: true,
                        extra: new() { ["boxes"] = new Tensor(DType.Float32, [k, 4], nb), ["box_indices"] = new Tensor(DType.Int32, [k], batch) });
                i++;
            }
        MultiScale(b, smoke);
    }

    /// <summary>MultiScaleRoIAlign over 1 to 4 maps (strides 4, 8, 16, 32 of a 64×48 image) with boxes spanning the levels.</summary>
    static void MultiScale(SuiteBuilder b, bool smoke)
    {
        var t = b.DType;
        foreach (var levels in smoke ? new[] { 4 } : new[] { 1, 2, 4 })
            foreach (var (fam, sr) in smoke ? new[] { ("inside", 2) } : new[] { ("inside", 2), ("partly_outside", -1), ("integer", 0), ("degenerate", 1) })
            {
                int n = 2, c = 3;
                var seed = b.CaseSeed($"msroi/{levels}/{fam}");
                var maps = new Dictionary<string, Tensor>();
                for (int l = 0; l < levels; l++)
                {
                    int h = 64 >> (2 + l), w = 48 >> (2 + l);
                    maps[$"x{l}"] = new Tensor(t, [n, c, h, w], Fills.Draw("rand", n * c * h * w, t, seed, $"x{l}"));
                }
                // Boxes from small to image-sized, so FPN's level mapping spreads them over every map.
                var g = new SplitMix64(seed);
                int k = 6;
                var rows = new List<double>();
                for (int j = 0; j < k; j++)
                {
                    var bx = Boxes(fam, 1, 64, 48, 1.0, seed + (ulong)j, t)[0];
                    double shrink = 1.0 / (1 << (j % 4));
                    rows.AddRange([j % n, bx[0], bx[1], t.Round(bx[0] + (bx[2] - bx[0]) * shrink), t.Round(bx[1] + (bx[3] - bx[1]) * shrink)]);
                }
                var inputs = new Dictionary<string, Tensor>(maps)
                {
                    ["boxes"] = new Tensor(t, [k, 5], rows.ToArray()),
                    ["image_shapes"] = new Tensor(DType.Int64, [n, 2], [64, 48, 60, 40]),
                };
                b.AddRaw("torchvision.multiscale_roi_align", $"levels{levels}-{fam}",
                    new JsonObject { ["output_size"] = Arr(3, 2), ["sampling_ratio"] = sr, ["canonical_scale"] = 32, ["canonical_level"] = 4 }, inputs);
            }
    }
}
