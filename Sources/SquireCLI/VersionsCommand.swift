import ArgumentParser
import Foundation
import Squire

/// `squire versions`: a model's versions on disk, the live one, promotion and rollback.
struct VersionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Store bundles as versions, promote one to live, roll back, and show the history.",
        discussion: """
            --root is the store: versions/<version>/ (one bundle each), live.json (the live version, replaced atomically) and history.jsonl (every addition, promotion and rollback). With no action, lists the versions and the live one. --add copies a bundle in (after verifying it) and prints its version; --promote makes a stored version live (after verifying it); --rollback returns to the version live before. A process that serves the store reads live.json when it starts.

            Examples:
              squire versions --root router-versions --add intent-bundle
              squire versions --root router-versions --promote 3f2a9c1d0b7e --reason "passed the gate"
              squire versions --root router-versions --rollback --reason "accuracy dropped"
            """)

    @Option(name: .long, help: "The version store's folder.")
    var root: String
    @Option(name: .long, help: "A bundle folder to store as a new version.")
    var add: String?
    @Option(name: .long, help: "A stored version to make live.")
    var promote: String?
    @Flag(name: .long, help: "Make the version live before the current one live again.")
    var rollback = false
    @Option(name: .long, help: "Why, for the history.")
    var reason = "manual"
    @Flag(name: .long, help: "Print the store's state as JSON.")
    var json = false

    func validate() throws {
        guard [add != nil, promote != nil, rollback].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --add, --promote and --rollback")
        }
    }

    func run() throws {
        let store = try ModelVersions(root: root)
        if let add {
            print(try store.add(bundleAt: add, reason: reason))
            return
        }
        if let promote { try store.promote(promote, reason: reason) }
        if rollback { try store.rollBack(reason: reason) }
        let live = try store.live()
        if json {
            try JSONOutput.print(State(versions: store.versions, live: live?.version, previous: live?.previous))
            return
        }
        for version in store.versions {
            print("\(version == live?.version ? "*" : " ") \(version)\(version == live?.previous ? " (previous)" : "")")
        }
    }

    /// What `--json` prints.
    struct State: Encodable {
        var versions: [String]
        var live: String?
        var previous: String?
    }
}
