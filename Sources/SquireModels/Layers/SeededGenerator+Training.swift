package import SquireTensor

extension SeededGenerator {
    /// Runs `body` with this generator as the `training` argument of a forward pass (nil
    /// there means inference), and continues from where the pass left it.
    ///
    /// The training entry points (`forwardCaching`) take a generator that is always there;
    /// the one forward pass of each layer takes an optional, so inference can pass nil.
    package mutating func training<Result>(_ body: (inout SeededGenerator?) throws -> Result) rethrows -> Result {
        var training: SeededGenerator? = self
        defer { if let training { self = training } }
        return try body(&training)
    }
}

/// The error of a training entry point whose forward pass returned no cache, which only a
/// ``LinearLayer`` that ignores its `training` argument can cause.
func missingCache(_ layer: Any.Type) -> TensorError {
    .invalidArgument(
        "\(layer) returned no cache from a training forward pass; its forward must return one when training")
}
