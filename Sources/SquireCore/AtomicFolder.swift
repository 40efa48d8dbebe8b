import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts a finished folder in place of another so that a reader of the path always finds one
/// complete folder, the old or the new, never none.
public enum AtomicFolder {
    /// Moves `staging` to `destination`, replacing what is there.
    ///
    /// On Linux the two are exchanged in one step (`renameat2` with `RENAME_EXCHANGE`), then
    /// the old folder, now at `staging`, is deleted. Where the exchange is unavailable the old
    /// folder moves aside first and is deleted last, which leaves a moment with no folder at
    /// `destination`; a crash in between leaves the old folder beside it, never half a folder.
    public static func replace(_ destination: String, with staging: String) throws {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: destination) else {
            try fileManager.moveItem(atPath: staging, toPath: destination)
            return
        }
        if let exchange, exchange(AT_FDCWD, destination, AT_FDCWD, staging, exchangeFlag) == 0 {
            try? fileManager.removeItem(atPath: staging)
            return
        }
        let name = URL(fileURLWithPath: destination).lastPathComponent
        let retired = URL(fileURLWithPath: destination).deletingLastPathComponent()
            .appendingPathComponent(LeftoverFiles.stagingName(for: name, stage: "old")).path
        try fileManager.moveItem(atPath: destination, toPath: retired)
        do {
            try fileManager.moveItem(atPath: staging, toPath: destination)
        } catch {
            try? fileManager.moveItem(atPath: retired, toPath: destination)
            throw error
        }
        try? fileManager.removeItem(atPath: retired)
    }

    private typealias Exchange =
        @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2`, looked up at run time: Swift's Glibc module does not declare it.
    private static let exchange: Exchange? = {
        #if os(Linux)
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
            return unsafeBitCast(symbol, to: Exchange.self)
        #else
            return nil
        #endif
    }()

    /// `RENAME_EXCHANGE` from <linux/fs.h>.
    private static let exchangeFlag: UInt32 = 1 << 1
}
