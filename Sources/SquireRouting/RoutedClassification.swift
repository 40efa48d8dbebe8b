public import SquireCore

/// A cascade's answer to one request and the trace of how it was reached.
public struct RoutedClassification: Sendable, Hashable, Codable {
    /// The answer, with the usage of every call behind it.
    public var classification: Classification
    /// Who answered and why.
    public var trace: RoutingTrace
}
