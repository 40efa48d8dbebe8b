public import SquireTensor

/// A small feed-forward network on feature vectors: a fixed standardization of the inputs,
/// one or two hidden layers with a nonlinearity and dropout, then a linear layer to one
/// logit per label.
///
/// The standardization (each feature's training mean and standard deviation, as
/// scikit-learn users do with `StandardScaler`) matters for sentence embeddings: their
/// unit-length rows have features of about `1/√D`, which would leave the hidden layer in
/// the near-linear middle of its activation and make training slow.
///
/// Fitted by ``fit(features:labels:labelOrder:validation:configuration:checkpointPath:progress:afterEpoch:)``
/// with the shared ``Trainer`` (AdamW, mini-batches, early stopping on a validation
/// split carved from the training data).
public struct MLPHead: ClassificationHead, Hashable {
    /// The hidden layers, then the output layer; keys `layers.<i>.weight` / `.bias`.
    public var layers: [Linear]
    /// The nonlinearity after every hidden layer.
    public var activation: Activation
    /// Dropout after every hidden activation, during training only.
    public var dropout: Dropout
    /// The label smoothing ε of the training loss; validation and reported losses are
    /// the plain negative log-likelihood.
    public var labelSmoothing: Float
    /// The labels, in the order of the output layer's rows.
    public var labels: [String]
    /// `[D]`: subtracted from every input (key `input.mean`); not trained.
    public var inputMean: Tensor
    /// `[D]`: multiplies every centred input (key `input.scale`); not trained.
    public var inputScale: Tensor

    /// Creates a head from its layers, checking that consecutive widths agree.
    ///
    /// - Parameters:
    ///   - inputMean: subtracted from inputs; nil subtracts nothing.
    ///   - inputScale: multiplies centred inputs; nil leaves them as they are.
    ///   - labelSmoothing: ε of the training loss, in `0 ..< 1`.
    public init(
        layers: [Linear], activation: Activation, dropout: Dropout, labels: [String],
        inputMean: Tensor? = nil, inputScale: Tensor? = nil, labelSmoothing: Float = 0
    ) throws {
        guard let last = layers.last, last.outputDimension == labels.count else {
            throw TrainingError.shapeMismatch(
                "an MLP head needs layers ending in \(labels.count) outputs, one per label")
        }
        for (before, after) in zip(layers, layers.dropFirst()) where before.outputDimension != after.inputDimension {
            throw TrainingError.shapeMismatch(
                "MLP layer widths do not chain: \(before.outputDimension) outputs feed \(after.inputDimension) inputs")
        }
        let width = layers[0].inputDimension
        self.inputMean = try inputMean ?? Tensor.zeros([width])
        self.inputScale = try inputScale ?? Tensor.ones([width])
        guard self.inputMean.shape == [width], self.inputScale.shape == [width] else {
            throw TrainingError.shapeMismatch(
                "the input standardization must have \(width) entries, got \(self.inputMean.shape) and \(self.inputScale.shape)"
            )
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw TrainingError.invalidConfiguration("label smoothing must be in 0 ..< 1, got \(labelSmoothing)")
        }
        self.layers = layers
        self.activation = activation
        self.dropout = dropout
        self.labels = labels
        self.labelSmoothing = labelSmoothing
    }

    /// A freshly initialized head: weights and biases uniform in `±1/√fan-in`, torch's
    /// default for `nn.Linear`.
    public init(
        inputDimension: Int, hiddenSizes: [Int], labels: [String], activation: Activation = .gelu, dropout: Dropout,
        labelSmoothing: Float = 0, seed: UInt64
    ) throws {
        var generator = SeededGenerator(seed: seed)
        var layers: [Linear] = []
        for (fanIn, fanOut) in zip([inputDimension] + hiddenSizes, hiddenSizes + [labels.count]) {
            let bound = 1 / Float(fanIn).squareRoot()
            layers.append(
                try Linear(
                    weight: Tensor.uniform([fanOut, fanIn], in: -bound...bound, using: &generator),
                    bias: Tensor.uniform([fanOut], in: -bound...bound, using: &generator)))
        }
        try self.init(
            layers: layers, activation: activation, dropout: dropout, labels: labels, labelSmoothing: labelSmoothing)
    }

    public var inputDimension: Int { layers[0].inputDimension }

    public func logits(for features: Tensor) throws -> Tensor {
        var inference: SeededGenerator? = nil
        return try forward(features, training: &inference).logits
    }

    public var parameters: NamedTensors {
        var parameters = NamedTensors()
        parameters["input.mean"] = inputMean
        parameters["input.scale"] = inputScale
        for (key, tensor) in trainableParameters { parameters[key] = tensor }
        return parameters
    }

    /// `(x − mean) · scale`, row by row.
    func standardized(_ features: Tensor) throws -> Tensor {
        guard features.rank == 2, features.shape[1] == inputDimension else {
            throw TensorError.shapeMismatch("MLPHead (features vs input width)", features.shape, [inputDimension])
        }
        var scalars = features.scalars
        let width = inputDimension
        inputMean.withUnsafeBufferPointer { mean in
            inputScale.withUnsafeBufferPointer { scale in
                for index in scalars.indices {
                    scalars[index] = (scalars[index] - mean[index % width]) * scale[index % width]
                }
            }
        }
        return try Tensor(shape: features.shape, scalars: scalars)
    }

    /// Each feature's mean and `1/std` over `features`; constant features get scale 1.
    static func standardization(of features: Tensor) throws -> (mean: Tensor, scale: Tensor) {
        let (rows, width) = (features.shape[0], features.shape[1])
        var mean = [Double](repeating: 0, count: width)
        var square = mean
        for row in 0..<rows {
            for column in 0..<width {
                let value = Double(features.scalars[row * width + column])
                mean[column] += value
                square[column] += value * value
            }
        }
        var scale = [Float](repeating: 1, count: width)
        for column in 0..<width {
            mean[column] /= Double(rows)
            let variance = square[column] / Double(rows) - mean[column] * mean[column]
            if variance > 1e-12 { scale[column] = Float(1 / variance.squareRoot()) }
        }
        return (Tensor(mean.map(Float.init)), Tensor(scale))
    }
}

extension MLPHead {
    /// What ``backward(_:cache:)`` needs from a training forward pass.
    public struct Cache: Sendable {
        /// Each layer's input: `[B, D]` standardized features, then `[B, hidden]` per hidden layer.
        var inputs: [Tensor] = []
        /// Each hidden layer's output before its activation, `[B, hidden]`.
        var preActivations: [Tensor] = []
        /// Each hidden layer's dropout mask; nil where nothing was dropped.
        var masks: [Tensor?] = []
    }

    /// `[B, K]` logits for `[B, D]` features: the head's one forward pass. For inference
    /// `training` is nil: no dropout, and no cache. In training the dropout after each hidden
    /// activation draws from `training`, and the cache is what ``backward(_:cache:)`` needs.
    public func forward(_ features: Tensor, training: inout SeededGenerator?) throws -> (
        logits: Tensor, cache: Cache?
    ) {
        var cache = training == nil ? nil : Cache()
        var x = try standardized(features)
        for (index, layer) in layers.enumerated() {
            cache?.inputs.append(x)
            x = try layer.forward(x)
            if index < layers.count - 1 {
                cache?.preActivations.append(x)
                let (output, mask) = try dropout.forward(activation.forward(x), training: &training)
                cache?.masks.append(mask)
                x = output
            }
        }
        return (x, cache)
    }

    /// The gradients of every trained parameter, under the keys of ``trainableParameters``,
    /// from `∂L/∂logits` (`[B, K]`): the layers' backward passes in reverse order.
    public func backward(_ logitGradient: Tensor, cache: Cache) throws -> NamedTensors {
        try gradients(logitGradient, cache: cache).parameters
    }

    /// ``backward(_:cache:)``'s parameter gradients and `∂L/∂features` (`[B, D]`), for a
    /// model that trains what computes the features too (a fine-tuned encoder under the head).
    public func gradients(_ logitGradient: Tensor, cache: Cache) throws -> (
        parameters: NamedTensors, features: Tensor
    ) {
        guard cache.inputs.count == layers.count, cache.preActivations.count == layers.count - 1,
            cache.masks.count == layers.count - 1
        else {
            throw TrainingError.shapeMismatch(
                "the cache holds \(cache.inputs.count) layers' inputs, but this MLP head has \(layers.count) layers")
        }
        var layerGradients: [Linear.Gradients] = []
        var upstream = logitGradient
        for index in layers.indices.reversed() {
            if index < layers.count - 1 {
                upstream = try activation.backward(
                    dropout.backward(upstream, mask: cache.masks[index]), input: cache.preActivations[index])
            }
            let gradients = try layers[index].backward(upstream, input: cache.inputs[index])
            layerGradients.append(gradients)
            upstream = gradients.input
        }
        var gradients = NamedTensors()
        for (index, layer) in layerGradients.reversed().enumerated() {
            gradients["layers.\(index).weight"] = layer.weight
            gradients["layers.\(index).bias"] = layer.bias
        }
        // The features were standardized, (x − mean) · scale: their gradient is scaled alike.
        var features = upstream.scalars
        let width = inputDimension
        inputScale.withUnsafeBufferPointer { scale in
            for index in features.indices { features[index] *= scale[index % width] }
        }
        return (gradients, try Tensor(shape: upstream.shape, scalars: features))
    }

    /// The same head with its input standardization folded into the first layer, so that
    /// the head reads raw features: `W·((x − m)·s) + b = (W·diag(s))·x + (b − W·(m·s))`.
    /// Its logits equal this head's to float rounding; a format that stores only layers
    /// (a PEFT adapter's classifier) can hold it.
    public func foldingStandardization() throws -> MLPHead {
        let first = layers[0]
        let (rows, width) = (first.outputDimension, first.inputDimension)
        var weight = first.weight.scalars
        var bias = first.bias.scalars
        for row in 0..<rows {
            var shift = 0.0
            for column in 0..<width {
                let scale = inputScale.scalars[column]
                shift += Double(weight[row * width + column]) * Double(inputMean.scalars[column] * scale)
                weight[row * width + column] *= scale
            }
            bias[row] -= Float(shift)
        }
        var folded = layers
        folded[0] = try Linear(weight: Tensor(shape: [rows, width], scalars: weight), bias: Tensor(bias))
        return try MLPHead(
            layers: folded, activation: activation, dropout: dropout, labels: labels, labelSmoothing: labelSmoothing)
    }
}

extension MLPHead: TrainableModel {
    /// Features `[B, D]`, each row's label index, and each row's weight.
    public struct Batch: Sendable {
        /// `[B, D]`.
        public var features: Tensor
        /// The true label of each row.
        public var classIndices: [Int]
        /// Each row's weight in the loss; nil weighs every row 1.
        public var weights: [Float]?

        /// Creates a batch.
        public init(features: Tensor, classIndices: [Int], weights: [Float]? = nil) {
            self.features = features
            self.classIndices = classIndices
            self.weights = weights
        }
    }

    public var trainableParameters: NamedTensors {
        var parameters = NamedTensors()
        for (index, layer) in layers.enumerated() {
            parameters["layers.\(index).weight"] = layer.weight
            parameters["layers.\(index).bias"] = layer.bias
        }
        return parameters
    }

    public mutating func assignTrainableParameters(_ parameters: NamedTensors) throws {
        try trainableParameters.checkSameLayout(as: parameters)
        for index in layers.indices {
            layers[index] = try layers[index].replacingParameters(parameters.scoped("layers.\(index)"))
        }
    }

    public func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    ) {
        let (logits, cache) = try generator.training { try forward(batch.features, training: &$0) }
        guard let cache else { throw missingCache(Self.self) }
        let (loss, logitGradient) = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: batch.classIndices, weights: batch.weights, labelSmoothing: labelSmoothing)
        return (loss, try backward(logitGradient, cache: cache))
    }

    public func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double) {
        let logits = try self.logits(for: batch.features)
        let (loss, _) = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: batch.classIndices, weights: batch.weights)
        let predicted = try logits.argmax(alongAxis: 1)
        let correct = zip(predicted, batch.classIndices).filter { $0 == $1 }.count
        return (loss, Double(correct) / Double(max(1, batch.classIndices.count)))
    }
}
