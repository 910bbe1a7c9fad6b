using PoolingConformance.Core;

namespace PoolingConformance.Reference;

/// <summary>
/// Max unpooling: a zero-filled output; for every input element in scan order, <c>out[plane][idx] = y</c>. Duplicate
/// indices keep the last write (PyTorch CPU, serial). An index outside <c>[0, plane size)</c> is refused (PyTorch:
/// "Found an invalid max index"). The dialects decide what a plane is (PyTorch: one (n, c) plane of the output
/// size; ONNX: the whole N×C×spatial tensor of the inferred shape).
/// </summary>
public static class MaxUnpool
{
    /// <summary>
    /// Refuses an output of <paramref name="planes"/> × <paramref name="planeSize"/> elements above the oracle's limit
    /// (<see cref="OutputLimit.MaxElements"/>), naming the parameter that asked for it: never attempted.
    /// </summary>
    public static void CheckOutputSize(long planes, long planeSize, string field)
    {
        if (planeSize > OutputLimit.MaxElements || planes * planeSize > OutputLimit.MaxElements)
            throw new InvalidParameterException(field, $"the unpooled output would hold {planes} × {planeSize} elements, more than the {OutputLimit.MaxElements} the oracle materializes");
    }

    /// <summary>Scatters <paramref name="values"/> into <paramref name="planes"/> zero planes of <paramref name="planeSize"/> elements.</summary>
    public static double[] Scatter(double[] values, double[] indices, int planes, long planeSize, string indexField)
    {
        var output = new double[checked(planes * planeSize)];
        int perPlane = planes == 0 ? 0 : values.Length / planes;
        for (int i = 0; i < values.Length; i++)
        {
            double idx = indices[i];
            if (!(idx >= 0 && idx < planeSize))
                throw new InvalidParameterException(indexField, $"Found an invalid max index: {idx} (plane size {planeSize}) at element {i}");
            int q = perPlane == 0 ? 0 : i / perPlane;
            output[q * planeSize + (long)idx] = values[i];
        }
        return output;
    }
}
