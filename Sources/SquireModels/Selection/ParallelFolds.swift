import SquireTensor

/// Runs the independent fits of a hyperparameter search (a fold, or a candidate on a fold)
/// one per core.
///
/// Each fit runs whole on one thread, so its products do not fan out again (see
/// `ParallelParts`): for the small products of mini-batch training that is where two cores
/// pay, since a product split in two costs a hand-off per call.
enum ParallelFolds {
    /// `body(index, isCancelled)` for every index in `0 ..< count`, concurrently when
    /// `parallel`, with the results in index order.
    ///
    /// Worker threads run outside the calling task, so `Task.isCancelled` there is always
    /// false; `isCancelled` reads the calling task's flag instead, and bodies poll it.
    static func map<Result>(
        _ count: Int, parallel: Bool = true, _ body: (_ index: Int, _ isCancelled: () -> Bool) throws -> Result
    ) throws -> [Result] {
        try withUnsafeCurrentTask { task in
            let isCancelled = { task?.isCancelled ?? false }
            guard parallel else { return try (0..<count).map { try body($0, isCancelled) } }
            var results = [Result?](repeating: nil, count: count)
            try results.withUnsafeMutableBufferPointer { slots in
                // Each part writes only its own slot.
                try ParallelParts.run(count) { index in slots[index] = try body(index, isCancelled) }
            }
            return results.map { $0! }
        }
    }
}
