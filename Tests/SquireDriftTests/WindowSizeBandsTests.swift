import Foundation
import SquireCore
import SquireDrift
import Testing

/// Windows of another size than the profile's are judged against bands for their own size:
/// a window of 250 answers over 150 labels holds about 1.7 answers per label, and its
/// predicted-label distance is far above the band of a window of 500.
@Suite struct WindowSizeBandsTests {
    static let labels = (0..<150).map { "intent_\($0)" }

    /// `count` i.i.d. answers over 150 labels, 90% right, unlabelled unless `labelled`.
    static func traffic(_ count: Int, seed: UInt64, labelled: Bool = false) -> [Observation] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let truth = Int(generator.next() % 150)
            let right = Double.random(in: 0..<1, using: &generator) < 0.9
            let label = right ? truth : Int(generator.next() % 150)
            let confidence = min(1, max(0.3, (right ? 0.9 : 0.6) + Double.random(in: -0.1...0.1, using: &generator)))
            let text = String(repeating: "x", count: Int.random(in: 10...60, using: &generator))
            return Observation(
                id: "\(seed)-\(i)", text: text, label: labels[label], confidence: confidence,
                trueLabel: labelled ? labels[truth] : nil)
        }
    }

    static let profile: ReferenceProfile = {
        try! ReferenceProfile(
            observations: traffic(3000, seed: 1, labelled: true), labels: labels, windowSize: 500, chunks: 400)
    }()

    @Test func smallerWindowsThanTheProfilesHold() throws {
        let wider = try Self.profile.bands(forWindowSize: 250)
        #expect(wider.labelDistance > Self.profile.bands.labelDistance + 0.05)
        #expect(try Self.profile.bands(forWindowSize: 250) == wider, "the same size draws the same bands")
        #expect(try Self.profile.bands(forWindowSize: 500) == Self.profile.bands)

        var monitor = try DriftMonitor(profile: Self.profile, windowing: .count(250))
        let decisions = try monitor.consume(Self.traffic(250 * 20, seed: 2))
        #expect(decisions.count == 20)
        #expect(decisions.allSatisfy { $0.action == .hold }, "\(decisions.map(\.reasons))")
        #expect(decisions.filter(\.window.alarming).count <= 2)
        let labels = try #require(decisions[0].window.signals.first { $0.name == "predicted_labels" })
        #expect(labels.band == wider.labelDistance)
    }

    @Test func timeBasedWindowsGetBandsNearTheirSize() throws {
        var monitor = try DriftMonitor(profile: Self.profile, windowing: .duration(seconds: 200))
        let stream = Self.traffic(1000, seed: 3).enumerated().map { i, observation in
            var timed = observation
            timed.timestamp = Date(timeIntervalSince1970: Double(i))
            return timed
        }
        let decisions = try monitor.consume(stream)
        #expect(decisions.map(\.window.count) == [200, 200, 200, 200])
        #expect(decisions.allSatisfy { $0.action == .hold })
        // 200 rounds down to 2^(61/8) ≈ 197 on the grid of eight steps per doubling.
        let band = try #require(decisions[0].window.signals.first { $0.name == "predicted_labels" }?.band)
        #expect(band == (try Self.profile.bands(forWindowSize: 197)).labelDistance)
    }

    @Test func aProfileWithoutSpareEmbeddingsStillLoadsAndDrawsBands() throws {
        var generator = SplitMix64(seed: 4)
        let validation = Traffic.make(600, seed: 5).map { observation in
            var embedded = observation
            embedded.embedding = (0..<16).map { _ in Double.random(in: -1...1, using: &generator) }
            return embedded
        }
        let profile = try ReferenceProfile(
            observations: validation, labels: Traffic.labels, windowSize: 100, chunks: 40)
        #expect(profile.embeddingSketch?.spareVectors.count == 600 - 256)
        // A profile written before the spares were kept: the key is absent.
        let data = try JSONEncoder().encode(profile)
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sketch = try #require(json["embedding_sketch"] as? [String: Any])
        sketch.removeValue(forKey: "spare_vectors")
        json["embedding_sketch"] = sketch
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("old-profile-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let old = try ReferenceProfile(contentsOf: url)
        #expect(old.embeddingSketch?.spareVectors.isEmpty == true)
        #expect(old.bands == profile.bands)
        let drawn = try old.bands(forWindowSize: 200)
        #expect(drawn.embeddingDiscrepancy != nil)
    }
}
