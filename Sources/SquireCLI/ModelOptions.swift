import ArgumentParser
import Squire

/// The `--model` option shared by every command that runs the encoder.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The model folder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2; fetch it with Scripts/setup/fetch-model.sh)."
    )
    var model: String?

    var folder: String { model ?? ModelFolder.allMiniLML6V2 }
}

/// The `--input` and `--output` files of commands that map texts to one JSON line each.
struct TextFileOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Texts: a .txt file (one per line), a .jsonl file with a \"text\" field, or a .csv with a \"text\" column.")
    var input: String
    @Option(name: .long, help: "Where to write the JSON Lines output.")
    var output: String
    @OptionGroup var force: ForceOption

    /// `--output`, checked against `--input` and `inputs` before any work.
    func destination(_ kind: OutputKind, inputs: [String]) throws -> OutputDestination {
        try OutputDestination(output, kind: kind, inputs: [input] + inputs, force: force.force)
    }
}
