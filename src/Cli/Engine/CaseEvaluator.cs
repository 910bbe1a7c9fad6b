using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Cli.Engine;

/// <summary>A case that cannot be evaluated (CONTRACT.md §1: status <c>error</c>, the run goes on).</summary>
public sealed class CaseException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Loads a case's inputs and evaluates the oracle on them.</summary>
public static class CaseEvaluator
{
    public static Dictionary<string, Tensor> LoadInputs(Suite suite, CaseSpec c)
    {
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, rel) in c.Inputs)
        {
            var path = Path.Combine(suite.Dir, rel);
            try { inputs[name] = Npy.Read(path); }
            catch (NpyException e) { throw new CaseException($"inputs.{name}", $"{rel}: {e.Message}"); }
            catch (FileNotFoundException) { throw new CaseException($"inputs.{name}", $"{rel}: no such file"); }
            catch (DirectoryNotFoundException) { throw new CaseException($"inputs.{name}", $"{rel}: no such file"); }
            catch (UnauthorizedAccessException) { throw new CaseException($"inputs.{name}", $"{rel}: unreadable (a folder or no permission)"); }
            catch (IOException e) { throw new CaseException($"inputs.{name}", $"{rel}: unreadable: {e.Message}"); }
        }
        return inputs;
    }

    /// <summary>Evaluates the oracle and checks the case's output names against the op.</summary>
    public static OpResult Evaluate(CaseSpec c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var op = OpRegistry.Find(c.Op) ?? throw new CaseException("op", $"unknown op '{c.Op}' (see poolconf list)");
        foreach (var name in inputs.Keys)
            if (!op.Inputs.Contains(name)) throw new CaseException($"inputs.{name}", $"{c.Op} has no input '{name}' (inputs: {string.Join(", ", op.Inputs)})");
        OpResult r;
        try { r = op.Evaluate(c.Params, inputs); }
        catch (InvalidParameterException e) { throw new CaseException(e.Field.StartsWith("inputs.") ? e.Field : $"params.{e.Field}", e.Message); }
        foreach (var o in c.Outputs)
            if (!r.Outputs.ContainsKey(o)) throw new CaseException("outputs", $"{c.Op} has no output '{o}' (outputs: {string.Join(", ", r.Outputs.Keys)})");
        return r;
    }

    public static OpResult Evaluate(Suite suite, CaseSpec c) => Evaluate(c, LoadInputs(suite, c));
}
