import Foundation
import SquireCore
import Testing

@Suite struct ClassificationTests {
    @Test func picksTheMostProbableLabel() throws {
        let c = try Classification(probabilities: ["billing": 0.2, "refund": 0.7, "other": 0.1])
        #expect(c.label == "refund")
        #expect(c.confidence == 0.7)
    }

    @Test func breaksTiesByLabelOrderNotDictionaryOrder() throws {
        for _ in 0..<20 {
            let c = try Classification(probabilities: ["zeta": 0.4, "alpha": 0.4, "mid": 0.2])
            #expect(c.label == "alpha")
        }
    }

    @Test func refusesEmptyProbabilities() {
        #expect(throws: ModelError.emptyProbabilities) { try Classification(probabilities: [:]) }
    }

    @Test func roundTripsThroughJSONWithStableKeys() throws {
        let usage = Usage(
            inputTokens: 12, outputTokens: 3, calls: 1, latency: .milliseconds(250), cost: Cost(dollars: 0.000_042))
        let c = Classification(
            label: "refund", confidence: 0.9, probabilities: ["refund": 0.9, "other": 0.1], usage: usage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(c), as: UTF8.self)
        #expect(json.contains("\"input_tokens\":12"))
        #expect(json.contains("\"latency_seconds\":0.25"))
        #expect(json.contains("\"cost_dollars\":4.2e-05"))
        #expect(try JSONDecoder().decode(Classification.self, from: Data(json.utf8)) == c)
    }

    @Test func decodesTheMinimalFormOtherToolsWrite() throws {
        let c = try JSONDecoder().decode(Classification.self, from: Data(#"{"label":"a","confidence":0.5}"#.utf8))
        #expect(c.probabilities.isEmpty)
        #expect(c.usage == .zero)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Usage.self, from: Data(#"{"latency_seconds":-1}"#.utf8))
        }
    }
}

@Suite struct UsageAndCostTests {
    @Test func usagesAddUp() {
        let a = Usage(
            inputTokens: 10, outputTokens: 2, calls: 1, latency: .milliseconds(100), cost: Cost(dollars: 0.25))
        let b = Usage(inputTokens: 5, outputTokens: 1, calls: 2, latency: .milliseconds(50), cost: Cost(dollars: 0.5))
        let total = [a, b].reduce(.zero, +)
        #expect(total.inputTokens == 15)
        #expect(total.totalTokens == 18)
        #expect(total.calls == 3)
        #expect(total.latency == .milliseconds(150))
        #expect(total.cost.dollars == 0.75)
        #expect(abs(total.latencySeconds - 0.15) < 1e-12)
        #expect(total - b == a)
    }

    @Test func pricesTokensAndCalls() {
        let cost = Cost(tokens: 2_000, dollarsPerMillionTokens: 0.15)
        #expect(abs(cost.dollars - 0.0003) < 1e-15)
        #expect(abs(Cost(dollars: 0.5).perThousandCalls(250).dollars - 2) < 1e-12)
        #expect(Cost(dollars: 1).perThousandCalls(0) == .zero)
        #expect(Cost(dollars: 1) > Cost(dollars: 0.5))
    }

    @Test func printsPerCallPrices() {
        #expect(Cost(dollars: 0.000_042).description == "$0.000042")
        #expect(Cost(dollars: 12.5).description == "$12.500000")
        #expect(Cost(dollars: -0.25).description == "-$0.250000")
    }
}
