import Foundation
import SquireModels
import SquireTensor
import Testing

@Suite struct CalibrationTests {
    @Test func temperatureMatchesScipysMinimizer() throws {
        let reference = HeadReference.shared.temperature
        let logits = try Tensor(rows: reference.logits.map { $0.map(Float.init) })
        let calibration = try Calibration.fitTemperature(logits: logits, classIndices: reference.labels)
        guard case .temperature(let temperature) = calibration else {
            Issue.record("not a temperature")
            return
        }
        #expect(
            abs(temperature - reference.temperature) < 1e-5 * reference.temperature,
            "\(temperature) vs \(reference.temperature)")
        // Calibrating never changes the winning label.
        #expect(try calibration.probabilities(fromLogits: logits).argmax(alongAxis: 1) == logits.argmax(alongAxis: 1))
    }

    @Test func plattMatchesScikitLearnsSigmoidCalibration() throws {
        let reference = HeadReference.shared.platt
        // Margins as the difference of two logits: [0, m].
        let logits = try Tensor(rows: reference.margins.map { [0, Float($0)] })
        let calibration = try Calibration.fitPlatt(logits: logits, classIndices: reference.labels)
        guard case .platt(let slope, let intercept) = calibration else {
            Issue.record("not Platt")
            return
        }
        #expect(
            abs(slope - -reference.a) < 1e-5 && abs(intercept - -reference.b) < 1e-5,
            "\(slope), \(intercept) vs \(-reference.a), \(-reference.b)")
        let probabilities = try calibration.probabilities(fromLogits: logits)
        let expected = 1 / (1 + exp(reference.a * reference.margins[0] + reference.b))
        #expect(abs(Double(probabilities[0, 1]) - expected) < 1e-6)
        #expect(abs(Double(probabilities[0, 0] + probabilities[0, 1]) - 1) < 1e-6)
    }

    @Test func plattRefusesMoreThanTwoLabels() throws {
        #expect(throws: TrainingError.self) {
            try Calibration.fitPlatt(logits: try Tensor.zeros([3, 3]), classIndices: [0, 1, 2])
        }
        #expect(throws: TrainingError.self) {
            try Calibration.fitTemperature(logits: try Tensor.zeros([3, 3]), classIndices: [0, 1, 7])
        }
    }

    @Test func roundTripsThroughJSON() throws {
        for calibration in [Calibration.none, .temperature(1.7), .platt(slope: 0.8, intercept: -0.1)] {
            let data = try JSONEncoder().encode(calibration)
            #expect(try JSONDecoder().decode(Calibration.self, from: data) == calibration)
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Calibration.self, from: Data(#"{"method":"isotonic"}"#.utf8))
        }
    }

    /// Found by the bundle-config fuzzer (Fuzz/BundleConfigurationFuzzer.swift): a bundle
    /// whose config.json said `"temperature": 0.0` loaded, and every probability it gave was NaN.
    @Test(arguments: ["0.0", "-1.5", "1e-300"])
    func refusesATemperatureThatIsNotPositive(_ temperature: String) throws {
        let json = #"{"method": "temperature", "temperature": \#(temperature)}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Calibration.self, from: Data(json.utf8)) }
    }
}
