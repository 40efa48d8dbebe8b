import SquireCore

/// The personas, lengths and styles synthetic requests rotate through, so one label's
/// examples do not all sound alike. Each request draws one of each from a seeded generator:
/// the same seed gives the same schedule.
public struct DiversitySchedule: Sendable, Hashable, Codable {
    /// Who writes the message ("a frustrated long-time customer").
    public var personas: [String]
    /// How long it is ("in a few words").
    public var lengths: [String]
    /// How it is written ("formal", "with typing mistakes").
    public var styles: [String]

    /// Creates a schedule; each list needs at least one entry.
    public init(personas: [String], lengths: [String], styles: [String]) {
        self.personas = personas
        self.lengths = lengths
        self.styles = styles
    }

    /// A general-purpose schedule for requests an agent receives.
    public static let standard = DiversitySchedule(
        personas: [
            "a first-time customer", "a frustrated long-time customer", "a non-native English speaker",
            "a busy professional typing on a phone", "an older customer unfamiliar with apps", "a small-business owner",
        ],
        lengths: ["in a few words", "in one sentence", "in two or three sentences"],
        styles: ["casual", "formal", "terse", "polite", "with a typing mistake or two"])

    /// One request's draw.
    public struct Draw: Sendable, Hashable {
        /// The persona.
        public var persona: String
        /// The length.
        public var length: String
        /// The style.
        public var style: String
    }

    /// The draws for `count` requests for `label`, independent of other labels.
    func draws(for label: String, count: Int, seed: UInt64) -> [Draw] {
        var generator = SplitMix64(seed: seed ^ Self.fingerprint(label))
        return (0..<count).map { _ in
            Draw(
                persona: personas.randomElement(using: &generator)!, length: lengths.randomElement(using: &generator)!,
                style: styles.randomElement(using: &generator)!)
        }
    }

    /// FNV-1a over the label's UTF-8 bytes: stable across runs, unlike `hashValue`.
    static func fingerprint(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    func validate() throws {
        guard !personas.isEmpty, !lengths.isEmpty, !styles.isEmpty else {
            throw DataError.invalidConfiguration(
                "a diversity schedule needs at least one persona, one length and one style")
        }
    }
}
