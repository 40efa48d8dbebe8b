import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The temporary files and folders an interrupted write leaves beside its destination, and
/// their removal by the next write there.
///
/// Every staging name is `.<name>.<stage>-<pid>-<unique>`: the process id says whether its
/// writer still runs, so a write never removes another live writer's work. Names written
/// before the process id was part of them are removed once they are an hour old.
/// `.<name>.replaced-…` items are never removed: they hold what a forced write was replacing
/// when it was interrupted, which may be the user's own data.
public enum LeftoverFiles {
    /// The stages a staging name can carry.
    static let stages = ["tmp", "partial", "old"]

    /// A staging name for `name`'s `stage` in this process.
    public static func stagingName(for name: String, stage: String) -> String {
        ".\(name).\(stage)-\(getpid())-\(UUID().uuidString)"
    }

    /// Removes the leftovers of interrupted writes to `path` whose writer is gone.
    /// Failures are ignored: cleaning up is a courtesy, never a reason for a write to fail.
    public static func removeStale(beside path: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), stages.contains(String(rest[..<dash])) else { continue }
            let tail = rest[rest.index(after: dash)...]
            let item = folder + "/" + name
            let parts = tail.split(separator: "-", maxSplits: 1)
            if parts.count == 2, let pid = Int32(parts[0]) {
                if isRunning(pid) { continue }
            } else if !isOlderThanAnHour(item) {
                continue
            }
            try? FileManager.default.removeItem(atPath: item)
        }
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    private static func isOlderThanAnHour(_ path: String) -> Bool {
        guard let modified = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        else { return false }
        return modified.timeIntervalSinceNow < -3600
    }
}
