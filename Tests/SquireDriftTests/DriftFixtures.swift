import Foundation
import SquireCore
import SquireDrift

/// Synthetic traffic for the decision tests: three labels, calibrated-looking confidences.
enum Traffic {
    static let labels = ["billing", "card", "refund"]

    /// `count` predictions; `mix` gives each label's share, `accuracy` how many are right,
    /// confidences near `confidence`.
    static func make(
        _ count: Int, seed: UInt64, mix: [Double] = [0.5, 0.3, 0.2], accuracy: Double = 0.9, confidence: Double = 0.9,
        version: String? = "v1", length: ClosedRange<Int> = 20...60, labelled: Bool = true
    ) -> [Observation] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let u = Double.random(in: 0..<1, using: &generator)
            let truth = u < mix[0] ? 0 : (u < mix[0] + mix[1] ? 1 : 2)
            let right = Double.random(in: 0..<1, using: &generator) < accuracy
            let label = right ? truth : (truth + 1) % 3
            let c = min(1, max(0.34, confidence + Double.random(in: -0.08...0.08, using: &generator)))
            let text = String(repeating: "x", count: Int.random(in: length, using: &generator))
            return Observation(
                id: "\(seed)-\(i)", text: text, label: labels[label], confidence: c, modelVersion: version,
                timestamp: Date(timeIntervalSince1970: Double(i)), trueLabel: labelled ? labels[truth] : nil)
        }
    }

    static let profile: ReferenceProfile = {
        // 4,000 validation predictions, windows of 200.
        try! ReferenceProfile(observations: make(4000, seed: 1), labels: labels, windowSize: 200, chunks: 200, seed: 7)
    }()
}
