import Foundation

/// BERT's text normalization, as Hugging Face `tokenizers`' `BertNormalizer` does it:
/// drop control characters and map whitespace to spaces, isolate CJK ideographs, strip
/// accents (NFD, then drop nonspacing marks), lowercase — in that order.
///
/// It works one original scalar at a time and reports, for every scalar it produces,
/// which original scalar it came from, so token offsets point into the caller's string.
struct BertNormalizer: Sendable, Hashable {
    var cleanText = true
    var handleChineseCharacters = true
    var stripAccents = true
    var lowercase = true

    /// Appends the normalized form of `scalar` to `output`.
    @inline(__always)
    func normalize(_ scalar: Unicode.Scalar, into output: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            // ASCII: controls other than \t \n \r vanish, those three become spaces.
            if cleanText {
                if value == 0x09 || value == 0x0A || value == 0x0D {
                    output.append(" ")
                    return
                }
                if value < 0x20 || value == 0x7F || value == 0 { return }
            }
            if lowercase, value >= 0x41, value <= 0x5A {
                output.append(Unicode.Scalar(UInt8(value + 0x20)))
            } else {
                output.append(scalar)
            }
            return
        }
        if cleanText {
            if value == 0xFFFD || Self.isControl(scalar) { return }
            if scalar.properties.isWhitespace {
                output.append(" ")
                return
            }
        }
        if handleChineseCharacters, Self.isChineseCharacter(value) {
            output.append(" ")
            output.append(scalar)
            output.append(" ")
            return
        }
        var pieces: [Unicode.Scalar] = [scalar]
        if stripAccents {
            pieces = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }
        }
        for piece in pieces {
            if lowercase {
                output.append(contentsOf: piece.properties.lowercaseMapping.unicodeScalars)
            } else {
                output.append(piece)
            }
        }
    }

    /// Controls as BERT counts them: categories Cc, Cf, Cn and Co, except tab, newline and return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse: return true
            default: return false
            }
        }
    }

    /// The CJK Unified Ideographs blocks and their extensions, as BERT defines "Chinese character".
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value) || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }

    /// Whitespace as the pre-tokenizer splits on it (Unicode White_Space, plus \t \n \r).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    /// Punctuation as the pre-tokenizer isolates it: every ASCII symbol and punctuation
    /// character, and the Unicode punctuation categories (P*).
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
