/// The inner loops of the scan, in plain Swift SIMD (SquireRouting links no BLAS).
///
/// Swift builds its SIMD types for baseline x86-64 (SSE2, no FMA), so each `SIMD16` operation
/// is four 128-bit instructions; the loops keep the work per component as small as that
/// allows. Both return the same value wherever they are called, which the calibration relies
/// on: a threshold is compared with exactly the numbers the cache computes.
enum SimilarityKernel {
    /// The dot product of two float vectors of `count` components.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum = SIMD16<Float>()
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= count {
            sum +=
                rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var total = sum.sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// The cosine of int8 codes: the query's widened to 16 bits, the stored ones as bytes,
    /// each with the reciprocal of its norm.
    @inline(__always)
    static func int8Similarity(
        _ query: UnsafePointer<Int16>, _ queryInverseNorm: Float, _ stored: UnsafePointer<Int8>,
        _ storedInverseNorm: Float, count: Int
    ) -> Float {
        var sum = SIMD8<Int32>()
        let rawQuery = UnsafeRawPointer(query)
        let rawStored = UnsafeRawPointer(stored)
        var i = 0
        while i + 16 <= count {
            let codes = SIMD16<Int16>(
                truncatingIfNeeded: rawStored.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self))
            let products = codes &* rawQuery.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<Int16>.self)
            // Every code is within ±127, so a product is at most 16,129 in magnitude and two of
            // them fit in 16 bits: adding the halves before widening halves the widening work.
            sum &+= SIMD8<Int32>(truncatingIfNeeded: products.lowHalf &+ products.highHalf)
            i += 16
        }
        var total = sum.wrappedSum()
        while i < count {
            total &+= Int32(query[i]) &* Int32(stored[i])
            i += 1
        }
        return Float(total) * queryInverseNorm * storedInverseNorm
    }
}
