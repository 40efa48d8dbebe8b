/// Finds personal data that must not end up in training data: email addresses, phone
/// numbers and payment card numbers (13–19 digits passing the Luhn check).
///
/// Patterns, not a named-entity model: it finds what has a fixed shape and says so. Phone
/// numbers are runs of 9 to 15 digits with the usual separators; shorter digit runs (amounts,
/// years, order numbers) are left alone.
public struct PersonalDataScanner: Sendable {
    /// A kind of personal data.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// `name@example.com`
        case email
        /// `+1 (555) 010-2030`
        case phone
        /// A payment card number that passes the Luhn check.
        case card

        /// What masking puts in its place.
        public var mask: String { "[\(rawValue.uppercased())]" }
    }

    /// One match.
    public struct Finding: Sendable, Hashable {
        /// What was found.
        public var kind: Kind
        /// Where, in the scanned text.
        public var range: Range<String.Index>
    }

    /// Creates a scanner.
    public init() {}

    /// Every finding in `text`, in order, none overlapping.
    public func findings(in text: String) -> [Finding] {
        var found: [Finding] = []
        var claimed: [Range<String.Index>] = []
        func add(_ kind: Kind, _ range: Range<String.Index>) {
            guard !claimed.contains(where: { $0.overlaps(range) }) else { return }
            claimed.append(range)
            found.append(Finding(kind: kind, range: range))
        }
        for match in text.matches(of: Self.email) { add(.email, match.range) }
        for match in text.matches(of: Self.digitRun) {
            let digits = text[match.range].filter(\.isASCIIDigit)
            if (13...19).contains(digits.count), Self.passesLuhn(digits) {
                add(.card, match.range)
            } else if (9...15).contains(digits.count) {
                add(.phone, match.range)
            }
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// `text` with each finding replaced by its kind's mask (`[EMAIL]`, `[PHONE]`, `[CARD]`).
    public func masked(_ text: String) -> String {
        var result = text
        for finding in findings(in: text).reversed() {
            result.replaceSubrange(finding.range, with: finding.kind.mask)
        }
        return result
    }

    static func passesLuhn(_ digits: String) -> Bool {
        var sum = 0
        for (offset, character) in digits.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return false }
            let doubled = offset % 2 == 1 ? digit * 2 : digit
            sum += doubled > 9 ? doubled - 9 : doubled
        }
        return sum % 10 == 0
    }

    private static var email: Regex<Substring> { #/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/# }
    /// Digits with single spaces, dots, dashes or parentheses between them, optionally after `+`.
    private static var digitRun: Regex<Substring> { #/\+?\(?\d(?:[ .()-]{0,2}\d){6,}\)?/# }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
