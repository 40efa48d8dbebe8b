import SquireTensor

/// Runs the independent fits of a hyperparameter search (a fold, or a candidate on a fold)
/// one per core.
///
/// Each fit runs whole on one thread, so its products do not fan out again (see
/// `ParallelParts`): a product split in two costs a hand-off per call, and the work between
/// products (a softmax, the optimizer's own arithmetic) runs on one core. On BANKING77's
/// logistic search, 35 fits took 80 s this way against 100 s one after another with every
/// product split over both cores (two rounds each, on a loaded 2-core machine).
enum ParallelFolds {
    /// `body(index, isCancelled)` for every index in `0 ..< count`, concurrently, with the
    /// results in index order.
    ///
    /// Worker threads run outside the calling task, so `Task.isCancelled` there is always
    /// false; `isCancelled` reads the calling task's flag instead, and bodies poll it.
    static func map<Result>(
        _ count: Int, _ body: (_ index: Int, _ isCancelled: () -> Bool) throws -> Result
    ) throws -> [Result] {
        try withUnsafeCurrentTask { task in
            let isCancelled = { task?.isCancelled ?? false }
            var results = [Result?](repeating: nil, count: count)
            try results.withUnsafeMutableBufferPointer { slots in
                // Each part writes only its own slot.
                try ParallelParts.run(count) { index in slots[index] = try body(index, isCancelled) }
            }
            return results.map { $0! }
        }
    }
}
