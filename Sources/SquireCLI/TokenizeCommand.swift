import ArgumentParser
import Squire

/// `squire tokenize`: token ids for every line of a file.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Write the token ids of every input text, in input order.",
        discussion: """
            Ids include [CLS] and [SEP] and are truncated to the model's maximum length (256 for all-MiniLM-L6-v2) unless --no-truncation is given.

            Example:
              squire tokenize --input requests.txt --output ids.jsonl
            """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var files: TextFileOptions
    @Flag(name: .long, help: "Keep every token instead of truncating to the model's maximum length.")
    var noTruncation = false

    func run() throws {
        let destination = try files.destination(.tokens, inputs: [model.folder])
        let texts = try TextLines.read(files.input)
        let tokenizer = try WordPieceTokenizer(folder: model.folder)
        let lines = texts.map {
            TokenizedText(
                text: $0, ids: tokenizer.encode($0, maximumLength: noTruncation ? nil : tokenizer.maximumLength).ids)
        }
        try destination.write { try JSONLines.write(lines, to: files.output) }
    }
}
