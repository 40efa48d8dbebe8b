// A folder for the parsers that read only from a path (a fuzz input must reach them as a
// file). Every input is written to the same few names, so a run of millions of inputs takes
// a few kilobytes; the folder is named after the process, so parallel runs and libFuzzer's
// merge children never share it, and it is removed when the process exits.
import Foundation
import Glibc

enum ScratchFolder {
    /// The folder, created on first use: in memory (/dev/shm) where there is such a place,
    /// because on ext4 truncating a file forces its previous contents to disk, which made
    /// rewriting the input cost milliseconds, far more than parsing it.
    static let path: String = {
        let base =
            access("/dev/shm", W_OK) == 0 ? "/dev/shm" : FileManager.default.temporaryDirectory.path
        let path = base + "/squire-fuzz-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the scratch folder \(path): \(error)")
        }
        atexit { try? FileManager.default.removeItem(atPath: ScratchFolder.path) }
        return path
    }()

    /// Writes `bytes` as the file `name` (replacing it) and returns its path.
    ///
    /// With plain POSIX calls: Foundation's `Data.write(to:)` syncs every file to disk.
    @discardableResult
    static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> String {
        let file = path + "/" + name
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { fatalError("cannot write the scratch file \(file): errno \(errno)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            guard count > 0 else { fatalError("cannot write the scratch file \(file): errno \(errno)") }
            written += count
        }
        return file
    }

    /// Removes the file `name` if it exists and returns its path, for inputs that leave out an optional file.
    @discardableResult
    static func remove(_ name: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.removeItem(atPath: file)
        return file
    }
}
