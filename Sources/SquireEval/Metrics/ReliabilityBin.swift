/// One confidence bin of a reliability diagram.
public struct ReliabilityBin: Sendable, Hashable, Codable {
    /// The bin's lower confidence bound (inclusive).
    public var lower: Double
    /// The bin's upper bound (exclusive, except 1 for the last bin).
    public var upper: Double
    /// Answers whose confidence falls in the bin.
    public var count: Int
    /// Their accuracy (0 for an empty bin).
    public var accuracy: Double
    /// Their mean confidence (0 for an empty bin).
    public var meanConfidence: Double

    private enum CodingKeys: String, CodingKey {
        case lower, upper, count, accuracy
        case meanConfidence = "mean_confidence"
    }
}
