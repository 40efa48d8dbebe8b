// libFuzzer target: `BundleManifest.verify(folder:requiring:)`, which reads a bundle's
// manifest.json and checks every file it lists (size and SHA-256) before anything else of
// the bundle is trusted — the first thing read from a bundle someone else made. It runs
// against a folder holding the four files every bundle has (fixed contents; the seeds list
// them with their real sizes and digests). What must hold, besides never crashing: a
// manifest is accepted or refused with BundleError, or SafetensorsError when a listed path
// is not a readable regular file (files are hashed through the checkpoint reader's
// mapping); an accepted manifest lists every required file and no path that leaves the
// folder; and it encodes to JSON that reads back as the same manifest. Built and run by
// Scripts/fuzz/fuzz.sh.
import Foundation
import SquireModels

/// The folder with a bundle's required files, written once.
private let folder: String = {
    let folder = ScratchFolder.path + "/manifest"
    let files = [
        "config.json": #"{"format": "squire-classifier-bundle-1"}"#, "labels.json": #"["billing", "refund"]"#,
        "head.safetensors": "not really weights", "MODEL_CARD.md": "# Model card: fuzz\n",
    ]
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, contents) in files { try Data(contents.utf8).write(to: URL(fileURLWithPath: folder + "/" + name)) }
    } catch {
        fatalError("cannot write the manifest fixture: \(error)")
    }
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundleManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = folder
    ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "manifest/manifest.json")
    let manifest: BundleManifest
    do {
        manifest = try BundleManifest.verify(folder: folder, requiring: ClassifierBundle.requiredFiles)
    } catch is BundleError, is SafetensorsError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    let paths = Set(manifest.files.map(\.path))
    if let missing = ClassifierBundle.requiredFiles.first(where: { !paths.contains($0) }) {
        fatalError("accepted a manifest without \(missing)")
    }
    // Resolved lexically, the way a later open would walk it (the fixture has no symbolic links).
    let inside = URL(fileURLWithPath: folder).standardized.path
    if let outside = paths.first(where: {
        let resolved = URL(fileURLWithPath: folder + "/" + $0).standardized.path
        return resolved != inside && !resolved.hasPrefix(inside + "/")
    }) {
        fatalError("accepted the path \(outside), which leaves the bundle")
    }
    do {
        let reread = try JSONDecoder().decode(BundleManifest.self, from: try JSONEncoder().encode(manifest))
        if reread != manifest { fatalError("the manifest changed on rereading: \(manifest) became \(reread)") }
    } catch {
        fatalError("the manifest's own JSON cannot be read back: \(error)")
    }
    return 0
}
