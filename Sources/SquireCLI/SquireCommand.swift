import ArgumentParser
import Foundation
import Squire

/// The `squire` command: one subcommand per file.
@main
struct SquireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "squire",
        abstract: "Train, evaluate, gate and watch a small model that stands in for a frontier model.",
        discussion: """
            Exit codes: 0 success, 1 a check failed (a gate said do not ship), 2 a usage or input error.
            """,
        version: SquireVersion.current,
        subcommands: [
            DemoCommand.self, DoctorCommand.self, TrainCommand.self, LabelCommand.self, SynthesizeCommand.self,
            VerifyCommand.self, DistillCommand.self, QuantizeCommand.self, PredictCommand.self, EmbedCommand.self,
            TokenizeCommand.self, BenchCommand.self, EvalCommand.self, GateCommand.self, CompareCommand.self,
            ProfileCommand.self, DriftCommand.self, RouteCommand.self, VersionsCommand.self,
        ]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (64) to Squire's documented 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            switch exitCode(for: error) {
            case .validationFailure:
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode(2))
            case .failure where !(error is ExitCode):
                // Squire's own typed errors (a bad file, a missing model) are input errors: 2.
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                exit(withError: ExitCode(2))
            default:
                exit(withError: error)
            }
        }
    }
}
