package import SquireTensor

/// Features and labels checked and encoded once for a head's fitting: the labels sorted
/// (as scikit-learn's `classes_`), each example's label as an index into them.
package struct TrainingExamples {
    /// `[N, D]`.
    package var features: Tensor
    package var labels: [String]
    package var classIndices: [Int]

    var count: Int { classIndices.count }
    var dimension: Int { features.shape[1] }

    /// Checks shapes, finiteness and that there are at least two labels.
    ///
    /// - Parameter knownLabels: when given, the label list to use (a refit on more data
    ///   must keep the order); every label must be in it.
    package init(features: Tensor, labels: [String], knownLabels: [String]? = nil) throws {
        guard !labels.isEmpty else { throw TrainingError.noExamples }
        guard features.rank == 2, features.shape[0] == labels.count else {
            throw TrainingError.shapeMismatch(
                "features of shape \(features.shape) do not match \(labels.count) labels; pass [N, D] features for N labels"
            )
        }
        try Self.requireFinite(features)
        let classes = knownLabels ?? Array(Set(labels)).sorted()
        guard classes.count >= 2 else { throw TrainingError.singleClass(classes.first ?? labels[0]) }
        let indexOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        classIndices = try labels.map { label in
            guard let index = indexOf[label] else { throw TrainingError.unknownLabel(label, known: classes) }
            return index
        }
        self.features = features
        self.labels = classes
    }

    /// Throws ``TrainingError/nonFiniteInput(row:column:)`` at the first NaN or infinity.
    static func requireFinite(_ features: Tensor) throws {
        guard !features.isFinite else { return }
        let width = features.shape.last ?? 1
        let position = features.scalars.firstIndex { !$0.isFinite } ?? 0
        throw TrainingError.nonFiniteInput(row: position / max(width, 1), column: position % max(width, 1))
    }

    /// The examples at `positions`, sharing this label list.
    func subset(_ positions: [Int]) throws -> TrainingExamples {
        var copy = self
        copy.features = try features.gatheringRows(at: positions)
        copy.classIndices = positions.map { classIndices[$0] }
        return copy
    }

    /// These examples followed by `other`'s, which must share this label list.
    func appending(_ other: TrainingExamples) throws -> TrainingExamples {
        guard other.labels == labels else {
            throw TrainingError.shapeMismatch(
                "examples with labels \(other.labels) appended to examples with \(labels)")
        }
        var copy = self
        copy.features = try Tensor.concatenating([features, other.features])
        copy.classIndices += other.classIndices
        return copy
    }

    /// A stratified split: about `fraction` of each label's examples (at least one when the
    /// label has two or more) go to the second part, chosen by a seeded shuffle.
    func split(holdingOut fraction: Double, seed: UInt64) throws -> (
        training: TrainingExamples, validation: TrainingExamples
    ) {
        let (training, validation) = try splitPositions(holdingOut: fraction, seed: seed)
        return (try subset(training), try subset(validation))
    }

    /// The rows of ``split(holdingOut:seed:)``'s two parts, each in ascending order.
    package func splitPositions(holdingOut fraction: Double, seed: UInt64) throws -> (
        training: [Int], validation: [Int]
    ) {
        var generator = SeededGenerator(seed: seed)
        var byClass = [[Int]](repeating: [], count: labels.count)
        for (position, index) in classIndices.enumerated() { byClass[index].append(position) }
        var training: [Int] = []
        var validation: [Int] = []
        for var members in byClass {
            generator.shuffle(&members)
            let held = members.count >= 2 ? max(1, Int((Double(members.count) * fraction).rounded())) : 0
            validation += members.prefix(held)
            training += members.dropFirst(held)
        }
        guard !validation.isEmpty, !training.isEmpty else {
            throw TrainingError.invalidConfiguration("too few examples (\(count)) to hold out a validation split")
        }
        return (training.sorted(), validation.sorted())
    }
}
