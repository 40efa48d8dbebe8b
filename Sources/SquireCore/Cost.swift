/// An amount of money spent on model calls, in US dollars (the currency model APIs price in).
///
/// A `Double` keeps sub-cent per-call prices exact enough for accounting: a million calls
/// at $0.0000375 each sum with an error far below a cent.
public struct Cost: Sendable, Hashable, Codable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    /// The amount in US dollars.
    public var dollars: Double

    /// Creates a cost of `dollars` US dollars.
    public init(dollars: Double) {
        self.dollars = dollars
    }

    /// No cost.
    public static let zero = Cost(dollars: 0)

    /// The cost of `tokens` tokens at `dollarsPerMillionTokens`, the unit price lists use.
    public init(tokens: Int, dollarsPerMillionTokens: Double) {
        self.init(dollars: Double(tokens) * dollarsPerMillionTokens / 1_000_000)
    }

    /// The cost per 1,000 calls when this is the cost of `calls` calls; zero for no calls.
    public func perThousandCalls(_ calls: Int) -> Cost {
        calls > 0 ? Cost(dollars: dollars * 1000 / Double(calls)) : .zero
    }

    public static func + (lhs: Cost, rhs: Cost) -> Cost { Cost(dollars: lhs.dollars + rhs.dollars) }
    public static func - (lhs: Cost, rhs: Cost) -> Cost { Cost(dollars: lhs.dollars - rhs.dollars) }
    public static func * (lhs: Cost, rhs: Double) -> Cost { Cost(dollars: lhs.dollars * rhs) }
    public static func < (lhs: Cost, rhs: Cost) -> Bool { lhs.dollars < rhs.dollars }

    /// Dollars with enough digits for per-call prices, such as `$0.000042`.
    public var description: String {
        let micros = (dollars * 1_000_000).rounded()
        let sign = micros < 0 ? "-" : ""
        let magnitude = Int64(abs(micros))
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)$\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    public init(from decoder: any Decoder) throws {
        dollars = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dollars)
    }
}
