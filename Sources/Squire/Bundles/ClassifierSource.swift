import Foundation
public import SquireCore
public import SquireEval
import SquireFrontier
import SquireModels

/// A classifier named by a path, as the CLI's `--teacher`, `--verifier` and `--model` take
/// one: a bundle folder (any kind, see ``ModelBundle``) or a frontier model file (`.json`,
/// see `FrontierModelFile`), opened with the runner that suits it.
public struct ClassifierSource: Sendable {
    /// Why a path names no classifier that can be opened.
    public enum OpeningError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The path is neither a folder nor a `.json` file.
        case notAModel(path: String)
        /// The path is a frontier model file, and no labels were given for it to answer from.
        case labelsNeeded(path: String)

        public var description: String {
            switch self {
            case .notAModel(let path): "\(path) is neither a bundle folder nor a frontier model file (.json)"
            case .labelsNeeded(let path): "the frontier model \(path) needs the label set to answer from"
            }
        }
    }

    /// The classifier, ready to answer.
    public var classifier: any TextClassifier
    /// Texts per call and calls in flight that suit it: one call of 32 at a time for a local
    /// model, which already uses every core; single texts, many in flight, for a frontier model.
    public var runner: EvalRunner
    /// What the classifier is, independent of where its files sit: "bundle 3f2a9c…" (the
    /// bundle's version), or "openai gpt-4o-mini over 12 labels (…)" for a frontier model,
    /// with a digest of its label set. A labelling journal records it, so a resumed run
    /// cannot switch teachers.
    public var identity: String

    /// Opens the classifier at `path`.
    ///
    /// - Parameters:
    ///   - labels: the label set a frontier model answers from (a bundle knows its own).
    ///   - maximumConcurrency: calls in flight for a frontier model, in place of the model
    ///     file's `maximum_concurrency` (which would otherwise cap it); ignored for a bundle.
    /// - Throws: ``OpeningError`` for a path that is neither a folder nor a `.json` file, or
    ///   a frontier model without labels; the bundle's or model file's own errors.
    public static func open(_ path: String, labels: [String]?, maximumConcurrency: Int? = nil) throws
        -> ClassifierSource
    {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let bundle = try ModelBundle(folder: path)
            return ClassifierSource(
                classifier: bundle, runner: EvalRunner(batchSize: 32, maximumConcurrency: 1),
                identity: "bundle \(bundle.version)")
        }
        guard path.hasSuffix(".json") else {
            throw OpeningError.notAModel(path: path)
        }
        guard let labels, !labels.isEmpty else {
            throw OpeningError.labelsNeeded(path: path)
        }
        var file = try FrontierModelFile(contentsOf: URL(fileURLWithPath: path))
        if let maximumConcurrency { file.maximumConcurrency = maximumConcurrency }
        return ClassifierSource(
            classifier: try file.classifier(labels: labels),
            runner: EvalRunner(batchSize: 1, maximumConcurrency: file.maximumConcurrency ?? 8),
            // Not the URL: a proxy's port may change between runs; the model and labels may not.
            identity:
                "\(file.provider.rawValue) \(file.model) over \(labels.count) labels (\(SHA256.hexDigest(of: Array(labels.joined(separator: "\n").utf8)).prefix(12)))"
        )
    }
}
