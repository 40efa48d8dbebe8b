// libFuzzer target: `DriftBudget(contentsOf:)`, the reader of drift budget files
// (`squire drift --budget`): how much accuracy may drop, how many windows may alarm, the
// allowed drift per signal. What must hold, besides never crashing: a file is read or
// refused with DriftFileError or DriftInputError; a budget read encodes to JSON that reads
// back as the same budget; and a monitor holding it judges a stream: three windows give
// three decisions whose figures respect the budget. Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireDrift

private let stream = DriftFixture.observations(count: 60)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDriftBudget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "budget.json")
    let budget: DriftBudget
    do {
        budget = try DriftBudget(contentsOf: URL(fileURLWithPath: path))
    } catch is DriftFileError, is DriftInputError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    do {
        let reread = try JSONDecoder().decode(DriftBudget.self, from: try JSONEncoder().encode(budget))
        if reread != budget { fatalError("the budget changed on rereading: \(budget) became \(reread)") }
    } catch {
        fatalError("the budget's own JSON cannot be read back: \(error)")
    }
    do {
        var monitor = try DriftMonitor(profile: DriftFixture.profile, budget: budget, windowing: .count(20))
        monitor.permutations = 0
        let decisions = try monitor.consume(stream)
        guard decisions.count == 3 else { fatalError("\(decisions.count) decisions for three windows") }
        for decision in decisions {
            if decision.budgetAllowed != budget.allowedDriftingWindows || decision.budgetSpent > budget.horizon
                || decision.labellingQueue.count > budget.labellingQueueSize
            {
                fatalError("a decision outside its budget \(budget): \(decision)")
            }
        }
    } catch {
        fatalError("a valid budget cannot judge a valid stream: \(error)")
    }
    return 0
}
