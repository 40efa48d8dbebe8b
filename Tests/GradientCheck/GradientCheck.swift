public import SquireTensor

/// Central finite differences of a scalar function of one tensor, for gradient tests.
///
/// Everything runs in Float, so steps are 1e-2 and agreement is judged relative to the
/// gradient's overall size, the usual practice for single-precision gradient checks.
public enum GradientCheck {
    /// The largest `|analytic − numeric|` over all elements, divided by the largest `|numeric|`.
    public static func relativeError(
        of analytic: Tensor, at point: Tensor, step: Float = 1e-2, _ function: (Tensor) throws -> Double
    ) throws -> Double {
        var worst = 0.0
        var scale = 1e-6
        for index in 0..<point.count {
            var plus = point.scalars
            var minus = point.scalars
            plus[index] += step
            minus[index] -= step
            let numeric =
                (try function(Tensor(shape: point.shape, scalars: plus))
                    - function(Tensor(shape: point.shape, scalars: minus))) / Double(2 * step)
            worst = max(worst, abs(numeric - Double(analytic.scalars[index])))
            scale = max(scale, abs(numeric))
        }
        return worst / scale
    }
}
