// libFuzzer target: `FrontierModelFile(contentsOf:)`, the reader of the JSON file that
// names a frontier model for the command line (`--teacher`, `--fallback`): provider, base
// URL, model, key variable, timeouts, retries, concurrency, prices. A file read is then
// used the way the CLI uses it, since its numbers only matter there. What must hold,
// besides never crashing: a file is read or refused with FrontierError; a file read encodes
// to JSON that reads back as the same file; its client configuration can be built; and a
// classifier and a generator are made from it or refused with FrontierError (no request is
// sent). Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireCore
import SquireFrontier

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontierModelFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "model.json")
    let file: FrontierModelFile
    do {
        file = try FrontierModelFile(contentsOf: URL(fileURLWithPath: path))
    } catch is FrontierError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    do {
        let reread = try JSONDecoder().decode(FrontierModelFile.self, from: try JSONEncoder().encode(file))
        if reread != file { fatalError("the model file changed on rereading: \(file) became \(reread)") }
    } catch {
        fatalError("the model file's own JSON cannot be read back: \(error)")
    }
    _ = file.configuration
    // A key in every variable the file could name, so only the file's own settings can fail.
    let environment = [
        file.apiKeyVariable ?? "", "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
    ].reduce(into: [:]) { $0[$1] = "fuzz-key" }
    do {
        _ = try file.classifier(labels: ["refund", "other"], environment: environment)
        _ = try file.generator(environment: environment)
    } catch is FrontierError {
    } catch {
        fatalError("untyped error \(error)")
    }
    return 0
}
