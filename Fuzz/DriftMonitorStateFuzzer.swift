// libFuzzer target: `DriftMonitor(profile:budget:windowing:resumingFrom:)`, which resumes
// a drift monitor from the state file it saved (the open window, recent windows, counters,
// the standing decision) — a file that lives on disk between runs of `squire drift` and
// the closed loop, where a crash or a hand edit can leave anything. What must hold,
// besides never crashing: a state is resumed or refused with DriftFileError; a resumed
// monitor takes 40 more observations (closing the open window and more), or refuses one
// with DriftInputError, counting each one it takes; and the state it saves then resumes as
// the same state. Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireDrift

private let stream = DriftFixture.observations(count: 40)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDriftMonitorState(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "state.json")
    var monitor: DriftMonitor
    do {
        monitor = try DriftMonitor(
            profile: DriftFixture.profile, windowing: .count(20), resumingFrom: URL(fileURLWithPath: path))
    } catch is DriftFileError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    monitor.permutations = 0
    let consumed = monitor.state.consumed
    for (index, observation) in stream.enumerated() {
        do {
            _ = try monitor.observe(observation)
        } catch is DriftInputError {
            break
        } catch {
            fatalError("untyped error \(error)")
        }
        if monitor.state.consumed != consumed + index + 1 {
            fatalError("consumed \(monitor.state.consumed) after taking \(index + 1) from \(consumed)")
        }
    }
    do {
        let saved = ScratchFolder.remove("saved.json")
        try monitor.save(to: URL(fileURLWithPath: saved))
        let resumed = try DriftMonitor(
            profile: DriftFixture.profile, windowing: .count(20), resumingFrom: URL(fileURLWithPath: saved))
        if resumed.state != monitor.state { fatalError("the saved state resumed as another: \(resumed.state)") }
    } catch {
        fatalError("a monitor cannot resume from its own state: \(error)")
    }
    return 0
}
