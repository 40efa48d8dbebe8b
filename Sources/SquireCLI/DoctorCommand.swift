import ArgumentParser
import Foundation
import Squire

/// `squire doctor`: what this machine gives Squire to run on.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Show the Swift toolchain, the BLAS library actually loaded and its threads.",
        discussion: """
            Warns, with the command that fixes it, when the slow Netlib reference BLAS is the one loaded.

            Example:
              squire doctor
              squire doctor --json
            """
    )

    @Flag(name: .long, help: "Print the findings as one JSON object.")
    var json = false

    func run() throws {
        let report = EnvironmentReport.gather()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
