import Foundation
import SquireDrift
import Testing

/// `DriftMonitor.consume`: a stream fed from where the saved state stopped, decisions as in a
/// plain loop, a bad observation refused by its index with the state up to it kept.
@Suite struct DriftMonitorStreamTests {
    @Test func consumesWhatTheStateHasNotAndResumes() throws {
        let stream = Traffic.make(1000, seed: 12)
        var plain = try DriftMonitor(profile: Traffic.profile)
        let expected = try stream.compactMap { try plain.observe($0) }

        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateFile) }
        var first = try DriftMonitor(profile: Traffic.profile)
        var seen: [DriftDecision] = []
        let early = try first.consume(Array(stream.prefix(450)), savingStateTo: stateFile) { seen.append($0) }
        #expect(early == seen)
        #expect(early.count == 2)

        // A restart reads the whole (grown) stream again and picks up at observation 451.
        var resumed = try DriftMonitor(profile: Traffic.profile, resumingFrom: stateFile)
        let late = try resumed.consume(stream, savingStateTo: stateFile)
        #expect(early + late == expected)
        #expect(resumed.state.consumed == 1000)

        // A stream shorter than what was consumed was replaced: refused, nothing consumed.
        #expect(throws: DriftInputError.self) { try resumed.consume(Array(stream.prefix(10))) }
    }

    @Test func refusesABadObservationByIndexKeepingWhatCameBefore() throws {
        var stream = Traffic.make(300, seed: 3)
        stream[250].confidence = .nan
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateFile) }
        var monitor = try DriftMonitor(profile: Traffic.profile)
        #expect {
            try monitor.consume(stream, savingStateTo: stateFile)
        } throws: { error in
            (error as? DriftMonitor.StreamError)?.index == 250
        }
        let saved = try DriftMonitor(profile: Traffic.profile, resumingFrom: stateFile)
        #expect(saved.state.consumed == 250)
        #expect(saved.state.windowsClosed == 1)

        var shadowed = try DriftMonitor(profile: Traffic.profile)
        #expect(throws: DriftInputError.self) {
            try shadowed.consume(stream, previousVersion: Array(stream.prefix(5)))
        }
    }
}
