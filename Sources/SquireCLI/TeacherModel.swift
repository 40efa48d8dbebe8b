import ArgumentParser
import Foundation
import Squire

/// A model named on the command line as a bundle folder or a frontier model file (.json),
/// opened as a classifier: the teacher of `squire label`, the verifier of `squire verify`.
enum TeacherModel {
    /// The classifier, texts per call and calls in flight that suit it, and what it is (see
    /// `ClassifierSource.identity`); errors name `option`.
    static func open(_ path: String, labels: [String]?, option: String, concurrency: Int? = nil) throws -> (
        classifier: any TextClassifier, batchSize: Int, concurrency: Int, identity: String
    ) {
        do {
            let source = try ClassifierSource.open(path, labels: labels, maximumConcurrency: concurrency)
            return (source.classifier, source.runner.batchSize, source.runner.maximumConcurrency, source.identity)
        } catch ClassifierSource.OpeningError.notAModel(let path) {
            throw ValidationError(
                "\(option) takes a bundle folder or a frontier model file (.json); \(path) is neither")
        } catch ClassifierSource.OpeningError.labelsNeeded {
            throw ValidationError(
                "a frontier model needs the label set: pass --labels a,b,c or --labels-from a labelled file")
        }
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
