import Foundation

extension Double {
    /// Fixed-point text with `digits` decimals, independent of locale.
    func formatted(digits: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (self > 0 ? "inf" : "-inf") }
        return String(format: "%.\(digits)f", self)
    }
}
