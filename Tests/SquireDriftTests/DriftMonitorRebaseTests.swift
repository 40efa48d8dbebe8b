import Foundation
import SquireDrift
import Testing

/// A monitor rebased on a promoted version's reference still sees the version change, so a
/// sudden drop that the previous version's shadow answers disprove is rolled back.
@Suite struct DriftMonitorRebaseTests {
    /// `stream` answered correctly by version `name`: the previous version in shadow.
    static func shadows(_ stream: [Observation], by name: String) -> [Observation] {
        stream.map { observation in
            var shadow = observation
            shadow.label = observation.trueLabel ?? observation.label
            shadow.modelVersion = name
            return shadow
        }
    }

    @Test func aRebasedMonitorCanRollBackTheNewVersion() throws {
        var monitor = try DriftMonitor(profile: Traffic.profile)
        let before = try monitor.consume(Traffic.make(200, seed: 21, version: "v1"))
        #expect(before.map(\.action) == [.hold])

        // v2 is promoted; its first window is far worse than v1 answering the same requests.
        let worse = Traffic.make(200, seed: 22, accuracy: 0.5, version: "v2")
        var rebased = try monitor.rebased(on: Traffic.profile)
        #expect(rebased.state.consumed == 200)
        let shadows = Self.shadows(worse, by: "v1")
        let after = try zip(worse, shadows).compactMap { try rebased.observe($0, previousVersion: $1) }
        #expect(after.map(\.action) == [.rollback])
        #expect(rebased.state.consumed == 400)

        // A monitor started afresh on the new reference has no version change to judge.
        var fresh = try DriftMonitor(profile: Traffic.profile)
        let unaware = try fresh.consume(worse, previousVersion: Self.shadows(worse, by: "v1"))
        #expect(unaware.map(\.action) != [.rollback])
    }
}
