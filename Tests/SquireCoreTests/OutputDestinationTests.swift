import Foundation
import SquireCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The one rule for every output: never an input, never something Squire did not write
/// unless forced, and a forced replacement that fails puts the original back.
@Suite struct OutputDestinationTests {
    let folder: String
    let kind = OutputKind.jsonLines("predictions file", keys: ["text", "label", "confidence"])

    init() throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("squire-output-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func neverAnInputByAnyName() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try write("{\"text\": \"a\", \"label\": \"x\"}\n", to: "data.jsonl")
        let alias = folder + "/alias.jsonl"
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: input)
        let hardLink = folder + "/hard.jsonl"
        #expect(link(input, hardLink) == 0)
        for output in [input, folder + "/./data.jsonl", alias, hardLink] {
            #expect(throws: OutputError.isAnInput(output: output, input: input)) {
                try OutputDestination(output, kind: kind, inputs: [input], force: true)
            }
        }
        // The input is untouched.
        #expect(try String(contentsOfFile: input, encoding: .utf8).contains("\"label\": \"x\""))
    }

    @Test func aFolderOutputNeverHoldsAnInputOrTheWorkingDirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = try write("x", to: "train.jsonl")
        #expect(throws: OutputError.holdsAnInput(output: folder, input: data)) {
            try OutputDestination(folder, kind: .folder("bundle folder", holding: "manifest.json"), inputs: [data])
        }
        for output in [".", FileManager.default.currentDirectoryPath, "/"] {
            #expect(throws: OutputError.holdsWorkingDirectory(output: output)) {
                try OutputDestination(
                    output, kind: .folder("bundle folder", holding: "manifest.json"), inputs: [], force: true)
            }
        }
    }

    @Test func replacesOnlyEarlierOutputsOfTheSameKindUnlessForced() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let earlier = try write("{\"text\": \"a\", \"label\": \"x\", \"confidence\": 0.9}\n", to: "earlier.jsonl")
        #expect(try OutputDestination(earlier, kind: kind, inputs: []).replacesForeignItem == false)
        let empty = try write("", to: "empty.jsonl")
        #expect(try OutputDestination(empty, kind: kind, inputs: []).replacesForeignItem == false)
        #expect(try OutputDestination(folder + "/new.jsonl", kind: kind, inputs: []).replacesForeignItem == false)
        // A user's labelled data has no "confidence": it is not a predictions file.
        let human = try write("{\"text\": \"a\", \"label\": \"x\"}\n", to: "human.jsonl")
        #expect(throws: OutputError.occupied(output: human, kind: "predictions file", found: "a file of 28 bytes")) {
            try OutputDestination(human, kind: kind, inputs: [])
        }
        let notes = folder + "/notes"
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
        _ = try write("mine", to: "notes/todo.txt")
        #expect(throws: OutputError.occupied(output: notes, kind: "bundle folder", found: "a folder holding 1 item")) {
            try OutputDestination(notes, kind: .folder("bundle folder", holding: "manifest.json"), inputs: [])
        }
        #expect(throws: OutputError.occupied(output: notes, kind: "predictions file", found: "a folder holding 1 item"))
        {
            try OutputDestination(notes, kind: kind, inputs: [])
        }
        #expect(try OutputDestination(human, kind: kind, inputs: [], force: true).replacesForeignItem)
    }

    @Test func aForcedReplacementThatFailsPutsTheOriginalBack() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let human = try write("precious", to: "human.jsonl")
        let destination = try OutputDestination(human, kind: kind, inputs: [], force: true)
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try destination.write {
                #expect(!FileManager.default.fileExists(atPath: human))
                try Data("half".utf8).write(to: URL(fileURLWithPath: human))
                throw Failure()
            }
        }
        #expect(try String(contentsOfFile: human, encoding: .utf8) == "precious")
        try destination.write { try AtomicFile.write(Array("new".utf8), to: human) }
        #expect(try String(contentsOfFile: human, encoding: .utf8) == "new")
        // Nothing is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["human.jsonl"])
    }

    @Test func leftoversOfDeadWritersAreRemovedAndLiveOnesAndReplacedItemsKept() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/bundle"
        let uuid = UUID().uuidString
        // Process ids above the kernel's pid_max (4,194,304) are never running.
        let dead = [".bundle.partial-9999999-\(uuid)", ".bundle.old-9999999-\(uuid)", ".bundle.tmp-9999999-Ab3dEf"]
        let live = [
            ".bundle.partial-\(getpid())-\(uuid)", ".bundle.replaced-9999999-\(uuid)", ".other.partial-9999999-\(uuid)",
        ]
        for name in dead + live {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
        }
        // A name from before process ids were recorded goes once it is an hour old.
        let legacy = folder + "/.bundle.partial-\(uuid)"
        let recentLegacy = folder + "/.bundle.tmp-XyZ123"
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: recentLegacy, withIntermediateDirectories: true)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: legacy)
        LeftoverFiles.removeStale(beside: target)
        let remaining = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(remaining == Set(live + [".bundle.tmp-XyZ123"]))
    }

    @Test func aReaderAlwaysFindsOneCompleteFolder() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/bundle"
        let folder = folder
        @Sendable func stage(_ generation: Int) throws -> String {
            let staging = folder + "/" + LeftoverFiles.stagingName(for: "bundle", stage: "partial")
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try Data("\(generation)".utf8).write(to: URL(fileURLWithPath: staging + "/a"))
            try Data("\(generation)".utf8).write(to: URL(fileURLWithPath: staging + "/b"))
            return staging
        }
        try AtomicFolder.replace(target, with: try stage(0))
        // The writer has a thread of its own: a task would wait for a cooperative thread
        // that busy readers (this one, other tests) may all hold.
        let writer = WriterThread {
            for generation in 1...200 { try AtomicFolder.replace(target, with: try stage(generation)) }
        }
        var (reads, misses) = (0, 0)
        while !writer.isFinished {
            // The folder is there at every moment of every replacement.
            if !FileManager.default.fileExists(atPath: target + "/a") { misses += 1 }
            reads += 1
        }
        try writer.result()
        #expect(reads > 0)
        #expect(misses == 0)
        #expect(try String(contentsOfFile: target + "/a", encoding: .utf8) == "200")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["bundle"])
    }
}

/// Work on a thread of its own, with its outcome read after it ends.
final class WriterThread: Sendable {
    private let state = Mutex<(finished: Bool, error: (any Error)?)>((false, nil))

    init(_ work: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            var failure: (any Error)?
            do { try work() } catch { failure = error }
            state.withLock { $0 = (true, failure) }
        }
        thread.start()
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Rethrows the work's error once it has finished.
    func result() throws {
        if let error = state.withLock({ $0.error }) { throw error }
    }
}
