import SquireTensor

/// Which fold each training example is held out in, for one or more repeats of k-fold
/// cross-validation.
///
/// ``stratified(labels:folds:repeats:seed:groups:)`` deals each label's examples out over
/// the folds as evenly as they go (scikit-learn's `StratifiedKFold` with `shuffle=True`), and
/// keeps the examples of a group in one fold (its `StratifiedGroupKFold`): identical texts
/// must share a fold, or a model is scored on texts it was trained on, and the public SMS
/// spam and SNIPS sets hold hundreds of repeats. A caller with its own folds passes them to
/// ``init(assignments:)``, as scikit-learn's `PredefinedSplit` takes them.
public struct CrossValidationFolds: Sendable, Hashable, Codable {
    /// `[repeat][example]`: the fold, in `0 ..< foldCount`, each example is held out in.
    public private(set) var assignments: [[Int]]
    /// The folds of every repeat.
    public private(set) var foldCount: Int

    /// Folds given by the caller: each repeat gives every example a fold in `0 ..< K`, and
    /// every fold holds out at least one example.
    ///
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` for no repeats, repeats of
    ///   different lengths or fold counts, fewer than two folds, or a negative fold.
    public init(assignments: [[Int]]) throws {
        guard let first = assignments.first, !first.isEmpty else {
            throw TrainingError.invalidConfiguration("cross-validation needs at least one repeat of fold assignments")
        }
        let foldCount = (first.max() ?? 0) + 1
        for (index, folds) in assignments.enumerated() {
            guard folds.count == first.count else {
                throw TrainingError.invalidConfiguration(
                    "repeat \(index) assigns \(folds.count) examples, repeat 0 assigns \(first.count)")
            }
            guard folds.allSatisfy({ (0..<foldCount).contains($0) }), Set(folds).count == foldCount else {
                throw TrainingError.invalidConfiguration(
                    "repeat \(index) must hold out every example in one of folds 0 ..< \(foldCount), each fold nonempty"
                )
            }
        }
        guard foldCount >= 2 else {
            throw TrainingError.invalidConfiguration("cross-validation needs at least 2 folds, got \(foldCount)")
        }
        self.assignments = assignments
        self.foldCount = foldCount
    }

    /// Stratified, seeded folds, `repeats` times (repeat `r` shuffles with `seed + r`).
    ///
    /// Within each label, groups are shuffled, the larger placed first, and each goes to the
    /// fold holding the fewest of that label so far (then the fewest examples, then the
    /// lowest index): without repeated groups, each label's fold counts differ by at most
    /// one. A group whose examples carry several labels is placed by its most common one.
    ///
    /// - Parameters:
    ///   - labels: each example's label.
    ///   - groups: each example's group; examples with equal keys share a fold. Nil puts
    ///     every example in its own group.
    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` for fewer than two folds, fewer
    ///   groups than folds, or groups of another length than the labels.
    public static func stratified(
        labels: [String], folds foldCount: Int, repeats: Int = 1, seed: UInt64, groups: [String]? = nil
    ) throws -> CrossValidationFolds {
        if let groups, groups.count != labels.count {
            throw TrainingError.shapeMismatch("\(groups.count) group keys for \(labels.count) examples")
        }
        return try stratified(
            labels: labels, folds: foldCount, repeats: repeats, seed: seed,
            groupIDs: groups.map(Self.ids(of:)) ?? Array(labels.indices))
    }

    /// ``stratified(labels:folds:repeats:seed:groups:)`` with groups as ids.
    package static func stratified(
        labels: [String], folds foldCount: Int, repeats: Int, seed: UInt64, groupIDs: [Int]
    ) throws -> CrossValidationFolds {
        guard foldCount >= 2 else {
            throw TrainingError.invalidConfiguration("cross-validation needs at least 2 folds, got \(foldCount)")
        }
        guard repeats >= 1 else {
            throw TrainingError.invalidConfiguration("repeats must be at least 1, got \(repeats)")
        }
        let labelIDs = ids(of: labels)
        let members = Dictionary(grouping: labels.indices, by: { groupIDs[$0] }).sorted { $0.key < $1.key }.map(\.value)
        guard members.count >= foldCount else {
            throw TrainingError.invalidConfiguration(
                "\(foldCount) folds need at least \(foldCount) distinct examples, got \(members.count)")
        }
        let labelCount = (labelIDs.max() ?? 0) + 1
        // Each group's most common label (ties: the one seen first), its place in the deal.
        let majority = members.map { rows in
            var counts: [Int: Int] = [:]
            for row in rows { counts[labelIDs[row], default: 0] += 1 }
            return rows.map { labelIDs[$0] }.max {
                counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && $0 > $1)
            }!
        }
        let byLabel = Dictionary(grouping: members.indices, by: { majority[$0] })
        var assignments: [[Int]] = []
        for repetition in 0..<repeats {
            var generator = SeededGenerator(seed: seed &+ UInt64(repetition))
            var fold = [Int](repeating: 0, count: labels.count)
            var perLabel = [[Int]](repeating: [Int](repeating: 0, count: foldCount), count: labelCount)
            var sizes = [Int](repeating: 0, count: foldCount)
            for label in 0..<labelCount {
                var order = byLabel[label] ?? []
                generator.shuffle(&order)
                // Stable: equal sizes keep the shuffled order.
                order = order.enumerated().sorted {
                    (members[$0.element].count, $1.offset) > (members[$1.element].count, $0.offset)
                }.map(\.element)
                for group in order {
                    let target = (0..<foldCount).min {
                        (perLabel[label][$0], sizes[$0], $0) < (perLabel[label][$1], sizes[$1], $1)
                    }!
                    for row in members[group] {
                        fold[row] = target
                        perLabel[labelIDs[row]][target] += 1
                    }
                    sizes[target] += members[group].count
                }
            }
            assignments.append(fold)
        }
        return try CrossValidationFolds(assignments: assignments)
    }

    /// How many examples the folds assign.
    public var exampleCount: Int { assignments[0].count }

    /// How many repeats there are.
    public var repeats: Int { assignments.count }

    /// Each (repeat, fold)'s held-out rows and the rest, both ascending, repeat by repeat.
    public var splits: [(training: [Int], held: [Int])] {
        assignments.flatMap { folds in
            (0..<foldCount).map { fold in
                (folds.indices.filter { folds[$0] != fold }, folds.indices.filter { folds[$0] == fold })
            }
        }
    }

    /// The labels whose examples fall in fewer folds than there are, in some repeat, with
    /// the fewest folds they fall in: a label in one fold is never trained on when that fold
    /// is held out.
    public func thinLabels(_ labels: [String]) -> [String: Int] {
        var thin: [String: Int] = [:]
        for folds in assignments {
            var seen: [String: Set<Int>] = [:]
            for (row, label) in labels.enumerated() { seen[label, default: []].insert(folds[row]) }
            for (label, set) in seen where set.count < foldCount {
                thin[label] = min(thin[label] ?? set.count, set.count)
            }
        }
        return thin
    }

    private enum CodingKeys: String, CodingKey {
        case assignments
    }

    /// Reads `{"assignments": [[fold, …], …]}`, checked as ``init(assignments:)`` checks.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(assignments: container.decode([[Int]].self, forKey: .assignments))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(assignments, forKey: .assignments)
    }

    /// Dense ids for keys, in order of first appearance.
    package static func ids<Key: Hashable>(of keys: [Key]) -> [Int] {
        var ids: [Key: Int] = [:]
        return keys.map { key in
            if let id = ids[key] { return id }
            ids[key] = ids.count
            return ids.count - 1
        }
    }
}
