import Foundation
import Testing

/// `squire profile` and `squire drift` end to end, including a kill between windows.
@Suite final class DriftCommandTests {
    let folder: URL

    deinit { try? FileManager.default.removeItem(at: folder) }
    static let labels = ["billing", "card", "refund"]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-drift-cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var data = ""
        var answers = ""
        for i in 0..<400 {
            let label = Self.labels[i % 3]
            let answer = i % 10 == 0 ? Self.labels[(i + 1) % 3] : label
            data += "{\"id\": \"\(i)\", \"text\": \"request number \(i)\", \"label\": \"\(label)\"}\n"
            answers += "{\"id\": \"\(i)\", \"label\": \"\(answer)\", \"confidence\": \(0.85 + Double(i % 7) / 50)}\n"
        }
        try data.write(to: url("validation.jsonl"), atomically: true, encoding: .utf8)
        try answers.write(to: url("answers.jsonl"), atomically: true, encoding: .utf8)
    }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
    func path(_ name: String) -> String { url(name).path }

    /// `windows` windows of 100 predictions; from `shiftFrom` on, mostly refunds with long texts and low confidence.
    func writeTraffic(_ name: String, windows: Int, shiftFrom: Int = .max) throws {
        var lines = ""
        for w in 0..<windows {
            for i in 0..<100 {
                let shifted = w >= shiftFrom
                let label = shifted ? (i % 5 == 0 ? "card" : "refund") : Self.labels[i % 3]
                let text =
                    shifted
                    ? String(repeating: "a much longer request ", count: 4) + "\(i)"
                    : "request number \((w * 100 + i) * 7 % 400)"
                let confidence = shifted ? 0.5 + Double(i % 5) / 50 : 0.85 + Double(i % 7) / 50
                lines +=
                    "{\"id\": \"\(w)-\(i)\", \"text\": \"\(text)\", \"label\": \"\(label)\", \"confidence\": \(confidence), \"model_version\": \"v1\"}\n"
            }
        }
        try lines.write(to: url(name), atomically: true, encoding: .utf8)
    }

    func profile() throws {
        let result = try runSquire([
            "profile", "--data", path("validation.jsonl"), "--answers", path("answers.jsonl"), "--output",
            path("profile.json"), "--window-size", "100",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("shipped accuracy 0.9000"))
    }

    @Test func holdsThenRetrainsWithAQueue() throws {
        try profile()
        try writeTraffic("calm.jsonl", windows: 3)
        let calm = try runSquire(["drift", "--reference", path("profile.json"), "--current", path("calm.jsonl")])
        #expect(calm.status == 0, "\(calm.output)")
        #expect(calm.output.components(separatedBy: ": hold").count - 1 == 3)

        try writeTraffic("shifted.jsonl", windows: 5, shiftFrom: 2)
        let shifted = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("shifted.jsonl"), "--queue",
            path("queue.jsonl"), "--json",
        ])
        #expect(shifted.status == 1, "\(shifted.output)")
        let decisions = try #require(
            try JSONSerialization.jsonObject(with: Data(shifted.output.utf8)) as? [[String: Any]])
        // Windows 2, 3 and 4 alarm, each one severely (the estimated accuracy falls by a third):
        // the first of them retrains at once, without waiting for the budget.
        #expect(decisions.map { $0["action"] as? String } == ["hold", "hold", "retrain", "retrain", "retrain"])
        let queue = try String(contentsOfFile: path("queue.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        // The least confident 50 of the last window: twenty at 0.50, twenty at 0.52, ten at 0.54.
        #expect(queue.count == 50)
        #expect(queue.compactMap { $0["confidence"] as? Double }.max() == 0.54)
        #expect(queue.allSatisfy { ($0["id"] as? String)?.hasPrefix("4-") == true })
    }

    /// The output rule for `profile --output`, `drift --state` and `drift --queue`: never an
    /// input, and a queue replaces only an earlier queue (a production log of the same lines
    /// holds more than a queue ever does) unless --force.
    @Test func profileAndDriftOutputsNeverReplaceTheUsersFiles() throws {
        let notes = url("notes.txt")
        try "mine".write(to: notes, atomically: true, encoding: .utf8)
        let profileOverNotes = try runSquire([
            "profile", "--data", path("validation.jsonl"), "--answers", path("answers.jsonl"), "--output", notes.path,
        ])
        #expect(profileOverNotes.status == 2)
        #expect(profileOverNotes.output.contains("is not a drift profile Squire wrote"), "\(profileOverNotes.output)")
        let profileOverInput = try runSquire([
            "profile", "--data", path("validation.jsonl"), "--answers", path("answers.jsonl"), "--output",
            path("answers.jsonl"), "--force",
        ])
        #expect(profileOverInput.status == 2)
        #expect(profileOverInput.output.contains("is the input \(path("answers.jsonl"))"), "\(profileOverInput.output)")
        #expect(try String(contentsOf: notes, encoding: .utf8) == "mine")

        try profile()
        try writeTraffic("shifted.jsonl", windows: 3, shiftFrom: 1)
        try writeTraffic("other-log.jsonl", windows: 1)
        let otherLog = try Data(contentsOf: url("other-log.jsonl"))
        let drift = ["drift", "--reference", path("profile.json"), "--current", path("shifted.jsonl")]
        for (option, value) in [
            ("--state", "shifted.jsonl"), ("--queue", "shifted.jsonl"), ("--queue", "profile.json"),
        ] {
            let result = try runSquire(drift + [option, path(value), "--force"])
            #expect(result.status == 2, "\(option) \(value): \(result.output)")
            #expect(result.output.contains("is the input \(path(value))"), "\(option) \(value): \(result.output)")
        }
        let overLog = try runSquire(drift + ["--queue", path("other-log.jsonl")])
        #expect(overLog.status == 2)
        #expect(overLog.output.contains("is not a labelling queue Squire wrote"), "\(overLog.output)")
        #expect(try Data(contentsOf: url("other-log.jsonl")) == otherLog)
        // An earlier queue is replaced without --force; the log only with it.
        let first = try runSquire(drift + ["--queue", path("queue.jsonl")])
        #expect(first.status == 1, "\(first.output)")
        let again = try runSquire(drift + ["--queue", path("queue.jsonl")])
        #expect(again.status == 1, "\(again.output)")
        let forced = try runSquire(drift + ["--queue", path("other-log.jsonl"), "--force"])
        #expect(forced.status == 1, "\(forced.output)")
        #expect(try Data(contentsOf: url("other-log.jsonl")) == Data(contentsOf: url("queue.jsonl")))
    }

    @Test func stateResumesAcrossRunsAndSurvivesAKill() throws {
        try profile()
        try writeTraffic("stream.jsonl", windows: 200, shiftFrom: 150)
        // Uninterrupted.
        _ = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("stream.jsonl"), "--state",
            path("straight.json"),
        ])
        let expected = try Data(contentsOf: url("straight.json"))

        // Killed with SIGKILL as soon as the first window's state is on disk, then rerun.
        for attempt in 0..<3 {
            let state = path("killed-\(attempt).json")
            let process = Process()
            process.executableURL = squireBinary()
            process.arguments = [
                "drift", "--reference", path("profile.json"), "--current", path("stream.jsonl"), "--state", state,
            ]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while !FileManager.default.fileExists(atPath: state) && process.isRunning && Date() < deadline {
                usleep(200)
            }
            if attempt > 0 { usleep(useconds_t(attempt * 20_000)) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let interrupted =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any]
            let closed = interrupted?["windows_closed"] as? Int ?? -1
            #expect(closed >= 1 && closed < 200, "the kill should land mid-stream (closed \(closed))")
            let rerun = try runSquire([
                "drift", "--reference", path("profile.json"), "--current", path("stream.jsonl"), "--state", state,
            ])
            #expect(rerun.status == 1, "\(rerun.output)")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: state)) == expected,
                "attempt \(attempt): the resumed state differs")
        }

        // Appending to the file continues the stream; nothing is judged twice.
        let again = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("stream.jsonl"), "--state",
            path("straight.json"),
        ])
        #expect(again.output.contains("no window closed: 20000 predictions consumed"))
    }

    @Test func aReplacedFileIsRefusedEvenWhenLonger() throws {
        try profile()
        try writeTraffic("first.jsonl", windows: 2)
        let state = path("replaced.json")
        let first = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("first.jsonl"), "--state", state,
        ])
        #expect(first.status == 0, "\(first.output)")
        let saved = try Data(contentsOf: URL(fileURLWithPath: state))
        // Another log, longer than the one the state consumed: its first 200 lines differ.
        try writeTraffic("other.jsonl", windows: 4, shiftFrom: 0)
        let other = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("other.jsonl"), "--state", state,
        ])
        #expect(other.status == 2, "\(other.output)")
        #expect(
            other.output.contains(
                "other.jsonl: the first 200 observations of the stream are not the ones the monitor state consumed"),
            "\(other.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == saved)
    }

    @Test func badInputExitsTwoAndKeepsTheState() throws {
        try profile()
        try writeTraffic("good.jsonl", windows: 2)
        var lines = try String(contentsOfFile: path("good.jsonl"), encoding: .utf8)
        lines += "{\"label\": \"loans\", \"confidence\": 0.9}\n"
        try lines.write(to: url("bad.jsonl"), atomically: true, encoding: .utf8)
        let bad = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("bad.jsonl"), "--state", path("s.json"),
        ])
        #expect(bad.status == 2)
        #expect(bad.output.contains("bad.jsonl:201: the label \"loans\" is not in the reference profile's labels"))
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: url("s.json"))) as? [String: Any]
        #expect(saved?["consumed"] as? Int == 200)

        try "{\"label\": \"card\", \"confidence\": \"high\"}\n".write(
            to: url("nan.jsonl"), atomically: true, encoding: .utf8)
        let typed = try runSquire(["drift", "--reference", path("profile.json"), "--current", path("nan.jsonl")])
        #expect(typed.status == 2)
        #expect(typed.output.contains("nan.jsonl:1: not a prediction"))

        try "{\"consumed\": ".write(to: url("corrupt.json"), atomically: true, encoding: .utf8)
        let corrupt = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("good.jsonl"), "--state",
            path("corrupt.json"),
        ])
        #expect(corrupt.status == 2)
        #expect(corrupt.output.contains("corrupt"))
        #expect(try String(contentsOfFile: path("corrupt.json"), encoding: .utf8) == "{\"consumed\": ")

        try "{\"horizon\": 2, \"allowed_drifting_windows\": 5}".write(
            to: url("budget.json"), atomically: true, encoding: .utf8)
        let budget = try runSquire([
            "drift", "--reference", path("profile.json"), "--current", path("good.jsonl"), "--budget",
            path("budget.json"),
        ])
        #expect(budget.status == 2)
        #expect(budget.output.contains("allowed_drifting_windows"))
    }
}
