using PoolingConformance.Core;

namespace PoolingConformance.Reference.Dialects;

/// <summary><c>torch.cat(blocks, dim=1)</c> / darknet <c>[route]</c> of N×C_i×H×W tensors: the blocks' channels in the order given.</summary>
public static class ChannelConcat
{
    public static Tensor Concat(IReadOnlyList<Tensor> blocks)
    {
        var first = blocks[0];
        int n = first.Shape[0];
        int[] spatial = first.Shape[2..];
        int plane = (int)Tensor.ElementCount(spatial);
        foreach (var t in blocks)
            if (t.Shape[0] != n || !t.Shape[2..].SequenceEqual(spatial))
                throw new ArgumentException($"cannot concatenate {Tensor.ShapeText(t.Shape)} with {Tensor.ShapeText(first.Shape)} along channels");
        int cTotal = blocks.Sum(t => t.Shape[1]);
        var data = new double[checked(n * cTotal * plane)];
        for (int b = 0; b < n; b++)
        {
            int dst = b * cTotal * plane;
            foreach (var t in blocks)
            {
                int len = t.Shape[1] * plane;
                Array.Copy(t.Data, b * len, data, dst, len);
                dst += len;
            }
        }
        return new Tensor(first.DType, [n, cTotal, .. spatial], data);
    }
}
