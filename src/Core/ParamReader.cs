using System.Text.Json;

namespace PoolingConformance.Core;

/// <summary>
/// Reads an op's <c>params</c> object by the dialect's own parameter names, with the dialect's defaults.
/// A wrong type or value throws <see cref="InvalidParameterException"/> naming the parameter;
/// <see cref="EnsureAllUsed"/> refuses names the op does not define.
/// </summary>
public sealed class ParamReader
{
    readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ParamReader(JsonElement? parameters)
    {
        if (parameters is null || parameters.Value.ValueKind == JsonValueKind.Null) return;
        if (parameters.Value.ValueKind != JsonValueKind.Object) throw new InvalidParameterException("params", "params must be a JSON object");
        foreach (var p in parameters.Value.EnumerateObject()) _values[p.Name] = p.Value;
    }

    public static ParamReader FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new ParamReader(doc.RootElement.Clone());
    }

    public bool Has(string name) => _values.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null;

    JsonElement? Get(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    static long ToLong(JsonElement e, string name)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var l)) return l;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15) return (long)d;
        throw new InvalidParameterException(name, $"'{name}' must be an integer, got {e.GetRawText()}");
    }

    static int ToInt(JsonElement e, string name)
    {
        long l = ToLong(e, name);
        if (l is < int.MinValue or > int.MaxValue) throw new InvalidParameterException(name, $"'{name}' is out of the int32 range");
        return (int)l;
    }

    public int Int(string name, int dflt) => Get(name) is { } e ? ToInt(e, name) : dflt;
    public int? IntOrNull(string name) => Get(name) is { } e ? ToInt(e, name) : null;

    public int RequiredInt(string name) => Get(name) is { } e ? ToInt(e, name) : throw new InvalidParameterException(name, $"'{name}' is required");

    public double Double(string name, double dflt)
    {
        if (Get(name) is not { } e) return dflt;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d)) return d;
        throw new InvalidParameterException(name, $"'{name}' must be a number, got {e.GetRawText()}");
    }

    public double? DoubleOrNull(string name) => Has(name) ? Double(name, 0) : Mark(name);

    double? Mark(string name) { _used.Add(name); return null; }

    public bool Bool(string name, bool dflt)
    {
        if (Get(name) is not { } e) return dflt;
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidParameterException(name, $"'{name}' must be true or false, got {e.GetRawText()}"),
        };
    }

    /// <summary>An ONNX-style integer flag that must be 0 or 1 (booleans accepted too).</summary>
    public bool Flag01(string name, bool dflt)
    {
        if (Get(name) is not { } e) return dflt;
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) return e.GetBoolean();
        long v = ToLong(e, name);
        return v switch { 0 => false, 1 => true, _ => throw new InvalidParameterException(name, $"'{name}' must be 0 or 1, got {v}") };
    }

    public string String(string name, string dflt, params string[] allowed)
    {
        if (Get(name) is not { } e) return dflt;
        if (e.ValueKind != JsonValueKind.String) throw new InvalidParameterException(name, $"'{name}' must be a string, got {e.GetRawText()}");
        var s = e.GetString()!;
        if (allowed.Length > 0 && !allowed.Contains(s))
            throw new InvalidParameterException(name, $"'{name}' must be one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}, got '{s}'");
        return s;
    }

    /// <summary>
    /// A PyTorch-style size: an int broadcast to <paramref name="n"/> axes, or a list of 1 or <paramref name="n"/>
    /// ints (PyTorch's C++ accepts a single-element list). Null when absent; an empty list is returned as empty.
    /// </summary>
    public int[]? IntTuple(string name, int n)
    {
        if (Get(name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(ToInt(e, name), n).ToArray();
        if (e.ValueKind != JsonValueKind.Array) throw new InvalidParameterException(name, $"'{name}' must be an int or a list of ints, got {e.GetRawText()}");
        var items = e.EnumerateArray().Select(x => ToInt(x, name)).ToArray();
        if (items.Length == 0) return items;
        if (items.Length == 1) return Enumerable.Repeat(items[0], n).ToArray();
        if (items.Length != n) throw new InvalidParameterException(name, $"'{name}' must have 1 or {n} entries, got {items.Length}");
        return items;
    }

    /// <summary>A list of exactly the given length (or any length when <paramref name="n"/> is negative).</summary>
    public int[]? IntList(string name, int n = -1)
    {
        if (Get(name) is not { } e) return null;
        if (e.ValueKind != JsonValueKind.Array) throw new InvalidParameterException(name, $"'{name}' must be a list of ints, got {e.GetRawText()}");
        var items = e.EnumerateArray().Select(x => ToInt(x, name)).ToArray();
        if (n >= 0 && items.Length != n) throw new InvalidParameterException(name, $"'{name}' must have {n} entries, got {items.Length}");
        return items;
    }

    /// <summary>A list whose entries are ints or null (PyTorch adaptive <c>output_size</c>); an int broadcasts.</summary>
    public int?[]? NullableIntTuple(string name, int n)
    {
        if (Get(name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Number) return Enumerable.Repeat<int?>(ToInt(e, name), n).ToArray();
        if (e.ValueKind != JsonValueKind.Array) throw new InvalidParameterException(name, $"'{name}' must be an int or a list, got {e.GetRawText()}");
        var items = e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? (int?)null : ToInt(x, name)).ToArray();
        if (items.Length == 1 && n > 1) return Enumerable.Repeat(items[0], n).ToArray();
        if (items.Length != n) throw new InvalidParameterException(name, $"'{name}' must have {n} entries, got {items.Length}");
        return items;
    }

    /// <summary>Raw access for structured parameters (TensorFlow's explicit padding pairs).</summary>
    public JsonElement? Raw(string name) => Get(name);

    /// <summary>Refuses any parameter the op did not read.</summary>
    public void EnsureAllUsed(string op)
    {
        foreach (var k in _values.Keys)
            if (!_used.Contains(k)) throw new InvalidParameterException(k, $"unknown parameter '{k}' for {op}");
    }
}
