import Foundation
import SquireCore
import SquireModels
import Testing

/// What checksums cannot catch: a bundle whose files are exactly the ones saved (their
/// manifest rewritten to match) but make no sense, and model folders whose parts disagree.
@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct BundleSenseTests {
    /// A saved bundle with `change` applied and the manifest rewritten, as a careless tool
    /// that "fixed" the checksums would leave it.
    static func resealed(_ change: (String) throws -> Void, listing drop: String? = nil) throws -> String {
        let folder = try ClassifierBundleTests.temporaryFolder().appendingPathComponent("bundle").path
        try ClassifierBundleTests.trainedBundle(head: .logistic).save(to: folder)
        try change(folder)
        var paths = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue && path != "manifest.json"
        }
        paths.removeAll { $0 == drop }
        let manifest = try BundleManifest(folder: folder, paths: paths)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
        return folder
    }

    static func edit(_ file: String, _ transform: @escaping (String) -> String) -> (String) throws -> Void {
        { folder in
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            try transform(text).write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    @Test func duplicatedOrEmptyLabelsAreRefused() throws {
        let twice = try Self.resealed(Self.edit("labels.json") { _ in #"["card", "card", "refund"]"# })
        defer { try? FileManager.default.removeItem(atPath: twice) }
        #expect(throws: BundleError.invalidFile(file: "labels.json", reason: "the label \"card\" appears twice")) {
            try ClassifierBundle(folder: twice)
        }
        let empty = try Self.resealed(Self.edit("labels.json") { _ in #"["card", "", "refund"]"# })
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: BundleError.invalidFile(file: "labels.json", reason: "it holds an empty label")) {
            try ClassifierBundle(folder: empty)
        }
    }

    @Test(arguments: ["0", "-1.5"])
    func aTemperatureThatIsNotPositiveIsRefused(_ temperature: String) throws {
        let folder = try Self.resealed(
            Self.edit("config.json") { text in
                text.replacing(/"temperature" : [0-9.e+-]+/, with: "\"temperature\" : \(temperature)")
            })
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try String(contentsOfFile: folder + "/config.json", encoding: .utf8).contains(
                "\"temperature\" : \(temperature)"))
        #expect { try ClassifierBundle(folder: folder) } throws: { error in
            "\(error)".contains(
                "the calibration temperature is \(Double(temperature)!); it must be positive and finite")
        }
    }

    @Test func anEncoderFileTheManifestDoesNotListIsRefused() throws {
        // Dropping the entry once let any change to the encoder through.
        let folder = try Self.resealed({ _ in }, listing: "encoder/model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect { try ClassifierBundle(folder: folder) } throws: { error in
            guard case BundleError.invalidFile("manifest.json", let reason) = error else { return false }
            return reason.contains("it does not list encoder/model.safetensors")
        }
    }

    /// A copy of the model folder (weights linked) with `change` applied.
    static func modelFolder(_ change: (String) throws -> Void) throws -> String {
        let folder = try ClassifierBundleTests.temporaryFolder().path
        for file in ["config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            let source = ReferenceData.modelFolder + "/" + file
            if FileManager.default.fileExists(atPath: source) {
                try FileManager.default.copyItem(atPath: source, toPath: folder + "/" + file)
            }
        }
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/model.safetensors", withDestinationPath: ReferenceData.modelFolder + "/model.safetensors"
        )
        try change(folder)
        return folder
    }

    @Test func modelFoldersWhosePartsDisagreeAreRefused() throws {
        let intact = try Self.modelFolder { _ in }
        defer { try? FileManager.default.removeItem(atPath: intact) }
        #expect(try SentenceEmbedder(folder: intact).dimension == 384)
        // Fewer layers in config.json than in the checkpoint: part of the model would run.
        let shallow = try Self.modelFolder(
            Self.edit("config.json") { $0.replacing(/"num_hidden_layers": *6/, with: "\"num_hidden_layers\": 4") })
        defer { try? FileManager.default.removeItem(atPath: shallow) }
        #expect { try SentenceEmbedder(folder: shallow) } throws: { error in
            "\(error)".contains("num_hidden_layers is 4 but") && "\(error)".contains("holds 6 layers")
        }
        // A vocabulary shorter than the embedding table belongs to another model.
        let short = try Self.modelFolder(
            Self.edit("vocab.txt") { $0.split(separator: "\n").dropLast(22).joined(separator: "\n") + "\n" })
        defer { try? FileManager.default.removeItem(atPath: short) }
        #expect { try SentenceEmbedder(folder: short) } throws: { error in
            "\(error)".contains("vocab.txt: it holds 30500 tokens but config.json's vocab_size is 30522")
        }
    }
}
