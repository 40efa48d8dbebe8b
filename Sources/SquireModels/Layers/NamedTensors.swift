public import SquireTensor

/// Tensors under unique keys, in a fixed order: a model's parameters under their checkpoint
/// keys (`encoder.layer.0.attention.self.query.weight`), and their gradients, optimizer moments
/// and saved activations under the same keys, so loading, saving, LoRA targeting, quantization
/// and the optimizer all name a tensor the same way.
///
/// The order is the one the tensors were added in — a model lists its parameters in checkpoint
/// order — and files written from a collection keep it. Lookups by key go through an index.
/// Keys never repeat: ``init(_:)`` and ``append(_:forKey:)`` throw for a repeated key, and
/// assigning through the key subscript replaces the tensor already under the key.
public struct NamedTensors: Sendable {
    /// The keys, in order.
    public private(set) var keys: [String]
    /// The tensors, in the order of ``keys``. The module's optimizer updates them in place.
    public internal(set) var tensors: [Tensor]
    /// Each key's position in ``keys``.
    private var positions: [String: Int]

    /// An empty collection.
    public init() {
        keys = []
        tensors = []
        positions = [:]
    }

    /// The entries in the order given.
    ///
    /// - Throws: ``NamedTensorsError/repeatedKey(_:)`` when a key comes twice.
    public init(_ entries: [(key: String, tensor: Tensor)]) throws {
        self.init()
        for (key, tensor) in entries { try append(tensor, forKey: key) }
    }

    /// `tensors[i]` under `keys[i]`.
    ///
    /// - Throws: ``NamedTensorsError/countMismatch(keys:tensors:)`` when the counts differ,
    ///   ``NamedTensorsError/repeatedKey(_:)`` when a key comes twice.
    public init(keys: [String], tensors: [Tensor]) throws {
        guard keys.count == tensors.count else {
            throw NamedTensorsError.countMismatch(keys: keys.count, tensors: tensors.count)
        }
        try self.init(Array(zip(keys, tensors)))
    }

    /// Adds `tensor` under `key` at the end.
    ///
    /// - Throws: ``NamedTensorsError/repeatedKey(_:)`` when `key` is already there.
    public mutating func append(_ tensor: Tensor, forKey key: String) throws {
        guard positions[key] == nil else { throw NamedTensorsError.repeatedKey(key) }
        positions[key] = keys.count
        keys.append(key)
        tensors.append(tensor)
    }

    /// The tensor under `key`, or nil. Assigning replaces the tensor under an existing key in
    /// its place, adds a new key at the end, and nil removes the key.
    public subscript(key: String) -> Tensor? {
        get { positions[key].map { tensors[$0] } }
        set {
            switch (positions[key], newValue) {
            case (let position?, let tensor?):
                tensors[position] = tensor
            case (nil, let tensor?):
                positions[key] = keys.count
                keys.append(key)
                tensors.append(tensor)
            case (let position?, nil):
                keys.remove(at: position)
                tensors.remove(at: position)
                positions = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
            case (nil, nil):
                break
            }
        }
    }

    /// The tensor under `key`.
    ///
    /// - Throws: ``NamedTensorsError/missingKey(_:available:)`` naming the key.
    public func tensor(forKey key: String) throws -> Tensor {
        guard let position = positions[key] else {
            throw NamedTensorsError.missingKey(key, available: keys)
        }
        return tensors[position]
    }

    /// Whether `key` is there.
    public func contains(key: String) -> Bool {
        positions[key] != nil
    }
}

extension NamedTensors: RandomAccessCollection {
    /// One entry: a key and its tensor.
    public typealias Element = (key: String, tensor: Tensor)

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }

    public subscript(position: Int) -> Element {
        (keys[position], tensors[position])
    }
}

extension NamedTensors: Hashable {
    public static func == (lhs: NamedTensors, rhs: NamedTensors) -> Bool {
        lhs.keys == rhs.keys && lhs.tensors == rhs.tensors
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(tensors)
    }
}

extension NamedTensors {
    /// The entries whose keys `isIncluded` accepts, in order.
    public func filter(keys isIncluded: (String) throws -> Bool) rethrows -> NamedTensors {
        var result = NamedTensors()
        for (key, tensor) in self where try isIncluded(key) { result[key] = tensor }
        return result
    }

    /// The same keys, in order, with the tensors `transform` returns for each entry.
    public func mapTensors(_ transform: (Element) throws -> Tensor) rethrows -> NamedTensors {
        var result = self
        for position in indices { result.tensors[position] = try transform(self[position]) }
        return result
    }

    /// The entries with `prefix` put before every key (`weight` → `encoder.layer.0.weight`
    /// with prefix `encoder.layer.0.`); a common prefix cannot make two keys equal.
    public func prefixingKeys(with prefix: String) -> NamedTensors {
        var result = NamedTensors()
        for (key, tensor) in self { result[prefix + key] = tensor }
        return result
    }

    /// The entries under `scope`, a dotted part of the key, with `scope.` taken off:
    /// `attention.self.query` of a layer's parameters gives that projection's `weight` and `bias`.
    public func scoped(_ scope: String) -> NamedTensors {
        let prefix = scope + "."
        var result = NamedTensors()
        for (key, tensor) in self where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = tensor }
        return result
    }

    /// These entries with the tensors of `replacements` in place of their own: the keys and
    /// their order stay, and the rest of the tensors too.
    ///
    /// - Parameter context: what the entries belong to, for the error (`Linear`, `BertEncoder`).
    /// - Throws: ``NamedTensorsError/unexpectedKey(_:context:)`` for a key of `replacements` that
    ///   is not here, ``NamedTensorsError/shapeMismatch(key:expected:got:)`` for a tensor of
    ///   another shape than the one it replaces.
    public func replacingTensors(with replacements: NamedTensors, context: String) throws -> NamedTensors {
        var result = self
        for (key, tensor) in replacements {
            guard let position = positions[key] else { throw NamedTensorsError.unexpectedKey(key, context: context) }
            guard tensor.shape == tensors[position].shape else {
                throw NamedTensorsError.shapeMismatch(key: key, expected: tensors[position].shape, got: tensor.shape)
            }
            result.tensors[position] = tensor
        }
        return result
    }

    /// Throws unless `other` has exactly these keys, in this order, each tensor of the same shape
    /// as the one here: a gradient for every parameter, or the parameters a model was saved with.
    ///
    /// - Throws: ``NamedTensorsError/keyMismatch(expected:got:)`` naming the first key that
    ///   differs, ``NamedTensorsError/shapeMismatch(key:expected:got:)`` naming the tensor.
    public func checkSameLayout(as other: NamedTensors) throws {
        guard keys == other.keys else {
            let first = zip(keys, other.keys).first { $0 != $1 }
            throw NamedTensorsError.keyMismatch(
                expected: first?.0 ?? keys.dropFirst(other.keys.count).first,
                got: first?.1 ?? other.keys.dropFirst(keys.count).first)
        }
        for (position, tensor) in tensors.enumerated() where tensor.shape != other.tensors[position].shape {
            throw NamedTensorsError.shapeMismatch(
                key: keys[position], expected: tensor.shape, got: other.tensors[position].shape)
        }
    }
}
