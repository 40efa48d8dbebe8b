// libFuzzer target: the reading of a classifier bundle's config.json and labels.json
// (`ClassifierBundle.decode`, the format check of `ClassifierBundle.parts(of:)`) and the
// head they describe (`ClassifierBundle.head(_:weights:labels:)`), against a fixed
// head.safetensors holding a logistic head and a one-hidden-layer MLP head for three labels
// over four features. The input is a config.json, optionally followed by a NUL byte and a
// labels.json (JSON never holds a raw NUL); without one, the labels are the three the
// weights fit. The manifest, which guards these files' checksums, has its own target; a
// bundle copied from elsewhere can carry any config with a matching manifest. What must
// hold, besides never crashing: each file is read or refused with a typed error naming it;
// a configuration read encodes to JSON that reads back to the same JSON; its model card
// renders as Markdown; and a head built from it turns features into finite logits and, after
// the configured calibration, into probabilities that sum to 1. Built and run by
// Scripts/fuzz/fuzz.sh.
import Foundation
import SquireModels
import SquireTensor

/// The fixture: head.safetensors for three labels over four features, written once.
private let fixture: (folder: String, weights: SafetensorsFile) = {
    let folder = ScratchFolder.path + "/bundle"
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var writer = SafetensorsWriter()
        func add(_ name: String, _ shape: [Int]) throws {
            let count = shape.reduce(1, *)
            try writer.add(
                Tensor(shape: shape, scalars: (0..<count).map { Float($0 % 7) / 7 - 0.4 }), named: name)
        }
        try add("weight", [3, 4])
        try add("bias", [3])
        try add("layers.0.weight", [5, 4])
        try add("layers.0.bias", [5])
        try add("layers.1.weight", [3, 5])
        try add("layers.1.bias", [3])
        try add("input.mean", [4])
        try add("input.scale", [4])
        try writer.write(to: folder + "/head.safetensors")
        return (folder, try SafetensorsFile(path: folder + "/head.safetensors"))
    } catch {
        fatalError("cannot write the bundle fixture: \(error)")
    }
}()
private let features = try! Tensor(shape: [2, 4], scalars: [0.5, -1, 2, 0, 3, 0.25, -0.5, 1])
private let defaultLabels = Array(#"["billing", "other", "refund"]"#.utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundleConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0)
    let folder = fixture.folder
    ScratchFolder.write(UnsafeRawBufferPointer(rebasing: bytes[..<(split ?? size)]), as: "bundle/config.json")
    if let split {
        ScratchFolder.write(UnsafeRawBufferPointer(rebasing: bytes[(split + 1)...]), as: "bundle/labels.json")
    } else {
        defaultLabels.withUnsafeBytes { _ = ScratchFolder.write($0, as: "bundle/labels.json") }
    }
    let configuration: BundleConfiguration
    let labels: [String]
    do {
        configuration = try ClassifierBundle.decode(folder, "config.json")
        // As `parts(of:)` does: a bundle of another format is refused before anything else is read.
        guard configuration.format == ClassifierBundle.format else { return 0 }
        labels = try ClassifierBundle.decode(folder, "labels.json")
    } catch is BundleError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    checkRoundTrip(configuration)
    _ = configuration.card.markdown
    let head: any ClassificationHead
    do {
        head = try ClassifierBundle.head(configuration.head, weights: fixture.weights, labels: labels)
    } catch is BundleError, is SafetensorsError, is TensorError, is TrainingError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    do {
        let probabilities = try configuration.calibration.probabilities(fromLogits: head.logits(for: features))
        guard probabilities.shape == [2, labels.count], probabilities.scalars.allSatisfy(\.isFinite) else {
            fatalError("probabilities \(probabilities) for \(labels.count) labels")
        }
        for row in 0..<2 {
            let sum = (0..<labels.count).reduce(Float(0)) { $0 + probabilities[row, $1] }
            if abs(sum - 1) > 1e-3 { fatalError("probabilities summing to \(sum): \(probabilities)") }
        }
    } catch is TensorError {
    } catch {
        fatalError("untyped error \(error)")
    }
    return 0
}

/// A configuration encodes to JSON that decodes and encodes to the same JSON.
private func checkRoundTrip(_ configuration: BundleConfiguration) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
        let json = try encoder.encode(configuration)
        let again = try encoder.encode(try JSONDecoder().decode(BundleConfiguration.self, from: json))
        if again != json {
            fatalError("the configuration changed on rereading: \(String(decoding: json, as: UTF8.self))")
        }
    } catch {
        fatalError("the configuration's own JSON cannot be read back: \(error)")
    }
}
