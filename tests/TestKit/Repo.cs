using System.Diagnostics;

namespace PoolingConformance.Tests.TestKit;

/// <summary>Paths of the repository and the availability of external tools the cross-checks need.</summary>
public static class Repo
{
    /// <summary>The repository root: the first folder above the test assembly that holds PoolingConformance.sln.</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PoolingConformance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("PoolingConformance.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The Debian interpreter that sees python3-torch (STACK.md §8), when it can import the given modules.</summary>
    public static string? PythonWith(params string[] modules)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) return null;
        try
        {
            var psi = new ProcessStartInfo(python, ["-c", "import " + string.Join(", ", modules)]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            p.WaitForExit(60_000);
            return p.HasExited && p.ExitCode == 0 ? python : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    /// <summary>A fresh temporary folder, deleted by the caller.</summary>
    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }
}
