import SquireModels

/// IEEE 754 binary16, in which int4 scales are stored (as llama.cpp's Q4_0 stores its
/// block scales): half the bytes of a float scale, which is a sixteenth of an int4 group.
package enum HalfPrecision {
    /// The binary16 bits nearest to `x` (ties to even), subnormals included; values
    /// beyond the largest half (65504) become infinity.
    package static func bits(_ x: Float) -> UInt16 {
        let pattern = x.bitPattern
        let sign = UInt16((pattern >> 16) & 0x8000)
        guard x.isFinite else { return sign | (x.isNaN ? 0x7E00 : 0x7C00) }
        let exponent = Int((pattern >> 23) & 0xFF) - 127 + 15
        var mantissa = pattern & 0x7F_FFFF
        let shift: UInt32
        var half: UInt32
        if exponent >= 31 {
            return sign | 0x7C00
        } else if exponent <= 0 {
            // A subnormal half: the implicit bit joins the mantissa, shifted further right.
            guard exponent >= -10 else { return sign }
            mantissa |= 0x80_0000
            shift = UInt32(14 - exponent)
            half = mantissa >> shift
        } else {
            shift = 13
            half = UInt32(exponent) << 10 | mantissa >> shift
        }
        let remainder = mantissa & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        // A carry out of the mantissa correctly bumps the exponent.
        if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// `x` rounded to the nearest value binary16 holds.
    package static func rounded(_ x: Float) -> Float {
        SafetensorsFile.float(fromHalf: bits(x))
    }
}
