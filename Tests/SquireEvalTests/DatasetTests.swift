import Foundation
import SquireEval
import Testing

@Suite struct DatasetTests {
    func jsonl(_ text: String) throws -> Dataset { try Dataset(jsonLines: Data(text.utf8), name: "t") }

    @Test func readsJSONLinesWithOptionalFields() throws {
        let data = try jsonl(
            """
            {"text": "where is my card", "label": "card", "tags": ["short"], "id": "a1"}

            {"text": "refund please", "label": 7}
            """)
        #expect(data.count == 2)
        #expect(data.examples[0] == LabeledExample(id: "a1", text: "where is my card", label: "card", tags: ["short"]))
        #expect(data.examples[1] == LabeledExample(id: "3", text: "refund please", label: "7"))
        #expect(data.labels == ["7", "card"])
    }

    @Test(arguments: [
        ("{\"label\": \"x\"}", 1, "missing \"text\""),
        ("{\"text\": \"a\"}", 1, "missing \"label\""),
        ("{\"text\": 3, \"label\": \"x\"}", 1, "\"text\" must be a string"),
        ("{\"text\": \"a\", \"label\": \"\"}", 1, "the label is empty"),
        ("{\"text\": \"a\", \"label\": true}", 1, "\"label\" must be a string or an integer"),
        ("{\"text\": \"a\", \"label\": 1.5}", 1, "\"label\" must be a string or an integer"),
        ("{\"text\": \"a\", \"label\": \"x\", \"tags\": \"t\"}", 1, "\"tags\" must be an array of strings"),
        ("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": ", 2, "not a JSON object"),
        ("[1, 2]", 1, "not a JSON object"),
    ])
    func reportsSchemaErrorsByLine(_ text: String, _ line: Int, _ reason: String) {
        #expect {
            try jsonl(text)
        } throws: { error in
            let error = try #require(error as? DatasetError)
            return error.line == line && error.reason.contains(reason)
        }
    }

    @Test func refusesInvalidUTF8AndDuplicateIDs() {
        var bytes = Array("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"".utf8)
        bytes += [0xFF, 0xFE] + Array("\", \"label\": \"x\"}\n".utf8)
        #expect(throws: DatasetError(source: "t", line: 2, reason: "not valid UTF-8")) {
            try Dataset(jsonLines: Data(bytes), name: "t")
        }
        #expect(throws: DatasetError.self) {
            try jsonl(
                "{\"text\": \"a\", \"label\": \"x\", \"id\": \"same\"}\n{\"text\": \"b\", \"label\": \"y\", \"id\": \"same\"}"
            )
        }
    }

    @Test func readsCSVWithQuotesCommasAndNewlines() throws {
        let csv =
            "label,text,tags\r\nrefund,\"I want my money back, now\",angry;short\r\ncard,\"two\nlines \"\"quoted\"\"\",\n\nother,plain,\n"
        let data = try Dataset(csv: csv, name: "c")
        #expect(data.count == 3)
        #expect(
            data.examples[0]
                == LabeledExample(
                    id: "2", text: "I want my money back, now", label: "refund", tags: ["angry", "short"]))
        #expect(data.examples[1].text == "two\nlines \"quoted\"")
        #expect(data.examples[2].id == "6")  // the record's first line, after the quoted newline and a blank line
    }

    @Test func ignoresAByteOrderMark() throws {
        #expect(try Dataset(csv: "\u{FEFF}text,label\nhi,greet\n", name: "c").examples.map(\.label) == ["greet"])
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"text\": \"hi\", \"label\": \"greet\"}\n".utf8)
        #expect(try Dataset(jsonLines: Data(bytes), name: "j").examples.map(\.text) == ["hi"])
    }

    @Test func reportsCSVErrorsByLine() {
        #expect(
            throws: DatasetError(
                source: "c", line: 1,
                reason: "the header must name the columns \"text\" and \"label\"; found [\"words\", \"label\"]")
        ) {
            try Dataset(csv: "words,label\na,b\n", name: "c")
        }
        #expect { try Dataset(csv: "text,label\na,b,c\n", name: "c") } throws: { ($0 as? DatasetError)?.line == 2 }
        #expect { try Dataset(csv: "text,label\n\"open,b\n", name: "c") } throws: {
            ($0 as? DatasetError)?.reason.contains("never closed") == true
        }
        #expect { try Dataset(csv: "text,label\n\"a\"x,b\n", name: "c") } throws: { ($0 as? DatasetError)?.line == 2 }
    }

    @Test func loadsFilesByExtension() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-eval-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "text,label\nhello,greet\n".write(
            to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        try "{\"text\":\"hello\",\"label\":\"greet\"}\n".write(
            to: folder.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
        #expect(try Dataset(contentsOf: folder.appendingPathComponent("d.csv")).examples.map(\.text) == ["hello"])
        #expect(try Dataset(contentsOf: folder.appendingPathComponent("d.jsonl")).name == "d")
        #expect(throws: DatasetError.self) { try Dataset(contentsOf: folder.appendingPathComponent("d.txt")) }
        #expect(throws: DatasetError.self) { try Dataset(contentsOf: folder.appendingPathComponent("missing.jsonl")) }
    }

    func dataset(_ counts: [String: Int]) throws -> Dataset {
        var examples: [LabeledExample] = []
        for (label, count) in counts.sorted(by: { $0.key < $1.key }) {
            for i in 0..<count {
                examples.append(LabeledExample(id: "\(label)-\(i)", text: "\(label) \(i)", label: label))
            }
        }
        return try Dataset(name: "d", examples: examples)
    }

    @Test func stratifiedSplitKeepsShares() throws {
        let data = try dataset(["a": 100, "b": 50, "c": 10, "d": 1])
        let split = try data.stratifiedSplit(validationFraction: 0.1, testFraction: 0.2, seed: 3)
        #expect(split.test.labelCounts == ["a": 20, "b": 10, "c": 2])
        #expect(split.validation.labelCounts == ["a": 10, "b": 5, "c": 1])
        #expect(split.train.labelCounts == ["a": 70, "b": 35, "c": 7, "d": 1])
        let all = Set(
            split.train.examples.map(\.id) + split.validation.examples.map(\.id) + split.test.examples.map(\.id))
        #expect(all.count == data.count)
        #expect(split.test.leaks(into: split.train).isEmpty)
        // The same seed gives the same split; another seed a different one.
        #expect(try data.stratifiedSplit(validationFraction: 0.1, testFraction: 0.2, seed: 3) == split)
        #expect(try data.stratifiedSplit(validationFraction: 0.1, testFraction: 0.2, seed: 4).test != split.test)
        #expect(throws: DatasetError.self) { try data.stratifiedSplit(validationFraction: 0.5, testFraction: 0.5) }
    }

    @Test func findsExactAndNormalizedDuplicates() throws {
        let data = try Dataset(
            name: "d",
            examples: [
                LabeledExample(id: "1", text: "Where's my CARD?", label: "card"),
                LabeledExample(id: "2", text: "wheres my  card", label: "card"),
                LabeledExample(id: "3", text: "Where's my CARD?", label: "lost"),
                LabeledExample(id: "4", text: "something else", label: "other"),
            ])
        let exact = data.duplicateGroups(matching: .exact)
        #expect(exact.map(\.ids) == [["1", "3"]])
        #expect(exact[0].hasConflictingLabels)
        let normalized = data.duplicateGroups()
        #expect(normalized.map(\.ids) == [["1", "2", "3"]])
        #expect(normalized[0].labels == ["card", "lost"])
        #expect("Ünïcode ＦＵＬＬ-width\ttext!".normalizedForComparison == "unicode fullwidth text")
    }

    @Test func reportsLeakageRows() throws {
        let train = try Dataset(
            name: "train",
            examples: [
                LabeledExample(id: "t1", text: "Cancel my order!", label: "cancel"),
                LabeledExample(id: "t2", text: "cancel my order", label: "cancel"),
                LabeledExample(id: "t3", text: "?!", label: "noise"),
            ])
        let test = try Dataset(
            name: "test",
            examples: [
                LabeledExample(id: "x1", text: "CANCEL my order", label: "cancel"),
                LabeledExample(id: "x2", text: "track my order", label: "track"),
                LabeledExample(id: "x3", text: "...", label: "noise"),
            ])
        let leaks = test.leaks(into: train)
        #expect(leaks.map(\.id) == ["x1"])
        #expect(leaks.first?.otherIDs == ["t1", "t2"])
        #expect(leaks.first?.text == "cancel my order")
    }

    @Test func writesJSONLinesThatLoadBackTheSame() throws {
        let dataset = try Dataset(
            name: "written",
            examples: [
                LabeledExample(
                    id: "a", text: "line one\nwith \"quotes\" and é", label: "x", tags: ["synthetic", "persona=a/b"]),
                LabeledExample(id: "b", text: "", label: "y"),
            ])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-written-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try dataset.write(to: url)
        let loaded = try Dataset(contentsOf: url)
        #expect(loaded.examples == dataset.examples)
        #expect(!String(decoding: try Data(contentsOf: url), as: UTF8.self).contains("\"tags\":[]"))
    }
}
