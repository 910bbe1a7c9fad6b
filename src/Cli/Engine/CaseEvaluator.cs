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
        CheckInputNames(c.Op, op, inputs.Keys);
        OpResult r;
        try { r = op.Evaluate(c.Params, inputs); }
        catch (InvalidParameterException e) { throw new CaseException(e.Field.StartsWith("inputs.") ? e.Field : $"params.{e.Field}", e.Message); }
        foreach (var o in c.Outputs)
            if (!r.Outputs.ContainsKey(o)) throw new CaseException("outputs", $"{c.Op} has no output '{o}' (outputs: {string.Join(", ", r.Outputs.Keys)})");
        return r;
    }

    /// <summary>
    /// Refuses (status <c>error</c>, field <c>inputs.NAME</c>) an input name the op does not take: a tensor the case author meant
    /// to be read but that no backend would read. Every in-process backend runs this check, so they agree on the case.
    /// </summary>
    public static void CheckInputNames(string opName, PoolOp op, IEnumerable<string> names)
    {
        foreach (var name in names)
            if (!op.Inputs.Contains(name)) throw new CaseException($"inputs.{name}", $"{opName} has no input '{name}' (inputs: {string.Join(", ", op.Inputs)})");
    }

    /// <summary>The same check from the manifest alone (no input file read); an op the oracle does not know is left to the backend.</summary>
    public static void CheckInputNames(CaseSpec c)
    {
        if (OpRegistry.Find(c.Op) is { } op) CheckInputNames(c.Op, op, c.Inputs.Keys);
    }

    public static OpResult Evaluate(Suite suite, CaseSpec c) => Evaluate(c, LoadInputs(suite, c));
}
