/// A semantic cache's entries and the exact scan over them; ``SemanticCache`` owns one and
/// does the locking, the embedding and the counting.
///
/// Entries live in slots. Each slot's vector sits in one contiguous array (`[slots,
/// dimension]`), so the scan walks memory in order with no per-entry allocation or pointer
/// chasing; the other per-slot facts sit in parallel arrays. Two orders run over the slots as
/// linked lists: recency, for evicting the least recently used entry, and insertion, which is
/// also expiry order, since every entry lives the same time from its insertion on a clock
/// that does not go back — so expired entries are always found at the head of that list. A
/// freed slot is reused before the storage grows; the storage never grows past the capacity.
struct SemanticCacheEntries<Answer: Sendable> {
    /// What the exact-text index is keyed by.
    private struct ExactKey: Hashable {
        var version: Int32
        var text: String
    }

    /// Components per vector.
    let dimension: Int
    /// How vectors are stored.
    let precision: SemanticCachePrecision
    /// The most entries held at once.
    let capacity: Int

    /// [slots, dimension] unit vectors (`float32` only).
    private var floats: [Float] = []
    /// [slots, dimension] codes (`int8` only).
    private var codes: [Int8] = []
    /// [slots] 1 / ‖codes‖ (`int8` only).
    private var inverseNorms: [Float] = []
    /// [slots] the interned version key, or -1 for a free slot (which the scan skips).
    private var versions: [Int32] = []
    /// [slots] the text each entry answers.
    private var texts: [String] = []
    /// [slots] the stored answers; `nil` in free slots.
    private var answers: [Answer?] = []
    /// [slots] when each entry expires (with a time to live).
    private var expiries: [Duration] = []
    /// Least recently used first.
    private var recency = SlotList()
    /// First inserted (so first to expire) first.
    private var insertion = SlotList()
    /// Slots freed by expiry or removal.
    private var freeSlots: [Int32] = []
    /// The exact-text fast path.
    private var exact: [ExactKey: Int32] = [:]
    private var keys = VersionKeys()
    /// Entries held.
    private(set) var count = 0

    /// An empty store.
    init(dimension: Int, precision: SemanticCachePrecision, capacity: Int) {
        self.dimension = dimension
        self.precision = precision
        self.capacity = capacity
    }

    /// The slot holding exactly `text` under `version`.
    func exactMatch(for text: String, version: String) -> Int32? {
        guard let id = keys.id(of: version) else { return nil }
        return exact[ExactKey(version: id, text: text)]
    }

    /// The entry under `version` most similar to `query`, by an exact scan of every slot;
    /// `nil` when no entry carries that version. Ties go to the lower slot.
    func nearest(to query: EncodedVector, version: String) -> (slot: Int32, similarity: Float)? {
        guard let id = keys.id(of: version) else { return nil }
        var best = -Float.infinity
        var bestSlot: Int32 = -1
        let dimension = self.dimension
        versions.withUnsafeBufferPointer { versions in
            switch precision {
            case .float32:
                floats.withUnsafeBufferPointer { stored in
                    query.floats.withUnsafeBufferPointer { query in
                        for slot in 0..<versions.count where versions[slot] == id {
                            let similarity = SimilarityKernel.dot(
                                query.baseAddress!, stored.baseAddress! + slot * dimension, count: dimension)
                            if similarity > best {
                                best = similarity
                                bestSlot = Int32(slot)
                            }
                        }
                    }
                }
            case .int8:
                codes.withUnsafeBufferPointer { stored in
                    inverseNorms.withUnsafeBufferPointer { inverseNorms in
                        query.codes.withUnsafeBufferPointer { codes in
                            for slot in 0..<versions.count where versions[slot] == id {
                                let similarity = SimilarityKernel.int8Similarity(
                                    codes.baseAddress!, query.inverseNorm, stored.baseAddress! + slot * dimension,
                                    inverseNorms[slot], count: dimension)
                                if similarity > best {
                                    best = similarity
                                    bestSlot = Int32(slot)
                                }
                            }
                        }
                    }
                }
            }
        }
        return bestSlot >= 0 ? (bestSlot, best) : nil
    }

    /// The answer in an occupied slot.
    func answer(at slot: Int32) -> Answer { answers[Int(slot)]! }

    /// The text an occupied slot answers.
    func text(at slot: Int32) -> String { texts[Int(slot)] }

    /// Marks an entry as just used.
    mutating func touch(_ slot: Int32) { recency.moveToNewest(slot) }

    /// Stores `answer` for `text` under `version`, expiring at `expiry`. An entry for the same
    /// text and version is replaced in place (its vector too when one is given) and counts as
    /// new for recency and expiry; otherwise `vector` is required and, when the store is full,
    /// the least recently used entry makes room.
    ///
    /// - Returns: whether an entry was evicted.
    mutating func insert(
        _ answer: Answer, for text: String, version: String, vector: EncodedVector?, expiry: Duration
    ) -> Bool {
        if let slot = exactMatch(for: text, version: version) {
            answers[Int(slot)] = answer
            if let vector { write(vector, to: slot) }
            expiries[Int(slot)] = expiry
            recency.moveToNewest(slot)
            insertion.moveToNewest(slot)
            return false
        }
        // A new text needs its vector; the cache checks before calling, so none is stored without.
        guard let vector else { return false }
        var evicted = false
        if freeSlots.isEmpty && versions.count == capacity {
            remove(recency.oldest)
            evicted = true
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(versions.count)
            versions.append(-1)
            texts.append("")
            answers.append(nil)
            expiries.append(.zero)
            switch precision {
            case .float32: floats.append(contentsOf: repeatElement(0, count: dimension))
            case .int8:
                codes.append(contentsOf: repeatElement(0, count: dimension))
                inverseNorms.append(0)
            }
        }
        let id = keys.retain(version)
        versions[Int(slot)] = id
        texts[Int(slot)] = text
        answers[Int(slot)] = answer
        expiries[Int(slot)] = expiry
        write(vector, to: slot)
        exact[ExactKey(version: id, text: text)] = slot
        recency.append(slot)
        insertion.append(slot)
        count += 1
        return evicted
    }

    /// Frees an occupied slot.
    mutating func remove(_ slot: Int32) {
        let index = Int(slot)
        let id = versions[index]
        exact[ExactKey(version: id, text: texts[index])] = nil
        keys.release(id)
        versions[index] = -1
        texts[index] = ""
        answers[index] = nil
        recency.remove(slot)
        insertion.remove(slot)
        freeSlots.append(slot)
        count -= 1
    }

    /// Frees the entries whose expiry is at or before `now`; returns how many.
    mutating func removeExpired(now: Duration) -> Int {
        var removed = 0
        while insertion.oldest >= 0 && expiries[Int(insertion.oldest)] <= now {
            remove(insertion.oldest)
            removed += 1
        }
        return removed
    }

    /// Frees every entry whose version key satisfies `predicate`; returns how many.
    mutating func removeAll(where predicate: (String) -> Bool) -> Int {
        var removed = 0
        for slot in 0..<versions.count where versions[slot] >= 0 && predicate(keys.key(of: versions[slot])) {
            remove(Int32(slot))
            removed += 1
        }
        return removed
    }

    /// The texts from least to most recently used, with their version keys (for tests).
    var textsByRecency: [String] { recency.slots.map { texts[Int($0)] } }

    /// How many version keys have entries (for tests).
    var versionKeyCount: Int { keys.count }

    /// Slots in storage, occupied or free: what a scan walks (for tests).
    var slotCount: Int { versions.count }

    /// Writes an encoded vector into a slot's row.
    private mutating func write(_ vector: EncodedVector, to slot: Int32) {
        let start = Int(slot) * dimension
        switch precision {
        case .float32:
            floats.replaceSubrange(start..<(start + dimension), with: vector.floats)
        case .int8:
            for (offset, code) in vector.codes.enumerated() { codes[start + offset] = Int8(truncatingIfNeeded: code) }
            inverseNorms[Int(slot)] = vector.inverseNorm
        }
    }
}
