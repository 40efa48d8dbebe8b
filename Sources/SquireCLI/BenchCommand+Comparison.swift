import ArgumentParser
import Foundation
import Squire

extension BenchCommand {
    /// `squire bench --model A --model B … --data test.jsonl`: the quality report.
    func runComparison(data: String) throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let comparison = try BundleComparison.compare(model, on: dataset, named: data)
        guard let first = comparison.models.first else { return }
        if json {
            try JSONOutput.print(comparison)
            return
        }
        print("\(comparison.examples) examples of \(data); differences are against \(first.model)")
        print(
            "model                     weights                 size MB  share  accuracy (Δ)      macro-F1 (Δ)      ECE (Δ)           agree    cos mean  cos min  b1 p50 ms  b1 p95 ms  b32 per s"
        )
        for model in comparison.models {
            func delta(_ value: Double, _ base: Double) -> String {
                String(format: "%.4f (%+.4f)", value, value - base)
            }
            let name = URL(fileURLWithPath: model.model).lastPathComponent
            let batch1 = model.results.first { $0.batchSize == 1 }
            let batch32 = model.results.first { $0.batchSize == 32 }
            print(
                name.padding(toLength: 25, withPad: " ", startingAt: 0) + " "
                    + model.weights.padding(toLength: 23, withPad: " ", startingAt: 0)
                    + String(
                        format: " %7.1f  %4.0f%%  ", Double(model.bundleBytes) / 1e6, model.sizeShare * 100)
                    + delta(model.accuracy, first.accuracy) + "  " + delta(model.macroF1, first.macroF1) + "  "
                    + delta(model.expectedCalibrationError, first.expectedCalibrationError)
                    + String(
                        format: "  %6.2f%%  %8.4f  %7.4f  %9.2f  %9.2f  %9.1f", model.labelAgreement * 100,
                        model.embeddingCosine.mean, model.embeddingCosine.min, batch1?.latency.p50 ?? 0,
                        batch1?.latency.p95 ?? 0, batch32?.sentencesPerSecond ?? 0))
        }
    }
}
