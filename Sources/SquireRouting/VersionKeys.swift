/// The version keys a cache's entries carry, each interned as a small integer so the scan
/// compares one integer per entry instead of a string.
///
/// A key is forgotten when its last entry goes: a generator cache folds each prompt's
/// instructions into the key, and a long-running agent with changing instructions must not
/// accumulate keys without bound.
struct VersionKeys: Sendable {
    /// The id of each key in use.
    private var ids: [String: Int32] = [:]
    /// The key of each id (stale for a free id).
    private var names: [String] = []
    /// Entries per id; 0 for a free id.
    private var counts: [Int] = []
    /// Ids whose key has no entries left, reused first.
    private var free: [Int32] = []

    /// The id of `key` if any entry carries it.
    func id(of key: String) -> Int32? { ids[key] }

    /// The id of `key`, counting one more entry under it.
    mutating func retain(_ key: String) -> Int32 {
        let id: Int32
        if let known = ids[key] {
            id = known
        } else if let reused = free.popLast() {
            id = reused
            ids[key] = id
            names[Int(id)] = key
        } else {
            id = Int32(counts.count)
            counts.append(0)
            names.append(key)
            ids[key] = id
        }
        counts[Int(id)] += 1
        return id
    }

    /// The key whose id is `id`.
    func key(of id: Int32) -> String { names[Int(id)] }

    /// Counts one entry fewer under `id`, forgetting its key at zero.
    mutating func release(_ id: Int32) {
        counts[Int(id)] -= 1
        if counts[Int(id)] == 0 {
            ids[names[Int(id)]] = nil
            free.append(id)
        }
    }

    /// How many keys have entries.
    var count: Int { ids.count }
}
