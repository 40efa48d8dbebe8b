/// What the default recipe (``ClassifierTraining/automatic(on:options:progress:)``) chose and
/// why: the data's regime, every recipe it compared with its held-out score, and advice
/// when the data looks too thin.
public struct RecipeChoice: Sendable, Hashable, Codable {
    /// The data regimes the default recipe tells apart.
    public enum Regime: String, Sendable, Hashable, Codable {
        /// At most ``ClassifierTraining/fewExamplesPerLabel`` examples for the median label:
        /// the body is worth tuning and label names carry signal.
        case few
        /// More examples per label: a head on the frozen encoder, logistic or MLP.
        case many
    }

    /// A recipe the choice compared.
    public struct Alternative: Sendable, Hashable, Codable {
        /// The recipe's name, as `squire train --recipe` takes it, with its variant
        /// (`logistic`, `logistic+names`, `few-shot`, `mlp`, `logistic (balanced)`).
        public var recipe: String
        /// Its held-out accuracy on the comparison's data.
        public var accuracy: Double
        /// Its held-out macro-averaged F1.
        public var macroF1: Double
        /// The standard error of its accuracy (over folds, or over examples for a paired
        /// comparison on held-out halves).
        public var standardError: Double?
        /// Seconds spent training it for the comparison.
        public var seconds: Double

        /// Creates an alternative.
        public init(recipe: String, accuracy: Double, macroF1: Double, standardError: Double?, seconds: Double) {
            self.recipe = recipe
            self.accuracy = accuracy
            self.macroF1 = macroF1
            self.standardError = standardError
            self.seconds = seconds
        }

        enum CodingKeys: String, CodingKey {
            case recipe, accuracy, seconds
            case macroF1 = "macro_f1"
            case standardError = "standard_error"
        }
    }

    /// The recipe that trained the model.
    public var chosen: String
    /// The regime the data fell in.
    public var regime: Regime
    /// Why, in a sentence: the regime's reason and the comparison's outcome.
    public var reason: String
    /// How the alternatives were scored (the folds or the validation set).
    public var comparison: String
    /// Every recipe compared, in the order tried.
    public var alternatives: [Alternative]
    /// What to do when the data looks too thin (for example, `squire synthesize`); nil
    /// when it does not.
    public var advice: String?

    /// Creates a choice.
    public init(
        chosen: String, regime: Regime, reason: String, comparison: String, alternatives: [Alternative],
        advice: String?
    ) {
        self.chosen = chosen
        self.regime = regime
        self.reason = reason
        self.comparison = comparison
        self.alternatives = alternatives
        self.advice = advice
    }
}
