public import SquireCore
public import SquireEval

/// One check of a ``Verification``, run in the order given; each sees only what the checks
/// before it kept.
public enum VerificationStep: Sendable {
    /// Examples whose normalized texts are equal: later copies with the same label are
    /// removed; groups whose labels disagree go to review.
    case exactDuplicates
    /// Examples whose embeddings have cosine ≥ `threshold` with an earlier kept example:
    /// removed when the labels agree, sent to review when they do not. Needs an embedder.
    case nearDuplicates(threshold: Double = 0.95)
    /// Examples that also occur in the evaluation set — same normalized text, or, with
    /// `threshold` and an embedder, an embedding cosine at or above it — are removed.
    case leakage(against: Dataset, threshold: Double? = 0.95)
    /// A second teacher labels every example; disagreements leave the dataset for review
    /// with the second teacher's label beside the first.
    case labelAgreement(verifier: any TextClassifier)
    /// Texts shorter or longer than the range (in characters, surrounding whitespace
    /// ignored) are removed.
    case length(characters: ClosedRange<Int> = 3...1000)
    /// Language sanity for Latin-script data: texts without letters, or whose letters are
    /// less than `minimumLatinShare` Latin (another script, mojibake), are removed.
    case latinScript(minimumLatinShare: Double = 0.8)
    /// Language sanity for English data: texts whose function words are mostly Spanish,
    /// French, German, Italian or Portuguese (at least two, outnumbering the English ones)
    /// are removed. Texts without function words pass.
    case english
    /// Email addresses, phone and card numbers: flagged with a `pii:<kind>` tag, masked, or
    /// the example removed.
    case personalData(PersonalDataAction = .mask)
    /// Labels with more than `maximumPerLabel` examples keep their first ones.
    case classBalance(maximumPerLabel: Int)

    /// The check's name in reports.
    public var name: String {
        switch self {
        case .exactDuplicates: "exact duplicates"
        case .nearDuplicates(let threshold): "near duplicates (cosine ≥ \(threshold))"
        case .leakage(let evaluation, let threshold):
            "leakage into \(evaluation.name)" + (threshold.map { " (text, or cosine ≥ \($0))" } ?? " (text)")
        case .labelAgreement: "label agreement with a second teacher"
        case .length(let range): "length \(range.lowerBound)–\(range.upperBound) characters"
        case .latinScript(let share): "Latin script (≥ \(Int((share * 100).rounded()))% of letters)"
        case .english: "English (function words)"
        case .personalData(let action): "personal data (\(action.rawValue))"
        case .classBalance(let maximum): "class balance (at most \(maximum) per label)"
        }
    }

    /// The checks a generated or teacher-labelled dataset should pass before training, in a
    /// sensible order (cheap text checks first, the second teacher last).
    public static func standard(evaluation: Dataset?, verifier: (any TextClassifier)?, embeddings: Bool)
        -> [VerificationStep]
    {
        var steps: [VerificationStep] = [.length(), .latinScript(), .english, .personalData(.mask), .exactDuplicates]
        if embeddings { steps.append(.nearDuplicates()) }
        if let evaluation { steps.append(.leakage(against: evaluation, threshold: embeddings ? 0.95 : nil)) }
        if let verifier { steps.append(.labelAgreement(verifier: verifier)) }
        return steps
    }
}

/// What the personal-data check does with an example that holds some.
public enum PersonalDataAction: String, Sendable, Hashable, Codable {
    /// Keep the text; tag the example `pii:<kind>`.
    case flag
    /// Replace each finding with `[EMAIL]`, `[PHONE]` or `[CARD]`; tag the example `pii-masked`.
    case mask
    /// Remove the example.
    case remove
}
