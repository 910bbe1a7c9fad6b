using NUnit.Framework;
using PoolingConformance.Core;

namespace PoolingConformance.Tests.Reference;

/// <summary>
/// PoolGeometry against the named edges of TESTING.md §6 (L, k, s, pb, pe, d → O floor / ceil, PyTorch/ONNX ceil rule),
/// the golden sizes quoted in DIALECTS.md §1.1 and §9 row 1, and the WebNN/Caffe ceil variants.
/// Every expected size is worked out in the comment: num = L + pb + pe − K, K = (k − 1)·d + 1;
/// floor O = num/s + 1; ceil O = ceil(num/s) + 1, minus 1 when (O − 1)·s ≥ L + pb.
/// </summary>
[TestFixture]
public class GeometryTableTests
{
    static IEnumerable<TestCaseData> NamedEdges()
    {
        TestCaseData Row(string name, int l, int k, int s, int pb, int pe, int d, int floor, int ceil) =>
            new TestCaseData(l, k, s, pb, pe, d, floor, ceil).SetName($"OutputSize_{name}_Is{floor}Floor{ceil}Ceil");
        yield return Row("kw_equals_sw", 7, 2, 2, 0, 0, 1, 3, 4);          // num 5: 5/2+1 = 3; ceil 3+1 = 4, 6 < 7 keeps it
        yield return Row("no_pad", 30, 3, 2, 0, 0, 1, 14, 15);             // num 27: 13+1; 14+1, 28 < 30
        yield return Row("regular_pad", 30, 3, 2, 1, 1, 1, 15, 16);        // num 29: 14+1; 15+1, 30 < 31
        yield return Row("only_pad_l", 30, 3, 2, 1, 0, 1, 15, 15);         // num 28: 14+1 both
        yield return Row("ceil_drop_last", 5, 2, 2, 1, 1, 1, 3, 3);        // num 5: 2+1; ceil 4, but 3·2 = 6 ≥ 6 drops to 3
        yield return Row("ceil_overhang", 7, 2, 3, 0, 0, 1, 2, 3);         // num 5: 1+1; 2+1, 6 < 7
        yield return Row("stride_gt_kernel", 10, 2, 3, 0, 0, 1, 3, 4);     // num 8: 2+1; 3+1, 9 < 10
        yield return Row("k1_s2", 32, 1, 2, 0, 0, 1, 16, 16);              // num 31: 15+1; ceil 17, 16·2 = 32 ≥ 32 drops to 16
        yield return Row("kw_equals_pw", 5, 3, 1, 3, 0, 1, 6, 6);          // num 5: 6; 6, 5 < 8
        yield return Row("dilation_2", 7, 3, 1, 0, 0, 2, 3, 3);            // K 5, num 2: 3
        yield return Row("dilation_pad_ceil", 10, 3, 2, 2, 2, 2, 5, 6);    // K 5, num 9: 4+1; 5+1, 10 < 12
        yield return Row("prime", 13, 3, 2, 1, 1, 1, 7, 7);                // num 13: 6+1; ceil 8, 14 ≥ 14 drops to 7
        yield return Row("one_by_one", 9, 1, 1, 0, 0, 1, 9, 9);            // num 8: 9
        yield return Row("global", 11, 11, 1, 0, 0, 1, 1, 1);              // num 0: 1
        yield return Row("small_input_padded", 2, 3, 1, 1, 1, 1, 2, 2);    // num 1: 2
        yield return Row("large_window", 1000, 60, 1, 0, 0, 10, 410, 410); // K 591, num 409: 410
        // DIALECTS.md §1.1 [run] max_pool1d(k=1, s=2, ceil): L = 6 → 3, L = 7 → 4 (pytorch/pytorch#45357, #57178).
        yield return Row("k1_s2_L6", 6, 1, 2, 0, 0, 1, 3, 3);              // num 5: 2+1; ceil 4, 6 ≥ 6 drops to 3
        yield return Row("k1_s2_L7", 7, 1, 2, 0, 0, 1, 4, 4);              // num 6: 3+1; 3+1, 6 < 7
        // ResNet-50 pool1, AlexNet, GoogLeNet (ceil) layers of TESTING.md §6.
        yield return Row("resnet50_pool1", 112, 3, 2, 1, 1, 1, 56, 57);    // num 111: 55+1 = 56 (floor layer); ceil 56+1, 112 < 113 keeps 57
        yield return Row("alexnet", 55, 3, 2, 0, 0, 1, 27, 27);            // num 52: 26+1; 26+1
        yield return Row("googlenet_ceil", 112, 3, 2, 0, 0, 1, 55, 56);    // num 109: 54+1; 55+1, 110 < 112
    }

    [TestCaseSource(nameof(NamedEdges))]
    public void OutputSize_MatchesNamedEdgeTable(int l, int k, int s, int pb, int pe, int d, int floor, int ceil)
    {
        Assert.That(PoolGeometry.OutputSize(l, k, s, d, pb, pe, CeilRule.Floor), Is.EqualTo(floor), "floor");
        Assert.That(PoolGeometry.OutputSize(l, k, s, d, pb, pe, CeilRule.CeilTorchOnnx), Is.EqualTo(ceil), "ceil (PyTorch/ONNX)");
        var ax = PoolGeometry.Explicit(l, k, s, d, pb, pe, CeilRule.CeilTorchOnnx);
        Assert.That(Windows.Enumerate([ax]), Has.Length.EqualTo(ceil));
    }

    // DIALECTS.md §9 row 1: L=5 k2 s2 p1 → PyTorch/ONNX/Caffe 3, WebNN 4; L=32 k1 s2 p0 → PyTorch 16, Caffe/WebNN 17.
    [TestCase(5, 2, 2, 1, CeilRule.CeilTorchOnnx, 3)]
    [TestCase(5, 2, 2, 1, CeilRule.CeilCaffeIfPadded, 3)]   // padded: Caffe applies the same drop
    [TestCase(5, 2, 2, 1, CeilRule.CeilNoCorrection, 4)]    // ceil(5/2) + 1 = 4, no drop
    [TestCase(32, 1, 2, 0, CeilRule.CeilTorchOnnx, 16)]
    [TestCase(32, 1, 2, 0, CeilRule.CeilCaffeIfPadded, 17)] // p = 0: Caffe never drops; ceil(31/2) + 1 = 17
    [TestCase(32, 1, 2, 0, CeilRule.CeilNoCorrection, 17)]
    [TestCase(5, 2, 2, 1, CeilRule.Floor, 3)]
    public void OutputSize_CeilRulesDifferOnlyInTheLastWindowDrop(int l, int k, int s, int p, CeilRule rule, int expected) =>
        Assert.That(PoolGeometry.OutputSize(l, k, s, 1, p, p, rule), Is.EqualTo(expected));

    [Test]
    public void WebNnOutputSize_CeilHasNoCorrection()
    {
        Assert.That(PoolGeometry.WebNnOutputSize(5, 2, 2, 1, 1, 1, ceil: true), Is.EqualTo(4));
        Assert.That(PoolGeometry.WebNnOutputSize(5, 2, 2, 1, 1, 1, ceil: false), Is.EqualTo(3));
    }

    // ONNX C++ inference / TF kernel_shape_util: total = max(0, K − (L mod s == 0 ? s : L mod s)),
    // SAME_UPPER (total/2, rest), SAME_LOWER (rest, total/2).
    [TestCase(7, 2, 2, 1, AutoPad.SameUpper, 0, 1)]  // r 1: total 1 → extra at the end
    [TestCase(7, 2, 2, 1, AutoPad.SameLower, 1, 0)]  // extra at the beginning
    [TestCase(7, 3, 2, 1, AutoPad.SameUpper, 1, 1)]  // total 3 − 1 = 2
    [TestCase(4, 3, 2, 1, AutoPad.SameUpper, 0, 1)]  // r 0: total 3 − 2 = 1 (TF: (2−1)·2 + 3 − 4 = 1)
    [TestCase(5, 1, 3, 1, AutoPad.SameUpper, 0, 0)]  // r 2: 1 − 2 = −1 clamped to 0
    [TestCase(6, 2, 4, 1, AutoPad.SameLower, 0, 0)]  // r 2: 2 − 2 = 0
    [TestCase(5, 3, 1, 2, AutoPad.SameUpper, 2, 2)]  // dilation-aware: K 5, r 0 → 5 − 1 = 4
    [TestCase(5, 2, 2, 2, AutoPad.SameLower, 1, 1)]  // K 3, r 1 → 2
    [TestCase(9, 4, 1, 1, AutoPad.SameLower, 2, 1)]  // total 3: lower gets 2
    [TestCase(9, 4, 1, 1, AutoPad.Valid, 0, 0)]
    public void AutoPads_SplitTheClampedDilatedTotal(int l, int k, int s, int d, AutoPad mode, int pb, int pe) =>
        Assert.That(PoolGeometry.AutoPads(l, k, s, d, mode), Is.EqualTo((pb, pe)));

    // METHODS.md §1 [run]: 7→4 gives [0,2) [1,4) [3,6) [5,7); 10→3 gives [0,4) [3,7) [6,10); 5→3 (DIALECTS §1.5): [0,2) [1,4) [3,5).
    [TestCase(7, 4, new[] { 0, 2, 1, 4, 3, 6, 5, 7 })]
    [TestCase(10, 3, new[] { 0, 4, 3, 7, 6, 10 })]
    [TestCase(5, 3, new[] { 0, 2, 1, 4, 3, 5 })]
    [TestCase(2, 3, new[] { 0, 1, 0, 2, 1, 2 })] // a < n: floor(i·2/3), ceil((i+1)·2/3)
    public void AdaptiveBin_IsFloorStartCeilEnd(int l, int o, int[] flatBins)
    {
        var got = Enumerable.Range(0, o).SelectMany(i => { var (a, b) = PoolGeometry.AdaptiveBin(i, l, o); return new[] { a, b }; });
        Assert.That(got, Is.EqualTo(flatBins));
    }

    [Test]
    public void IncludePadCount_CountsPaddingButNotCeilOverhang()
    {
        // L = 4, k3 s2 p1, ceil → 3 windows: taps {−1,0,1}, {1,2,3}, {3,4,5}; [−1, 5) holds 3, 3, 2 of them.
        var ax = PoolGeometry.Explicit(4, 3, 2, 1, 1, 1, CeilRule.CeilTorchOnnx);
        Assert.That(Enumerable.Range(0, ax.Output).Select(ax.PaddedCount), Is.EqualTo(new[] { 3, 3, 2 }));
        Assert.That(Enumerable.Range(0, ax.Output).Select(ax.InBoundsCount), Is.EqualTo(new[] { 2, 3, 1 }));
    }

    [TestCase(5, 0, 1, 1, 0, 0, "kernel_size")]  // kernel 0
    [TestCase(5, 2, -1, 1, 0, 0, "stride")]      // negative stride
    [TestCase(5, 2, 0, 1, 0, 0, "stride")]
    [TestCase(5, 2, 1, 0, 0, 0, "dilation")]
    [TestCase(5, 2, 1, 1, -1, 0, "padding")]
    [TestCase(2, 3, 1, 1, 0, 0, "kernel_size")]  // window larger than the padded input: O < 1
    [TestCase(2, 3, 1, 2, 1, 1, "kernel_size")]  // K 5 > 4
    public void OutputSize_RefusesInvalidGeometry_NamingTheField(int l, int k, int s, int d, int pb, int pe, string field) =>
        Check.Refuses(() => PoolGeometry.OutputSize(l, k, s, d, pb, pe, CeilRule.Floor), field);
}
