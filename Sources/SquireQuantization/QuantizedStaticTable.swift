import SquireModels
import SquireTensor

/// A static model's table stored quantized, as `encoder/model.safetensors` of a
/// ``QuantizedBundle`` over a static model holds it: the table as `embeddings.weight` (`I8`
/// `[V, D]` for int8, `U8` `[V, D / 2]` for int4) with its scales as
/// `embeddings.weight_scale` — the layout of ``QuantizedCheckpoint``'s matrices, one scale per
/// row for int8 — and metadata naming the format. model2vec does not read it (its own int8
/// keeps one scale for the whole table); Squire dequantizes it to float32 on load, so lookups
/// stay float and only the file shrinks, as for an encoder's word-embedding table.
enum QuantizedStaticTable {
    static let format = "squire-quantized-static-1"
    static let key = "embeddings"

    /// Writes `table` atomically to `path`.
    static func write(_ table: QuantizedMatrix, to path: String) throws {
        var writer = SafetensorsWriter()
        writer.metadata = QuantizedCheckpoint.metadata(table.format, checkpointFormat: format)
        try QuantizedCheckpoint.add(table, key: key, to: &writer)
        try writer.write(to: path)
    }

    /// Reads the quantized table of `file`.
    ///
    /// - Throws: ``QuantizationError`` for a file of another kind, format, dtype or shape.
    static func read(from file: SafetensorsFile) throws -> QuantizedMatrix {
        let format = try QuantizedCheckpoint.format(of: file, checkpointFormat: Self.format)
        let entry = try file.entry(key + ".weight")
        guard entry.shape.count == 2,
            let table = try QuantizedCheckpoint.matrix(
                key, rows: entry.shape[0], columns: entry.shape[1] * (format.bits == 8 ? 1 : 2), format: format,
                in: file)
        else {
            throw QuantizationError.invalidData(
                "\(file.path): \(key).weight is \(try file.entry(key + ".weight").shape), not a quantized table")
        }
        return table
    }
}
