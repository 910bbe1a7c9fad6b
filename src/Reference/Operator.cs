using System.Text.Json;
using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>One parameter of an op as <c>poolconf list</c> documents it: the dialect's name, its type and default.</summary>
public sealed record ParamInfo(string Name, string Type, string Default, string Description = "");

/// <summary>An input tensor a case cannot use; <see cref="InvalidParameterException.Field"/> is <c>inputs.NAME</c>.</summary>
public static class InputErrors
{
    public static InvalidParameterException Bad(string input, string message) => new($"inputs.{input}", message);
}

/// <summary>What the oracle computed for a case: every output the op can produce, plus the canonical descriptor.</summary>
public sealed class OpResult
{
    public Dictionary<string, Expectation> Outputs { get; } = new(StringComparer.Ordinal);
    /// <summary>The outputs the op produces by default for these parameters, in order.</summary>
    public List<string> DefaultOutputs { get; } = [];
    /// <summary>The canonical problem line (STYLE.md §2.5), printed with failures and by <c>explain</c>.</summary>
    public string Descriptor { get; set; } = "";
    /// <summary>Windows of the problem for <c>explain</c> (null when the op has none).</summary>
    public IReadOnlyList<Window>? Windows { get; set; }
    public int[]? WindowInputShape { get; set; }
    public int[]? WindowOutputShape { get; set; }
    public Func<Window, string>? DivisorText { get; set; }
    /// <summary>Other geometry for <c>explain</c> (ROI bins, sample points and their bilinear weights), produced on demand.</summary>
    public Func<IEnumerable<string>>? ExplainLines { get; set; }

    public void Add(Expectation e, bool byDefault = true)
    {
        Outputs[e.Name] = e;
        if (byDefault) DefaultOutputs.Add(e.Name);
    }
}

/// <summary>
/// A reference operator in one dialect's spelling (STYLE.md: one operator, one file). Evaluate
/// validates every parameter and input, naming the field on failure, and computes in float64.
/// </summary>
public abstract class PoolOp
{
    public abstract string Name { get; }
    public abstract IReadOnlyList<ParamInfo> Params { get; }
    public abstract IReadOnlyList<string> Inputs { get; }
    /// <summary>Inputs that may be absent.</summary>
    public virtual IReadOnlyList<string> OptionalInputs => [];
    public abstract IReadOnlyList<string> Outputs { get; }
    /// <summary>The default tolerance in words: "exact" or the derived bound's formula.</summary>
    public abstract string ToleranceText { get; }
    public virtual string Summary => "";

    /// <summary>Computes every output. Throws <see cref="InvalidParameterException"/> for an invalid case.</summary>
    public abstract OpResult Evaluate(ParamReader p, IReadOnlyDictionary<string, Tensor> inputs);

    public OpResult Evaluate(string paramsJson, IReadOnlyDictionary<string, Tensor> inputs) => Evaluate(ParamReader.FromJson(paramsJson), inputs);

    public OpResult Evaluate(JsonElement? parameters, IReadOnlyDictionary<string, Tensor> inputs) => Evaluate(new ParamReader(parameters), inputs);

    protected Tensor Input(IReadOnlyDictionary<string, Tensor> inputs, string name) =>
        inputs.TryGetValue(name, out var t) ? t : throw InputErrors.Bad(name, $"input '{name}' is required by {Name}");

    protected static Tensor? OptionalInput(IReadOnlyDictionary<string, Tensor> inputs, string name) =>
        inputs.TryGetValue(name, out var t) ? t : null;

    protected static void RequireFloat(Tensor t, string name, params DType[] allowed)
    {
        var ok = allowed.Length > 0 ? allowed : [DType.Float16, DType.Float32, DType.Float64];
        if (!ok.Contains(t.DType))
            throw InputErrors.Bad(name, $"input '{name}' has dtype {t.DType.Name()}; allowed: {string.Join(", ", ok.Select(d => d.Name()))}");
    }
}
