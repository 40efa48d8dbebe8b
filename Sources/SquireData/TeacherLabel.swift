public import Foundation
public import SquireCore
public import SquireEval

/// One text with the label a teacher gave it, and the teacher's probabilities when it
/// reports them (soft labels, which distillation learns from).
public struct TeacherLabel: Sendable, Hashable, Codable {
    /// The text's identifier.
    public var id: String
    /// The text.
    public var text: String
    /// The teacher's label.
    public var label: String
    /// The teacher's confidence in ``label``; 1 for a teacher that reports none.
    public var confidence: Double
    /// The teacher's probability of every label it scored; empty for a hard-label teacher.
    public var probabilities: [String: Double]
    /// What labelling this text cost.
    public var usage: Usage

    /// Creates a teacher label.
    public init(
        id: String, text: String, label: String, confidence: Double, probabilities: [String: Double] = [:],
        usage: Usage = .zero
    ) {
        self.id = id
        self.text = text
        self.label = label
        self.confidence = confidence
        self.probabilities = probabilities
        self.usage = usage
    }

    /// The hard-label example this label makes.
    public var example: LabeledExample { LabeledExample(id: id, text: text, label: label) }

    private enum CodingKeys: String, CodingKey {
        case id, text, label, confidence, probabilities, usage
    }

    /// Reads a label; `confidence` defaults to 1, `probabilities` to none, `usage` to zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        label = try container.decode(String.self, forKey: .label)
        confidence = try container.decodeIfPresent(Double.self, forKey: .confidence) ?? 1
        probabilities = try container.decodeIfPresent([String: Double].self, forKey: .probabilities) ?? [:]
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage) ?? .zero
    }
}

extension TeacherLabel {
    /// Reads a file `squire label` wrote: one teacher label per line. Errors name the line.
    public static func load(contentsOf url: URL) throws -> [TeacherLabel] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError(source: url.path, reason: "cannot read the file; check the path")
        }
        let records = try JSONLinesRecords.parse(
            data, source: url.path,
            expecting: "a teacher label {\"id\", \"text\", \"label\", \"confidence\", \"probabilities\"}")
        return try records.map { line, _, bytes in
            do { return try JSONDecoder().decode(TeacherLabel.self, from: bytes) } catch let error as DecodingError {
                throw DatasetError(source: url.path, line: line, reason: "not a teacher label: \(error.summary)")
            }
        }
    }

    /// The probability rows of `labels` over the union of their label sets (sorted): the
    /// teacher's probabilities, or all mass on the label for a teacher that gave none.
    public static func probabilityRows(_ labels: [TeacherLabel]) -> (labels: [String], rows: [[Double]]) {
        let order = Set(labels.flatMap { [$0.label] + $0.probabilities.keys }).sorted()
        let rows = labels.map { label in
            label.probabilities.isEmpty
                ? order.map { $0 == label.label ? 1 : 0 } : order.map { label.probabilities[$0] ?? 0 }
        }
        return (order, rows)
    }
}
