import Foundation
import SquireCore
import SquireEval
import Testing

/// Text files read the way their extension says, warnings about training data, and errors
/// about JSON files in the user's words.
@Suite struct InputFileTests {
    func file(_ name: String, _ bytes: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("squire-\(UUID().uuidString)-\(name)")
            .path
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func csvTextsAreParsedNotReadAsLines() throws {
        // `predict` and `embed` used to take the header and quoted fragments for texts.
        let path = try file(
            "texts.csv", Data("id,text,label\n1,\"hello, world\",greet\n2,\"two\nlines\",\n3,plain,other\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try TextLines.read(path) == ["hello, world", "two\nlines", "plain"])
        #expect(
            try TextLines.records(path) == [
                .init(text: "hello, world", id: "1", label: "greet"), .init(text: "two\nlines", id: "2"),
                .init(text: "plain", id: "3", label: "other"),
            ])
        let headless = try file("bad.csv", Data("a,b\n1,2\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: headless) }
        #expect { try TextLines.read(headless) } throws: { "\($0)".contains("the header must name a \"text\" column") }
        let jsonl = try file("t.jsonl", Data(#"{"text": "a", "id": 7, "label": "x"}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: jsonl) }
        #expect(try TextLines.records(jsonl) == [.init(text: "a", id: "7", label: "x")])
    }

    @Test func trainingDataWarnings() throws {
        let data = try Dataset(
            name: "t",
            examples: [
                .init(id: "1", text: "Lost card", label: "card"), .init(id: "2", text: "lost card!", label: "refund"),
                .init(id: "3", text: "refund please", label: "refund"),
                .init(id: "4", text: "new address", label: "address"),
            ])
        #expect(
            data.warnings == [
                .singleExampleLabels(["address", "card"]),
                .conflictingDuplicates(count: 1, example: "lost card", labels: ["card", "refund"]),
            ])
        #expect(data.warnings[0].description.hasPrefix("2 labels have a single example (address, card)"))
        let clean = try Dataset(
            name: "c", examples: (0..<4).map { .init(id: "\($0)", text: "t\($0)", label: $0 < 2 ? "a" : "b") })
        #expect(clean.warnings.isEmpty)
    }

    @Test func jsonErrorsInTheUsersWords() throws {
        struct Gate: Decodable { var minimums: [String: Double] }
        let wrongType = Data(#"{"minimums": "accuracy"}"#.utf8)
        do {
            _ = try JSONDecoder().decode(Gate.self, from: wrongType)
        } catch {
            // Not `Dictionary<String, Any>`.
            #expect(DecodingError.summary(of: error, decoding: wrongType) == ".minimums must be an object")
        }
        var latin1 = Data(#"{"minimums": {"caf"#.utf8)
        latin1.append(0xE9)
        latin1.append(contentsOf: Array(#"": 1}}"#.utf8))
        do {
            _ = try JSONDecoder().decode(Gate.self, from: latin1)
        } catch {
            #expect(
                DecodingError.summary(of: error, decoding: latin1)
                    == "not valid UTF-8 text (at byte 18); save the file as UTF-8")
        }
    }
}
