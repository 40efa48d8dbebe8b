import Foundation

/// A thread-safe list of what a model was asked, shared by the recording wrappers.
public final class CallLog: Sendable {
    private let storage = Mutex<[[String]]>([])

    /// Creates an empty log.
    public init() {}

    /// Every call's inputs, in the order the calls started. For a reranker, the query
    /// comes first, then the documents.
    public var calls: [[String]] { storage.withLock { $0 } }

    /// Every input of every call, flattened.
    public var inputs: [String] { calls.flatMap { $0 } }

    /// Forgets everything recorded.
    public func removeAll() { storage.withLock { $0.removeAll() } }

    func record(_ inputs: [String]) { storage.withLock { $0.append(inputs) } }
}

/// A lock around a value; `Synchronization.Mutex` needs macOS 15, this works everywhere.
final class Mutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
