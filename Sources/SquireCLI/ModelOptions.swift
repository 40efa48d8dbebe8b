import ArgumentParser
import SquireModels

/// The `--model` option shared by every command that runs the encoder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "The model folder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2; fetch it with Scripts/fetch-model.sh).")
    var model: String?

    var folder: String { model ?? ModelFolder.allMiniLML6V2 }
}
