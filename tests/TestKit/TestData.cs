using PoolingConformance.Core;
using PoolingConformance.Reference;

namespace PoolingConformance.Tests.TestKit;

/// <summary>Small helpers shared by the test projects: tensors from literals and op evaluation by name.</summary>
public static class TestData
{
    public static Tensor T(int[] shape, params double[] data) => new(DType.Float64, shape, data);
    public static Tensor T32(int[] shape, params double[] data) => new(DType.Float32, shape, data.Select(v => (double)(float)v).ToArray());
    public static Tensor Ramp(int[] shape, double start = 0, DType dtype = DType.Float32) =>
        new(dtype, shape, Enumerable.Range(0, (int)Tensor.ElementCount(shape)).Select(i => start + i).ToArray());
    public static Tensor I64(int[] shape, params long[] data) => new(DType.Int64, shape, data.Select(v => (double)v).ToArray());

    /// <summary>Evaluates a registered op with JSON params on named inputs.</summary>
    public static OpResult Eval(string op, string paramsJson, params (string Name, Tensor T)[] inputs) =>
        (OpRegistry.Find(op) ?? throw new ArgumentException($"no op {op}")).Evaluate(paramsJson, inputs.ToDictionary(i => i.Name, i => i.T));

    /// <summary>Shorthand: one input named <paramref name="inputName"/>.</summary>
    public static OpResult Eval(string op, string paramsJson, Tensor x, string inputName = "input") => Eval(op, paramsJson, (inputName, x));
}
