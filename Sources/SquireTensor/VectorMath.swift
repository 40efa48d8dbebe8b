/// Vectorized elementary functions on eight floats at a time, in portable Swift SIMD.
///
/// Each is accurate to a few units in the last place over the whole `Float` range and
/// handles the special values (±∞, NaN, 0, underflow) as libm does; the tests compare
/// them with libm element by element.
enum VectorMath {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func floats(_ bits: SIMD8<UInt32>) -> Vector { unsafeBitCast(bits, to: Vector.self) }

    @inline(__always)
    static func bits(_ vector: Vector) -> SIMD8<UInt32> { unsafeBitCast(vector, to: SIMD8<UInt32>.self) }

    /// |x| by clearing the sign bit, which also maps −0 to 0 and keeps NaN a NaN.
    @inline(__always)
    static func magnitude(_ x: Vector) -> Vector { floats(bits(x) & 0x7FFF_FFFF) }

    /// 1.5·2²³ and its bit pattern: floats in [2²³, 2²⁴) hold integers in their mantissa.
    private static let roundingMagic: Float = 12_582_912
    private static let roundingMagicBits: Int32 = 0x4B40_0000

    // ln 2 split in two so that n · ln2High is exact for the n this range reduction sees.
    private static let ln2High: Float = 0.693_145_751_953_125
    private static let ln2Low: Float = 1.428_606_765_330_187_045e-06
    private static let log2e: Float = 1.442_695_040_888_963_4

    /// e^x. Range reduction x = n·ln2 + r with |r| ≤ ln2/2, then a degree-7 Taylor
    /// polynomial for e^r and an exact scaling by 2^n built from the exponent bits.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        exp(x, plus: Vector())
    }

    /// e^(high + low) for a `high` known exactly and a small correction `low`, without
    /// first rounding their sum: the reduction subtracts n·ln2 from `high` alone, exactly.
    @inline(__always)
    static func exp(_ high: Vector, plus low: Vector) -> Vector {
        let x = high + low
        // Clamped by masks, not `clamped(lowerBound:upperBound:)`: the stdlib's pointwise
        // min and max are calls per vector here, not instructions (5% of a logistic fit).
        var clamped = x
        clamped.replace(with: -103.972_08, where: x .< -103.972_08)
        clamped.replace(with: 88.722_83, where: x .> 88.722_83)
        // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa
        // bits: one add instead of the stdlib's per-lane rounding and conversion calls.
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let whole = SIMD8<Int32>(truncatingIfNeeded: bits(shifted)) &- roundingMagicBits
        let r = (high - n * ln2High) + (low - n * ln2Low)
        var p: Vector = Vector(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2^n from its exponent bits, in two halves: n spans [-150, 128]; 2^128
        // is not a Float, and below 2^-126 the last multiply rounds once into a subnormal.
        let half = whole &>> 1
        let scaleA = floats(SIMD8<UInt32>(truncatingIfNeeded: half &+ 127) &<< 23)
        let scaleB = floats(SIMD8<UInt32>(truncatingIfNeeded: whole &- half &+ 127) &<< 23)
        var result = p * scaleA * scaleB
        result.replace(with: 0, where: x .< -103.972_08)
        result.replace(with: Float.infinity, where: x .> 88.722_83)
        result.replace(with: x, where: x .!= x)  // NaN stays NaN
        return result
    }

    /// The natural logarithm. x = m·2^e with m in [√½, √2), then log m = 2·atanh(s),
    /// s = (m − 1)/(m + 1), by its odd series to s¹¹ (|s| ≤ 0.1716).
    @inline(__always)
    static func log(_ x: Vector) -> Vector {
        // Subnormals are scaled into the normal range first.
        let tiny = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 0x1p23, where: tiny)
        let bits = SIMD8<Int32>(truncatingIfNeeded: bits(scaled))
        var e = (bits &>> 23) &- 127
        e.replace(with: e &- 23, where: tiny)
        var m = floats(SIMD8<UInt32>(truncatingIfNeeded: (bits & 0x007F_FFFF) | 0x3F80_0000))
        let high = m .> 1.414_213_5
        m.replace(with: m * 0.5, where: high)
        e.replace(with: e &+ 1, where: high)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var series: Vector = Vector(repeating: 1.0 / 11)
        series = series * s2 + 1.0 / 9
        series = series * s2 + 1.0 / 7
        series = series * s2 + 1.0 / 5
        series = series * s2 + 1.0 / 3
        series = series * s2 + 1
        let ef = floats(SIMD8<UInt32>(truncatingIfNeeded: e &+ roundingMagicBits)) - roundingMagic
        var result = ef * ln2High + (2 * s * series + ef * ln2Low)
        result.replace(with: -Float.infinity, where: x .== 0)
        result.replace(with: Float.nan, where: x .< 0)
        result.replace(with: x, where: (x .== Float.infinity) .| (x .!= x))
        return result
    }

    /// tanh. Near zero an odd Taylor series keeps the relative error small; elsewhere
    /// tanh|x| = 1 − 2/(e^{2|x|} + 1), which saturates cleanly to ±1.
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let a = magnitude(x)
        let viaExp = 1 - 2 / (exp(2 * a) + 1)
        let x2 = x * x
        var series: Vector = Vector(repeating: 62.0 / 2835)
        series = series * x2 - 17.0 / 315
        series = series * x2 + 2.0 / 15
        series = series * x2 - 1.0 / 3
        series = series * x2 + 1
        var result = viaExp.replacing(with: -viaExp, where: x .< 0)
        result.replace(with: x * series, where: a .< 0.3)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// The logistic sigmoid 1 / (1 + e^−x).
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// erfc(a/√2) for a ≥ 0, from the Chebyshev fit in Numerical Recipes (`erfcc`,
    /// fractional error below 1.2e-7): erfc z ≈ t·exp(−z² + P(t)) with t = 1/(1 + z/2).
    ///
    /// z² = a²/2 is formed exactly (a split into a 12-bit head and a tail) and passed to
    /// ``exp(_:plus:)`` in two parts, so the result keeps its relative accuracy far into
    /// the tail, where rounding z² to a Float would cost ~2z² ulps.
    @inline(__always)
    static func erfcOfScaled(_ a: Vector) -> Vector {
        let z = a * 0.707_106_77
        let t = 1 / (1 + 0.5 * z)
        var p: Vector = Vector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let head = floats(bits(a) & 0xFFFF_F000)
        let tail = a - head
        let headSquareHalf = head * head * 0.5  // exact: 12 bits squared fit in 24
        let rest = (2 * head * tail + tail * tail) * 0.5
        return t * exp(-headSquareHalf, plus: p - rest)
    }

    /// GELU in the exact erf form BERT uses: x · Φ(x) = ½·x·erfc(−x/√2).
    /// Written with erfc so that the relative error stays small for large negative x.
    @inline(__always)
    static func gelu(_ x: Vector) -> Vector {
        let tailMass = erfcOfScaled(magnitude(x))  // erfc(|x|/√2) = 2·Φ(−|x|)
        return 0.5 * x * tailMass.replacing(with: 2 - tailMass, where: x .>= 0)
    }

    /// d/dx [x·Φ(x)] = Φ(x) + x·φ(x), with φ the standard normal density: GELU's backward.
    @inline(__always)
    static func geluDerivative(_ input: Vector) -> Vector {
        // Beyond |x| = 40 the derivative is exactly 0 or 1 in Float; clamping keeps ±∞ finite.
        let x = input.replacing(with: 40, where: input .> 40).replacing(with: -40, where: input .< -40)
        let tailMass = erfcOfScaled(magnitude(x))
        let cdf = 0.5 * tailMass.replacing(with: 2 - tailMass, where: x .>= 0)
        let density = exp(-0.5 * x * x) * 0.398_942_280_401_432_7  // 1/√(2π)
        return (cdf + x * density).replacing(with: input, where: input .!= input)  // NaN stays NaN
    }
}

/// Applies `kernel` to `count` floats from `input` into `output`, eight at a time.
///
/// The tail is padded into a full vector so every element goes through the same
/// arithmetic, whatever its position.
@inline(__always)
func mapVectors(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    _ kernel: (SIMD8<Float>) -> SIMD8<Float>
) {
    var i = 0
    while i + 8 <= count {
        let v = UnsafeRawPointer(input + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(output + i).storeBytes(of: kernel(v), as: SIMD8<Float>.self)
        i += 8
    }
    if i < count {
        var v = SIMD8<Float>()
        for lane in 0..<(count - i) { v[lane] = input[i + lane] }
        let r = kernel(v)
        for lane in 0..<(count - i) { output[i + lane] = r[lane] }
    }
}

/// Applies `kernel` elementwise to two runs of `count` floats, eight at a time.
@inline(__always)
func zipVectors(
    _ lhs: UnsafePointer<Float>, _ rhs: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    _ kernel: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>
) {
    var i = 0
    while i + 8 <= count {
        let a = UnsafeRawPointer(lhs + i).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(rhs + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(output + i).storeBytes(of: kernel(a, b), as: SIMD8<Float>.self)
        i += 8
    }
    if i < count {
        var a = SIMD8<Float>()
        var b = SIMD8<Float>()
        for lane in 0..<(count - i) {
            a[lane] = lhs[i + lane]
            b[lane] = rhs[i + lane]
        }
        let r = kernel(a, b)
        for lane in 0..<(count - i) { output[i + lane] = r[lane] }
    }
}
