import GradientCheck
import SquireModels
import SquireTensor
import Testing

/// Every layer's backward against finite differences of its forward, through a fixed
/// random projection of the output so every output element matters.
@Suite struct LayerGradientTests {
    static func projection(_ shape: [Int], seed: UInt64 = 9) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Tensor.normal(shape, using: &generator)
    }

    static func dot(_ a: Tensor, _ b: Tensor) throws -> Double {
        Double(try (a * b).sum())
    }

    @Test func linear() throws {
        var generator = SeededGenerator(seed: 1)
        let x = try Tensor.normal([3, 2, 5], using: &generator)
        let layer = try Linear(
            weight: Tensor.normal([4, 5], using: &generator), bias: Tensor.normal([4], using: &generator))
        let r = try Self.projection([3, 2, 4])
        let gradients = try layer.backward(r, input: x)
        #expect(
            try GradientCheck.relativeError(of: gradients.input, at: x) { try Self.dot(layer.forward($0), r) } < 1e-3)
        #expect(
            try GradientCheck.relativeError(of: gradients.weight, at: layer.weight) {
                try Self.dot(Linear(weight: $0, bias: layer.bias).forward(x), r)
            } < 1e-3)
        #expect(
            try GradientCheck.relativeError(of: gradients.bias, at: layer.bias) {
                try Self.dot(Linear(weight: layer.weight, bias: $0).forward(x), r)
            } < 1e-3)
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) throws {
        var generator = SeededGenerator(seed: 2)
        // Keep ReLU's inputs away from its kink, where finite differences are meaningless.
        let raw = try Tensor.normal([4, 6], using: &generator)
        let x = try Tensor(shape: raw.shape, scalars: raw.scalars.map { $0 + ($0 >= 0 ? 0.1 : -0.1) })
        let r = try Self.projection([4, 6])
        let analytic = try activation.backward(r, input: x)
        #expect(
            try GradientCheck.relativeError(of: analytic, at: x, step: 1e-3) { try Self.dot(activation.forward($0), r) }
                < 5e-3)
    }

    @Test(arguments: [Float(0), 0.1, 0.5])
    func softmaxCrossEntropy(labelSmoothing: Float) throws {
        var generator = SeededGenerator(seed: 3)
        let logits = try Tensor.normal([5, 4], using: &generator)
        let labels = [0, 3, 1, 1, 2]
        let weights: [Float] = [1, 2, 0.5, 1, 3]
        let (_, gradient) = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: labels, weights: weights, labelSmoothing: labelSmoothing)
        #expect(
            try GradientCheck.relativeError(of: gradient, at: logits) {
                try SoftmaxCrossEntropy.lossAndGradient(
                    logits: $0, classIndices: labels, weights: weights, labelSmoothing: labelSmoothing
                ).loss
            } < 1e-3)
    }

    /// torch's definition: `(1 − ε) · NLL + ε · (the weighted mean over rows of −Σⱼ log pⱼ / K)`.
    @Test func labelSmoothingMixesTheTrueLabelWithTheUniformTarget() throws {
        var generator = SeededGenerator(seed: 3)
        let logits = try Tensor.normal([5, 4], using: &generator)
        let labels = [0, 3, 1, 1, 2]
        let weights: [Float] = [1, 2, 0.5, 1, 3]
        let plain = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, classIndices: labels, weights: weights).loss
        let logP = try logits.logSoftmax().scalars
        let uniform =
            (0..<5).reduce(0.0) { sum, row in
                sum + Double(weights[row]) * (0..<4).reduce(0.0) { $0 - Double(logP[row * 4 + $1]) } / 4
            } / Double(weights.reduce(0, +))
        let smoothed = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: labels, weights: weights, labelSmoothing: 0.2
        ).loss
        #expect(abs(smoothed - (0.8 * plain + 0.2 * uniform)) < 1e-6)
        #expect(smoothed != plain)
        for bad: Float in [-0.1, 1, .nan] {
            #expect(throws: TensorError.self) {
                try SoftmaxCrossEntropy.lossAndGradient(logits: logits, classIndices: labels, labelSmoothing: bad)
            }
        }
    }

    @Test func dropoutUsesTheSameMaskBackward() throws {
        var generator = SeededGenerator(seed: 4)
        let x = try Tensor.ones([1000])
        let (output, mask) = try Dropout(rate: 0.25).forward(x, using: &generator)
        let zeroed = output.scalars.filter { $0 == 0 }.count
        #expect((200...300).contains(zeroed))
        #expect(output.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        #expect(try Dropout(rate: 0.25).backward(x, mask: mask) == output)
        #expect(throws: TrainingError.self) { try Dropout(rate: 1) }
    }

    @Test(arguments: [Activation.relu, .gelu])
    func mlpHead(_ activation: Activation) throws {
        var generator = SeededGenerator(seed: 5)
        let features = try Tensor.normal([6, 5], using: &generator)
        let labels = [0, 1, 2, 1, 0, 2]
        let head = try MLPHead(
            inputDimension: 5, hiddenSizes: [7, 4], labels: ["a", "b", "c"], activation: activation,
            dropout: Dropout(rate: 0), seed: 12)
        let batch = MLPHead.Batch(features: features, classIndices: labels)
        var noise = SeededGenerator(seed: 0)
        let (loss, gradients) = try head.lossAndGradients(on: batch, using: &noise)
        #expect(abs(loss - (try head.evaluate(on: batch).loss)) < 1e-6)
        // Finite differences are meaningless across ReLU's kink: the seed is chosen so no
        // hidden pre-activation lies within 5 steps of 0.
        let first = try head.layers[0].forward(features)
        let second = try head.layers[1].forward(activation.forward(first))
        #expect((first.scalars + second.scalars).map { abs($0) }.min()! > 5e-3)
        #expect(gradients.keys == head.trainableParameters.keys)
        for parameter in head.trainableParameters {
            // Small steps for ReLU, so no pre-activation crosses its kink between the two probes;
            // GELU is smooth and takes the larger step that Float's rounding prefers.
            let step: Float = activation == .relu ? 1e-3 : 1e-2
            let gradient = try gradients.tensor(forKey: parameter.key)
            let error = try GradientCheck.relativeError(of: gradient, at: parameter.tensor, step: step) {
                value in
                var probe = head
                var values = head.trainableParameters
                values[parameter.key] = value
                try probe.assignTrainableParameters(values)
                return try probe.evaluate(on: batch).loss
            }
            #expect(error < 5e-3, "\(parameter.key): \(error)")
        }
    }

    /// A head on standardized features: `∂L/∂features` against finite differences (what a
    /// fine-tuned encoder under the head trains on), and the standardization folded into
    /// the first layer without changing the logits.
    @Test func mlpHeadFeatureGradientAndFoldedStandardization() throws {
        var generator = SeededGenerator(seed: 8)
        let features = try Tensor.normal([5, 4], using: &generator)
        let random = try MLPHead(
            inputDimension: 4, hiddenSizes: [6], labels: ["a", "b", "c"], dropout: Dropout(rate: 0), seed: 4)
        let head = try MLPHead(
            layers: random.layers, activation: .gelu, dropout: Dropout(rate: 0), labels: random.labels,
            inputMean: Tensor([0.3, -0.2, 0.1, 0.5]), inputScale: Tensor([2, 0.5, 1.5, 3]), labelSmoothing: 0.1)
        let classIndices = [0, 2, 1, 1, 0]
        func loss(_ features: Tensor) throws -> Double {
            try SoftmaxCrossEntropy.lossAndGradient(
                logits: head.logits(for: features), classIndices: classIndices, labelSmoothing: 0.1
            ).loss
        }
        var training: SeededGenerator? = SeededGenerator(seed: 1)
        let (logits, cache) = try head.forward(features, training: &training)
        let logitGradient = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: classIndices, labelSmoothing: 0.1
        ).gradient
        let gradients = try head.gradients(logitGradient, cache: #require(cache))
        #expect(gradients.parameters == (try head.backward(logitGradient, cache: #require(cache))))
        #expect(try GradientCheck.relativeError(of: gradients.features, at: features, step: 1e-2, loss) < 5e-3)

        let folded = try head.foldingStandardization()
        #expect(folded.inputMean.scalars.allSatisfy { $0 == 0 } && folded.inputScale.scalars.allSatisfy { $0 == 1 })
        let difference = zip(try folded.logits(for: features).scalars, try head.logits(for: features).scalars)
            .map { abs($0 - $1) }.max()!
        #expect(difference < 1e-5)
    }
}
