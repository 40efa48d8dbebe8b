import Foundation
import SquireModels
import SquireTensor
import Testing

/// A scratch folder per test, removed afterwards.
final class ScratchFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("squire-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A file made of a header length, a header and data, written as given (no validation).
func writeRawSafetensors(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil, to path: String) throws {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { bytes += $0 }
    bytes += Array(header.utf8) + data
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite struct SafetensorsTests {
    let scratch = try! ScratchFolder()

    @Test func roundTripsTensorsAndMetadata() throws {
        var writer = SafetensorsWriter()
        try writer.add(try Tensor(rows: [[1, 2, 3], [4, 5, 6]]), named: "b.weight")
        try writer.add(Tensor([0.5, -0.25]), named: "a.bias")
        try writer.add(bytes: [1, 255, 7, 0], dtype: .int8, shape: [2, 2], named: "q.weight")
        writer.metadata = ["format": "pt"]
        let path = scratch.file("model.safetensors")
        try writer.write(to: path)

        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["a.bias", "b.weight", "q.weight"])  // sorted, as written
        #expect(file.header.metadata == ["format": "pt"])
        #expect(try file.tensor("b.weight") == Tensor(rows: [[1, 2, 3], [4, 5, 6]]))
        #expect(try file.tensor("a.bias", shape: [2]).scalars == [0.5, -0.25])
        #expect(try file.bytes("q.weight") == [1, 255, 7, 0])
        #expect(try file.entry("q.weight").dtype == .int8)
        // The header is padded to 8 bytes, so the data section is aligned.
        let declared = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8).withUnsafeBytes {
            $0.loadUnaligned(as: UInt64.self)
        }
        #expect(declared % 8 == 0)
    }

    @Test func convertsHalfAndBrainFloatAndDouble() throws {
        // 1.0, -2.0, 65504 (largest half), the smallest subnormal half, +inf
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]
        let brain: [UInt16] = [0x3F80, 0xC040]  // 1.0, -3.0
        let double: [Double] = [0.1, -1e300]
        var data: [UInt8] = []
        for value in half { withUnsafeBytes(of: value.littleEndian) { data += $0 } }
        for value in brain { withUnsafeBytes(of: value.littleEndian) { data += $0 } }
        for value in double { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
        let header =
            #"{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]},"d":{"dtype":"F64","shape":[2],"data_offsets":[14,30]}}"#
        let path = scratch.file("mixed.safetensors")
        try writeRawSafetensors(header, data: data, to: path)
        let file = try SafetensorsFile(path: path)
        #expect(try file.tensor("h").scalars == [1, -2, 65504, 0x1p-24, .infinity])
        #expect(try file.tensor("b").scalars == [1, -3])
        #expect(try file.tensor("d").scalars == [0.1, -.infinity])
    }

    @Test func readsTheRealCheckpointsIntegerTensorAsBytesOnly() throws {
        let header = #"{"embeddings.position_ids":{"dtype":"I64","shape":[1,2],"data_offsets":[0,16]}}"#
        let path = scratch.file("ids.safetensors")
        try writeRawSafetensors(header, data: [UInt8](repeating: 0, count: 16), to: path)
        let file = try SafetensorsFile(path: path)
        #expect(try file.bytes("embeddings.position_ids").count == 16)
        #expect(
            throws: SafetensorsError.unsupportedConversion(
                file: path, tensor: "embeddings.position_ids", dtype: "I64", requested: "Float")
        ) {
            try file.tensor("embeddings.position_ids")
        }
    }

    /// Each damaged file and the exact error it must raise.
    @Test func rejectsEveryKindOfDamageWithANamedError() throws {
        let ok = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let eight = [UInt8](repeating: 0, count: 8)
        func check(_ name: String, _ expected: (String) -> SafetensorsError, write: (String) throws -> Void) throws {
            let path = scratch.file(name)
            try write(path)
            #expect(throws: expected(path), "\(name)") { try SafetensorsFile(path: path) }
        }
        try check("short", { .truncated(file: $0, reason: "3 bytes, shorter than the 8-byte header length") }) {
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: $0))
        }
        try check(
            "header-beyond-file", { .truncated(file: $0, reason: "the header claims 4096 bytes but only 62 follow") }
        ) {
            try writeRawSafetensors(ok, data: eight, declaredLength: 4096, to: $0)
        }
        try check(
            "huge-header",
            {
                .invalidHeader(
                    file: $0, reason: "declared header length 18446744073709551615 exceeds the format's 100 MB limit")
            }
        ) {
            try writeRawSafetensors(ok, data: eight, declaredLength: .max, to: $0)
        }
        try check("not-json", { .invalidHeader(file: $0, reason: "the header is not valid JSON") }) {
            try writeRawSafetensors("{not json", to: $0)
        }
        try check("unknown-dtype", { .unknownDType(file: $0, tensor: "w", dtype: "F128") }) {
            try writeRawSafetensors(#"{"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}"#, data: eight, to: $0)
        }
        try check("out-of-range", { .offsetsOutOfRange(file: $0, tensor: "w", offsets: [0, 16], dataSize: 8) }) {
            try writeRawSafetensors(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: eight, to: $0)
        }
        try check("truncated-data", { .offsetsOutOfRange(file: $0, tensor: "w", offsets: [0, 8], dataSize: 5) }) {
            try writeRawSafetensors(ok, data: Array(eight.prefix(5)), to: $0)
        }
        try check("overlap", { .overlappingTensors(file: $0, tensor: "a", other: "b") }) {
            try writeRawSafetensors(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: eight, to: $0)
        }
        try check("size-mismatch", { .sizeMismatch(file: $0, tensor: "w", shape: [3], dtype: "F32", byteCount: 8) }) {
            try writeRawSafetensors(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight, to: $0)
        }
        try check("hole", { .incompleteBuffer(file: $0, covered: 4, dataSize: 8) }) {
            try writeRawSafetensors(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eight, to: $0)
        }
        try check(
            "negative-shape", { .invalidHeader(file: $0, reason: "entry \"w\" has no shape of non-negative integers") }
        ) {
            try writeRawSafetensors(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight, to: $0)
        }
        try check(
            "fractional-offsets", { .invalidHeader(file: $0, reason: "entry \"w\" has no data_offsets [begin, end]") }
        ) {
            try writeRawSafetensors(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}"#, data: eight, to: $0)
        }
        try check("array-header", { .invalidHeader(file: $0, reason: "the header is not a JSON object") }) {
            try writeRawSafetensors("[1,2]", to: $0)
        }
    }

    @Test func missingFilesAndTensorsAreNamed() throws {
        let missing = scratch.file("nope.safetensors")
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: missing) }
        var writer = SafetensorsWriter()
        try writer.add(Tensor([1]), named: "x")
        let path = scratch.file("one.safetensors")
        try writer.write(to: path)
        let file = try SafetensorsFile(path: path)
        #expect(throws: SafetensorsError.missingTensor(file: path, tensor: "y")) { try file.tensor("y") }
        #expect(throws: SafetensorsError.unexpectedShape(file: path, tensor: "x", expected: [2], actual: [1])) {
            try file.tensor("x", shape: [2])
        }
    }

    @Test func writesAtomicallyAndLeavesNothingOnFailure() throws {
        var writer = SafetensorsWriter()
        try writer.add(Tensor([1, 2]), named: "x")
        let path = scratch.file("model.safetensors")
        try Data("old contents".utf8).write(to: URL(fileURLWithPath: path))
        try writer.write(to: path)
        #expect(try SafetensorsFile(path: path).tensor("x").scalars == [1, 2])
        // A destination in a folder that does not exist fails, and leaves no temporary file.
        #expect(throws: (any Error).self) { try writer.write(to: scratch.file("missing/model.safetensors")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["model.safetensors"])
        #expect(throws: SafetensorsError.self) {
            try writer.add(bytes: [1, 2, 3], dtype: .int8, shape: [2, 2], named: "bad")
        }
        #expect(throws: SafetensorsError.self) { try writer.add(Tensor([1]), named: "__metadata__") }
    }
}
