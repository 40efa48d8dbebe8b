import Foundation

/// A running 64-bit FNV-1a hash of the observations a monitor has consumed, saved with its state
/// so that a resumed monitor can tell the stream it is given from the one it was saved on —
/// the line count alone lets a longer, different file through.
///
/// It hashes every field of each observation (numbers by their bits), so two streams that
/// decode to the same observations match whatever their formatting. It guards against a
/// replaced or rewritten input, not an adversary; it is not a cryptographic hash.
struct StreamDigest: Sendable, Hashable, Codable {
    private var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// The digest of `observations`, in order.
    init(_ observations: some Sequence<Observation>) {
        for observation in observations { add(observation) }
    }

    mutating func add(_ observation: Observation) {
        add(observation.id)
        add(observation.text)
        add(observation.label)
        mix(observation.confidence.bitPattern)
        add(observation.modelVersion)
        add(observation.timestamp.map(\.timeIntervalSince1970))
        add(observation.trueLabel)
        add(observation.unknownTokenRate)
        mix(UInt64(observation.embedding?.count ?? 0))
        for value in observation.embedding ?? [] { mix(value.bitPattern) }
    }

    private mutating func add(_ string: String?) {
        // 0xFF never occurs in UTF-8, so it ends a string unambiguously; 0xFE marks a missing one.
        guard let string else { return mix(0xFE) }
        for byte in string.utf8 { mix(UInt64(byte)) }
        mix(0xFF)
    }

    private mutating func add(_ number: Double?) {
        guard let number else { return mix(0xFE) }
        mix(number.bitPattern)
    }

    private mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0x100_0000_01b3
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = UInt64(text, radix: 16) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "expected 16 hex digits"))
        }
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let hex = String(value, radix: 16)
        try container.encode(String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
