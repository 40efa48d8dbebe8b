// libFuzzer target: `Gate(contentsOf:)`, the reader of ship-gate files (`squire gate`,
// CI): minimums, maximums, slice minimums, a non-inferiority rule, latency and cost
// budgets. What must hold, besides never crashing: a file is read or refused with
// EvalFileError; a gate read has no problems (a self-contradicting gate is refused, not
// half-applied); and it encodes to JSON that reads back as the same gate. Built and run by
// Scripts/fuzz/fuzz.sh.
import Foundation
import SquireEval

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGateFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "gate.json")
    let gate: Gate
    do {
        gate = try Gate(contentsOf: URL(fileURLWithPath: path))
    } catch is EvalFileError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    if !gate.problems.isEmpty { fatalError("accepted a gate with problems: \(gate.problems)") }
    do {
        let reread = try JSONDecoder().decode(Gate.self, from: try JSONEncoder().encode(gate))
        if reread != gate { fatalError("the gate changed on rereading: \(gate) became \(reread)") }
    } catch {
        fatalError("the gate's own JSON cannot be read back: \(error)")
    }
    return 0
}
