import Foundation
import SquireModels
import SquireTensor

/// A BERT encoder checkpoint with quantized weights, as `encoder/model.safetensors` of a
/// ``QuantizedBundle`` holds it.
///
/// Keys are the float checkpoint's. A quantized weight `K.weight` is stored as `I8`
/// `[out, in]` (int8) or `U8` `[out, in / 2]` (int4, the nibble layout of
/// ``QuantizedMatrix``), with its scales as `K.weight_scale`: `F32` `[out]` for int8, `F16`
/// `[out, in / group]` for int4 (Q4_0's 18 bytes per 32 weights); everything else stays `F32`. The header's metadata names the
/// format (`quantization`: `int8` or `int4`, `group_size`).
enum QuantizedCheckpoint {
    static let format = "squire-quantized-encoder-1"
    static let wordsKey = "embeddings.word_embeddings"

    /// Writes `encoder` (quantized projections as they are, the word-embedding table as
    /// `words` when given) atomically to `path`.
    static func write(_ encoder: BertEncoder, words: QuantizedMatrix?, format: QuantizationFormat, to path: String)
        throws
    {
        var writer = SafetensorsWriter()
        writer.metadata = metadata(format, checkpointFormat: Self.format)
        func add(_ matrix: QuantizedMatrix, key: String) throws { try Self.add(matrix, key: key, to: &writer) }
        if let words { try add(words, key: wordsKey) }
        for (key, tensor) in encoder.parameters where !(words != nil && key == wordsKey + ".weight") {
            try writer.add(tensor, named: key)
        }
        for (index, layer) in encoder.layers.enumerated() {
            for (name, linear) in layer.linearLayers {
                let key = "encoder.layer.\(index).\(name)"
                if let quantized = linear as? QuantizedLinear {
                    try add(quantized.weight, key: key)
                } else if linear is Linear {
                    // Float layers are in `parameters` already.
                } else {
                    throw QuantizationError.unsupportedFormat(
                        "\(key) is a \(type(of: linear)); only float and quantized layers can be saved")
                }
            }
        }
        try writer.write(to: path)
    }

    /// Loads the encoder `configuration` describes from a quantized checkpoint; returns the
    /// word-embedding table's quantized form too, when it is stored quantized (the encoder
    /// holds its dequantized values).
    ///
    /// - Throws: ``QuantizationError/invalidData(_:)`` naming the file and tensor for a
    ///   wrong dtype, shape, count or scale; `SafetensorsError` for a damaged file.
    static func encoder(from file: SafetensorsFile, configuration: BertConfiguration) throws -> (
        encoder: BertEncoder, words: QuantizedMatrix?
    ) {
        try configuration.validate(file: file.path)
        let format = try Self.format(of: file, checkpointFormat: Self.format)
        func float(_ key: String, _ shape: [Int]) throws -> Tensor {
            let tensor = try file.tensor(key, shape: shape)
            guard tensor.isFinite else { throw SafetensorsError.nonFiniteValues(file: file.path, tensor: key) }
            return tensor
        }
        func quantized(_ key: String, rows: Int, columns: Int) throws -> QuantizedMatrix? {
            try Self.matrix(key, rows: rows, columns: columns, format: format, in: file)
        }
        let words = try quantized(wordsKey, rows: configuration.vocabularySize, columns: configuration.hiddenSize)
        let encoder = try BertEncoder(configuration: configuration) { key, shape in
            if key == wordsKey + ".weight", let words { return try words.dequantized() }
            return try float(key, shape)
        } linear: { key, out, input in
            let bias = try float(key + ".bias", [out])
            if let weight = try quantized(key, rows: out, columns: input) {
                return try QuantizedLinear(weight: weight, bias: bias)
            }
            return try Linear(weight: float(key + ".weight", [out, input]), bias: bias)
        }
        return (encoder, words)
    }

    /// The header metadata naming `format` and the checkpoint's kind.
    static func metadata(_ format: QuantizationFormat, checkpointFormat: String) -> [String: String] {
        var metadata = ["format": checkpointFormat, "quantization": format.bits == 8 ? "int8" : "int4"]
        if let groupSize = format.groupSize { metadata["group_size"] = String(groupSize) }
        return metadata
    }

    /// Adds `matrix` as `key.weight` (its integers) and `key.weight_scale` (its scales).
    static func add(_ matrix: QuantizedMatrix, key: String, to writer: inout SafetensorsWriter) throws {
        let shape = matrix.format.bits == 8 ? [matrix.rows, matrix.columns] : [matrix.rows, matrix.columns / 2]
        try writer.add(
            bytes: matrix.values, dtype: matrix.format.bits == 8 ? .int8 : .uint8, shape: shape, named: key + ".weight")
        if let groupSize = matrix.format.groupSize {
            let halves = matrix.scales.flatMap { scale in
                let bits = HalfPrecision.bits(scale)
                return [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
            }
            try writer.add(
                bytes: halves, dtype: .float16, shape: [matrix.rows, matrix.columns / groupSize],
                named: key + ".weight_scale")
        } else {
            try writer.add(Tensor(shape: [matrix.rows], scalars: matrix.scales), named: key + ".weight_scale")
        }
    }

    /// The quantization format a checkpoint's metadata names, after checking it is a
    /// checkpoint of kind `checkpointFormat`.
    static func format(of file: SafetensorsFile, checkpointFormat: String) throws -> QuantizationFormat {
        guard file.header.metadata["format"] == checkpointFormat else {
            throw QuantizationError.invalidData(
                "\(file.path) is not a \(checkpointFormat) checkpoint (metadata format \(file.header.metadata["format"] ?? "missing"))"
            )
        }
        let format: QuantizationFormat
        switch (file.header.metadata["quantization"], file.header.metadata["group_size"].flatMap(Int.init)) {
        case ("int8", _): format = .int8
        case ("int4", let groupSize?): format = .int4(groupSize: groupSize)
        case (let name, let groupSize):
            throw QuantizationError.unsupportedFormat(
                "\(file.path): quantization \(name ?? "missing"), group size \(groupSize.map(String.init) ?? "missing")"
            )
        }
        try format.validate()
        return format
    }

    /// The quantized `[rows, columns]` matrix stored under `key`; nil when `key.weight` is
    /// stored in float.
    ///
    /// - Throws: ``QuantizationError/invalidData(_:)`` naming the file and tensor for a wrong
    ///   dtype, shape, count or scale.
    static func matrix(_ key: String, rows: Int, columns: Int, format: QuantizationFormat, in file: SafetensorsFile)
        throws -> QuantizedMatrix?
    {
        let entry = try file.entry(key + ".weight")
        if entry.dtype.convertsToFloat { return nil }
        let expected: (SafetensorsDType, [Int]) =
            format.bits == 8 ? (.int8, [rows, columns]) : (.uint8, [rows, columns / 2])
        guard entry.dtype == expected.0, entry.shape == expected.1 else {
            throw QuantizationError.invalidData(
                "\(file.path): \(key).weight is \(entry.dtype.rawValue) \(entry.shape), expected \(expected.0.rawValue) \(expected.1) for \(format)"
            )
        }
        let scaleShape = format.groupSize.map { [rows, columns / $0] } ?? [rows]
        do {
            return try QuantizedMatrix(
                format: format, rows: rows, columns: columns, values: file.bytes(key + ".weight"),
                scales: file.tensor(key + ".weight_scale", shape: scaleShape).scalars)
        } catch let error as QuantizationError {
            throw QuantizationError.invalidData("\(file.path): \(key): \(error)")
        }
    }
}
