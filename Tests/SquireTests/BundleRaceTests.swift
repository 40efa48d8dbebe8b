import Foundation
import Squire
import Synchronization
import Testing

/// A service reads a bundle while `squire train` writes a new one over it: every read gets
/// the old bundle or the new, never a false "changed" or "truncated" error.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct BundleRaceTests {
    @Test func readersSeeTheOldOrTheNewBundleWhileItIsReplaced() throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Fixtures.dataset()
        var options = TrainingOptions()
        options.calibrates = false
        let versions = try [1.0, 10.0].map { c in
            try ClassifierTraining.frozenHead(
                ClassifierRecipe(head: .logistic, inverseRegularizations: [c]), on: data, options: options)
        }
        #expect(versions[0].version != versions[1].version)
        let path = folder.appendingPathComponent("bundle").path
        try versions[0].save(to: path)

        // The writer has a thread of its own, so the busy reader below cannot starve it.
        let finished = Mutex(false)
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { for round in 1...6 { try versions[round % 2].save(to: path) } } catch {
                failure.withLock { $0 = error }
            }
            finished.withLock { $0 = true }
            done.signal()
        }.start()
        var (reads, seen) = (0, Set<String>())
        while !finished.withLock({ $0 }) {
            seen.insert(try ModelBundle(folder: path).version)
            reads += 1
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        #expect(reads > 0)
        #expect(seen.isSubset(of: Set(versions.map(\.version))))
        // No staging or retired folder is left beside the bundle.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["bundle"])
    }
}
