import Foundation
import Squire
import Testing

/// `ModelVersions`: versions on disk, the live pointer, history, rollback, a damaged version
/// refused, a history completed after a crash between pointer and history.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct ModelVersionsTests {
    static func train(c: Double) throws -> TrainedClassifier {
        try ClassifierTraining.frozenHead(
            ClassifierRecipe(inverseRegularizations: [c]), on: try Fixtures.dataset(), options: TrainingOptions())
    }

    @Test func promotesRollsBackAndRemembers() throws {
        let root = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try ModelVersions(root: root.path)
        #expect(try store.live() == nil)
        #expect(throws: ModelVersionsError.nothingLive) { try store.openLive() }

        let v1 = try store.add(try Self.train(c: 1))
        let v2 = try store.add(try Self.train(c: 10))
        #expect(v1 != v2)
        #expect(store.versions == [v1, v2].sorted())
        #expect(throws: ModelVersionsError.unknownVersion("v9", known: [v1, v2].sorted())) {
            try store.promote("v9", reason: "typo")
        }

        #expect(try store.promote(v1, reason: "first ship").version == v1)
        #expect(try store.promote(v2, reason: "retrained").version == v2)
        #expect(try store.live()?.previous == v1)
        #expect(try store.rollBack(reason: "accuracy dropped").version == v1)
        let afterRollback = try #require(try store.live())
        #expect(afterRollback.version == v1 && afterRollback.previous == nil)
        #expect(throws: ModelVersionsError.nothingToRollBackTo(live: v1)) { try store.rollBack(reason: "again") }

        // A new process reads the pointer and serves that version.
        let reopened = try ModelVersions(root: root.path)
        #expect(try reopened.openLive().version == v1)
        #expect(try reopened.history().map(\.action) == [.added, .added, .promoted, .promoted, .rolledBack])
        #expect(try reopened.history().map(\.reason).last == "accuracy dropped")
    }

    @Test func refusesADamagedVersionAndCompletesAShortHistory() throws {
        let root = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try ModelVersions(root: root.path)
        let v1 = try store.add(try Self.train(c: 1))
        let v2 = try store.add(try Self.train(c: 10))
        try store.promote(v1, reason: "first ship")

        // A damaged version is refused and the pointer stays.
        let weights = URL(fileURLWithPath: store.folder(of: v2) + "/head.safetensors")
        let original = try Data(contentsOf: weights)
        try Data(original.prefix(original.count - 8)).write(to: weights)
        #expect(throws: BundleError.self) { try store.promote(v2, reason: "retrained") }
        #expect(try store.live()?.version == v1)
        try original.write(to: weights)

        // A process killed after moving the pointer but before the history line: the next
        // open records what the pointer says. A torn last line is skipped, not fatal.
        let pointer = ModelVersions.Pointer(version: v2, previous: v1, since: Date())
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(pointer).write(to: root.appendingPathComponent("live.json"))
        let history = root.appendingPathComponent("history.jsonl")
        let handle = try FileHandle(forWritingTo: history)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"action\":\"prom".utf8))
        try handle.close()

        let reopened = try ModelVersions(root: root.path)
        let events = try reopened.history()
        #expect(events.map(\.action) == [.added, .added, .promoted, .recovered])
        #expect(events.last?.version == v2)
        #expect(try reopened.openLive().version == v2)
        #expect(try reopened.rollBack(reason: "manual").version == v1)
    }
}
