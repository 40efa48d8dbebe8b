extension Tensor {
    /// The sum of the elements along `axis`; the axis is removed unless `keepingAxis`.
    public func sum(alongAxis axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let (outer, extent, inner) = try split(at: axis, for: "sum")
        var result = [Float](repeating: 0, count: outer * inner)
        if count > 0 {
            result.withUnsafeMutableBufferPointer { output in
                scalars.withUnsafeBufferPointer { input in
                    let (source, target) = (input.baseAddress!, output.baseAddress!)
                    for o in 0..<outer {
                        if inner == 1 {
                            target[o] = rowSum(source + o * extent, count: extent)
                        } else {
                            for i in 0..<extent {
                                zipVectors(
                                    target + o * inner, source + (o * extent + i) * inner, target + o * inner,
                                    count: inner, +)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: reducedShape(axis, keepingAxis: keepingAxis), scalars: result)
    }

    /// The mean of the elements along `axis`; the axis is removed unless `keepingAxis`.
    /// An empty axis gives NaN, as 0/0.
    public func mean(alongAxis axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let extent = try split(at: axis, for: "mean").extent
        return try sum(alongAxis: axis, keepingAxis: keepingAxis) / Float(extent)
    }

    /// The largest element along `axis`; NaN if the axis holds a NaN.
    public func max(alongAxis axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let (outer, extent, inner) = try split(at: axis, for: "max")
        guard extent > 0 else {
            throw TensorError.invalidArgument("max along axis \(axis) of shape \(shape): the axis is empty")
        }
        var result = [Float](repeating: -.infinity, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<extent {
                for j in 0..<inner {
                    let value = scalars[(o * extent + i) * inner + j]
                    let current = result[o * inner + j]
                    if value > current || value.isNaN { result[o * inner + j] = current.isNaN ? current : value }
                }
            }
        }
        return Tensor(unchecked: reducedShape(axis, keepingAxis: keepingAxis), scalars: result)
    }

    /// The position of the largest element along `axis`, in row-major order of the
    /// remaining axes; ties go to the first position, and a NaN wins as in NumPy.
    public func argmax(alongAxis axis: Int) throws -> [Int] {
        let (outer, extent, inner) = try split(at: axis, for: "argmax")
        guard extent > 0 else {
            throw TensorError.invalidArgument("argmax along axis \(axis) of shape \(shape): the axis is empty")
        }
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for j in 0..<inner {
                var best = scalars[o * extent * inner + j]
                var bestIndex = 0
                for i in 1..<Swift.max(extent, 1) where !best.isNaN {
                    let value = scalars[(o * extent + i) * inner + j]
                    if value > best || value.isNaN {
                        best = value
                        bestIndex = i
                    }
                }
                result[o * inner + j] = bestIndex
            }
        }
        return result
    }

    /// The sum of all elements.
    public func sum() -> Float {
        scalars.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return rowSum(base, count: buffer.count)
        }
    }

    /// The mean of all elements (NaN for an empty tensor).
    public func mean() -> Float { sum() / Float(count) }

    /// Sizes before, along and after `axis`, so the tensor reads as `[outer, extent, inner]`.
    func split(at axis: Int, for operation: String) throws -> (outer: Int, extent: Int, inner: Int) {
        guard axis >= 0, axis < rank else {
            throw TensorError.invalidArgument("\(operation): axis \(axis) is outside shape \(shape)")
        }
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    private func reducedShape(_ axis: Int, keepingAxis: Bool) -> [Int] {
        var reduced = shape
        if keepingAxis { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return reduced
    }
}

/// The sum of `count` contiguous floats, in eight running lanes (less rounding than one).
@inline(__always)
func rowSum(_ start: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        lanes += UnsafeRawPointer(start + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = lanes.sum()
    while i < count {
        total += start[i]
        i += 1
    }
    return total
}
