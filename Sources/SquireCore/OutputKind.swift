import Foundation

/// What a command writes, and how to tell an earlier output of the same kind from anything
/// else that may sit at the destination: the rule behind ``OutputDestination``, which only
/// replaces what Squire itself wrote there before.
///
/// Recognition reads a file's beginning (or a folder's listing), never a whole large file.
public struct OutputKind: Sendable {
    /// What the output is, in words ("predictions file", "bundle folder").
    public var name: String
    /// True when the output is a folder rather than a file.
    public var isFolder: Bool
    /// Whether the existing item at a path is an earlier output of this kind.
    public var recognizes: @Sendable (_ path: String) -> Bool

    /// Creates a kind from its name and its recognizer.
    public init(_ name: String, isFolder: Bool = false, recognizes: @escaping @Sendable (_ path: String) -> Bool) {
        self.name = name
        self.isFolder = isFolder
        self.recognizes = recognizes
    }

    /// A JSON Lines file whose first line is an object holding every key in `keys`: what
    /// Squire writes always carries them, a user's own data rarely does.
    public static func jsonLines(_ name: String, keys: Set<String>) -> OutputKind {
        OutputKind(name) { path in
            guard let line = firstLine(of: path),
                let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            else { return false }
            return keys.isSubset(of: object.keys)
        }
    }

    /// A JSON file that decodes as `type`, the value Squire wrote there.
    public static func json<T: Decodable & Sendable>(_ name: String, _ type: T.Type) -> OutputKind {
        OutputKind(name) { path in
            guard let data = FileManager.default.contents(atPath: path) else { return false }
            return (try? JSONDecoder().decode(T.self, from: data)) != nil
        }
    }

    /// A text file whose first kilobyte holds `marker`, the mark Squire writes into it (an
    /// HTML `generator` meta tag, a Markdown comment).
    public static func text(_ name: String, marker: String) -> OutputKind {
        OutputKind(name) { path in
            guard let handle = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: 1024)) ?? Data()
            return String(decoding: head, as: UTF8.self).contains(marker)
        }
    }

    /// A folder that holds `file`, which Squire writes into every folder of this kind.
    public static func folder(_ name: String, holding file: String) -> OutputKind {
        OutputKind(name, isFolder: true) { path in
            FileManager.default.fileExists(atPath: path + "/" + file)
        }
    }

    /// The first line of a file, reading at most 1 MiB.
    private static func firstLine(of path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 1 << 20) else { return nil }
        return Array(head.prefix { $0 != UInt8(ascii: "\n") })
    }
}
