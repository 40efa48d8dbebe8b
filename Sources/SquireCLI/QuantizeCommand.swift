import ArgumentParser
import Foundation
import Squire

/// `squire quantize`: a bundle's encoder in 8 or 4 bits, saved as a new bundle.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a bundle's encoder to 8 or 4 bits and save it as a new bundle.",
        discussion: """
            Reads a bundle written by `squire train` (a logistic or MLP head on the frozen encoder), quantizes the encoder's projections and word-embedding table — int8 with one scale per output channel, or int4 with one binary16 scale per --group-size values (llama.cpp's Q4_0 layout) — and writes a bundle that `squire predict`, `eval`, `profile` and `bench` open like any other. The head, biases, layer norms and position embeddings stay in float. Prints the encoder's file size before and after (--json: {"output", "version", "weights", "encoder_bytes_before", "encoder_bytes_after"}). Measure what quantization cost with `squire eval` on both bundles, or `squire bench --model A --model B`.

            Example:
              squire quantize --model intent-bundle --bits 8 --output intent-int8
            """
    )

    @Option(name: .long, help: "The bundle to quantize (from `squire train`).")
    var model: String
    @Option(name: .long, help: "Bits per weight: 8 or 4.")
    var bits: Int
    @Option(name: .long, help: "With --bits 4: values per scale (32, 64 or 128).")
    var groupSize = 32
    @Flag(name: .long, help: "Keep the word-embedding table in float (a larger file, slightly closer to the original).")
    var floatEmbeddings = false
    @Option(name: .long, help: "Where to write the quantized bundle folder.")
    var output: String
    @Flag(name: .long, help: "Print the sizes as JSON instead of text.")
    var json = false
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard bits == 8 || bits == 4 else { throw ValidationError("--bits takes 8 or 4") }
        guard [32, 64, 128].contains(groupSize) else { throw ValidationError("--group-size takes 32, 64 or 128") }
    }

    func run() throws {
        let destination = try OutputDestination(output, kind: .bundle, inputs: [model], force: force.force)
        let format: QuantizationFormat = bits == 8 ? .int8 : .int4(groupSize: groupSize)
        let quantized = try ModelBundle(folder: model).quantized(to: format) { key in
            !(floatEmbeddings && key == QuantizedBundle.wordEmbeddingsKey)
        }
        try destination.write { try quantized.save(to: output) }
        let before = Self.size(of: model + "/encoder/model.safetensors")
        let after = Self.size(of: output + "/encoder/model.safetensors")
        if json {
            try JSONOutput.print(
                Summary(
                    output: output, version: quantized.version, weights: format.description,
                    encoderBytesBefore: before, encoderBytesAfter: after))
            return
        }
        print(
            String(
                format: "wrote %@ (version %@): %@ %@, %.1f MB → %.1f MB (%.1f%%)",
                output, quantized.version,
                StaticEmbedder.isModelFolder(model + "/encoder") ? "static table" : "encoder weights",
                format.description, Double(before) / 1e6, Double(after) / 1e6,
                Double(after) / Double(max(before, 1)) * 100))
    }

    static func size(of path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        var output: String
        var version: String
        var weights: String
        var encoderBytesBefore: Int
        var encoderBytesAfter: Int

        enum CodingKeys: String, CodingKey {
            case output, version, weights
            case encoderBytesBefore = "encoder_bytes_before"
            case encoderBytesAfter = "encoder_bytes_after"
        }
    }
}
