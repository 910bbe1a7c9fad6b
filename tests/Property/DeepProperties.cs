using NUnit.Framework;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace PoolingConformance.Tests.Property;

// Deep runs of every property: the same properties with 20× the default number of cases. Not part of the default
// run (CI's budget, TESTING.md; the default category takes a few seconds); run them with
//     dotnet test tests/Property -c Release --filter TestCategory=Long
// A failure prints FsCheck's replay tuple; paste it into Replay = "(seed,gamma,size)" on the property to rerun that case alone.

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class ShapePropertiesDeep
{
    readonly ShapeProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property OutputSize_EqualsBruteForceWindowCount_ForEveryRule_AndEnumerationYieldsExactlyTheDefinedTaps() => _p.OutputSize_EqualsBruteForceWindowCount_ForEveryRule_AndEnumerationYieldsExactlyTheDefinedTaps();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property EveryWindowStartsInsideInputOrBeginPadding_ForCeilWhenEndPadAtMostK_AndFloorWhenEndPadBelowK() => _p.EveryWindowStartsInsideInputOrBeginPadding_ForCeilWhenEndPadAtMostK_AndFloorWhenEndPadBelowK();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property TorchMaxPoolWindows_AllHaveAnInBoundsTap_WhenDilationIsOne() => _p.TorchMaxPoolWindows_AllHaveAnInBoundsTap_WhenDilationIsOne();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property Windows_CoverEveryInputCell_WhenStrideAtMostKernelAndDense_UnderCeil_OrFloorWhenStrideDividesTheSpan() => _p.Windows_CoverEveryInputCell_WhenStrideAtMostKernelAndDense_UnderCeil_OrFloorWhenStrideDividesTheSpan();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property GlobalPool_EqualsAdaptivePoolToOne_AndOneWindowOverTheWholeInput() => _p.GlobalPool_EqualsAdaptivePoolToOne_AndOneWindowOverTheWholeInput();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property AdaptivePool_WithOutputEqualToInput_IsTheIdentity() => _p.AdaptivePool_WithOutputEqualToInput_IsTheIdentity();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property AdaptivePool_WithOutputDividingInput_EqualsFixedPoolingWithKernelAndStrideInputOverOutput() => _p.AdaptivePool_WithOutputDividingInput_EqualsFixedPoolingWithKernelAndStrideInputOverOutput();
}

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class LpPropertiesDeep
{
    readonly LpProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property LpMeanForm_AtPOne_EqualsExcludePadAverage_OnNonNegativeInput() => _p.LpMeanForm_AtPOne_EqualsExcludePadAverage_OnNonNegativeInput();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property LpMeanForm_IsNonDecreasingInP_AtLeastMaxTimesCountToMinusOneOverP_AndAtMostMax() => _p.LpMeanForm_IsNonDecreasingInP_AtLeastMaxTimesCountToMinusOneOverP_AndAtMostMax();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property TorchLpForm_EqualsCountToTheOneOverPTimesMeanForm_OnFullWindows() => _p.TorchLpForm_EqualsCountToTheOneOverPTimesMeanForm_OnFullWindows();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property TorchLpForm_OnCeilPartialWindows_IsTheNormInflatedByKernelOverCount() => _p.TorchLpForm_OnCeilPartialWindows_IsTheNormInflatedByKernelOverCount();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property LpPool_OnnxAndTorchForms_ArePositivelyHomogeneous() => _p.LpPool_OnnxAndTorchForms_ArePositivelyHomogeneous();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property OnnxLpPool_IsInvariantUnderSignFlipsOfInputs() => _p.OnnxLpPool_IsInvariantUnderSignFlipsOfInputs();
}

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class OrderPropertiesDeep
{
    readonly OrderProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property MinAtMostAvgExcludePad_AtMostMax() => _p.MinAtMostAvgExcludePad_AtMostMax();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxPool_CommutesWithStrictlyIncreasingMaps_InValuesAndIndices() => _p.MaxPool_CommutesWithStrictlyIncreasingMaps_InValuesAndIndices();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxPool_CommutesWithNonDecreasingMaps_InValues() => _p.MaxPool_CommutesWithNonDecreasingMaps_InValues();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property AvgExcludePad_IsAtLeastAvgIncludePad_OnNonNegativeInput_AndEqualWhereNoPaddingIsTouched() => _p.AvgExcludePad_IsAtLeastAvgIncludePad_OnNonNegativeInput_AndEqualWhereNoPaddingIsTouched();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property StrideOnePooling_IsTranslationEquivariant_AwayFromTheBorders() => _p.StrideOnePooling_IsTranslationEquivariant_AwayFromTheBorders();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxAndAvg_ArePositivelyHomogeneous_UnderPowerOfTwoScaling() => _p.MaxAndAvg_ArePositivelyHomogeneous_UnderPowerOfTwoScaling();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxAndAvgExcludePad_CommuteWithAddingAConstant_OnIntegerData() => _p.MaxAndAvgExcludePad_CommuteWithAddingAConstant_OnIntegerData();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxAndAvg_NeverDecrease_WhenOneInputIncreases() => _p.MaxAndAvg_NeverDecrease_WhenOneInputIncreases();
}

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class UnpoolPropertiesDeep
{
    readonly UnpoolProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxPoolIndices_LieInsideTheirOwnWindow_AndTheInputThereEqualsTheOutput() => _p.MaxPoolIndices_LieInsideTheirOwnWindow_AndTheInputThereEqualsTheOutput();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property Unpool_OfPool_KeepsInputAtArgmaxPositions_AndZerosElsewhere_ForNonOverlappingWindows() => _p.Unpool_OfPool_KeepsInputAtArgmaxPositions_AndZerosElsewhere_ForNonOverlappingWindows();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property Unpool_PreservesTheSum_WhenIndicesAreUnique() => _p.Unpool_PreservesTheSum_WhenIndicesAreUnique();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxPool_OfUnpool_EqualsMaxOfYAndZero_ForNonOverlappingWindowsLargerThanOne() => _p.MaxPool_OfUnpool_EqualsMaxOfYAndZero_ForNonOverlappingWindowsLargerThanOne();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property TorchAndOnnxIndexLayouts_ConvertIntoEachOther() => _p.TorchAndOnnxIndexLayouts_ConvertIntoEachOther();
}

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class DialectEquivalencePropertiesDeep
{
    readonly DialectEquivalenceProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property OnnxMaxPool_EqualsTorchMaxPool_OnTheirCommonParameterSpace() => _p.OnnxMaxPool_EqualsTorchMaxPool_OnTheirCommonParameterSpace();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property OnnxAveragePool_EqualsTorchAvgPool_OnTheirCommonParameterSpace() => _p.OnnxAveragePool_EqualsTorchAvgPool_OnTheirCommonParameterSpace();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property TfSamePadding_EqualsTheExplicitPadsItImplies_AndOnnxAutoPadAgrees() => _p.TfSamePadding_EqualsTheExplicitPadsItImplies_AndOnnxAutoPadAgrees();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property WebNnFloorRounding_EqualsTorchFloorMode() => _p.WebNnFloorRounding_EqualsTorchFloorMode();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property WebNnCeilRounding_EqualsTorchCeilMode_WhenPyTorchDropsNoWindow() => _p.WebNnCeilRounding_EqualsTorchCeilMode_WhenPyTorchDropsNoWindow();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property NchwAndNhwc_GiveTheSameValuesAndIndices() => _p.NchwAndNhwc_GiveTheSameValuesAndIndices();
}

[TestFixture, Category("Long"), Explicit("deep run: dotnet test tests/Property --filter TestCategory=Long")]
public class VerifyPropertiesDeep
{
    readonly VerifyProperties _p = new();

    [FsProperty(MaxTest = 6000)] public FsCheck.Property ReferenceOutput_PassesItsOwnDerivedTolerance() => _p.ReferenceOutput_PassesItsOwnDerivedTolerance();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property Float32SequentialKernels_PassTheDerivedBound_InEitherSummationOrder() => _p.Float32SequentialKernels_PassTheDerivedBound_InEitherSummationOrder();
    [FsProperty(MaxTest = 4000)] public FsCheck.Property OutputPerturbedBeyondTheDocumentedBound_FailsVerification_AtThatElementOnly() => _p.OutputPerturbedBeyondTheDocumentedBound_FailsVerification_AtThatElementOnly();
    [FsProperty(MaxTest = 6000)] public FsCheck.Property MaxPoolIndex_PerturbedByOne_FailsVerification() => _p.MaxPoolIndex_PerturbedByOne_FailsVerification();
}
