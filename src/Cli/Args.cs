namespace PoolingConformance.Cli;

/// <summary>A command line that does not parse (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A small, strict option parser: <c>--name value</c>, <c>--name=value</c> and flags; unknown options, a missing
/// value and repeated options are errors naming the option.
/// </summary>
public sealed class Args
{
    readonly Dictionary<string, string?> _opts = new(StringComparer.Ordinal);
    public List<string> Positional { get; } = [];

    public Args(IEnumerable<string> argv, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var list = argv.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (a.StartsWith("--"))
            {
                string name = a; string? value = null;
                int eq = a.IndexOf('=');
                if (eq > 0) { name = a[..eq]; value = a[(eq + 1)..]; }
                if (valued.Contains(name))
                {
                    if (value is null)
                    {
                        if (i + 1 >= list.Count) throw new UsageException($"option '{name}' needs a value");
                        value = list[++i];
                    }
                }
                else if (flags.Contains(name))
                {
                    if (value is not null) throw new UsageException($"option '{name}' takes no value");
                    value = "";
                }
                else throw new UsageException($"unknown option '{name}'");
                if (_opts.ContainsKey(name)) throw new UsageException($"option '{name}' given twice");
                _opts[name] = value;
            }
            else Positional.Add(a);
        }
    }

    public string? Get(string name) => _opts.GetValueOrDefault(name);
    public bool Has(string name) => _opts.ContainsKey(name);
    public string Required(string name) => Get(name) ?? throw new UsageException($"option '{name}' is required");
}
