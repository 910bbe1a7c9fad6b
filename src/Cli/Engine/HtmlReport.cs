using System.Net;
using System.Text;
using PoolingConformance.Core;

namespace PoolingConformance.Cli.Engine;

/// <summary>A self-contained HTML page: summary, per-op pass rates and the failing cases with their first mismatches.</summary>
public static class HtmlReport
{
    public static string Render(Suite suite, string results, IReadOnlyList<CaseOutcome> outcomes)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var sb = new StringBuilder();
        int passed = outcomes.Count(o => !o.CountsAsFailure), failed = outcomes.Count - passed;
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>poolconf verify</title><style>")
          .Append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
          .Append(".pass{color:#070}.fail{color:#a00}code{font-size:90%}</style></head><body>")
          .Append($"<h1>poolconf verify</h1><p>suite <code>{E(Path.GetFullPath(suite.Dir))}</code>, results <code>{E(Path.GetFullPath(results))}</code></p>")
          .Append($"<p class=\"{(failed == 0 ? "pass" : "fail")}\"><b>{passed} passed, {failed} failed</b></p>")
          ;
        var perOp = new StringBuilder("<h2>Per op</h2><table><tr><th>op</th><th>passed</th><th>cases</th><th>rate</th></tr>");
        foreach (var g in outcomes.GroupBy(o => o.Case.Op).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int p = g.Count(o => !o.CountsAsFailure);
            perOp.Append($"<tr><td>{E(g.Key)}</td><td>{p}</td><td>{g.Count()}</td><td class=\"{(p == g.Count() ? "pass" : "fail")}\">{100.0 * p / g.Count():F1}%</td></tr>");
        }
        perOp.Append("</table>");
        sb.Append(outcomes.Any(o => o.CountsAsFailure) ? "<h2>Failing cases</h2>" : "<h2>Failing cases</h2><p class=\"pass\">none</p>");
        foreach (var o in outcomes.Where(o => o.CountsAsFailure).Take(500))
        {
            sb.Append($"<h3 class=\"fail\">{E(o.Status.ToUpperInvariant())} {E(o.Case.Id)}</h3><p>{E(o.Message)}</p>")
              .Append($"<p>params <code>{E(o.Case.Params?.GetRawText() ?? "{}")}</code><br>problem <code>{E(o.Descriptor)}</code><br>repro <code>{E(Verifier.Repro(suite, o.Case))}</code></p>");
            foreach (var c in o.Outputs.Where(c => c.ErrorMap is not null))
                sb.Append(Heatmap(c));
            foreach (var c in o.Outputs.Where(c => c.First.Count > 0))
            {
                sb.Append($"<table><tr><th>{E(c.Name)} index</th><th>expected</th><th>actual</th><th>bound</th></tr>");
                foreach (var m in c.First)
                    sb.Append($"<tr><td>{E(Tensor.ShapeText(m.Index))}</td><td>{OutputComparison.Fmt(m.Expected)}</td><td>{OutputComparison.Fmt(m.Actual)}</td><td>{OutputComparison.Fmt(m.Bound)}</td></tr>");
                sb.Append("</table>");
            }
        }
        sb.Append(perOp).Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// An inline SVG error map of the (n, c) plane holding the first mismatch, rows × columns of its last two axes (1-D outputs as one row; 3-D
    /// as the first depth slice): green within tolerance, yellow to red for errors of 1 to 100+ bounds, black for NaN
    /// or class mismatches. Self-contained: no image files, no scripts.
    /// </summary>
    static string Heatmap(OutputComparison c)
    {
        var map = c.ErrorMap!;
        var spatial = c.Shape[2..];
        int w = spatial.Length == 0 ? 1 : spatial[^1];
        int h = spatial.Length >= 2 ? spatial[^2] : 1;
        int cell = Math.Clamp(320 / Math.Max(w, h), 3, 24);
        var sb = new StringBuilder();
        int channels = c.Shape.Length > 1 ? Math.Max(c.Shape[1], 1) : 1;
        sb.Append($"<p>error map of <code>{WebUtility.HtmlEncode(c.Name)}</code>, plane (n {c.ErrorMapPlane / channels}, c {c.ErrorMapPlane % channels}){(spatial.Length == 3 ? ", depth 0" : "")}: {h}×{w} " +
                  "<small>(<span style=\"background:#cfe8cf\">&nbsp;ok&nbsp;</span> <span style=\"background:hsl(60,90%,50%)\">&nbsp;1× bound&nbsp;</span> " +
                  "<span style=\"background:hsl(0,90%,50%)\">&nbsp;≥100× bound&nbsp;</span> <span style=\"background:#000;color:#fff\">&nbsp;NaN / class&nbsp;</span>)</small></p>");
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w * cell}\" height=\"{h * cell}\" role=\"img\">");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double e = map[y * w + x];
                string color = e == 0 ? "#cfe8cf" : double.IsInfinity(e) ? "#000000"
                    : $"hsl({(int)Math.Round(60 - 60 * Math.Clamp(Math.Log10(Math.Max(e, 1)) / 2, 0, 1))},90%,50%)";
                sb.Append($"<rect x=\"{x * cell}\" y=\"{y * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"{color}\"><title>[{y},{x}] {(e == 0 ? "ok" : double.IsInfinity(e) ? "NaN/class mismatch" : $"{e:G3} × bound")}</title></rect>");
            }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
