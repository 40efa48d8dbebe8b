/// How much each class counts in the training loss.
public enum ClassWeighting: Sendable, Hashable {
    /// Every example counts once.
    case uniform
    /// Each class weighs `n / (classes · count)`, scikit-learn's `class_weight="balanced"`,
    /// so rare labels count as much in total as common ones.
    case balanced
    /// An explicit weight per label; labels left out weigh 1.
    case custom([String: Double])

    /// The weight of each example, given its class index and the label list.
    func exampleWeights(classIndices: [Int], labels: [String]) throws -> [Double] {
        switch self {
        case .uniform:
            return [Double](repeating: 1, count: classIndices.count)
        case .balanced:
            var counts = [Int](repeating: 0, count: labels.count)
            for index in classIndices { counts[index] += 1 }
            let total = Double(classIndices.count)
            let perClass = counts.map { $0 == 0 ? 0 : total / (Double(labels.count) * Double($0)) }
            return classIndices.map { perClass[$0] }
        case .custom(let weights):
            for (label, weight) in weights {
                guard labels.contains(label) else { throw TrainingError.unknownLabel(label, known: labels) }
                guard weight.isFinite, weight > 0 else {
                    throw TrainingError.invalidConfiguration(
                        "the weight of \"\(label)\" is \(weight); weights must be positive")
                }
            }
            return classIndices.map { weights[labels[$0]] ?? 1 }
        }
    }
}
