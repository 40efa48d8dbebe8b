/// A WordPiece vocabulary as two byte tries — word-initial pieces and `##` continuations —
/// so the longest piece at a position is found in one walk instead of one dictionary
/// lookup per candidate length.
struct WordPieceVocabulary: Sendable {
    /// A trie over UTF-8 bytes with sorted edges.
    struct Trie: Sendable {
        private var edgeStart: [Int32] = [0]
        private var edgeCount: [Int32] = [0]
        private var tokenID: [Int32] = [-1]
        private var edgeBytes: [UInt8] = []
        private var edgeTargets: [Int32] = []

        init(_ entries: [(bytes: [UInt8], id: Int)]) {
            // Build with per-node dictionaries, then freeze into flat sorted arrays.
            var children: [[UInt8: Int32]] = [[:]]
            var ids: [Int32] = [-1]
            for (bytes, id) in entries {
                var node = 0
                for byte in bytes {
                    if let next = children[node][byte] {
                        node = Int(next)
                    } else {
                        children.append([:])
                        ids.append(-1)
                        children[node][byte] = Int32(children.count - 1)
                        node = children.count - 1
                    }
                }
                ids[node] = Int32(id)
            }
            tokenID = ids
            edgeStart = []
            edgeCount = []
            for table in children {
                edgeStart.append(Int32(edgeBytes.count))
                edgeCount.append(Int32(table.count))
                for (byte, target) in table.sorted(by: { $0.key < $1.key }) {
                    edgeBytes.append(byte)
                    edgeTargets.append(target)
                }
            }
        }

        /// The id and end of the longest vocabulary entry that `bytes[start...]` begins with.
        @inline(__always)
        func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (id: Int, end: Int)? {
            var node = 0
            var best: (id: Int, end: Int)?
            var position = start
            while position < bytes.count {
                let byte = bytes[position]
                let first = Int(edgeStart[node])
                let count = Int(edgeCount[node])
                var low = first
                var high = first + count
                while low < high {
                    let middle = (low + high) >> 1
                    if edgeBytes[middle] < byte { low = middle + 1 } else { high = middle }
                }
                guard low < first + count, edgeBytes[low] == byte else { break }
                node = Int(edgeTargets[low])
                position += 1
                if tokenID[node] >= 0 { best = (Int(tokenID[node]), position) }
            }
            return best
        }
    }

    let initial: Trie
    let continuation: Trie
    let tokens: [String]
    let ids: [String: Int]

    init(_ vocabulary: [String: Int], continuingPrefix: String) {
        ids = vocabulary
        var tokens = [String](repeating: "", count: (vocabulary.values.max() ?? -1) + 1)
        var starts: [(bytes: [UInt8], id: Int)] = []
        var continues: [(bytes: [UInt8], id: Int)] = []
        // Bytes, not Characters: "##ा" is two graphemes ("#", "#ा"), so String.hasPrefix("##")
        // and String.count would misjudge tokens that begin with a combining mark.
        let prefix = Array(continuingPrefix.utf8)
        for (token, id) in vocabulary where id >= 0 {
            tokens[id] = token
            let bytes = Array(token.utf8)
            if !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) {
                continues.append((Array(bytes.dropFirst(prefix.count)), id))
            }
            starts.append((bytes, id))
        }
        self.tokens = tokens
        initial = Trie(starts)
        continuation = Trie(continues)
    }
}
