using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PoolingConformance.Cli;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Conformance;

/// <summary>What one in-process <c>poolconf</c> call returned.</summary>
public sealed record CliResult(int Code, string Stdout, string Stderr)
{
    public string[] StdoutLines => Lines(Stdout);
    public string[] StderrLines => Lines(Stderr);
    public string LastStdoutLine => StdoutLines.LastOrDefault() ?? "";

    static string[] Lines(string s) =>
        s.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    /// <summary>Everything a failing assertion needs to reproduce the call.</summary>
    public override string ToString() => $"exit {Code}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs <c>Program.Run</c> in process, capturing both streams.</summary>
public static class Cli
{
    /// <summary>The code reported when <c>Program.Run</c> lets an exception escape (no contract exit code).</summary>
    public const int UnhandledException = -1;

    public static CliResult Run(params string[] args)
    {
        var so = new StringWriter(); var se = new StringWriter();
        int code;
        try { code = Program.Run(args, so, se); }
        catch (Exception e)
        {
            // The process would die with an unhandled exception: no contract exit code, a stack trace on stderr.
            return new CliResult(UnhandledException, so.ToString(), se + $"UNHANDLED {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        return new CliResult(code, so.ToString(), se.ToString());
    }

    /// <summary>
    /// CONTRACT.md §1: exit 2 comes with exactly one line on standard error that names what is wrong.
    /// Each entry of <paramref name="mustName"/> must occur in that line.
    /// </summary>
    public static void AssertUnusable(CliResult r, params string[] mustName)
    {
        Assert.That(r.Code, Is.EqualTo(2), r.ToString());
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), "exit 2 must come with exactly one line on stderr\n" + r);
        foreach (var n in mustName)
            Assert.That(r.StderrLines[0], Does.Contain(n), $"the stderr line must name '{n}'\n" + r);
    }

    /// <summary>CONTRACT.md §5: the last line of standard output is <c>N passed, N failed</c>.</summary>
    public static void AssertSummary(CliResult r, int passed, int failed)
    {
        Assert.That(r.LastStdoutLine, Is.EqualTo($"{passed} passed, {failed} failed"), r.ToString());
    }
}

/// <summary>A temporary folder under <see cref="Path.GetTempPath"/>, removed on dispose.</summary>
public sealed class TempRoot : IDisposable
{
    public string Dir { get; }

    public TempRoot(string tag = "pc")
    {
        Dir = Path.Combine(Path.GetTempPath(), $"poolconf-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Dir);
    }

    public string this[string rel] => Path.Combine(Dir, rel);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// A content snapshot of a folder tree (paths, kinds, link targets, file hashes) to prove that a command wrote
/// nothing outside its named outputs (CONTRACT.md §1).
/// </summary>
public static class Snapshot
{
    public static SortedDictionary<string, string> Take(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(string dir)
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(dir))
            {
                var rel = Path.GetRelativePath(root, e);
                var fi = new FileInfo(e);
                if (fi.LinkTarget is not null) { map[rel] = "link:" + fi.LinkTarget; continue; }
                if (Directory.Exists(e)) { map[rel] = "dir"; Walk(e); continue; }
                map[rel] = "file:" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e)));
            }
        }
        Walk(root);
        return map;
    }

    /// <summary>Relative paths that were added, removed or changed between two snapshots.</summary>
    public static List<string> Changed(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        var keys = before.Keys.Union(after.Keys, StringComparer.Ordinal);
        return keys.Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b).ToList();
    }

    /// <summary>Asserts every change lies inside one of the allowed relative paths (files or folders).</summary>
    public static void AssertOnlyUnder(SortedDictionary<string, string> before, SortedDictionary<string, string> after, params string[] allowed)
    {
        var bad = Changed(before, after).Where(p => !allowed.Any(a => p == a || p.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal))).ToList();
        Assert.That(bad, Is.Empty, $"written outside {string.Join(", ", allowed.DefaultIfEmpty("(nothing allowed)"))}");
    }
}

/// <summary>Suites for the tests: the generated smoke suite (shared, read-only) and small hand-built ones.</summary>
public static class Suites
{
    static readonly Lazy<(string Suite, string Results)> Smoke = new(() =>
    {
        var dir = Path.Combine(SharedFolder.Dir, "smoke");
        var res = Path.Combine(SharedFolder.Dir, "smoke-results");
        var g = Cli.Run("generate", "--suite", "smoke", "--out", dir);
        if (g.Code != 0) throw new InvalidOperationException("generate smoke failed: " + g);
        var r = Cli.Run("run", "--suite", dir, "--backend", "reference", "--out", res);
        if (r.Code != 0) throw new InvalidOperationException("run reference on smoke failed: " + r);
        return (dir, res);
    });

    /// <summary>The smoke suite, generated once per test run; tests must not modify it.</summary>
    public static string SmokeSuite => Smoke.Value.Suite;

    /// <summary>The reference backend's results on the smoke suite; tests copy it before changing anything.</summary>
    public static string SmokeResults => Smoke.Value.Results;

    public static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    public static JsonObject ReadManifest(string suite) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(suite, "manifest.json")))!;

    public static List<JsonObject> Cases(string suite) => ReadManifest(suite)["cases"]!.AsArray().Select(c => (JsonObject)c!).ToList();

    /// <summary>Path of one output file in the results layout (CONTRACT.md §3).</summary>
    public static string ResultFile(string results, string id, string output) =>
        Path.Combine(results, id.Replace('/', Path.DirectorySeparatorChar), output + ".npy");

    /// <summary>A float tensor 0.25·(i mod 13) − 1.5: distinct neighbours, exact in every float dtype.</summary>
    public static Tensor Ramp(DType t, params int[] shape)
    {
        var n = (int)Tensor.ElementCount(shape);
        return new Tensor(t, shape, Enumerable.Range(0, n).Select(i => 0.25 * ((i * 7) % 13) - 1.5).ToArray());
    }

    /// <summary>One manifest case (CONTRACT.md §2).</summary>
    public static JsonObject Case(string id, string op, JsonObject prms, string inputRel, params string[] outputs) => new()
    {
        ["id"] = id, ["op"] = op, ["params"] = prms,
        ["inputs"] = new JsonObject { ["input"] = inputRel },
        ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
        ["tolerance"] = null,
    };

    /// <summary>Writes a manifest with the given cases into <paramref name="suite"/>.</summary>
    public static void WriteManifest(string suite, IEnumerable<JsonNode> cases, string format = "poolconf-suite/1")
    {
        Directory.CreateDirectory(suite);
        var root = new JsonObject
        {
            ["format"] = format,
            ["generator"] = new JsonObject { ["tool"] = "tests", ["suite"] = "handmade" },
            ["cases"] = new JsonArray(cases.Select(c => c.DeepClone()).ToArray()),
        };
        File.WriteAllText(Path.Combine(suite, "manifest.json"), root.ToJsonString());
    }

    /// <summary>Writes <c>cases/&lt;id&gt;/input.npy</c> and returns its suite-relative path.</summary>
    public static string WriteInput(string suite, string id, Tensor t, string name = "input")
    {
        var rel = $"cases/{id}/{name}.npy";
        var path = Path.Combine(suite, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Npy.Write(path, t);
        return rel;
    }

    /// <summary>
    /// A small valid suite: case <c>good/max</c> (torch.max_pool2d, k=2, 1×2×4×4 float32) plus the given extra cases.
    /// </summary>
    public static void WriteGoodSuite(string suite, params JsonObject[] extra)
    {
        var rel = WriteInput(suite, "good/max", Ramp(DType.Float32, 1, 2, 4, 4));
        var good = Case("good/max", "torch.max_pool2d", new JsonObject { ["kernel_size"] = 2 }, rel, "output");
        WriteManifest(suite, [good, .. extra]);
    }

    public const string GoodId = "good/max";
}

/// <summary>One shared temporary folder for the whole test run (the generated smoke suite lives here).</summary>
[SetUpFixture]
public sealed class SharedFolder
{
    static readonly Lazy<string> _dir = new(() =>
    {
        var d = Path.Combine(Path.GetTempPath(), $"poolconf-shared-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    });

    public static string Dir => _dir.Value;

    [OneTimeTearDown]
    public void RemoveShared()
    {
        if (_dir.IsValueCreated)
            try { Directory.Delete(_dir.Value, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Hand-built .npy files (independent of <see cref="Npy.Write"/>) for the reader's tests and the refusals.</summary>
public static class NpyBytes
{
    /// <summary>
    /// A .npy file: magic, version <paramref name="major"/>.0, header length (2 bytes for 1.0, 4 for 2.0/3.0),
    /// the dictionary padded with spaces and a newline so the data starts at a multiple of 64, then <paramref name="data"/>.
    /// </summary>
    public static byte[] Build(string dict, byte[] data, int major = 1)
    {
        int prefix = major == 1 ? 10 : 12;
        var enc = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        int dictLen = enc.GetByteCount(dict);
        int pad = (64 - (prefix + dictLen + 1) % 64) % 64;
        var header = enc.GetBytes(dict + new string(' ', pad) + "\n");
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)header.Length));
        else ms.Write(BitConverter.GetBytes((uint)header.Length));
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    public static string Dict(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>Little-endian float32 bytes of the values.</summary>
    public static byte[] F32(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>Big-endian float32 bytes of the values.</summary>
    public static byte[] F32BigEndian(params float[] v) => v.SelectMany(x => BitConverter.GetBytes(x).Reverse()).ToArray();

    /// <summary>The kinds of bad file CONTRACT.md §3 says the reader refuses, each for a float32 array of the given shape.</summary>
    public static byte[] Bad(string kind, int[] shape)
    {
        int n = (int)Tensor.ElementCount(shape);
        string shp = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var data = F32(Enumerable.Range(0, n).Select(i => (float)i).ToArray());
        return kind switch
        {
            "truncated" => Build(Dict("<f4", shp), data[..^4]),
            "trailing_bytes" => Build(Dict("<f4", shp), [.. data, 0, 0, 0, 0]),
            "big_endian" => Build(Dict(">f4", shp), F32BigEndian(Enumerable.Range(0, n).Select(i => (float)i).ToArray())),
            "fortran_order" => Build(Dict("<f4", shp, fortran: true), data),
            "header_lies_about_size" => Build(Dict("<f4", "(" + string.Join(", ", shape.Select(d => d * 1000)) + ")"), data),
            "object_dtype" => Build(Dict("|O", shp), data),
            "truncated_header" => Build(Dict("<f4", shp), data)[..20],
            "bad_magic" => [.. Encoding.ASCII.GetBytes("NOTNUMPY"), .. data],
            _ => throw new ArgumentException(kind),
        };
    }

    public static readonly string[] BadKinds =
        ["truncated", "trailing_bytes", "big_endian", "fortran_order", "header_lies_about_size", "object_dtype", "truncated_header", "bad_magic"];
}
