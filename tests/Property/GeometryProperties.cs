using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using PoolingConformance.Core;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

[TestFixture]
public class GeometryProperties
{
    [FsProperty(MaxTest = 300)]
    public FsCheck.Property OutputSize_EqualsNumberOfEnumeratedWindows_AndWithTorchPaddingEveryWindowStartsInsideTheInputOrBeginPadding()
    {
        var gen = from l in Gen.Choose(1, 40)
                  from k in Gen.Choose(1, 6)
                  from s in Gen.Choose(1, 5)
                  from d in Gen.Choose(1, 3)
                  from pb in Gen.Choose(0, 3)
                  from pe in Gen.Choose(0, 3)
                  from ceil in Gen.Elements(true, false)
                  select (l, k, s, d, pb, pe, ceil);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (l, k, s, d, pb, pe, ceil) = t;
            // PyTorch's pad ≤ K/2 limit (with the effective kernel) is what makes every window start before the end padding.
            int eff = (k - 1) * d + 1;
            if (l + pb + pe < eff || pb > eff / 2 || pe > eff / 2) return true;
            var ax = PoolGeometry.Explicit(l, k, s, d, pb, pe, ceil ? CeilRule.CeilTorchOnnx : CeilRule.Floor);
            var windows = Windows.Enumerate([ax]);
            bool startsInside = Enumerable.Range(0, ax.Output).All(o => ax.Tap(o, 0) < l);
            return windows.Length == ax.Output && startsInside;
        });
    }
}
