import Foundation
import SquireModels
import SquireTensor
import Testing

/// Seeded random and mutated inputs: every one must give a result or a typed error, never a crash.
@Suite struct RobustnessTests {
    @Test func headerParserSurvivesMutatedHeaders() throws {
        let valid = Array(
            #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I8","shape":[8],"data_offsets":[24,32]}}"#
                .utf8)
        let alphabet = Array(#"{}[]",:0123456789-.eE "dtypeshapedata_offsetsF32I8BF16__metadata__\#u{0}\#u{FF}"#.utf8)
        var generator = SeededGenerator(seed: 2026)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = valid
            switch round % 4 {
            case 0:  // flip bytes
                for _ in 0...generator.nextIndex(below: 4) {
                    bytes[generator.nextIndex(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
                }
            case 1:  // truncate
                bytes = Array(bytes.prefix(generator.nextIndex(below: bytes.count)))
            case 2:  // splice in header-like bytes
                let at = generator.nextIndex(below: bytes.count)
                bytes.insert(
                    contentsOf: (0..<generator.nextIndex(below: 12)).map { _ in
                        alphabet[generator.nextIndex(below: alphabet.count)]
                    }, at: at)
            default:  // pure noise from the header alphabet
                bytes = (0..<generator.nextIndex(below: 200)).map { _ in
                    alphabet[generator.nextIndex(below: alphabet.count)]
                }
            }
            let dataSize = [0, 24, 32, 40][generator.nextIndex(below: 4)]
            do {
                let header = try bytes.withUnsafeBytes {
                    try SafetensorsHeader.parse($0, dataSize: dataSize, file: "fuzz")
                }
                // Whatever is accepted must describe a consistent data section.
                #expect(header.entries.reduce(0) { $0 + $1.byteRange.count } == dataSize)
                accepted += 1
            } catch is SafetensorsError {
                continue
            }
        }
        #expect(accepted > 0)  // the unmutated cases still parse
    }

    @Test func tokenizerSurvivesRandomStrings() throws {
        let folder = try ScratchFolder()
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: folder))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<generator.nextIndex(below: 40) {
                // Mostly low planes, where the interesting categories are; sometimes anywhere.
                let limit: UInt32 = generator.nextIndex(below: 4) == 0 ? 0x10FFFF : 0x3000
                if let scalar = Unicode.Scalar(UInt32(generator.nextIndex(below: Int(limit)))) {
                    scalars.append(scalar)
                }
            }
            let encoding = tokenizer.encode(String(scalars))
            #expect(encoding.ids.first == tokenizer.classifierID && encoding.ids.last == tokenizer.separatorID)
            #expect(encoding.offsets.allSatisfy { $0.upperBound <= scalars.count })
        }
    }
}
