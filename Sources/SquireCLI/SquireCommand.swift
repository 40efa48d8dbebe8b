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
            Exit codes: 0 success, 1 a check failed (a gate said do not ship), 2 a usage or input error, 3 a model that could not be reached or used (a frontier server down or refusing every request).
            """,
        version: SquireVersion.current,
        subcommands: [
            DemoCommand.self, DoctorCommand.self, TrainCommand.self, LabelCommand.self, SynthesizeCommand.self,
            VerifyCommand.self, DistillCommand.self, DistillStaticCommand.self, QuantizeCommand.self,
            PredictCommand.self, EmbedCommand.self,
            TokenizeCommand.self, BenchCommand.self, EvalCommand.self, GateCommand.self, CompareCommand.self,
            ProfileCommand.self, DriftCommand.self, RouteCommand.self, VersionsCommand.self,
        ]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (64) to Squire's documented 2.
    static func main() async {
        do {
            var command = try parseAsRoot(joiningNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
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
            case .failure where isOutage(error):
                // Not the user's input: the same command may work later, so scripts can retry on 3.
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                exit(withError: ExitCode(3))
            case .failure where !(error is ExitCode):
                // Squire's own typed errors (a bad file, a missing model) are input errors: 2.
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                exit(withError: ExitCode(2))
            default:
                exit(withError: error)
            }
        }
    }

    /// A model that could not be reached or used: a server down, timing out, or refusing
    /// every request (`ModelError.unavailable`, `.timedOut`).
    static func isOutage(_ error: any Error) -> Bool {
        switch error {
        case ModelError.unavailable, ModelError.timedOut: true
        default: false
        }
    }

    /// `--c -1` as `--c=-1`: the argument parser takes a value starting with a dash for an
    /// option and says "Missing value for '--c <c>'", where the user needs to hear that C
    /// must be positive.
    static func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.endIndex,
                arguments[index + 1].hasPrefix("-"), Double(arguments[index + 1]) != nil
            {
                joined.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                joined.append(argument)
                index += 1
            }
        }
        return joined
    }
}
