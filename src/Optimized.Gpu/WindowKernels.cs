using ILGPU;
using ILGPU.Algorithms;

namespace PoolingConformance.Optimized.Gpu;

/// <summary>
/// The geometry and semantics a window kernel reads, as one unmanaged value (an ILGPU kernel argument). Per-axis tables live in
/// one int buffer: for axis a ∈ {D, H, W}, starts at <c>Off{a}</c> and counts at <c>Off{a} + O{a}</c>.
/// </summary>
public struct WindowArgs
{
    public int N, C, ID, IH, IW, OD, OH, OW;
    public int StepD, StepH, StepW;
    public int OffD, OffH, OffW;
    /// <summary>1: input and output are N×spatial×C (channels-last); 0: N×C×spatial.</summary>
    public int ChannelsLast;
    /// <summary><see cref="Planning.NanMode"/> as an int.</summary>
    public int NanMode;
    public float MaxInitial, EmptyMax, EmptyAverage;
    /// <summary>Lp: 1 for x^p terms (PyTorch), 0 for |x|^p.</summary>
    public int LpRaw;
    /// <summary>Lp: 1 when the per-cell buffer holds a scale (PyTorch ceil inflation).</summary>
    public int HasScale;
    /// <summary>Lp: 0 general, 1 for p = 1, 2 for p = 2.</summary>
    public int PKind;
    public double P, InvP;
    /// <summary>Lp: whether p (resp. 1/p) is an odd integer (a negative base keeps its sign) or an integer at all.</summary>
    public int POddInt, PInt, InvPOddInt, InvPInt;
    /// <summary>Max: 1 when the index buffer is written.</summary>
    public int WriteIndex;
    /// <summary>Channels of the output buffer and the first channel this launch writes (a channel concatenation, SPP); C and 0 otherwise.</summary>
    public int YC, YOff;
}

/// <summary>
/// The window kernels: one thread per output element gathers its window (no atomics, so results and indices are deterministic
/// and independent of the launch shape). Accumulation is float32 in scan order (d outermost, w innermost), the order the
/// derived tolerances assume any order of. Lp is the exception: terms, sum and root in double, rounded once to float32.
/// </summary>
public static class WindowKernels
{
    struct Cell
    {
        public long Base, Spatial;
        public int Cell_, Sd, Cd, Sh, Ch, Sw, Cw;
        public long IndexPos, YPos;
    }

    static Cell Decode(int i, ArrayView<int> t, WindowArgs a)
    {
        int outPlane = a.OD * a.OH * a.OW;
        int n, c, cell;
        if (a.ChannelsLast == 0) { int q = i / outPlane; cell = i - q * outPlane; n = q / a.C; c = q - n * a.C; }
        else { c = i % a.C; int r = i / a.C; cell = r % outPlane; n = r / outPlane; }
        int ow = cell % a.OW, rest = cell / a.OW, oh = rest % a.OH, od = rest / a.OH;
        long inPlane = (long)a.ID * a.IH * a.IW;
        var r0 = new Cell
        {
            Cell_ = cell,
            Base = a.ChannelsLast == 0 ? ((long)n * a.C + c) * inPlane : (long)n * inPlane * a.C + c,
            Spatial = a.ChannelsLast == 0 ? 1 : a.C,
            Sd = t[a.OffD + od], Cd = t[a.OffD + a.OD + od],
            Sh = t[a.OffH + oh], Ch = t[a.OffH + a.OH + oh],
            Sw = t[a.OffW + ow], Cw = t[a.OffW + a.OW + ow],
            IndexPos = ((long)n * a.C + c) * outPlane + cell,
            YPos = a.ChannelsLast == 0 ? ((long)n * a.YC + a.YOff + c) * outPlane + cell : ((long)n * outPlane + cell) * a.YC + a.YOff + c,
        };
        return r0;
    }

    /// <summary>Max with index: the NaN mode's rule, ties and ±0 keep the first, empty windows EmptyMax and −1.</summary>
    public static void Max(Index1D i, ArrayView<float> x, ArrayView<int> tables, ArrayView<float> cellData, ArrayView<float> y, ArrayView<long> idx, WindowArgs a)
    {
        var k = Decode(i, tables, a);
        float max = a.MaxInitial;
        long best = -1;
        bool first = true;
        for (int u = 0; u < k.Cd; u++)
        {
            int d = k.Sd + u * a.StepD;
            for (int v = 0; v < k.Ch; v++)
            {
                int h = k.Sh + v * a.StepH;
                int row = (d * a.IH + h) * a.IW;
                for (int w = 0; w < k.Cw; w++)
                {
                    int tap = row + k.Sw + w * a.StepW;
                    float val = x[k.Base + tap * k.Spatial];
                    if (first)
                    {
                        first = false;
                        best = tap;
                        if (a.NanMode == 3) { max = val; continue; }
                    }
                    bool take;
                    if (a.NanMode == 0) take = val > max || float.IsNaN(val);
                    else if (a.NanMode == 1) take = float.IsNaN(val) ? !float.IsNaN(max) : val > max;
                    else if (a.NanMode == 2) take = val > max;
                    else take = max < val;
                    if (take) { max = val; best = tap; }
                }
            }
        }
        if (first) { max = a.EmptyMax; best = -1; }
        y[k.YPos] = max;
        if (a.WriteIndex != 0) idx[k.IndexPos] = best;
    }

    /// <summary>Average: float32 sum of the in-bounds taps divided by the planned per-cell divisor (0: EmptyAverage).</summary>
    public static void Average(Index1D i, ArrayView<float> x, ArrayView<int> tables, ArrayView<float> cellData, ArrayView<float> y, ArrayView<long> idx, WindowArgs a)
    {
        var k = Decode(i, tables, a);
        float s = 0f;
        for (int u = 0; u < k.Cd; u++)
        {
            int d = k.Sd + u * a.StepD;
            for (int v = 0; v < k.Ch; v++)
            {
                int h = k.Sh + v * a.StepH;
                int row = (d * a.IH + h) * a.IW;
                for (int w = 0; w < k.Cw; w++)
                    s += x[k.Base + (row + k.Sw + w * a.StepW) * k.Spatial];
            }
        }
        float div = cellData[k.Cell_];
        y[k.YPos] = div == 0f ? a.EmptyAverage : s / div;
    }

    /// <summary>
    /// Lp: the terms, their sum, the scale and the root in double, rounded once to float32. (A float32 sum of <c>|x|^p</c> loses
    /// subnormal and tiny inputs entirely — <c>(1e−42)^3</c> underflows — where the reference's bound expects the root of the exact
    /// sum; double keeps every float32 input's power representable for the p of the suites.)
    /// </summary>
    public static void Lp(Index1D i, ArrayView<float> x, ArrayView<int> tables, ArrayView<float> cellData, ArrayView<float> y, ArrayView<long> idx, WindowArgs a)
    {
        var k = Decode(i, tables, a);
        double s = 0;
        for (int u = 0; u < k.Cd; u++)
        {
            int d = k.Sd + u * a.StepD;
            for (int v = 0; v < k.Ch; v++)
            {
                int h = k.Sh + v * a.StepH;
                int row = (d * a.IH + h) * a.IW;
                for (int w = 0; w < k.Cw; w++)
                    s += Term(x[k.Base + (row + k.Sw + w * a.StepW) * k.Spatial], a);
            }
        }
        if (k.Cd * k.Ch * k.Cw == 0) { y[k.YPos] = 0f; return; }
        double z = a.HasScale != 0 ? s * cellData[k.Cell_] : s;
        y[k.YPos] = (float)Root(z, a);
    }

    /// <summary>
    /// <c>|v|^p</c>, or <c>v^p</c> in raw mode, in double, with C <c>pow</c>'s special values: a negative finite base gives NaN for
    /// non-integer p and keeps its sign for odd integer p; <c>(−∞)^p</c> is +∞, or −∞ for odd integer p.
    /// </summary>
    public static double Term(float v, WindowArgs a)
    {
        double m = Math.Abs((double)v);
        if (a.PKind == 2) return m * m;
        if (a.PKind == 1) return a.LpRaw != 0 ? v : m;
        if (float.IsNaN(v)) return v;
        double t = m == 0 ? 0 : double.IsInfinity(m) ? double.PositiveInfinity
            : a.PInt != 0 && a.P <= MaxIntegerPower ? IntPow(m, (int)a.P) : XMath.Pow(m, a.P);
        if (a.LpRaw != 0 && v < 0)
        {
            if (a.PInt == 0 && !float.IsInfinity(v)) return double.NaN;
            if (a.POddInt != 0) t = -t;
        }
        return t;
    }

    /// <summary>Integer exponents up to this are formed by <see cref="IntPow"/>.</summary>
    public const int MaxIntegerPower = 64;

    /// <summary>
    /// <c>m^n</c> for an integer <c>n ≥ 1</c> by repeated squaring: exact whenever the product fits a double (every small
    /// integer), at most a few double ulps off otherwise. On CUDA, <see cref="XMath.Pow(double, double)"/> is ILGPU's software
    /// routine, about 1e−13 relative: summed cubes of integers that cancel (2³ + (−2)³) then leave ±1e−13 instead of 0, and
    /// the cube root turns that into NaN or 7.7e−5 where PyTorch gives 0 (seen on an H200).
    /// </summary>
    public static double IntPow(double m, int n)
    {
        double r = 1, b = m;
        while (n > 0)
        {
            if ((n & 1) != 0) r *= b;
            b *= b;
            n >>= 1;
        }
        return r;
    }

    /// <summary><c>z^{1/p}</c> in double (p = 2: the square root; a negative finite z: NaN unless 1/p is an integer; −∞: +∞, or −∞ when 1/p is an odd integer).</summary>
    public static double Root(double z, WindowArgs a)
    {
        if (a.PKind == 1) return z;
        if (double.IsNaN(z)) return z;
        double m = Math.Abs(z);
        double r;
        if (m == 0) r = 0;
        else if (double.IsInfinity(m)) r = double.PositiveInfinity;
        else r = a.PKind == 2 ? XMath.Sqrt(m) : XMath.Pow(m, a.InvP);
        if (z < 0)
        {
            if (a.InvPInt == 0 && !double.IsInfinity(z)) return double.NaN;
            if (a.InvPOddInt != 0) r = -r;
        }
        return r;
    }
}
