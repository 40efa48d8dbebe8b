extension Tensor {
    /// The same elements under a new shape; one extent may be `-1` and is inferred.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        if inferred.count > 1 {
            throw TensorError.invalidArgument("reshape to \(newShape): at most one extent may be -1")
        }
        if let axis = inferred.first {
            let known = try Tensor.elementCount(of: newShape.enumerated().map { $0.offset == axis ? 1 : $0.element })
            guard known > 0, count % known == 0 else { throw TensorError.shapeMismatch("reshape", shape, newShape) }
            resolved[axis] = count / known
        }
        guard try Tensor.elementCount(of: resolved) == count else {
            throw TensorError.shapeMismatch("reshape", shape, newShape)
        }
        return Tensor(unchecked: resolved, scalars: scalars)
    }

    /// The transpose of a 2-D tensor: shape `[N, M]` from `[M, N]`.
    public func transposed() throws -> Tensor {
        try requireRank(2, for: "transposed")
        return try permuted([1, 0])
    }

    /// The tensor with its axes reordered: result axis `i` is this tensor's axis `axes[i]`.
    ///
    /// `[B, T, H, Dh]` → `[B, H, T, Dh]` is `permuted([0, 2, 1, 3])`, and the same
    /// permutation takes it back.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank, axes.sorted() == Array(0..<rank) else {
            throw TensorError.invalidArgument("permuted(\(axes)) is not a permutation of the axes of shape \(shape)")
        }
        if axes == Array(0..<rank) || count == 0 { return Tensor(unchecked: axes.map { shape[$0] }, scalars: scalars) }
        let newShape = axes.map { shape[$0] }
        var sourceStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            sourceStrides[axis] = sourceStrides[axis + 1] * shape[axis + 1]
        }
        let strides = axes.map { sourceStrides[$0] }
        // The innermost result axis is copied as one strided run per outer index.
        let inner = newShape[rank - 1]
        let innerStride = strides[rank - 1]
        let outerShape = Array(newShape.dropLast())
        let result = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            scalars.withUnsafeBufferPointer { source in
                var index = [Int](repeating: 0, count: outerShape.count)
                var base = 0
                var written = 0
                while written < count {
                    for j in 0..<inner {
                        output[written + j] = source[base + j * innerStride]
                    }
                    written += inner
                    // Advance the outer index like an odometer, keeping `base` in step.
                    var axis = outerShape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        base += strides[axis]
                        if index[axis] < outerShape[axis] { break }
                        base -= strides[axis] * outerShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
            initialized = count
        }
        return Tensor(unchecked: newShape, scalars: result)
    }

    /// The rows `range` along the first axis: shape `[range.count, …]`.
    public func rows(_ range: Range<Int>) throws -> Tensor {
        guard let first = shape.first else {
            throw TensorError.invalidArgument("rows(\(range)) needs at least one axis, got a scalar")
        }
        guard range.lowerBound >= 0, range.upperBound <= first else {
            throw TensorError.invalidArgument("rows \(range) are outside the first axis of shape \(shape)")
        }
        let width = first == 0 ? 0 : count / first
        return Tensor(
            unchecked: [range.count] + shape.dropFirst(),
            scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
    }

    /// The tensors joined along `axis`; every other extent must agree.
    public static func concatenating(_ tensors: [Tensor], alongAxis axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument("concatenating needs at least one tensor")
        }
        guard axis >= 0, axis < first.rank else {
            throw TensorError.invalidArgument("axis \(axis) is outside shape \(first.shape)")
        }
        for tensor in tensors.dropFirst() {
            guard tensor.rank == first.rank,
                tensor.shape.indices.allSatisfy({ $0 == axis || tensor.shape[$0] == first.shape[$0] })
            else { throw TensorError.shapeMismatch("concatenating along axis \(axis)", first.shape, tensor.shape) }
        }
        var newShape = first.shape
        newShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *)
        var scalars = [Float]()
        scalars.reserveCapacity(try elementCount(of: newShape))
        for o in 0..<outer {
            for tensor in tensors {
                let run = tensor.shape[axis...].reduce(1, *)
                scalars.append(contentsOf: tensor.scalars[(o * run)..<((o + 1) * run)])
            }
        }
        return Tensor(unchecked: newShape, scalars: scalars)
    }
}
