import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A path a result may be written to, checked before any work starts. One rule for every
/// output Squire writes:
///
/// - it is never one of the inputs (the same file by any name, symbolic or hard link), and a
///   folder output never holds an input, the working directory or the root;
/// - what already sits there is replaced only when it is empty or an earlier output of the
///   same ``OutputKind`` — a bundle Squire wrote, a predictions file Squire wrote — unless
///   `force` is set; even then, never an input.
///
/// Checking first means a mistake costs nothing: no minutes of embedding before the error,
/// and nothing of the user's is touched.
public struct OutputDestination: Sendable {
    /// The output's path, as given.
    public let path: String
    /// What is written there.
    public let kind: OutputKind
    /// True when something that is not an earlier output of ``kind`` sits at ``path`` and is
    /// to be replaced (the caller forced it).
    public let replacesForeignItem: Bool

    /// Checks that `path` may receive an output of `kind`.
    ///
    /// - Parameters:
    ///   - inputs: every file or folder the work reads; paths that do not exist are ignored.
    ///   - force: replace whatever is at `path` even if it is not an earlier output of `kind`.
    /// - Throws: ``OutputError`` naming what would have been lost.
    public init(_ path: String, kind: OutputKind, inputs: [String], force: Bool = false) throws {
        self.path = path
        self.kind = kind
        let output = Self.resolved(path)
        for input in inputs {
            guard let inputIdentity = Self.identity(input) else { continue }
            if Self.identity(path) == inputIdentity { throw OutputError.isAnInput(output: path, input: input) }
            if Self.isInside(Self.resolved(input), output) {
                throw OutputError.holdsAnInput(output: path, input: input)
            }
        }
        let workingDirectory = Self.resolved(FileManager.default.currentDirectoryPath)
        if output == "/" || output == workingDirectory || Self.isInside(workingDirectory, output) {
            throw OutputError.holdsWorkingDirectory(output: path)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            replacesForeignItem = false
            return
        }
        let found: String
        if isDirectory.boolValue {
            let count = (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? 0
            if kind.isFolder, count == 0 || kind.recognizes(path) {
                replacesForeignItem = false
                return
            }
            found = count == 1 ? "a folder holding 1 item" : "a folder holding \(count) items"
        } else {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if !kind.isFolder, size == 0 || kind.recognizes(path) {
                replacesForeignItem = false
                return
            }
            found = "a file of \(size) bytes"
        }
        guard force else { throw OutputError.occupied(output: path, kind: kind.name, found: found) }
        replacesForeignItem = true
    }

    /// Runs `write`, which writes the output at ``path``. When a foreign item is to be
    /// replaced, it is moved aside first and deleted only once `write` returns; if `write`
    /// throws, it is put back. Earlier outputs are left for `write` to replace atomically.
    public func write<T>(_ write: () throws -> T) throws -> T {
        guard replacesForeignItem else { return try write() }
        let aside = try moveAside()
        do {
            let result = try write()
            try? FileManager.default.removeItem(atPath: aside)
            return result
        } catch {
            putBack(aside)
            throw error
        }
    }

    /// ``write(_:)`` for asynchronous work.
    public func writeAsynchronously<T>(_ write: () async throws -> T) async throws -> T {
        guard replacesForeignItem else { return try await write() }
        let aside = try moveAside()
        do {
            let result = try await write()
            try? FileManager.default.removeItem(atPath: aside)
            return result
        } catch {
            putBack(aside)
            throw error
        }
    }

    private func moveAside() throws -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let aside = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).replaced-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.moveItem(atPath: url.path, toPath: aside)
        return aside
    }

    private func putBack(_ aside: String) {
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: target) { try? FileManager.default.removeItem(atPath: target) }
        try? FileManager.default.moveItem(atPath: aside, toPath: target)
    }

    /// The device and inode of what `path` names (through symbolic links), nil when absent.
    private static func identity(_ path: String) -> [UInt64]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }

    /// The absolute path with symbolic links resolved as far as the path exists.
    static func resolved(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if let real = realpath(url.path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = url.deletingLastPathComponent().path
        guard parent != url.path else { return url.path }
        return (resolved(parent) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    private static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" ? path != "/" : path.hasPrefix(folder + "/")
    }
}

/// An output was refused before any work started; nothing was written or removed.
public enum OutputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The output is one of the inputs.
    case isAnInput(output: String, input: String)
    /// The output is a folder that holds one of the inputs; replacing it would remove them.
    case holdsAnInput(output: String, input: String)
    /// The output is the working directory, one of its parents, or the root.
    case holdsWorkingDirectory(output: String)
    /// Something that is not an earlier output of this kind is there.
    case occupied(output: String, kind: String, found: String)

    public var description: String {
        switch self {
        case .isAnInput(let output, let input):
            "\(output) is the input \(input); nothing was written. Write the output elsewhere"
        case .holdsAnInput(let output, let input):
            "\(output) holds the input \(input), which replacing it would remove; nothing was written. Write the output elsewhere"
        case .holdsWorkingDirectory(let output):
            "\(output) is the working directory or holds it; nothing was written. Name a new folder"
        case .occupied(let output, let kind, let found):
            "\(output) exists and is not \("aeiou".contains(kind.prefix(1)) ? "an" : "a") \(kind) Squire wrote (it is \(found)); nothing was written. Choose another path, or pass --force to replace it"
        }
    }
}
