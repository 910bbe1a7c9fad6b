using System.Runtime.Intrinsics;
using NUnit.Framework;
using PoolingConformance.Optimized.Drivers;

namespace PoolingConformance.Tests.Conformance;

/// <summary>
/// The lane moves of the ISA-tier width types (<see cref="IWidth{TV, TI, TM}"/>) against their definitions, lane by lane, in every
/// tier this machine runs: Evens, Odds, ShiftIn, ShiftDown and StoreFirst. A kernel path uses only some of their encodings (the
/// fused 3×3 sum moves Vector256 lanes only where AVX-512VL is, the stride-2 max Vector128 lanes only without AVX2), so the
/// others are pinned here. The values are distinct and include −0 and a NaN payload, which a move must keep bit for bit.
/// <c>.ci/run</c> reruns the category with AVX-512, AVX2 and all intrinsics switched off.
/// </summary>
[TestFixture, Category("Conformance")]
public class OptimizedWidthsTests
{
    static float Value(int i) => i switch { 3 => -0f, 5 => BitConverter.Int32BitsToSingle(0x7FC0_1234), _ => 1 + i };

    static void Moves<TW, TV, TI, TM>(string name) where TW : IWidth<TV, TI, TM>
    {
        if (!TW.CanUnzip) Assert.Ignore($"{name}: this tier has no shuffles (switched off or not on this machine)");
        int n = TW.Count;
        var a = Enumerable.Range(0, n).Select(Value).ToArray();
        var b = Enumerable.Range(n, n).Select(Value).ToArray();
        TV va = TW.Load(ref a[0], 0), vb = TW.Load(ref b[0], 0);
        float[] Lanes(TV v) { var r = new float[n]; TW.Store(v, ref r[0], 0); return r; }
        int[] Bits(IEnumerable<float> v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
        var ab = a.Concat(b).ToArray();
        Assert.That(Bits(Lanes(TW.Evens(va, vb))), Is.EqualTo(Bits(Enumerable.Range(0, n).Select(i => ab[2 * i]))), $"{name}.Evens");
        Assert.That(Bits(Lanes(TW.Odds(va, vb))), Is.EqualTo(Bits(Enumerable.Range(0, n).Select(i => ab[2 * i + 1]))), $"{name}.Odds");
        Assert.That(Bits(Lanes(TW.ShiftIn(va, vb))), Is.EqualTo(Bits(new[] { a[n - 1] }.Concat(b[..(n - 1)]))), $"{name}.ShiftIn");
        Assert.That(Bits(Lanes(TW.ShiftDown(va, vb))), Is.EqualTo(Bits(a[1..].Append(b[0]))), $"{name}.ShiftDown");
        for (int count = 0; count <= n; count++)
        {
            var dst = Enumerable.Repeat(-7f, n + 1).ToArray();
            TW.StoreFirst(va, ref dst[0], 0, count);
            Assert.That(Bits(dst), Is.EqualTo(Bits(a[..count].Concat(Enumerable.Repeat(-7f, n + 1 - count)))), $"{name}.StoreFirst({count})");
        }
    }

    [Test] public void Scalar_LaneMoves() => Moves<Scalar, float, int, bool>("Scalar");
    [Test] public void Vector128_LaneMoves() => Moves<W128, Vector128<float>, Vector128<int>, Vector128<float>>("W128");
    [Test] public void Vector256_LaneMoves() => Moves<W256, Vector256<float>, Vector256<int>, Vector256<float>>("W256");
    [Test] public void Vector512_LaneMoves() => Moves<W512, Vector512<float>, Vector512<int>, Vector512<float>>("W512");
}
