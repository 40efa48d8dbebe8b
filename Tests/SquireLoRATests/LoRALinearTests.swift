import GradientCheck
import SquireLoRA
import SquireModels
import SquireTensor
import Testing

/// One adapted layer: its backward pass against finite differences (with and without
/// dropout), merging, scaling and PEFT's initialization.
@Suite struct LoRALinearTests {
    /// A layer with a non-zero `B`, so every path of the adapter carries signal.
    static func layer(dropout: Float = 0) throws -> LoRALinear {
        var generator = SeededGenerator(seed: 11)
        let base = try Linear(
            weight: Tensor.normal([5, 7], using: &generator), bias: Tensor.normal([5], using: &generator))
        return try LoRALinear(
            base: base, a: Tensor.normal([3, 7], using: &generator), b: Tensor.normal([5, 3], using: &generator),
            scale: 16.0 / 3, dropout: Dropout(rate: dropout))
    }

    @Test(arguments: [Float(0), 0.3])
    func gradientsMatchFiniteDifferences(dropout: Float) throws {
        let layer = try Self.layer(dropout: dropout)
        var generator = SeededGenerator(seed: 2)
        let x = try Tensor.normal([2, 4, 7], using: &generator)
        let r = try Tensor.normal([2, 4, 5], using: &generator)
        // The same seed gives the same dropout mask in every evaluation.
        func loss(_ layer: LoRALinear, _ x: Tensor) throws -> Double {
            var masks = SeededGenerator(seed: 5)
            return Double(try (layer.forwardCaching(x, adding: nil, using: &masks).output * r).sum())
        }
        var masks = SeededGenerator(seed: 5)
        let (_, cache) = try layer.forwardCaching(x, adding: nil, using: &masks)
        let gradients = try layer.backward(r, cache: cache, parametersWhere: { _ in true })
        #expect(gradients.parameters.keys == layer.parameters.keys)
        #expect(try GradientCheck.relativeError(of: gradients.input, at: x) { try loss(layer, $0) } < 1e-2)
        for (key, tensor) in layer.parameters {
            let error = try GradientCheck.relativeError(of: gradients.parameters.tensor(forKey: key), at: tensor) {
                value in
                var tensors = layer.parameters
                tensors[key] = value
                return try loss(layer.replacingParameters(tensors), x)
            }
            #expect(error < 1e-2, "\(key): \(error)")
        }
    }

    @Test func frozenBaseComputesOnlyAdapterGradients() throws {
        let layer = try Self.layer()
        var generator = SeededGenerator(seed: 3)
        let x = try Tensor.normal([4, 7], using: &generator)
        let (_, cache) = try layer.forwardCaching(x, adding: nil, using: &generator)
        let onlyAdapter = try layer.backward(
            Tensor.ones([4, 5]), cache: cache, parametersWhere: { $0.hasPrefix("lora_") })
        let everything = try layer.backward(Tensor.ones([4, 5]), cache: cache, parametersWhere: { _ in true })
        #expect(onlyAdapter.parameters.tensors.map(\.shape) == [[3, 7], [5, 3]])
        #expect(onlyAdapter.parameters == everything.parameters.filter(keys: { $0.hasPrefix("lora_") }))
        #expect(onlyAdapter.input == everything.input)
    }

    @Test func residualAndInferenceForwardAgree() throws {
        let layer = try Self.layer(dropout: 0.5)
        var generator = SeededGenerator(seed: 4)
        let x = try Tensor.normal([3, 7], using: &generator)
        let residual = try Tensor.normal([3, 5], using: &generator)
        let base = try #require(layer.base as? Linear)
        let expected =
            try base.forward(x) + residual + Tensor.matmul(
                Tensor.matmul(x, layer.a, transposeB: true), layer.b, transposeB: true) * layer.scale
        let output = try layer.forward(x, adding: residual)
        #expect(try (output - expected).scalars.allSatisfy { abs($0) < 1e-5 })
    }

    @Test func mergedLayerGivesTheSameOutputs() throws {
        // The scales of a trained adapter on all-MiniLM-L6-v2: weights near 1/√in, inputs
        // and outputs of order 1 (the encoder's layer-normed states).
        var generator = SeededGenerator(seed: 6)
        let width = Float(384).squareRoot()
        let base = try Linear(
            weight: Tensor.normal([384, 384], using: &generator) / width, bias: Tensor.normal([384], using: &generator))
        let layer = try LoRALinear(
            base: base, a: Tensor.uniform([8, 384], in: -1 / width...1 / width, using: &generator),
            b: Tensor.normal([384, 8], standardDeviation: 0.1, using: &generator), scale: 2, dropout: Dropout(rate: 0))
        let x = try Tensor.normal([6, 384], using: &generator)
        let merged = try layer.merged()
        let difference = try (merged.forward(x) - layer.forward(x)).scalars.map(abs).max() ?? 0
        #expect(difference < 1e-5, "\(difference)")
        #expect(merged.bias == (layer.base as? Linear)?.bias)
    }

    @Test func freshAdapterIsInitializedAsPEFTDoes() throws {
        var generator = SeededGenerator(seed: 7)
        let base = try Linear(weight: Tensor.normal([384, 384], using: &generator), bias: Tensor.zeros([384]))
        let layer = try LoRALinear(
            wrapping: base, configuration: LoRAConfiguration(rank: 8, alpha: 16), using: &generator)
        // Kaiming-uniform with a = √5 on [8, 384]: bound = 1/√384.
        let bound = 1 / Float(384).squareRoot()
        #expect(layer.a.shape == [8, 384] && layer.a.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.a.scalars.map(abs).max()! > 0.9 * bound)
        #expect(layer.b == (try Tensor.zeros([384, 8])))
        #expect(layer.scale == 2)
        #expect(LoRAConfiguration(rank: 16, alpha: 16, rankStabilized: true).scale == 4)
        let x = try Tensor.normal([3, 384], using: &generator)
        #expect(try layer.forward(x) == base.forward(x))
    }

    @Test func refusesMismatchedShapes() throws {
        let base = try Linear(weight: Tensor.zeros([5, 7]), bias: Tensor.zeros([5]))
        #expect(throws: TensorError.self) {
            try LoRALinear(
                base: base, a: Tensor.zeros([3, 6]), b: Tensor.zeros([5, 3]), scale: 1, dropout: Dropout(rate: 0))
        }
        #expect(throws: TensorError.self) {
            try LoRALinear(
                base: base, a: Tensor.zeros([3, 7]), b: Tensor.zeros([5, 2]), scale: 1, dropout: Dropout(rate: 0))
        }
        let layer = try Self.layer()
        #expect(throws: TensorError.self) { try layer.forward(Tensor.zeros([2, 6])) }
    }
}
