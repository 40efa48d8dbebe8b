public import Foundation
import SquireCore

/// What a shadow candidate answered beside the live model, request by request.
public actor ShadowLog {
    /// One request seen by both.
    public struct Entry: Sendable, Hashable, Codable {
        /// The request.
        public var text: String
        /// The live model's answer (what the caller got).
        public var liveLabel: String
        /// The live model's confidence.
        public var liveConfidence: Double
        /// The candidate's answer; `nil` when it failed.
        public var candidateLabel: String?
        /// The candidate's confidence.
        public var candidateConfidence: Double?
        /// Why the candidate failed, when it did.
        public var candidateError: String?

        /// Whether the two agree (a failed candidate does not).
        public var agrees: Bool { candidateLabel == liveLabel }

        private enum CodingKeys: String, CodingKey {
            case text
            case liveLabel = "live_label"
            case liveConfidence = "live_confidence"
            case candidateLabel = "candidate_label"
            case candidateConfidence = "candidate_confidence"
            case candidateError = "candidate_error"
        }
    }

    /// Every request, in the order the candidate finished.
    public private(set) var entries: [Entry] = []
    private var pending: [Task<Void, Never>] = []

    /// Creates an empty log.
    public init() {}

    /// The share of requests where the candidate agreed with the live model; `nil` before any.
    public var agreementRate: Double? {
        entries.isEmpty ? nil : Double(entries.filter(\.agrees).count) / Double(entries.count)
    }

    /// The requests where they disagreed (or the candidate failed).
    public var disagreements: [Entry] { entries.filter { !$0.agrees } }

    /// Waits until every candidate call started so far has been logged.
    public func drain() async {
        while !pending.isEmpty {
            let tasks = pending
            pending = []
            for task in tasks { await task.value }
        }
    }

    /// Writes the log as labelled data for the next training round — one
    /// `{"text", "label", …}` line per request, labelled with the live (teacher) answer — atomically.
    public func writeLabelledData(to url: URL, disagreementsOnly: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Line: Encodable {
            var text: String
            var label: String
            var confidence: Double
            var candidateLabel: String?
            var agrees: Bool
            enum CodingKeys: String, CodingKey {
                case text, label, confidence, agrees
                case candidateLabel = "candidate_label"
            }
        }
        var data = Data()
        for entry in disagreementsOnly ? disagreements : entries {
            data.append(
                try encoder.encode(
                    Line(
                        text: entry.text, label: entry.liveLabel, confidence: entry.liveConfidence,
                        candidateLabel: entry.candidateLabel, agrees: entry.agrees)))
            data.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(Array(data), to: url.path)
    }

    func track(_ task: Task<Void, Never>) { pending.append(task) }

    func record(_ new: [Entry]) { entries.append(contentsOf: new) }
}
