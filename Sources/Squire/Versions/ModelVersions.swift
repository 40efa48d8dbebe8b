public import Foundation
import SquireCore
public import SquireEval

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One model's versions on disk, and which one is live:
///
/// ```
/// root/
///   versions/<version>/   one bundle per version, as Squire writes them
///   live.json             the live version and the one before it, replaced atomically
///   history.jsonl         every addition, promotion and rollback: version, when, why, gate verdict
/// ```
///
/// The pointer is the truth: it is written to a temporary file, flushed to disk and renamed
/// over the old one, so a process killed at any moment leaves the old pointer or the new one,
/// never neither. The history is appended after the pointer moves; opening the store
/// notices a history that stops short of the pointer and records what the pointer says. A
/// version is opened and verified (every file against its manifest) before the pointer moves
/// to it, so a damaged bundle is refused and the pointer stays where it was.
public struct ModelVersions: Sendable {
    /// What `live.json` holds.
    public struct Pointer: Sendable, Hashable, Codable {
        /// The live version.
        public var version: String
        /// The version live before it, the one a rollback returns to.
        public var previous: String?
        /// When it became live.
        public var since: Date

        /// Creates a pointer.
        public init(version: String, previous: String?, since: Date) {
            self.version = version
            self.previous = previous
            self.since = since
        }

        private enum CodingKeys: String, CodingKey { case version, previous, since }
    }

    /// The store's folder.
    public let root: String

    /// Opens the store at `root`, creating its folders when they are not there, and completes
    /// a history that stops short of the live pointer.
    ///
    /// - Throws: ``ModelVersionsError/damagedPointer(path:reason:)`` for an unreadable
    ///   pointer; file errors when the folders cannot be created.
    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: versionsFolder, withIntermediateDirectories: true)
        try locked {
            // A damaged history does not stop the store from serving what the pointer says.
            if let pointer = try live(), (try? lastLiveInHistory()) != pointer.version {
                try append(
                    VersionEvent(
                        action: .recovered, version: pointer.version, previous: pointer.previous, date: pointer.since,
                        reason: "the live pointer says \(pointer.version); the history stopped before recording it"))
            }
        }
    }

    var versionsFolder: String { root + "/versions" }
    var pointerPath: String { root + "/live.json" }
    var historyPath: String { root + "/history.jsonl" }

    /// The folder of `version`.
    public func folder(of version: String) -> String { versionsFolder + "/" + version }

    /// The stored versions, sorted by name.
    public var versions: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versionsFolder)) ?? []
        // Staging folders of saves in progress start with a dot.
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Stores `trained` as a new version (its weights' version) and returns that version; a
    /// version already stored is left as it is.
    @discardableResult
    public func add(_ trained: TrainedClassifier, reason: String = "trained") throws -> String {
        let version = trained.version
        return try locked {
            guard !versions.contains(version) else { return version }
            try trained.save(to: folder(of: version))
            try append(VersionEvent(action: .added, version: version, reason: reason))
            return version
        }
    }

    /// Copies the bundle at `bundleFolder` in as a new version, after verifying it opens,
    /// and returns its version; a version already stored is left as it is.
    ///
    /// - Throws: `BundleError` for a bundle that does not open; nothing is copied.
    @discardableResult
    public func add(bundleAt bundleFolder: String, reason: String = "added") throws -> String {
        let version = try ModelBundle(folder: bundleFolder).version
        return try locked { try copy(bundleFolder, as: version, reason: reason) }
    }

    private func copy(_ bundleFolder: String, as version: String, reason: String) throws -> String {
        guard !versions.contains(version) else { return version }
        let staging = versionsFolder + "/.\(version).partial-\(UUID().uuidString)"
        do {
            try FileManager.default.copyItem(atPath: bundleFolder, toPath: staging)
            try FileManager.default.moveItem(atPath: staging, toPath: folder(of: version))
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        try append(VersionEvent(action: .added, version: version, reason: reason))
        return version
    }

    /// The live pointer, or nil before the first promotion.
    public func live() throws -> Pointer? {
        guard let data = FileManager.default.contents(atPath: pointerPath) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Pointer.self, from: data)
        } catch {
            throw ModelVersionsError.damagedPointer(path: pointerPath, reason: "not a live pointer")
        }
    }

    /// Opens the live version.
    ///
    /// - Throws: ``ModelVersionsError/nothingLive`` before the first promotion; `BundleError`
    ///   for a damaged bundle.
    public func openLive() throws -> ModelBundle {
        guard let pointer = try live() else { throw ModelVersionsError.nothingLive }
        return try ModelBundle(folder: folder(of: pointer.version))
    }

    /// Makes `version` the live one and returns it opened, after verifying it; the version
    /// live before becomes the rollback target.
    ///
    /// - Parameters:
    ///   - reason: why, for the history.
    ///   - gate: the ship gate's verdict that allowed it, for the history.
    /// - Throws: ``ModelVersionsError/unknownVersion(_:known:)``; `BundleError` for a damaged
    ///   bundle. Either way the pointer does not move.
    @discardableResult
    public func promote(_ version: String, reason: String, gate: GateResult? = nil) throws -> ModelBundle {
        guard versions.contains(version) else { throw ModelVersionsError.unknownVersion(version, known: versions) }
        let bundle = try ModelBundle(folder: folder(of: version))
        return try locked {
            let current = try live()
            if current?.version == version { return bundle }
            try write(Pointer(version: version, previous: current?.version, since: Date()))
            try append(
                VersionEvent(
                    action: .promoted, version: version, previous: current?.version, reason: reason, gate: gate))
            return bundle
        }
    }

    /// Moves the pointer back to the version live before the current one, and returns it opened.
    ///
    /// - Throws: ``ModelVersionsError/nothingLive``, ``ModelVersionsError/nothingToRollBackTo(live:)``;
    ///   `BundleError` when that version's bundle is damaged. The pointer does not move then.
    @discardableResult
    public func rollBack(reason: String) throws -> ModelBundle {
        try locked {
            guard let current = try live() else { throw ModelVersionsError.nothingLive }
            guard let target = current.previous else {
                throw ModelVersionsError.nothingToRollBackTo(live: current.version)
            }
            let bundle = try ModelBundle(folder: folder(of: target))
            // The target's own predecessor, so that a second rollback goes back one more step.
            let before = (try? history())?.last {
                ($0.action == .promoted || $0.action == .recovered) && $0.version == target
            }?.previous
            try write(Pointer(version: target, previous: before, since: Date()))
            try append(VersionEvent(action: .rolledBack, version: target, previous: current.version, reason: reason))
            return bundle
        }
    }

    /// Every event, oldest first. A last line cut short by a crash is skipped.
    ///
    /// - Throws: ``ModelVersionsError/damagedHistory(path:line:)`` for a damaged line before the last.
    public func history() throws -> [VersionEvent] {
        guard let data = FileManager.default.contents(atPath: historyPath) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let lines = data.split(separator: UInt8(ascii: "\n"))
        return try lines.enumerated().compactMap { index, line in
            do {
                return try decoder.decode(VersionEvent.self, from: Data(line))
            } catch  where index == lines.count - 1 {
                return nil
            } catch {
                throw ModelVersionsError.damagedHistory(path: historyPath, line: index + 1)
            }
        }
    }

    /// The version the history says is live, if any.
    private func lastLiveInHistory() throws -> String? {
        try history().last { $0.action != .added }?.version
    }

    /// Runs `body` holding an exclusive lock on `root/.lock`, so that two processes (an agent
    /// and `squire versions` from cron) never interleave a pointer move or a history line.
    private func locked<T>(_ body: () throws -> T) throws -> T {
        let descriptor = open(root + "/.lock", O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Replaces the pointer atomically and flushes the folder, so the rename itself survives
    /// a power cut.
    private func write(_ pointer: Pointer) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFile.write(Array(try encoder.encode(pointer)), to: pointerPath)
        let folder = open(root, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Appends one event as a line and flushes it.
    private func append(_ event: VersionEvent) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        var line = try encoder.encode(event)
        line.append(UInt8(ascii: "\n"))
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil)
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: historyPath))
        defer { try? handle.close() }
        // A last line without its newline was either cut short by a crash (dropped: it would
        // otherwise swallow this one) or whole (ended, and kept).
        let contents = try handle.readToEnd() ?? Data()
        if let last = contents.last, last != UInt8(ascii: "\n") {
            let start = contents.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            if (try? decoder.decode(VersionEvent.self, from: Data(contents[start...]))) != nil {
                try handle.seekToEnd()
                try handle.write(contentsOf: Data([UInt8(ascii: "\n")]))
            } else {
                try handle.truncate(atOffset: UInt64(start))
            }
        }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }
}
