import Foundation
import SquireCore
public import SquireModels
public import SquireTensor

/// A LoRA adapter and its classifier as PEFT saves them: a folder with
/// `adapter_config.json` and `adapter_model.safetensors`.
///
/// Keys follow PEFT on a model whose encoder is the attribute `bert` and whose head is
/// `classifier` (as in `BertForSequenceClassification`):
/// `base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight` and
/// `base_model.model.classifier.weight` (the head, listed in `modules_to_save`). An MLP
/// classifier's layers are `classifier.layers.<i>.weight` and `.bias`, read as
/// Linear → GELU → … → Linear (a `torch.nn.Module` named `classifier` with a `ModuleList`
/// named `layers`). Loading also accepts keys without `bert.` (a PEFT model wrapping
/// `BertModel` itself).
public struct LoRAAdapter: Sendable {
    /// One adapted layer's tensors.
    public struct Weights: Sendable, Hashable {
        /// The adapted layer's checkpoint key, `encoder.layer.0.attention.self.query`.
        public var key: String
        /// `[rank, in]`.
        public var a: Tensor
        /// `[out, rank]`.
        public var b: Tensor
    }

    /// Rank, scaling, dropout and targets (`adapter_config.json`).
    public var configuration: LoRAConfiguration
    /// The adapted layers, in layer order.
    public var weights: [Weights]
    /// The classifier saved with the adapter (`modules_to_save`), `[K, D]` and `[K]`; for an
    /// MLP classifier, its output layer.
    public var classifier: Linear?
    /// An MLP classifier's hidden layers, in order (GELU after each); empty for a linear one.
    public var hiddenLayers: [Linear] = []

    static let configurationFile = "adapter_config.json"
    static let weightsFile = "adapter_model.safetensors"
    static let keyPrefix = "base_model.model."

    /// The adapter and classifier of a trained model; the classifier's input standardization
    /// is folded into its first layer (exactly nothing for a linear one, which has none).
    public init(_ model: LoRAClassifier) throws {
        configuration = model.configuration
        weights = model.embedder.encoder.adapters.map { Weights(key: $0.key, a: $0.layer.a, b: $0.layer.b) }
        let layers = try model.head.foldingStandardization().layers
        classifier = layers.last
        hiddenLayers = Array(layers.dropLast())
    }

    /// Reads a PEFT adapter folder, refusing what Squire cannot apply exactly (DoRA, biases
    /// in the adapter, per-layer ranks, regex targets) with a ``LoRAError`` naming the field.
    public init(folder: String) throws {
        let configPath = folder + "/" + Self.configurationFile
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw LoRAError.invalidAdapter(
                file: configPath,
                reason: "missing; a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors")
        }
        let file: AdapterConfigurationFile
        do {
            file = try JSONDecoder().decode(AdapterConfigurationFile.self, from: data)
        } catch {
            throw LoRAError.invalidAdapter(file: configPath, reason: DecodingError.summary(of: error, decoding: data))
        }
        let configuration = try file.configuration(path: configPath)
        self.configuration = configuration
        let weightsPath = folder + "/" + Self.weightsFile
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw LoRAError.invalidAdapter(
                file: weightsPath, reason: "missing (Squire reads safetensors adapters, not adapter_model.bin)")
        }
        let tensors = try SafetensorsFile(path: weightsPath)
        var a: [String: Tensor] = [:]
        var b: [String: Tensor] = [:]
        var classifierWeight: Tensor?
        var classifierBias: Tensor?
        var layerTensors: [Int: (weight: Tensor?, bias: Tensor?)] = [:]
        for name in tensors.names {
            var key = name.hasPrefix(Self.keyPrefix) ? String(name.dropFirst(Self.keyPrefix.count)) : name
            let tensor = try tensors.tensor(name)
            guard tensor.isFinite else {
                throw LoRAError.invalidAdapter(file: weightsPath, reason: "\(name) holds NaN or infinite values")
            }
            switch key {
            case "classifier.weight":
                classifierWeight = tensor
                continue
            case "classifier.bias":
                classifierBias = tensor
                continue
            default:
                let parts = key.split(separator: ".")
                if parts.count == 4, parts[0] == "classifier", parts[1] == "layers", let index = Int(parts[2]),
                    index >= 0, parts[3] == "weight" || parts[3] == "bias"
                {
                    if parts[3] == "weight" { layerTensors[index, default: (nil, nil)].weight = tensor }
                    if parts[3] == "bias" { layerTensors[index, default: (nil, nil)].bias = tensor }
                    continue
                }
            }
            if key.hasPrefix("bert.") { key.removeFirst("bert.".count) }
            if key.hasSuffix(".lora_A.weight") {
                a[String(key.dropLast(".lora_A.weight".count))] = tensor
            } else if key.hasSuffix(".lora_B.weight") {
                b[String(key.dropLast(".lora_B.weight".count))] = tensor
            } else {
                throw LoRAError.invalidAdapter(
                    file: weightsPath,
                    reason:
                        "\(name) is neither a LoRA tensor nor the classifier; Squire applies plain LoRA adapters only")
            }
        }
        guard Set(a.keys) == Set(b.keys), !a.isEmpty else {
            throw LoRAError.invalidAdapter(
                file: weightsPath,
                reason: "every adapted layer needs both lora_A and lora_B (A: \(a.count), B: \(b.count))")
        }
        weights = try a.keys.sorted(by: Self.layerOrder).map { key in
            let (left, right) = (a[key]!, b[key]!)
            guard left.rank == 2, right.rank == 2, left.shape[0] == configuration.rank,
                right.shape[1] == configuration.rank
            else {
                throw LoRAError.invalidAdapter(
                    file: weightsPath,
                    reason: "\(key): A \(left.shape) and B \(right.shape) do not have rank \(configuration.rank)")
            }
            return Weights(key: key, a: left, b: right)
        }
        switch (classifierWeight, classifierBias) {
        case (let weight?, let bias?): classifier = try Linear(weight: weight, bias: bias)
        case (nil, nil): classifier = nil
        default:
            throw LoRAError.invalidAdapter(
                file: weightsPath, reason: "the classifier needs both its weight and its bias")
        }
        if !layerTensors.isEmpty {
            guard classifier == nil else {
                throw LoRAError.invalidAdapter(
                    file: weightsPath, reason: "the file holds both a linear classifier and classifier.layers")
            }
            guard layerTensors.count >= 2, Set(layerTensors.keys) == Set(0..<layerTensors.count) else {
                throw LoRAError.invalidAdapter(
                    file: weightsPath,
                    reason:
                        "an MLP classifier needs layers 0, 1, … with no gap and at least two of them; got \(layerTensors.keys.sorted())"
                )
            }
            let layers = try (0..<layerTensors.count).map { index in
                guard let weight = layerTensors[index]?.weight, let bias = layerTensors[index]?.bias else {
                    throw LoRAError.invalidAdapter(
                        file: weightsPath, reason: "classifier layer \(index) needs both its weight and its bias")
                }
                return try Linear(weight: weight, bias: bias)
            }
            classifier = layers.last
            hiddenLayers = Array(layers.dropLast())
        }
    }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` into `folder` (created
    /// if needed), each atomically.
    ///
    /// - Parameter baseModel: recorded as `base_model_name_or_path`.
    public func write(to folder: String, baseModel: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var tensors = SafetensorsWriter()
        tensors.metadata = ["format": "pt"]
        for layer in weights {
            try tensors.add(layer.a, named: "\(Self.keyPrefix)bert.\(layer.key).lora_A.weight")
            try tensors.add(layer.b, named: "\(Self.keyPrefix)bert.\(layer.key).lora_B.weight")
        }
        if let classifier, hiddenLayers.isEmpty {
            try tensors.add(classifier.weight, named: "\(Self.keyPrefix)classifier.weight")
            try tensors.add(classifier.bias, named: "\(Self.keyPrefix)classifier.bias")
        } else if let classifier {
            for (index, layer) in (hiddenLayers + [classifier]).enumerated() {
                try tensors.add(layer.weight, named: "\(Self.keyPrefix)classifier.layers.\(index).weight")
                try tensors.add(layer.bias, named: "\(Self.keyPrefix)classifier.layers.\(index).bias")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = AdapterConfigurationFile(configuration, hasClassifier: classifier != nil, baseModel: baseModel)
        try AtomicFile.write(Array(try encoder.encode(file)), to: folder + "/" + Self.configurationFile)
        try tensors.write(to: folder + "/" + Self.weightsFile)
    }

    /// The adapter applied to `base` with its classifier: a model that shares `base`'s
    /// tensors. Every adapted layer must exist in `base` with matching shapes.
    ///
    /// - Parameter labels: the classifier's labels, in the order of its rows.
    public func classifier(on base: SentenceEmbedder, labels: [String], calibration: Calibration = .none) throws
        -> LoRAClassifier
    {
        guard let classifier else {
            throw LoRAError.invalidAdapter(
                file: Self.weightsFile,
                reason: "the adapter has no classifier; save it with modules_to_save=[\"classifier\"]")
        }
        let layers = hiddenLayers + [classifier]
        guard classifier.outputDimension == labels.count, layers[0].inputDimension == base.dimension,
            zip(layers, layers.dropFirst()).allSatisfy({ $0.outputDimension == $1.inputDimension })
        else {
            throw LoRAError.invalidAdapter(
                file: Self.weightsFile,
                reason:
                    "the classifier's layers are \(layers.map(\.weight.shape)); the base gives \(base.dimension) features and there are \(labels.count) labels"
            )
        }
        let byKey = Dictionary(uniqueKeysWithValues: weights.map { ($0.key, $0) })
        var applied = 0
        let encoder = try base.encoder.replacingLinearLayers { key, layer in
            guard let weights = byKey[key] else { return nil }
            guard weights.a.shape[1] == layer.inputDimension, weights.b.shape[0] == layer.outputDimension else {
                throw LoRAError.invalidAdapter(
                    file: Self.weightsFile,
                    reason:
                        "\(key): A \(weights.a.shape) and B \(weights.b.shape) do not fit a [\(layer.outputDimension), \(layer.inputDimension)] layer"
                )
            }
            applied += 1
            return try LoRALinear(
                base: layer, a: weights.a, b: weights.b, scale: configuration.scale,
                dropout: Dropout(rate: configuration.dropout))
        }
        guard applied == weights.count else {
            let missing = weights.map(\.key).filter { key in !encoder.adapters.contains { $0.key == key } }
            throw LoRAError.invalidAdapter(
                file: Self.weightsFile, reason: "the base model has no layer \(missing.first ?? "")")
        }
        let head = try MLPHead(layers: layers, activation: .gelu, dropout: Dropout(rate: 0), labels: labels)
        return try LoRAClassifier(
            embedder: base.replacingEncoder(encoder), head: head, configuration: configuration, calibration: calibration
        )
    }

    /// Layer keys in the encoder's order (`layer.2` before `layer.10`), then by name.
    static func layerOrder(_ left: String, _ right: String) -> Bool {
        func index(_ key: String) -> Int { Int(key.split(separator: ".").dropFirst(2).first ?? "") ?? Int.max }
        let (l, r) = (index(left), index(right))
        if l != r { return l < r }
        let names = BertLayer.linearNames
        let (ln, rn) = (
            names.firstIndex { left.hasSuffix($0) } ?? names.count,
            names.firstIndex { right.hasSuffix($0) } ?? names.count
        )
        return ln != rn ? ln < rn : left < right
    }
}

/// `adapter_config.json`: the fields of PEFT's `LoraConfig` Squire reads and writes.
struct AdapterConfigurationFile: Codable {
    var peftType: String
    var rank: Int
    var alpha: Double
    var dropout: Float
    var targetModules: TargetModules
    var bias: String
    var modulesToSave: [String]?
    var rankStabilized: Bool?
    var usesDoRA: Bool?
    var fanInFanOut: Bool?
    var rankPattern: [String: Int]?
    var alphaPattern: [String: Double]?
    var layersToTransform: [Int]?
    var initializesWeights: Bool?
    var inferenceMode: Bool?
    var baseModel: String?
    var taskType: String?

    /// PEFT writes `target_modules` as a list of names, or as one regular expression.
    enum TargetModules: Codable {
        case names([String])
        case expression(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let names = try? container.decode([String].self) {
                self = .names(names)
            } else {
                self = .expression(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .names(let names): try container.encode(names)
            case .expression(let expression): try container.encode(expression)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case peftType = "peft_type"
        case rank = "r"
        case alpha = "lora_alpha"
        case dropout = "lora_dropout"
        case targetModules = "target_modules"
        case bias
        case modulesToSave = "modules_to_save"
        case rankStabilized = "use_rslora"
        case usesDoRA = "use_dora"
        case fanInFanOut = "fan_in_fan_out"
        case rankPattern = "rank_pattern"
        case alphaPattern = "alpha_pattern"
        case layersToTransform = "layers_to_transform"
        case initializesWeights = "init_lora_weights"
        case inferenceMode = "inference_mode"
        case baseModel = "base_model_name_or_path"
        case taskType = "task_type"
    }

    init(_ configuration: LoRAConfiguration, hasClassifier: Bool, baseModel: String?) {
        peftType = "LORA"
        rank = configuration.rank
        alpha = configuration.alpha
        dropout = configuration.dropout
        targetModules = .names(configuration.targetModules)
        bias = "none"
        modulesToSave = hasClassifier ? ["classifier"] : nil
        rankStabilized = configuration.rankStabilized
        usesDoRA = false
        fanInFanOut = false
        rankPattern = [:]
        alphaPattern = [:]
        initializesWeights = true
        inferenceMode = true
        self.baseModel = baseModel
    }

    /// The configuration, or a typed refusal of a PEFT feature Squire does not apply.
    func configuration(path: String) throws -> LoRAConfiguration {
        func refuse(_ reason: String) -> LoRAError { .invalidAdapter(file: path, reason: reason) }
        guard peftType == "LORA" else { throw refuse("peft_type is \(peftType); Squire reads LORA adapters") }
        guard bias == "none" else {
            throw refuse("bias is \"\(bias)\"; Squire's adapters carry no bias (bias=\"none\")")
        }
        guard usesDoRA != true else { throw refuse("use_dora is true; Squire applies plain LoRA, not DoRA") }
        guard fanInFanOut != true else {
            throw refuse("fan_in_fan_out is true, which is for GPT-2-style Conv1D layers, not BERT")
        }
        guard rankPattern?.isEmpty ?? true, alphaPattern?.isEmpty ?? true else {
            throw refuse("rank_pattern and alpha_pattern are not supported; use one rank and alpha")
        }
        guard layersToTransform == nil else {
            throw refuse("layers_to_transform is not supported; filter layers when training instead")
        }
        guard case .names(let names) = targetModules else {
            throw refuse("target_modules is a regular expression; Squire reads a list of module names")
        }
        let configuration = LoRAConfiguration(
            rank: rank, alpha: alpha, dropout: dropout, targetModules: names, rankStabilized: rankStabilized ?? false)
        do {
            try configuration.validate()
        } catch let error as LoRAError {
            throw refuse(error.description)
        }
        return configuration
    }
}
