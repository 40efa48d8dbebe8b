import GradientCheck
import SquireModels
import SquireTensor
import Testing

/// The encoder's backward passes against finite differences of its forward passes, on a
/// tiny randomly initialized configuration (D = 8, H = 2, two layers), through a fixed random
/// projection of the output so every output element matters.
@Suite struct EncoderGradientTests {
    static let configuration = try! BertConfiguration(
        vocabularySize: 20, hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16, maximumPositions: 10,
        layerNormEpsilon: 1e-5)
    static let sequences = [[1, 5, 3, 2], [1, 7, 2], [1, 9, 9, 4, 6, 2]]

    /// An encoder whose layer norms and biases are not at their trivial initial values, so
    /// their gradients are exercised in general position.
    static func encoder() throws -> BertEncoder {
        let plain = try BertEncoder(configuration: configuration, seed: 3)
        var generator = SeededGenerator(seed: 4)
        return try plain.replacingParameters(
            plain.parameters.map { parameter in
                let noise = try Tensor.normal(parameter.tensor.shape, standardDeviation: 0.3, using: &generator)
                return parameter.key.hasSuffix("weight") && !parameter.key.contains("LayerNorm")
                    ? try parameter.tensor * Float(10) + noise * Float(0.1)
                    : try parameter.tensor + noise
            })
    }

    static func projection(_ shape: [Int]) throws -> Tensor {
        var generator = SeededGenerator(seed: 9)
        return try Tensor.normal(shape, using: &generator)
    }

    @Test func layerNorm() throws {
        var generator = SeededGenerator(seed: 1)
        let x = try Tensor.normal([5, 8], using: &generator)
        let norm = LayerNorm(
            gamma: try Tensor.normal([8], using: &generator), beta: try Tensor.normal([8], using: &generator),
            epsilon: 1e-5)
        let r = try Self.projection([5, 8])
        let gradients = try norm.backward(r, input: x)
        func loss(_ norm: LayerNorm, _ x: Tensor) throws -> Double { Double(try (norm.forward(x) * r).sum()) }
        #expect(try GradientCheck.relativeError(of: gradients.input, at: x) { try loss(norm, $0) } < 5e-3)
        #expect(
            try GradientCheck.relativeError(of: gradients.gamma, at: norm.gamma) {
                try loss(LayerNorm(gamma: $0, beta: norm.beta, epsilon: 1e-5), x)
            } < 5e-3)
        #expect(
            try GradientCheck.relativeError(of: gradients.beta, at: norm.beta) {
                try loss(LayerNorm(gamma: norm.gamma, beta: $0, epsilon: 1e-5), x)
            } < 5e-3)
    }

    @Test(arguments: [Pooling.mean, .classifierToken, .max, .meanSquareRootLength])
    func pooling(_ pooling: Pooling) throws {
        var generator = SeededGenerator(seed: 2)
        let states = try Tensor.normal([9, 4], using: &generator)
        let ranges = [0..<4, 4..<5, 5..<9]
        let r = try Self.projection([3, 4])
        let analytic = try pooling.backward(r, states: states, sequences: ranges)
        #expect(
            try GradientCheck.relativeError(of: analytic, at: states, step: 1e-3) {
                Double(try (pooling.pool($0, sequences: ranges) * r).sum())
            } < 5e-3)
    }

    @Test func l2Normalization() throws {
        var generator = SeededGenerator(seed: 3)
        let x = try Tensor.normal([3, 6], using: &generator)
        let r = try Self.projection([3, 6])
        let analytic = try x.l2NormalizedBackward(r)
        #expect(
            try GradientCheck.relativeError(of: analytic, at: x, step: 1e-3) {
                Double(try ($0.l2Normalized() * r).sum())
            } < 5e-3)
    }

    @Test func transformerLayerInput() throws {
        let layer = try Self.encoder().layers[1]
        var generator = SeededGenerator(seed: 5)
        let x = try Tensor.normal([13, 8], using: &generator)
        let ranges = [0..<4, 4..<7, 7..<13]
        let r = try Self.projection([13, 8])
        let (_, cache) = try layer.forwardCaching(x, sequences: ranges, using: &generator)
        let (analytic, _) = try layer.backward(r, cache: cache)
        #expect(
            try GradientCheck.relativeError(of: analytic, at: x) {
                Double(try (layer.forward($0, sequences: ranges) * r).sum())
            } < 1e-2)
    }

    @Test func everyEncoderParameter() throws {
        let encoder = try Self.encoder()
        var generator = SeededGenerator(seed: 1)
        let (states, _, cache) = try encoder.forwardCaching(Self.sequences, using: &generator)
        let r = try Self.projection(states.shape)
        let gradients = try encoder.backward(r, cache: cache)
        let parameters = encoder.parameters
        #expect(gradients.keys == parameters.keys)
        for parameter in parameters {
            let gradient = try gradients.tensor(forKey: parameter.key)
            #expect(gradient.shape == parameter.tensor.shape, "\(parameter.key)")
            if parameter.key.hasSuffix("attention.self.key.bias") {
                // A key bias adds q·b to every score of a row, which softmax ignores: its true
                // gradient is exactly zero, and a relative comparison with zero is meaningless.
                #expect(gradient.scalars.allSatisfy { abs($0) < 1e-4 }, "\(parameter.key): \(gradient)")
                continue
            }
            let error = try GradientCheck.relativeError(of: gradient, at: parameter.tensor) { value in
                var tensors = parameters
                tensors[parameter.key] = value
                return Double(
                    try (encoder.replacingParameters(tensors).hiddenStates(for: Self.sequences).states * r).sum())
            }
            #expect(error < 1e-2, "\(parameter.key): \(error)")
        }
    }

    @Test func cachingForwardEqualsPlainForward() throws {
        let encoder = try Self.encoder()
        var generator = SeededGenerator(seed: 1)
        #expect(
            try encoder.forwardCaching(Self.sequences, using: &generator).states
                == encoder.hiddenStates(for: Self.sequences).states)
    }
}
