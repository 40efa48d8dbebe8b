import Foundation
import Squire

#if canImport(Glibc)
    import Glibc
#endif

/// Progress on standard error: a redrawn bar on a terminal, plain lines otherwise (logs, CI).
final class StatusLine: @unchecked Sendable {
    private let isTerminal = isatty(FileHandle.standardError.fileDescriptor) == 1
    private var lastPlainPercent = -1

    /// Shows `done` of `total` for `phase`.
    func update(_ phase: String, done: Int, total: Int) {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\(phase) \(bar) \(done)/\(total)\u{1B}[K")
        } else {
            // One line per 10% keeps logs short.
            let percent = Int(fraction * 10) * 10
            if percent != lastPlainPercent {
                lastPlainPercent = percent
                write("\(phase): \(done)/\(total)\n")
            }
        }
    }

    /// Ends the current bar (if any) with a finished line.
    func finish(_ line: String) {
        lastPlainPercent = -1
        write(isTerminal ? "\r\(line)\u{1B}[K\n" : "\(line)\n")
    }

    /// The embeddings of `texts`, with a bar for `phase` while they are computed.
    func embeddings(of texts: [String], with embedder: any LocalEmbedder, phase: String) throws -> Tensor {
        let features = try embedder.embeddings(for: texts) { update(phase, done: $0, total: texts.count) }
        finish("\(phase): \(texts.count) texts")
        return features
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
