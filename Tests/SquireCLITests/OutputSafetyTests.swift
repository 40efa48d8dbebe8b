import Foundation
import Testing

/// Every command's outputs under one rule, checked before any work (so none of these needs
/// the model): never an input, never something Squire did not write unless --force.
@Suite struct OutputSafetyTests {
    /// A folder with the user's training data and notes in it.
    static func userFolder() throws -> (folder: URL, data: URL, notes: URL) {
        let folder = try CLIFixtures.scratch()
        let data = folder.appendingPathComponent("d.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let notes = folder.appendingPathComponent("notes.txt")
        try "mine".write(to: notes, atomically: true, encoding: .utf8)
        return (folder, data, notes)
    }

    static func contents(_ folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            result[name] = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return result
    }

    @Test func trainAndQuantizeNeverReplaceTheUsersData() throws {
        let (folder, data, _) = try Self.userFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try Self.contents(folder)
        let model = CLIFixtures.modelFolder
        var cases: [([String], String)] = [
            (["train", "--data", data.path, "--output", folder.path], "holds the input \(data.path)"),
            (["train", "--data", data.path, "--output", data.path], "is the input \(data.path)"),
            (["quantize", "--model", folder.path, "--bits", "8", "--output", folder.path], "is the input"),
        ]
        if CLIFixtures.hasModel {
            cases.append((["train", "--data", data.path, "--base", model, "--output", model], "is the input \(model)"))
        }
        for (arguments, message) in cases {
            let (status, output) = try runSquire(arguments + ["--force"])
            #expect(status == 2, "\(arguments): \(output)")
            #expect(output.contains(message) && output.contains("nothing was written"), "\(arguments): \(output)")
        }
        // The working directory (`--output .`) is refused even with --force.
        let (status, output) = try runSquire(["train", "--data", data.path, "--output", ".", "--force"])
        #expect(status == 2)
        #expect(output.contains(". is the working directory or holds it"), "\(output)")
        // A folder of other files: refused, and the message says how to override.
        let other = folder.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try "keep".write(to: other.appendingPathComponent("plan.md"), atomically: true, encoding: .utf8)
        let refused = try runSquire(["train", "--data", data.path, "--output", other.path])
        #expect(refused.status == 2)
        #expect(
            refused.output.contains("is not a bundle folder Squire wrote (it is a folder holding 1 item)")
                && refused.output.contains("--force"), "\(refused.output)")
        #expect(try String(contentsOf: other.appendingPathComponent("plan.md"), encoding: .utf8) == "keep")
        try FileManager.default.removeItem(at: other)
        #expect(try Self.contents(folder) == before)
    }

    @Test func fileCommandsNeverWriteOverTheirInput() throws {
        let (folder, data, notes) = try Self.userFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try Self.contents(folder)
        let frontier = folder.appendingPathComponent("teacher.json")
        try #"{"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}"#.write(
            to: frontier, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: frontier) }
        let bundle = folder.appendingPathComponent("bundle").path
        for arguments in [
            ["label", "--input", data.path, "--teacher", frontier.path, "--labels", "a,b", "--output", data.path],
            ["predict", "--model", bundle, "--input", data.path, "--output", data.path],
            ["embed", "--input", data.path, "--output", data.path],
            ["tokenize", "--input", data.path, "--output", data.path],
            ["verify", "--data", data.path, "--output", data.path, "--no-embeddings"],
        ] {
            let (status, output) = try runSquire(arguments + ["--force"])
            #expect(status == 2, "\(arguments): \(output)")
            #expect(output.contains("is the input \(data.path)"), "\(arguments): \(output)")
        }
        // Human labels are not a file `squire label` wrote; a notes file is no predictions file.
        let labelled = try runSquire([
            "label", "--input", data.path, "--teacher", frontier.path, "--labels", "a,b", "--output", notes.path,
        ])
        #expect(labelled.status == 2)
        #expect(labelled.output.contains("is not a labelled file Squire wrote"), "\(labelled.output)")
        let human = folder.appendingPathComponent("human.jsonl")
        try FileManager.default.copyItem(at: data, to: human)
        defer { try? FileManager.default.removeItem(at: human) }
        let verified = try runSquire(["verify", "--data", data.path, "--output", human.path, "--no-embeddings"])
        #expect(verified.status == 2)
        #expect(verified.output.contains("is not a dataset with its datasheet Squire wrote"), "\(verified.output)")
        let report = try runSquire([
            "eval", "--data", data.path, "--answers", data.path, "--report", notes.path,
        ])
        #expect(report.status == 2)
        #expect(report.output.contains("is not an eval report Squire wrote"), "\(report.output)")
        #expect(try Self.contents(folder).filter { !["human.jsonl", "teacher.json"].contains($0.key) } == before)
    }

    @Test func negativeNumbersReachValidation() throws {
        let (folder, data, _) = try Self.userFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try runSquire([
            "train", "--data", data.path, "--c", "-1", "--output", folder.appendingPathComponent("b").path,
        ])
        #expect(status == 2)
        #expect(output.contains("--c must be positive"), "\(output)")
        #expect(!output.contains("Missing value"))
    }
}
