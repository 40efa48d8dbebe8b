import ArgumentParser
import Foundation
import Squire

/// A model named on the command line as a bundle folder or a frontier model file (.json),
/// opened as a classifier: the teacher of `squire label`, the verifier of `squire verify`.
enum TeacherModel {
    /// The classifier, texts per call and calls in flight that suit it.
    static func open(_ path: String, labels: [String]?, option: String) throws -> (
        classifier: any TextClassifier, batchSize: Int, concurrency: Int
    ) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            // The encoder already uses every core; parallel calls would only contend.
            return (try ModelBundle(folder: path).classifier, 32, 1)
        }
        guard path.hasSuffix(".json") else {
            throw ValidationError(
                "\(option) takes a bundle folder or a frontier model file (.json); \(path) is neither")
        }
        guard let labels, !labels.isEmpty else {
            throw ValidationError(
                "a frontier model needs the label set: pass --labels a,b,c or --labels-from a labelled file")
        }
        let file = try FrontierModelFile(contentsOf: URL(fileURLWithPath: path))
        return (try file.classifier(labels: labels), 1, file.maximumConcurrency ?? 8)
    }

    /// `--labels a,b,c`, or the distinct labels of `--labels-from`.
    static func labels(_ list: String?, from file: String?) throws -> [String]? {
        if let list {
            return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let file { return try Dataset(contentsOf: URL(fileURLWithPath: file)).labels }
        return nil
    }
}
