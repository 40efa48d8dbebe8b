import Foundation
public import SquireCore

/// `manifest.json`: every file of a bundle with its size and SHA-256, checked on load so a
/// changed, truncated or missing file is caught before the model answers anything.
package struct BundleManifest: Codable, Hashable {
    package struct Entry: Codable, Hashable {
        package var path: String
        var bytes: Int
        package var sha256: String
    }

    var format: String
    package var files: [Entry]

    static let fileName = "manifest.json"
    static let format = "squire-bundle-manifest-1"

    /// The manifest of `paths` inside `folder`.
    package init(folder: String, paths: [String]) throws {
        format = Self.format
        files = try paths.sorted().map { path in
            let full = folder + "/" + path
            let size = (try FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? 0
            return Entry(path: path, bytes: size, sha256: try SHA256.hexDigest(ofFile: full))
        }
    }

    /// Reads `folder/manifest.json` and checks every file it lists.
    package static func verify(folder: String, requiring required: [String]) throws -> BundleManifest {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { throw BundleError.missingFile(fileName) }
        let manifest: BundleManifest
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw BundleError.invalidFile(
                file: fileName, reason: "not a bundle manifest (\(DecodingError.summary(of: error, decoding: data)))")
        }
        guard manifest.format == format else {
            throw BundleError.unsupportedFormat(file: fileName, format: manifest.format, supported: format)
        }
        let listed = Set(manifest.files.map(\.path))
        if let unlisted = required.first(where: { !listed.contains($0) }) {
            throw BundleError.invalidFile(
                file: fileName, reason: "it does not list \(unlisted), which every bundle has")
        }
        // A file the manifest does not list cannot be verified: dropping the encoder's entry
        // would otherwise let any change to it through.
        let onDisk = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        for path in onDisk.sorted() where path != fileName && !listed.contains(path) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue, !path.split(separator: "/").contains(where: { $0.hasPrefix(".") })
            else { continue }
            throw BundleError.invalidFile(
                file: fileName,
                reason:
                    "it does not list \(path), which the bundle holds, so it cannot be verified; restore the manifest or retrain"
            )
        }
        for entry in manifest.files {
            // Paths stay inside the bundle: a manifest is untrusted input.
            guard !entry.path.hasPrefix("/"), !entry.path.split(separator: "/").contains("..") else {
                throw BundleError.invalidFile(file: fileName, reason: "the path \(entry.path) leaves the bundle folder")
            }
            let full = folder + "/" + entry.path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full) else {
                throw BundleError.missingFile(entry.path)
            }
            let size = (attributes[.size] as? Int) ?? -1
            guard size == entry.bytes else {
                throw BundleError.sizeMismatch(file: entry.path, expected: entry.bytes, actual: size)
            }
            let digest = try SHA256.hexDigest(ofFile: full)
            guard digest == entry.sha256 else {
                throw BundleError.checksumMismatch(file: entry.path, expected: entry.sha256, actual: digest)
            }
        }
        return manifest
    }
}

extension OutputKind {
    /// A bundle folder: Squire writes `manifest.json` into every one.
    public static let bundle = OutputKind.folder("bundle folder", holding: BundleManifest.fileName)
}
