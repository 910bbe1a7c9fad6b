namespace PoolingConformance.Core.Onnx;

/// <summary>
/// The opset of an ONNX case and the attributes it does not define yet, read once for the oracle and every backend, so that
/// they accept and refuse the same cases with the same field and wording.
/// </summary>
public static class OnnxOpset
{
    /// <summary>Opset of the case: the <c>opset</c> parameter, default 22 (the latest that changed a pooling op), 1 to 24.</summary>
    public static int Read(ParamReader p)
    {
        int opset = p.Int("opset", 22);
        if (opset is < 1 or > 24) throw new InvalidParameterException("opset", $"opset must be between 1 and 24, got {opset}");
        return opset;
    }

    /// <summary>Refuses an attribute the case's opset does not define yet.</summary>
    public static void Since(ParamReader p, string attribute, int since, int opset, string op)
    {
        if (opset < since && p.Has(attribute))
            throw new InvalidParameterException(attribute, $"{op} has no attribute '{attribute}' before opset {since} (case opset {opset})");
    }
}
