using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects;

/// <summary>Layout plumbing shared by the dialect front-ends: batching, channels-last transposes, rank checks.</summary>
public static class Layout
{
    /// <summary>Permutes the axes of a tensor: <c>out.shape[i] = in.shape[perm[i]]</c>.</summary>
    public static Tensor Transpose(Tensor t, int[] perm)
    {
        int r = t.Rank;
        var outShape = perm.Select(p => t.Shape[p]).ToArray();
        var inStr = Windows.Strides(t.Shape);
        var outData = new double[t.Data.Length];
        var idx = new int[r];
        for (int o = 0; o < outData.Length; o++)
        {
            int rem = o;
            for (int a = r - 1; a >= 0; a--) { idx[a] = outShape[a] == 0 ? 0 : rem % outShape[a]; rem = outShape[a] == 0 ? 0 : rem / outShape[a]; }
            long src = 0;
            for (int a = 0; a < r; a++) src += (long)idx[a] * inStr[perm[a]];
            outData[o] = t.Data[src];
        }
        return new Tensor(t.DType, outShape, outData);
    }

    /// <summary>Channels-last (N, spatial..., C) to channels-first (N, C, spatial...).</summary>
    public static Tensor ToChannelsFirst(Tensor t) => Transpose(t, [0, t.Rank - 1, .. Enumerable.Range(1, t.Rank - 2)]);

    /// <summary>Channels-first (N, C, spatial...) to channels-last (N, spatial..., C).</summary>
    public static Tensor ToChannelsLast(Tensor t) => Transpose(t, [0, .. Enumerable.Range(2, t.Rank - 2), 1]);

    public static Tensor Reshape(Tensor t, int[] shape) => new(t.DType, shape, t.Data);

    public static Expectation Reshape(Expectation e, int[] shape) => new()
    {
        Name = e.Name, Value = Reshape(e.Value, shape), Bound = e.Bound, Unspecified = e.Unspecified, IsIndex = e.IsIndex,
    };

    /// <summary>Applies a layout change to the value and, element for element, to the bound and the unspecified mask.</summary>
    public static Expectation Map(Expectation e, Func<Tensor, Tensor> f)
    {
        var v = f(e.Value);
        double[]? Mask(double[]? a) => a is null ? null : f(new Tensor(DType.Float64, e.Value.Shape, a)).Data;
        bool[]? MaskB(bool[]? a) => a is null ? null : Mask(a.Select(b => b ? 1.0 : 0.0).ToArray())!.Select(d => d != 0).ToArray();
        return new Expectation { Name = e.Name, Value = v, Bound = Mask(e.Bound), Unspecified = MaskB(e.Unspecified), IsIndex = e.IsIndex };
    }

    /// <summary>Renames an expectation.</summary>
    public static Expectation Named(Expectation e, string name) => new()
    {
        Name = name, Value = e.Value, Bound = e.Bound, Unspecified = e.Unspecified, IsIndex = e.IsIndex,
    };

    /// <summary>
    /// PyTorch's input convention: (N, C, *spatial) or unbatched (C, *spatial). Returns the batched view and whether
    /// the input was unbatched. C and the spatial sizes must be non-zero; N = 0 is allowed.
    /// </summary>
    public static (Tensor X, bool Unbatched) TorchBatch(Tensor input, int nd, string op, string name = "input")
    {
        bool unbatched = input.Rank == nd + 1;
        if (!unbatched && input.Rank != nd + 2)
            throw InputErrors.Bad(name, $"{op} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {Tensor.ShapeText(input.Shape)}");
        var x = unbatched ? Reshape(input, [1, .. input.Shape]) : input;
        if (x.Shape.Skip(1).Any(d => d == 0))
            throw InputErrors.Bad(name, $"{op} expects non-zero channel and spatial sizes (batch 0 is allowed), got shape {Tensor.ShapeText(input.Shape)}");
        return (x, unbatched);
    }

    public static Expectation TorchUnbatch(Expectation e, bool unbatched) => unbatched ? Reshape(e, e.Value.Shape[1..]) : e;
}
