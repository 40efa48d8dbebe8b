import Foundation
import SquireCore

/// The append-only file a labelling run writes each finished label to, one JSON line each,
/// flushed to disk per batch.
///
/// A crash can leave the last line half-written; opening the journal drops that fragment
/// (its text is simply labelled again). Any other line that does not decode means the file
/// is not a journal, and opening throws rather than guess.
///
/// A journal begun with a teacher's identity holds it on its first line, `{"teacher": …}`;
/// opening it for another teacher throws, so one file never mixes two teachers' labels.
final class LabelJournal {
    /// The first line of a journal that records its teacher.
    private struct Header: Codable {
        var teacher: String
    }

    let url: URL
    /// The labels the journal held when it was opened.
    private(set) var resumed: [TeacherLabel] = []
    private let handle: FileHandle
    private let encoder: JSONEncoder

    init(url: URL, teacher: String?) throws {
        self.url = url
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let path = url.path
        if !FileManager.default.fileExists(atPath: path) {
            var header = Data()
            if let teacher {
                header = try encoder.encode(Header(teacher: teacher))
                header.append(UInt8(ascii: "\n"))
            }
            guard FileManager.default.createFile(atPath: path, contents: header) else {
                throw DataError.file(
                    path, reason: "cannot create the labelling journal; check the directory exists and is writable")
            }
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw DataError.file(path, reason: "cannot open the labelling journal for writing")
        }
        self.handle = handle
        let data = try handle.readToEnd() ?? Data()
        var validLength = 0
        var lineNumber = 0
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            let line = data[start..<newline]
            if lineNumber == 1, let header = try? JSONDecoder().decode(Header.self, from: line) {
                if let teacher, header.teacher != teacher {
                    throw DataError.journal(
                        path,
                        reason:
                            "it was begun by the teacher \(header.teacher), not \(teacher); resume with that teacher, or move the journal away to start over"
                    )
                }
                start = data.index(after: newline)
                validLength = start - data.startIndex
                continue
            }
            do {
                resumed.append(try JSONDecoder().decode(TeacherLabel.self, from: line))
            } catch {
                throw DataError.journal(
                    path,
                    reason:
                        "line \(lineNumber) is not a teacher label; the file is not a labelling journal or was edited")
            }
            start = data.index(after: newline)
            validLength = start - data.startIndex
        }
        // A trailing fragment without its newline is an interrupted write: cut it off.
        if validLength < data.count {
            try handle.truncate(atOffset: UInt64(validLength))
        }
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends `labels` and flushes them to disk before returning.
    func append(_ labels: [TeacherLabel]) throws {
        guard !labels.isEmpty else { return }
        var data = Data()
        for label in labels {
            data.append(try encoder.encode(label))
            data.append(UInt8(ascii: "\n"))
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw DataError.file(
                url.path, reason: "cannot append to the labelling journal (\(error)); what was written before is kept")
        }
    }
}
