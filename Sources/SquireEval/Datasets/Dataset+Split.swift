import SquireCore

extension Dataset {
    /// The three parts of a stratified split.
    public struct Split: Sendable, Hashable {
        /// What to train on.
        public var train: Dataset
        /// What to tune and calibrate on.
        public var validation: Dataset
        /// What to report on, touched once.
        public var test: Dataset
    }

    /// Splits the examples so that each label keeps its share in every part.
    ///
    /// Per label, the examples are shuffled with `seed` and the first
    /// `round(n × testFraction)` go to test, the next `round(n × validationFraction)` to
    /// validation, the rest to train; a label with few examples keeps at least one in
    /// train. The same dataset and seed always give the same split; each part keeps file order.
    public func stratifiedSplit(validationFraction: Double, testFraction: Double, seed: UInt64 = 0) throws -> Split {
        guard validationFraction >= 0, testFraction >= 0, validationFraction + testFraction < 1 else {
            throw DatasetError(
                source: name,
                reason:
                    "validation (\(validationFraction)) and test (\(testFraction)) fractions must be ≥ 0 and sum to less than 1"
            )
        }
        var indicesByLabel: [String: [Int]] = [:]
        for (index, example) in examples.enumerated() { indicesByLabel[example.label, default: []].append(index) }
        var part = [Int](repeating: 0, count: examples.count)  // 0 train, 1 validation, 2 test
        var generator = SplitMix64(seed: seed)
        for label in indicesByLabel.keys.sorted() {
            var indices = indicesByLabel[label]!
            indices.shuffle(using: &generator)
            let n = indices.count
            var testCount = Int((Double(n) * testFraction).rounded())
            var validationCount = Int((Double(n) * validationFraction).rounded())
            // Train keeps at least one example of every label; take it from test first.
            while testCount + validationCount >= n && testCount + validationCount > 0 {
                if testCount >= validationCount { testCount -= 1 } else { validationCount -= 1 }
            }
            for index in indices.prefix(testCount) { part[index] = 2 }
            for index in indices.dropFirst(testCount).prefix(validationCount) { part[index] = 1 }
        }
        func subset(_ which: Int, _ suffix: String) throws -> Dataset {
            try Dataset(
                name: "\(name)-\(suffix)", examples: examples.indices.filter { part[$0] == which }.map { examples[$0] })
        }
        return Split(
            train: try subset(0, "train"), validation: try subset(1, "validation"), test: try subset(2, "test"))
    }
}
