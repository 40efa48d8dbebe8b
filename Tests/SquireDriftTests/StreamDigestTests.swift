import Foundation
import SquireDrift
import Testing

/// A resumed monitor refuses a stream that does not begin with what its state consumed — a
/// replaced file — even when the new one is longer.
@Suite struct StreamDigestTests {
    @Test func aReplacedStreamIsRefusedWithATypedError() throws {
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateFile) }
        let stream = Traffic.make(1000, seed: 90)
        var first = try DriftMonitor(profile: Traffic.profile)
        _ = try first.consume(Array(stream.prefix(450)), savingStateTo: stateFile)
        let saved = try Data(contentsOf: stateFile)

        // Another file, longer than what was consumed: refused before anything is consumed.
        var resumed = try DriftMonitor(profile: Traffic.profile, resumingFrom: stateFile)
        #expect(throws: DriftInputError.streamMismatch(consumed: 450, available: 1000)) {
            try resumed.consume(Traffic.make(1000, seed: 91), savingStateTo: stateFile)
        }
        // One changed observation among those consumed is enough.
        var edited = stream
        edited[17].confidence = 0.5
        #expect(throws: DriftInputError.streamMismatch(consumed: 450, available: 1000)) {
            try resumed.consume(edited, savingStateTo: stateFile)
        }
        #expect(throws: DriftInputError.streamMismatch(consumed: 450, available: 10)) {
            try resumed.consume(Array(stream.prefix(10)))
        }
        #expect(resumed.state.consumed == 450)
        #expect(try Data(contentsOf: stateFile) == saved)
        // The stream it was saved on, grown, continues.
        #expect(try resumed.consume(stream).count == 3)
    }

    @Test func aStateSavedBeforeDigestsAdoptsTheStreamItResumesOn() throws {
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("old-state-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateFile) }
        let stream = Traffic.make(600, seed: 92)
        var first = try DriftMonitor(profile: Traffic.profile)
        _ = try first.consume(Array(stream.prefix(300)), savingStateTo: stateFile)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateFile)) as? [String: Any])
        #expect(json.removeValue(forKey: "stream_digest") != nil)
        try JSONSerialization.data(withJSONObject: json).write(to: stateFile)

        var resumed = try DriftMonitor(profile: Traffic.profile, resumingFrom: stateFile)
        #expect(try resumed.consume(Array(stream.prefix(400)), savingStateTo: stateFile).count == 1)
        var again = try DriftMonitor(profile: Traffic.profile, resumingFrom: stateFile)
        #expect(throws: DriftInputError.streamMismatch(consumed: 400, available: 600)) {
            try again.consume(Traffic.make(600, seed: 93))
        }
    }
}
