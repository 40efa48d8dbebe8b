import Foundation
import SquireModels
import Testing

struct CrossValidationFoldsTests {
    /// Seven labels of 14–15 examples and one of 3.
    static let labels = (0..<103).map { "l\($0 % 7)" } + ["rare", "rare", "rare"]

    static func counts(_ folds: [Int], _ labels: [String], label: String) -> [Int] {
        (0..<5).map { fold in labels.indices.filter { labels[$0] == label && folds[$0] == fold }.count }
    }

    @Test func stratifiedFoldsDealEveryLabelEvenly() throws {
        let folds = try CrossValidationFolds.stratified(labels: Self.labels, folds: 5, seed: 3)
        #expect(folds.foldCount == 5 && folds.repeats == 1 && folds.exampleCount == Self.labels.count)
        for label in Set(Self.labels) {
            let counts = Self.counts(folds.assignments[0], Self.labels, label: label)
            #expect(counts.max()! - counts.min()! <= 1, "\(label): \(counts)")
        }
        let sizes = (0..<5).map { fold in folds.assignments[0].filter { $0 == fold }.count }
        #expect(sizes.max()! - sizes.min()! <= 1)
        // A label with fewer examples than folds is spread over as many folds as it has.
        #expect(folds.thinLabels(Self.labels) == ["rare": 3])
        #expect(try CrossValidationFolds.stratified(labels: Self.labels, folds: 5, seed: 3) == folds)
        #expect(try CrossValidationFolds.stratified(labels: Self.labels, folds: 5, seed: 4) != folds)
    }

    @Test func repeatsShuffleWithTheNextSeeds() throws {
        let three = try CrossValidationFolds.stratified(labels: Self.labels, folds: 5, repeats: 3, seed: 10)
        for repetition in 0..<3 {
            let single = try CrossValidationFolds.stratified(
                labels: Self.labels, folds: 5, seed: 10 + UInt64(repetition))
            #expect(three.assignments[repetition] == single.assignments[0])
        }
        #expect(three.splits.count == 15)
        // Within a repeat every example is held out exactly once, and never trained on then.
        for repetition in 0..<3 {
            let splits = three.splits[(repetition * 5)..<((repetition + 1) * 5)]
            #expect(splits.flatMap(\.held).sorted() == Array(Self.labels.indices))
            for split in splits { #expect(Set(split.training).isDisjoint(with: split.held)) }
        }
    }

    @Test func identicalTextsShareAFold() throws {
        // 60 texts, the first ten repeated four times each: 90 examples, 3 labels.
        let texts = (0..<60).map { "text \($0)" } + (0..<30).map { "text \($0 % 10)" }
        let labels = texts.map { "l\(Int($0.dropFirst(5))! % 3)" }
        let folds = try CrossValidationFolds.stratified(labels: labels, folds: 5, repeats: 2, seed: 0, groups: texts)
        for assignment in folds.assignments {
            for text in Set(texts) {
                let placed = Set(texts.indices.filter { texts[$0] == text }.map { assignment[$0] })
                #expect(placed.count == 1, "\(text) is in folds \(placed)")
            }
            for label in Set(labels) {
                let counts = Self.counts(assignment, labels, label: label)
                // The repeated texts come four at a time, so a fold may be up to one group ahead.
                #expect(counts.max()! - counts.min()! <= 4, "\(label): \(counts)")
            }
        }
    }

    @Test func tooFewDistinctExamplesForTheFoldsIsRefused() {
        #expect(throws: TrainingError.invalidConfiguration("5 folds need at least 5 distinct examples, got 3")) {
            try CrossValidationFolds.stratified(
                labels: ["a", "b", "a", "b"], folds: 5, seed: 0, groups: ["x", "y", "z", "x"])
        }
        #expect(throws: TrainingError.self) {
            try CrossValidationFolds.stratified(labels: ["a", "b"], folds: 1, seed: 0)
        }
    }

    @Test func givenFoldsAreCheckedAndRoundTrip() throws {
        for bad in [[[0, 0, 0]], [[0, 2, 2]], [[0, 1], [0, 1, 0]], [[0, -1, 1]], []] {
            #expect(throws: TrainingError.self) { try CrossValidationFolds(assignments: bad) }
        }
        let folds = try CrossValidationFolds(assignments: [[0, 1, 2, 0, 1, 2], [2, 2, 1, 1, 0, 0]])
        #expect(folds.foldCount == 3 && folds.repeats == 2)
        let json = try JSONEncoder().encode(folds)
        #expect(String(decoding: json, as: UTF8.self) == #"{"assignments":[[0,1,2,0,1,2],[2,2,1,1,0,0]]}"#)
        #expect(try JSONDecoder().decode(CrossValidationFolds.self, from: json) == folds)
        // Decoding checks what the initializer checks.
        #expect(throws: TrainingError.self) {
            try JSONDecoder().decode(CrossValidationFolds.self, from: Data(#"{"assignments":[[0,0]]}"#.utf8))
        }
    }
}
