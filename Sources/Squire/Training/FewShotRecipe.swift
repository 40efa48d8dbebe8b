public import SquireModels

/// The few-shot recipe: the encoder body tuned with the supervised contrastive loss on the
/// examples (SetFit's idea, every same-label pair of a batch at once), then a logistic head
/// chosen by cross-validation on the tuned embeddings, with the labels' names as extra
/// examples of their labels.
///
/// For a handful of examples per label; ``ClassifierTraining/fewShot(_:on:options:progress:)``
/// trains it.
public struct FewShotRecipe: Sendable, Hashable {
    /// How the body is tuned; nil keeps it frozen (the head and label names only).
    public var tuning: ContrastiveTuning.Recipe?
    /// The head fitted on the (tuned) embeddings.
    public var head: ClassifierRecipe
    /// Whether each label's name joins the training data as one more example of it.
    public var usesLabelNames: Bool
    /// Names or one-line descriptions of labels, used instead of the readable form of the
    /// label itself (``readableName(of:)``).
    public var labelDescriptions: [String: String]

    /// Creates a recipe; the defaults tune the whole body for 4 epochs at 5e-5 and use the
    /// labels' readable names.
    public init(
        tuning: ContrastiveTuning.Recipe? = ContrastiveTuning.Recipe(),
        head: ClassifierRecipe = ClassifierRecipe(head: .logistic), usesLabelNames: Bool = true,
        labelDescriptions: [String: String] = [:]
    ) {
        self.tuning = tuning
        self.head = head
        self.usesLabelNames = usesLabelNames
        self.labelDescriptions = labelDescriptions
    }

    /// The text that stands for `label`: its description when given, else the label as
    /// words (`card_arrival` → "card arrival", `AddToPlaylist` → "add to playlist").
    public func name(of label: String) -> String {
        labelDescriptions[label] ?? Self.readableName(of: label)
    }

    /// A label as lower-case words: underscores, hyphens and dots become spaces, and a
    /// lower-case letter followed by a capital starts a new word.
    public static func readableName(of label: String) -> String {
        var words = ""
        var previous: Character?
        for character in label {
            if "_-.".contains(character) {
                words.append(" ")
            } else {
                if character.isUppercase, previous?.isLowercase == true { words.append(" ") }
                words.append(contentsOf: character.lowercased())
            }
            previous = character
        }
        return words.split(separator: " ").joined(separator: " ")
    }
}
