/// An n-dimensional array of `Float`, stored row-major and contiguous.
///
/// `Tensor` is a value: copies share storage until one of them is mutated
/// (copy-on-write, through the `Array` it stores). Shapes use one glossary across
/// Squire: B batch, T tokens, D model width, H heads, V vocabulary.
///
/// Operations whose operands must agree in shape throw ``TensorError/shapeMismatch(_:_:_:)``
/// naming both shapes; nothing broadcasts beyond what each operation documents.
public struct Tensor: Sendable, Hashable {
    /// The extent of each axis, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public private(set) var scalars: [Float]

    /// Creates a tensor with `shape` from row-major `scalars`.
    ///
    /// Throws when an extent is negative or `scalars.count` is not the product of `shape`.
    public init(shape: [Int], scalars: [Float]) throws {
        let count = try Tensor.elementCount(of: shape)
        guard count == scalars.count else {
            throw TensorError.invalidArgument(
                "\(scalars.count) scalars cannot fill shape \(shape), which holds \(count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor without checking that `scalars` fills `shape`; callers guarantee it.
    init(unchecked shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a 1-D tensor of shape `[scalars.count]`.
    public init(_ scalars: [Float]) {
        self.init(unchecked: [scalars.count], scalars: scalars)
    }

    /// Creates a 2-D tensor from rows of equal length; shape `[rows.count, rows[0].count]`.
    public init(rows: [[Float]]) throws {
        let width = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            throw TensorError.invalidArgument("row \(bad) has \(rows[bad].count) elements, but row 0 has \(width)")
        }
        self.init(unchecked: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) throws {
        self.init(unchecked: shape, scalars: [Float](repeating: value, count: try Tensor.elementCount(of: shape)))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) throws -> Tensor { try Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) throws -> Tensor { try Tensor(repeating: 1, shape: shape) }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The element at a full index, one position per axis.
    ///
    /// Indices are checked in debug and release alike: an out-of-range index traps like
    /// `Array` does. Use ``element(at:)`` for a throwing lookup.
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    /// The element at a full index, or a thrown error naming the index and the shape.
    public func element(at index: [Int]) throws -> Float {
        guard index.count == shape.count, zip(index, shape).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw TensorError.invalidArgument("index \(index) is outside shape \(shape)")
        }
        return scalars[flatIndex(index)]
    }

    private func flatIndex(_ index: [Int]) -> Int {
        var flat = 0
        for (axis, position) in index.enumerated() {
            flat = flat * shape[axis] + position
        }
        return index.count == shape.count ? flat : -1
    }

    /// Calls `body` with the elements in row-major order.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements in row-major order, for writing in place.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// The product of `shape`, or an error for a negative extent.
    static func elementCount(of shape: [Int]) throws -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { throw TensorError.invalidArgument("shape \(shape) has a negative extent") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw TensorError.invalidArgument("shape \(shape) holds more elements than memory can")
            }
            count = product
        }
        return count
    }

    /// Throws ``TensorError/shapeMismatch(_:_:_:)`` unless `other` has this tensor's shape.
    func requireSameShape(as other: Tensor, for operation: String) throws {
        guard shape == other.shape else { throw TensorError.shapeMismatch(operation, shape, other.shape) }
    }

    /// Throws unless this tensor has exactly `rank` axes.
    func requireRank(_ rank: Int, for operation: String) throws {
        guard shape.count == rank else {
            throw TensorError.invalidArgument("\(operation) needs a \(rank)-D tensor, got shape \(shape)")
        }
    }

    /// Throws unless this tensor has at least one axis; returns the last extent.
    func lastAxisExtent(for operation: String) throws -> Int {
        guard let last = shape.last else {
            throw TensorError.invalidArgument("\(operation) needs at least one axis, got a scalar")
        }
        return last
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and, for small tensors, the elements.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(scalars.count > 8 ? ", …" : "")])"
    }
}
