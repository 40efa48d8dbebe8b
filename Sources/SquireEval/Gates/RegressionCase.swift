/// One named case a model must keep passing.
public struct RegressionCase: Sendable, Hashable, Codable {
    /// What the case expects of the answer.
    public enum Expectation: Sendable, Hashable {
        /// Exactly this label.
        case label(String)
        /// Any of these labels.
        case oneOf([String])
        /// Anything but this label.
        case not(String)

        /// Whether `label` satisfies the expectation.
        public func isMet(by label: String) -> Bool {
            switch self {
            case .label(let expected): label == expected
            case .oneOf(let allowed): allowed.contains(label)
            case .not(let forbidden): label != forbidden
            }
        }
    }

    /// A unique name, stable across runs so changes can be tracked.
    public var id: String
    /// The input.
    public var text: String
    /// What the answer must be.
    public var expectation: Expectation
    /// When set, the answer must also be at least this confident.
    public var minimumConfidence: Double?
    /// Free-form tags (`"prompt-injection"`, `"refunds"`).
    public var tags: [String]

    /// Creates a case from its parts.
    public init(
        id: String, text: String, expectation: Expectation, minimumConfidence: Double? = nil, tags: [String] = []
    ) {
        self.id = id
        self.text = text
        self.expectation = expectation
        self.minimumConfidence = minimumConfidence
        self.tags = tags
    }

    private enum CodingKeys: String, CodingKey {
        case id, text, tags
        case label = "expected"
        case oneOf = "expected_one_of"
        case not = "not_expected"
        case minimumConfidence = "minimum_confidence"
    }

    /// Reads a case; exactly one of `expected`, `expected_one_of`, `not_expected` must be given.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        minimumConfidence = try container.decodeIfPresent(Double.self, forKey: .minimumConfidence)
        if let minimum = minimumConfidence, !(0...1).contains(minimum) {
            throw DecodingError.dataCorruptedError(
                forKey: .minimumConfidence, in: container, debugDescription: "must be between 0 and 1")
        }
        let given = [CodingKeys.label, .oneOf, .not].filter(container.contains)
        guard given.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: container.codingPath,
                    debugDescription:
                        "case \"\(id)\" needs exactly one of \"expected\", \"expected_one_of\", \"not_expected\""))
        }
        switch given[0] {
        case .label: expectation = .label(try container.decode(String.self, forKey: .label))
        case .oneOf:
            let labels = try container.decode([String].self, forKey: .oneOf)
            guard !labels.isEmpty else {
                throw DecodingError.dataCorruptedError(
                    forKey: .oneOf, in: container, debugDescription: "case \"\(id)\" allows no label at all")
            }
            expectation = .oneOf(labels)
        default: expectation = .not(try container.decode(String.self, forKey: .not))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(text, forKey: .text)
        switch expectation {
        case .label(let label): try container.encode(label, forKey: .label)
        case .oneOf(let labels): try container.encode(labels, forKey: .oneOf)
        case .not(let label): try container.encode(label, forKey: .not)
        }
        try container.encodeIfPresent(minimumConfidence, forKey: .minimumConfidence)
        if !tags.isEmpty { try container.encode(tags, forKey: .tags) }
    }
}
