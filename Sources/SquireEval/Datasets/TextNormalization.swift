import Foundation

extension String {
    /// The form two texts are compared in to find near-duplicates and leakage:
    /// Unicode compatibility-composed (NFKC), case- and accent-folded, punctuation and
    /// symbols dropped, runs of whitespace collapsed to one space.
    ///
    /// `"Where's my CARD?!"` and `"wheres my  card"` normalize alike.
    public var normalizedForComparison: String {
        let folded =
            precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                if pendingSpace && !result.isEmpty { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            } else if CharacterSet.whitespacesAndNewlines.contains(scalar) {
                pendingSpace = true
            }
            // Punctuation and symbols vanish without splitting words: "where's" → "wheres".
        }
        return result
    }
}
