extension Tensor {
    /// The rows of this `[V, D]` table at `indices`: shape `[indices.count, D]`.
    ///
    /// This is an embedding lookup; ``scatterAddingRows(_:at:rowCount:)`` is its gradient.
    public func gatheringRows(at indices: [Int]) throws -> Tensor {
        try requireRank(2, for: "gatheringRows")
        let (rowCount, width) = (shape[0], shape[1])
        if let bad = indices.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw TensorError.invalidArgument(
                "row index \(bad) is outside a table of \(rowCount) rows (shape \(shape))")
        }
        let total = indices.count * width
        let result = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            scalars.withUnsafeBufferPointer { table in
                for (row, index) in indices.enumerated() {
                    let source = UnsafeBufferPointer(rebasing: table[(index * width)..<((index + 1) * width)])
                    _ = UnsafeMutableBufferPointer(rebasing: output[(row * width)..<((row + 1) * width)]).initialize(
                        from: source)
                }
            }
            initialized = total
        }
        return Tensor(unchecked: [indices.count, width], scalars: result)
    }

    /// A `[rowCount, D]` tensor of zeros with row `i` of this `[N, D]` tensor added into row `indices[i]`.
    ///
    /// Repeated indices accumulate, which makes this the gradient of ``gatheringRows(at:)``.
    public func scatterAddingRows(at indices: [Int], rowCount: Int) throws -> Tensor {
        try requireRank(2, for: "scatterAddingRows")
        guard indices.count == shape[0] else {
            throw TensorError.shapeMismatch("scatterAddingRows (rows vs indices)", shape, [indices.count])
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw TensorError.invalidArgument("row index \(bad) is outside a table of \(rowCount) rows")
        }
        let width = shape[1]
        var result = [Float](repeating: 0, count: try Tensor.elementCount(of: [rowCount, width]))
        result.withUnsafeMutableBufferPointer { table in
            scalars.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    for j in 0..<width {
                        table[index * width + j] += source[row * width + j]
                    }
                }
            }
        }
        return Tensor(unchecked: [rowCount, width], scalars: result)
    }
}
