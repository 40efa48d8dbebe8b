public import SquireTensor

/// Multinomial logistic regression on feature vectors: `logits = x · Wᵀ + b`.
///
/// Fitted by ``fit(features:labels:configuration:progress:)`` on the objective of
/// scikit-learn's `LogisticRegression(C:)` with the `lbfgs` solver, so the two can be
/// compared coefficient by coefficient. With two labels it fits scikit-learn's binomial
/// model (one weight vector) and stores it as the second row, the first row zero, which
/// gives the same probabilities through a softmax.
public struct LogisticHead: ClassificationHead, Hashable {
    /// `[K, D]`: one row of weights per label.
    public var weight: Tensor
    /// `[K]`.
    public var bias: Tensor
    /// The labels, in the order of `weight`'s rows.
    public var labels: [String]

    /// Creates a head from its parameters, checking that their shapes agree with `labels`.
    public init(weight: Tensor, bias: Tensor, labels: [String]) throws {
        guard weight.rank == 2, weight.shape[0] == labels.count, bias.shape == [labels.count] else {
            throw TensorError.shapeMismatch(
                "LogisticHead (weight vs bias vs \(labels.count) labels)", weight.shape, bias.shape)
        }
        self.weight = weight
        self.bias = bias
        self.labels = labels
    }

    public var inputDimension: Int { weight.shape[1] }

    public func logits(for features: Tensor) throws -> Tensor {
        try Linear(weight: weight, bias: bias).forward(features)
    }

    public var parameters: NamedTensors {
        var parameters = NamedTensors()
        parameters["weight"] = weight
        parameters["bias"] = bias
        return parameters
    }
}

extension LogisticHead {
    /// How ``LogisticHead/fit(features:labels:configuration:progress:)`` fits.
    public struct Configuration: Sendable, Hashable {
        /// The inverse of the L2 regularization strength, scikit-learn's `C`: smaller is
        /// stronger. The objective is `mean weighted log loss + ‖W‖² / (2 · C · Σ weights)`;
        /// the bias is not penalized.
        public var inverseRegularization: Double
        /// How much each class counts.
        public var classWeighting: ClassWeighting
        /// The optimizer and its stopping tests.
        public var optimizer: LBFGS

        /// Creates a configuration; the defaults are scikit-learn's (`C = 1`, `tol = 1e-4`),
        /// except that up to 1,000 iterations are allowed instead of 100, which scikit-learn
        /// users raise anyway for embedding features.
        public init(
            inverseRegularization: Double = 1, classWeighting: ClassWeighting = .uniform,
            optimizer: LBFGS = LBFGS(maximumIterations: 1000)
        ) {
            self.inverseRegularization = inverseRegularization
            self.classWeighting = classWeighting
            self.optimizer = optimizer
        }
    }

    /// Fits a head to `features` (`[N, D]`) and their `labels`.
    ///
    /// Deterministic: the start is all zeros and nothing is random. Throws
    /// ``TrainingError`` for no examples, one label, mismatched shapes, NaN or infinite
    /// features (naming row and column) or a non-finite loss (naming the iteration).
    ///
    /// - Parameters:
    ///   - labels: the label list, in the head's order; when nil, the sorted distinct labels.
    ///   - progress: called after every L-BFGS iteration; ``TrainingAction/stop`` ends the
    ///     fit with the current parameters.
    /// - Returns: the head and what the optimizer did.
    public static func fit(
        features: Tensor, labels exampleLabels: [String], labelOrder: [String]? = nil,
        configuration: Configuration = Configuration(),
        progress: (TrainingProgress) -> TrainingAction = { _ in .proceed }
    ) throws -> (head: LogisticHead, summary: TrainingSummary) {
        let examples = try TrainingExamples(features: features, labels: exampleLabels, knownLabels: labelOrder)
        return try fit(examples, configuration: configuration, progress: progress)
    }

    /// ``fit(features:labels:labelOrder:configuration:progress:)`` on examples already checked.
    static func fit(
        _ examples: TrainingExamples, configuration: Configuration,
        progress: (TrainingProgress) -> TrainingAction = { _ in .proceed }
    ) throws -> (head: LogisticHead, summary: TrainingSummary) {
        guard configuration.inverseRegularization > 0, configuration.inverseRegularization.isFinite else {
            throw TrainingError.invalidConfiguration(
                "C (inverse regularization) must be positive, got \(configuration.inverseRegularization)")
        }
        let weights = try configuration.classWeighting.exampleWeights(
            classIndices: examples.classIndices, labels: examples.labels)
        let objective = LogisticObjective(
            examples: examples, exampleWeights: weights, inverseRegularization: configuration.inverseRegularization)
        let start = [Double](repeating: 0, count: objective.parameterCount)
        let workspace = LogisticObjective.Workspace(
            rows: examples.count, outputs: objective.outputs, dimension: examples.dimension)
        let result = try configuration.optimizer.minimize(
            from: start, objective: { try objective.evaluate($0, &$1, using: workspace) },
            progress: { iteration, value in progress(TrainingProgress(step: iteration, loss: value)) })
        let head = try objective.head(from: result.point)
        let summary = TrainingSummary(
            steps: result.iterations, loss: result.value, stopReason: result.termination.rawValue,
            gradientNorm: result.gradientNorm)
        return (head, summary)
    }
}
