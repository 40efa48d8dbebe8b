/// How the right operand of an elementwise operation lines up with the left one.
enum Broadcast {
    /// Same shape: element by element.
    case elementwise
    /// The right operand is one row `[N]` added to every row of a `[…, N]` left operand.
    case row(width: Int)
    /// The right operand is one value per row, shape `[…, 1]` against `[…, N]`.
    case column(width: Int)

    init(_ lhs: [Int], _ rhs: [Int], operation: String) throws {
        if lhs == rhs {
            self = .elementwise
        } else if let width = lhs.last, rhs == [width] {
            self = .row(width: width)
        } else if let width = lhs.last, rhs == Array(lhs.dropLast()) + [1] {
            self = .column(width: width)
        } else {
            throw TensorError.shapeMismatch(operation, lhs, rhs)
        }
    }
}

extension Tensor {
    /// Combines `lhs` and `rhs` element by element, broadcasting `rhs` as a row or a column.
    ///
    /// The only broadcasts are: equal shapes; `rhs` of shape `[N]` against `lhs` of
    /// shape `[…, N]` (the same row for every row); `rhs` of shape `[…, 1]` against
    /// `[…, N]` (one value per row). Anything else throws, naming both shapes.
    @inline(__always)
    static func combined(
        _ lhs: Tensor, _ rhs: Tensor, operation: String,
        _ kernel: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>
    ) throws -> Tensor {
        let broadcast = try Broadcast(lhs.shape, rhs.shape, operation: operation)
        let total = lhs.count
        let result = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            defer { initialized = total }
            guard total > 0 else { return }
            lhs.scalars.withUnsafeBufferPointer { a in
                rhs.scalars.withUnsafeBufferPointer { b in
                    let (a, b, out) = (a.baseAddress!, b.baseAddress!, output.baseAddress!)
                    switch broadcast {
                    case .elementwise:
                        zipVectors(a, b, out, count: total, kernel)
                    case .row(let width):
                        for row in 0..<(total / width) {
                            zipVectors(a + row * width, b, out + row * width, count: width, kernel)
                        }
                    case .column(let width):
                        for row in 0..<(total / width) {
                            let value = SIMD8<Float>(repeating: b[row])
                            mapVectors(a + row * width, out + row * width, count: width) { kernel($0, value) }
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: lhs.shape, scalars: result)
    }

    /// Elementwise sum; `rhs` may broadcast as a row or a column (see ``combined``).
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try combined(lhs, rhs, operation: "+") { $0 + $1 }
    }
    /// Elementwise difference; `rhs` may broadcast as a row or a column.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try combined(lhs, rhs, operation: "-") { $0 - $1 }
    }
    /// Elementwise product; `rhs` may broadcast as a row or a column.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try combined(lhs, rhs, operation: "*") { $0 * $1 }
    }
    /// Elementwise quotient; `rhs` may broadcast as a row or a column.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try combined(lhs, rhs, operation: "/") { $0 / $1 }
    }

    /// Adds `rhs` into `lhs`; `rhs` may broadcast as a row or a column.
    public static func += (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs + rhs }
    /// Subtracts `rhs` from `lhs`; `rhs` may broadcast as a row or a column.
    public static func -= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs - rhs }
    /// Multiplies `lhs` by `rhs`; `rhs` may broadcast as a row or a column.
    public static func *= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs * rhs }

    /// Each element plus a scalar.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.mapped { $0 + rhs } }
    /// Each element minus a scalar.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.mapped { $0 - rhs } }
    /// Each element times a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.mapped { $0 * rhs } }
    /// Each element divided by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.mapped { $0 / rhs } }
    /// A scalar plus each element.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs.mapped { lhs + $0 } }
    /// A scalar minus each element.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.mapped { lhs - $0 } }
    /// A scalar times each element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.mapped { lhs * $0 } }
    /// A scalar divided by each element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { rhs.mapped { lhs / $0 } }
    /// Each element negated.
    public static prefix func - (operand: Tensor) -> Tensor { operand.mapped { -$0 } }
}
