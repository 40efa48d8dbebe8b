import Foundation
import SquireCore
import SquireData
import SquireTesting
import Testing

/// Teacher labelling: soft labels kept, cost added up, and a run that stops resumes
/// without labelling anything twice or losing anything.
@Suite final class TeacherLabelingTests {
    let folder: URL
    let texts = (1...40).map { UnlabeledText(id: "t\($0)", text: $0 % 3 == 0 ? "refund \($0)" : "card \($0)") }
    static let labels = ["card", "refund"]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-label-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A teacher with probabilities and a price per call.
    static func teacher() -> ScriptedClassifier { ScriptedClassifier(labels: labels, answer: answer) }

    @Sendable static func answer(_ text: String) -> Classification {
        let refund = text.hasPrefix("refund")
        return Classification(
            label: refund ? "refund" : "card", confidence: 0.8,
            probabilities: ["refund": refund ? 0.8 : 0.2, "card": refund ? 0.2 : 0.8],
            usage: Usage(inputTokens: 10, outputTokens: 1, calls: 1, cost: Cost(dollars: 0.001)))
    }

    @Test func labelsEveryTextKeepingProbabilitiesAndCost() async throws {
        let journal = folder.appendingPathComponent("out.jsonl.journal")
        let result = try await TeacherLabeling(teacher: Self.teacher(), batchSize: 7, maximumConcurrentBatches: 3)
            .label(texts, journal: journal)
        #expect(result.labels.map(\.id) == texts.map(\.id))
        #expect(result.failures.isEmpty)
        #expect(result.resumedCount == 0)
        #expect(result.labels[2].label == "refund")
        #expect(result.labels[2].probabilities == ["refund": 0.8, "card": 0.2])
        #expect(result.usage.calls == 40)
        #expect(abs(result.usage.cost.dollars - 0.04) < 1e-12)
        let lines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
    }

    @Test func anOutageStopsTheRunAndTheNextRunResumesWithoutRepeats() async throws {
        let journal = folder.appendingPathComponent("out.jsonl.journal")
        // The first run's teacher goes down after three calls.
        let flaky = Failing(
            Self.teacher(), error: ModelError.unavailable("HTTP 503"), schedule: .when { $0 == "card 25" })
        await #expect(throws: ModelError.unavailable("HTTP 503")) {
            try await TeacherLabeling(teacher: flaky, batchSize: 8, maximumConcurrentBatches: 1).label(
                self.texts, journal: journal)
        }
        let firstRun = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").count
        #expect(firstRun == 24)

        // A crash mid-write leaves half a line; it is dropped and that text asked again.
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"t25","text":"card 25","lab"#.utf8))
        try handle.close()

        let recording = Recording(Self.teacher())
        let result = try await TeacherLabeling(teacher: recording, batchSize: 8, maximumConcurrentBatches: 2).label(
            texts, journal: journal)
        #expect(result.resumedCount == 24)
        #expect(result.labels.map(\.id) == texts.map(\.id))
        #expect(recording.log.inputs.sorted() == texts[24...].map(\.text).sorted())
        #expect(result.usage.calls == 16)
        let journalIDs = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(TeacherLabel.self, from: Data($0.utf8)).id
        }
        #expect(journalIDs.sorted() == texts.map(\.id).sorted())
    }

    @Test func aGarbageAnswerCostsOnlyItsOwnTextAndIsRetriedNextRun() async throws {
        let journal = folder.appendingPathComponent("out.jsonl.journal")
        let garbage = ScriptedClassifier(labels: Self.labels) { text in
            text == "card 7" ? Classification(label: "dunno", confidence: 1) : Self.answer(text)
        }
        let result = try await TeacherLabeling(teacher: garbage, batchSize: 5).label(texts, journal: journal)
        #expect(result.labels.count == 39)
        #expect(result.failures.map(\.id) == ["t7"])
        #expect(result.failures[0].reason.contains("dunno"))

        let recording = Recording(Self.teacher())
        let retry = try await TeacherLabeling(teacher: recording).label(texts, journal: journal)
        #expect(recording.log.inputs == ["card 7"])
        #expect(retry.labels.count == 40)
    }

    @Test func aJournalOfOtherTextsOrNotAJournalIsRefused() async throws {
        let journal = folder.appendingPathComponent("other.journal")
        try #"{"id":"x1","text":"something else","label":"card","confidence":1}"#.appending("\n").write(
            to: journal, atomically: true, encoding: .utf8)
        await #expect(throws: DataError.self) {
            try await TeacherLabeling(teacher: Self.teacher()).label(self.texts, journal: journal)
        }
        try "not json\n".write(to: journal, atomically: true, encoding: .utf8)
        do {
            _ = try await TeacherLabeling(teacher: Self.teacher()).label(texts, journal: journal)
            Issue.record("expected a journal error")
        } catch let error as DataError {
            #expect(error.description.contains("line 1"))
        }
        let duplicate = [UnlabeledText(id: "a", text: "x"), UnlabeledText(id: "a", text: "y")]
        await #expect(throws: DataError.self) {
            try await TeacherLabeling(teacher: Self.teacher()).label(
                duplicate, journal: self.folder.appendingPathComponent("d.journal"))
        }
    }

    @Test func aJournalBegunByAnotherTeacherIsRefused() async throws {
        let journal = folder.appendingPathComponent("teacher.journal")
        let first = try await TeacherLabeling(teacher: Self.teacher(), teacherIdentity: "openai model-a")
            .label(Array(texts.prefix(10)), journal: journal)
        #expect(first.labels.count == 10)
        // The journal names its teacher on its first line.
        #expect(try String(contentsOf: journal, encoding: .utf8).hasPrefix(#"{"teacher":"openai model-a"}"#))
        do {
            _ = try await TeacherLabeling(teacher: Self.teacher(), teacherIdentity: "openai model-b")
                .label(texts, journal: journal)
            Issue.record("expected the other teacher to be refused")
        } catch let error as DataError {
            #expect(error.description.contains("it was begun by the teacher openai model-a, not openai model-b"))
        }
        // The same teacher resumes.
        let resumed = try await TeacherLabeling(teacher: Self.teacher(), teacherIdentity: "openai model-a")
            .label(texts, journal: journal)
        #expect(resumed.resumedCount == 10)
    }

    @Test func labelsLoadBackAsSoftTargets() throws {
        let file = folder.appendingPathComponent("labelled.jsonl")
        try """
        {"id":"1","text":"a","label":"card","confidence":0.7,"probabilities":{"card":0.7,"refund":0.3}}
        {"id":"2","text":"b","label":"other"}

        """.write(to: file, atomically: true, encoding: .utf8)
        let labels = try TeacherLabel.load(contentsOf: file)
        #expect(labels[1].confidence == 1)
        let (order, rows) = TeacherLabel.probabilityRows(labels)
        #expect(order == ["card", "other", "refund"])
        #expect(rows == [[0.7, 0, 0.3], [0, 1, 0]])
        try "{\"id\":\"1\",\"text\":\"a\"}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try TeacherLabel.load(contentsOf: file) }
    }
}
