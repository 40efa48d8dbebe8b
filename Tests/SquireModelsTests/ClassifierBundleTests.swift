import Foundation
import SquireCore
import SquireModels
import SquireTensor
import Testing

/// Bundles with the real encoder: train a head on real embeddings, save, reload, tamper.
@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct ClassifierBundleTests {
    static let texts = [
        "I lost my card yesterday", "my card was stolen", "someone took my wallet with my card",
        "where is my refund", "I want my money back", "the refund has not arrived",
        "how do I change my address", "update my home address please", "I moved, new address",
    ]
    static let labels = ["card", "card", "card", "refund", "refund", "refund", "address", "address", "address"]

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func trainedBundle(head kind: ClassifierRecipe.HeadKind) throws -> ClassifierBundle {
        let embedder = try #require(ReferenceData.embedder)
        let features = try embedder.embeddings(for: texts)
        var recipe = ClassifierRecipe(head: kind, inverseRegularizations: [10], labelSmoothings: [0.1])
        recipe.mlp.hiddenSizes = [16]
        recipe.mlp.training = TrainingConfiguration(
            epochs: 40, batchSize: 3, learningRate: 1e-2, earlyStoppingPatience: 10)
        let validation = (
            try embedder.embeddings(for: ["my card is gone", "refund please", "new address"]),
            ["card", "refund", "address"]
        )
        let (head, calibration, report) = try recipe.train(features: features, labels: labels, validation: validation)
        let classifier = try EmbeddingClassifier(embedder: embedder, head: head, calibration: calibration)
        let card = ModelCard(
            name: "test", intendedUse: "tests", trainingData: "inline",
            labelCounts: ["card": 3, "refund": 3, "address": 3],
            method: "test", evaluation: ["validation_accuracy": report.validationAccuracy],
            evaluationData: "3 inline texts")
        return ClassifierBundle(classifier: classifier, card: card, encoderFolder: ReferenceData.modelFolder)
    }

    @Test(arguments: [ClassifierRecipe.HeadKind.logistic, .mlp])
    func reloadsWithIdenticalPredictions(_ kind: ClassifierRecipe.HeadKind) async throws {
        let bundle = try Self.trainedBundle(head: kind)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bundle").path
        try bundle.save(to: path)
        let reloaded = try ClassifierBundle(folder: path)
        let probes = ["my card is missing", "refund status?", "change of address", ""]
        let before = try await bundle.classifier.classify(probes)
        let after = try await reloaded.classifier.classify(probes)
        #expect(before == after)
        #expect(reloaded.version == bundle.version)
        #expect(reloaded.card == bundle.card)
        #expect(reloaded.embeddingClassifier?.calibration == bundle.embeddingClassifier?.calibration)
        #expect(before[0].label == "card" && before[1].label == "refund" && before[2].label == "address")
        if kind == .mlp {
            #expect(
                (reloaded.embeddingClassifier?.head as? MLPHead)?.labelSmoothing == 0.1)
        }
        let card = try String(contentsOfFile: path + "/MODEL_CARD.md", encoding: .utf8)
        #expect(
            card.contains("## Intended use") && card.contains("| card | 3 |") && card.contains("validation_accuracy"))

        // Saving again over it replaces it whole, leaving no staging folders behind.
        try bundle.save(to: path)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "bundle" }
        #expect(leftovers.isEmpty)
    }

    @Test func changedTruncatedOrMissingFilesAreRefused() throws {
        let bundle = try Self.trainedBundle(head: .logistic)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bundle").path
        try bundle.save(to: path)

        func damaged(_ damage: (String) throws -> Void) throws -> String {
            let copy = folder.appendingPathComponent("copy-\(UUID().uuidString)").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try damage(copy)
            return copy
        }
        // One byte of the head's weights changed.
        let flipped = try damaged { copy in
            var bytes = try Data(contentsOf: URL(fileURLWithPath: copy + "/head.safetensors"))
            bytes[bytes.count - 3] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: copy + "/head.safetensors"))
        }
        #expect { try ClassifierBundle(folder: flipped) } throws: { error in
            guard case BundleError.checksumMismatch(let file, _, _) = error else { return false }
            return file == "head.safetensors"
        }
        // The encoder's weights truncated.
        let truncated = try damaged { copy in
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy + "/encoder/model.safetensors"))
            try handle.truncate(atOffset: 1000)
            try handle.close()
        }
        #expect { try ClassifierBundle(folder: truncated) } throws: { error in
            guard case BundleError.sizeMismatch(let file, _, 1000) = error else { return false }
            return file == "encoder/model.safetensors"
        }
        // Labels removed; manifest removed.
        let noLabels = try damaged { try FileManager.default.removeItem(atPath: $0 + "/labels.json") }
        #expect(throws: BundleError.missingFile("labels.json")) { try ClassifierBundle(folder: noLabels) }
        let noManifest = try damaged { try FileManager.default.removeItem(atPath: $0 + "/manifest.json") }
        #expect(throws: BundleError.missingFile("manifest.json")) { try ClassifierBundle(folder: noManifest) }
        // A manifest pointing outside the bundle.
        let escaping = try damaged { copy in
            let manifest = try String(contentsOfFile: copy + "/manifest.json", encoding: .utf8)
                .replacingOccurrences(of: "\"labels.json\"", with: "\"../labels.json\"")
            try manifest.write(toFile: copy + "/manifest.json", atomically: true, encoding: .utf8)
        }
        #expect(throws: BundleError.self) { try ClassifierBundle(folder: escaping) }
    }

    @Test func manifestDigestsMatchCoreutils() throws {
        // Every file of a saved bundle (a few bytes up to the 87 MB encoder) against sha256sum.
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try Self.trainedBundle(head: .logistic)
        let path = folder.appendingPathComponent("bundle").path
        try bundle.save(to: path)
        struct Manifest: Decodable {
            struct Entry: Decodable {
                var path: String
                var sha256: String
            }
            var files: [Entry]
        }
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path + "/manifest.json")))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = manifest.files.map { path + "/" + $0.path }
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return }  // no coreutils: nothing to compare against
        process.waitUntilExit()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: "\n")
        let expected = Dictionary(
            uniqueKeysWithValues: lines.map {
                ($0.split(separator: " ", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces), String($0.prefix(64)))
            })
        for entry in manifest.files {
            #expect(expected[path + "/" + entry.path] == entry.sha256, "\(entry.path)")
        }
    }
}
