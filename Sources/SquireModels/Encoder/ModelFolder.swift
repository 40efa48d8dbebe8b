import Foundation

/// Where Squire looks for pretrained models.
public enum ModelFolder {
    /// The folder of all-MiniLM-L6-v2: `$SQUIRE_MODEL_DIR` when set, else
    /// `~/.cache/squire/models/all-MiniLM-L6-v2`, where `Scripts/setup/fetch-model.sh` puts it.
    public static var allMiniLML6V2: String {
        if let override = ProcessInfo.processInfo.environment["SQUIRE_MODEL_DIR"], !override.isEmpty {
            return override
        }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/squire/models/all-MiniLM-L6-v2"
    }

    /// Opens the model folder at `folder` as whichever kind it holds: a static model
    /// (model2vec's format: `config.json` says `model_type: model2vec`) or a
    /// sentence-transformers encoder.
    public static func embedder(at folder: String) throws -> any LocalEmbedder {
        StaticEmbedder.isModelFolder(folder) ? try StaticEmbedder(folder: folder) : try SentenceEmbedder(folder: folder)
    }
}
