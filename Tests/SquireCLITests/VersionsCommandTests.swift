import Foundation
import Squire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `squire versions`, and a promotion killed with SIGKILL at many moments: the store always
/// serves the old version or the new one, whole, and its history ends with what it serves.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct VersionsCommandTests {
    @Test func aPromotionKilledAtAnyMomentLeavesOneWholeVersionLive() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let root = folder.appendingPathComponent("store").path
        var versions: [String] = []
        for c in ["1", "10"] {
            let bundle = folder.appendingPathComponent("bundle-\(c)").path
            var (status, output) = try runSquire(["train", "--data", data.path, "--output", bundle, "--c", c])
            #expect(status == 0, "\(output)")
            (status, output) = try runSquire(["versions", "--root", root, "--add", bundle])
            #expect(status == 0, "\(output)")
            versions.append(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(Set(versions).count == 2)
        var (status, output) = try runSquire(["versions", "--root", root, "--promote", versions[0]])
        #expect(status == 0, "\(output)")

        // Kill promotions at moments spread over their run (opening and verifying the bundle,
        // writing the pointer, appending the history).
        var outcomes: Set<String> = []
        // The last round is not killed: it finishes, however slow the machine.
        for (round, delay) in [0, 5, 20, 50, 100, 200, 300, 400, 500, 600, 700, 800, 1000, nil].enumerated() {
            let live = try #require(try ModelVersions(root: root).live()).version
            let target = try #require(versions.first { $0 != live })
            let process = Process()
            process.executableURL = squireBinary()
            process.arguments = ["versions", "--root", root, "--promote", target, "--reason", "round \(round)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if let delay {
                usleep(useconds_t(delay * 1000))
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()

            // A restart: the store opens, completes its history, and serves one whole version.
            let store = try ModelVersions(root: root)
            let pointer = try #require(try store.live())
            #expect([live, target].contains(pointer.version))
            #expect(try store.openLive().version == pointer.version)
            #expect(try store.history().last { $0.action != .added }?.version == pointer.version)
            outcomes.insert(pointer.version == target ? "moved" : "stayed")
        }
        // The early kills stop it before the pointer moves; the last round finishes.
        #expect(outcomes == ["moved", "stayed"])

        let before = try #require(try ModelVersions(root: root).live())
        (status, output) = try runSquire(["versions", "--root", root, "--rollback", "--reason", "operator"])
        if let previous = before.previous {
            #expect(status == 0, "\(output)")
            #expect(try ModelVersions(root: root).live()?.version == previous)
        } else {
            #expect(status != 0 && output.contains("nothing to roll back to"), "\(output)")
        }
    }
}
