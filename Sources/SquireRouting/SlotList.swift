/// An order over a cache's slots — least recently used first, or first inserted first — kept
/// as links in two arrays indexed by slot, so moving an entry allocates nothing and costs O(1).
struct SlotList: Sendable {
    /// The slot before each slot (towards ``oldest``), or -1.
    private var previous: [Int32] = []
    /// The slot after each slot (towards ``newest``), or -1.
    private var next: [Int32] = []
    /// The first slot in the order, or -1 when empty.
    private(set) var oldest: Int32 = -1
    /// The last slot in the order, or -1 when empty.
    private(set) var newest: Int32 = -1

    /// Puts `slot`, which must not be in the list, at the newest end.
    mutating func append(_ slot: Int32) {
        let index = Int(slot)
        while previous.count <= index {
            previous.append(-1)
            next.append(-1)
        }
        previous[index] = newest
        next[index] = -1
        if newest >= 0 { next[Int(newest)] = slot } else { oldest = slot }
        newest = slot
    }

    /// Takes `slot`, which must be in the list, out of it.
    mutating func remove(_ slot: Int32) {
        let index = Int(slot)
        let before = previous[index]
        let after = next[index]
        if before >= 0 { next[Int(before)] = after } else { oldest = after }
        if after >= 0 { previous[Int(after)] = before } else { newest = before }
        previous[index] = -1
        next[index] = -1
    }

    /// Moves `slot`, which must be in the list, to the newest end.
    mutating func moveToNewest(_ slot: Int32) {
        guard slot != newest else { return }
        remove(slot)
        append(slot)
    }

    /// The slots from oldest to newest (for tests and invariants; O(n)).
    var slots: [Int32] {
        var result: [Int32] = []
        var slot = oldest
        while slot >= 0 {
            result.append(slot)
            slot = next[Int(slot)]
        }
        return result
    }
}
