import GradientCheck
import SquireLoRA
import SquireModels
import SquireTensor
import Testing

/// Adapters placed in a small random encoder (D = 8, two layers): targeting as PEFT does,
/// gradients of the adapters through the frozen encoder, merging, removal, shared storage.
@Suite struct AdaptedEncoderTests {
    static let configuration = try! BertConfiguration(
        vocabularySize: 20, hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16, maximumPositions: 10,
        layerNormEpsilon: 1e-5)
    static let sequences = [[1, 5, 3, 2], [1, 7, 2], [1, 9, 9, 4, 6, 2]]

    /// A base encoder with weights far from their initial scale, so attention is not uniform.
    static func base() throws -> BertEncoder {
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

    /// The base with adapters whose `B` is random instead of zero.
    static func adapted(_ configuration: LoRAConfiguration) throws -> BertEncoder {
        let fresh = try base().addingAdapters(configuration, seed: 8)
        var generator = SeededGenerator(seed: 10)
        return try fresh.replacingParameters(
            fresh.parameters.map { parameter in
                parameter.key.hasSuffix("lora_B.weight")
                    ? try Tensor.normal(parameter.tensor.shape, standardDeviation: 0.5, using: &generator)
                    : parameter.tensor
            })
    }

    @Test func targetsMatchKeysAsPEFTDoes() throws {
        let both = try Self.base().addingAdapters(LoRAConfiguration(targetModules: ["query", "output.dense"]), seed: 1)
        #expect(
            both.adapters.map(\.key) == [
                "encoder.layer.0.attention.self.query", "encoder.layer.0.attention.output.dense",
                "encoder.layer.0.output.dense",
                "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.output.dense",
                "encoder.layer.1.output.dense",
            ])
        let filtered = try Self.base().addingAdapters(LoRAConfiguration(targetModules: ["value"]), seed: 1) { key, _ in
            key.contains("layer.1.")
        }
        #expect(filtered.adapters.map(\.key) == ["encoder.layer.1.attention.self.value"])
        #expect(throws: LoRAError.noTargets(["quary"])) {
            try Self.base().addingAdapters(LoRAConfiguration(targetModules: ["quary"]), seed: 1)
        }
        #expect(throws: LoRAError.self) { try Self.base().addingAdapters(LoRAConfiguration(rank: 0), seed: 1) }
        #expect(throws: LoRAError.self) { try Self.base().addingAdapters(LoRAConfiguration(dropout: 1), seed: 1) }
        #expect(throws: LoRAError.self) {
            try both.addingAdapters(LoRAConfiguration(targetModules: ["query"]), seed: 1)
        }
    }

    @Test func freshAdaptersLeaveTheOutputsAlone() throws {
        let base = try Self.base()
        let adapted = try base.addingAdapters(
            LoRAConfiguration(targetModules: ["query", "key", "value", "dense"]), seed: 2)
        #expect(adapted.adapters.count == 12)
        let difference =
            try (adapted.hiddenStates(for: Self.sequences).states - base.hiddenStates(for: Self.sequences).states)
            .scalars.map(abs).max() ?? 0
        #expect(difference < 1e-5, "\(difference)")
    }

    @Test(arguments: [["query", "value"], ["key", "intermediate.dense", "output.dense"]])
    func adapterGradientsMatchFiniteDifferences(targets: [String]) throws {
        let encoder = try Self.adapted(LoRAConfiguration(rank: 2, alpha: 4, dropout: 0.2, targetModules: targets))
        var masks = SeededGenerator(seed: 3)
        let (states, _, cache) = try encoder.forwardCaching(Self.sequences, using: &masks)
        var generator = SeededGenerator(seed: 9)
        let r = try Tensor.normal(states.shape, using: &generator)
        let gradients = try encoder.backward(r, cache: cache, parametersWhere: BertEncoder.isAdapterParameter)
        let parameters = encoder.parameters
        #expect(gradients.keys == parameters.keys.filter(BertEncoder.isAdapterParameter))
        for (key, gradient) in gradients {
            let error = try GradientCheck.relativeError(of: gradient, at: parameters.tensor(forKey: key)) { value in
                var tensors = parameters
                tensors[key] = value
                var masks = SeededGenerator(seed: 3)
                return Double(
                    try (encoder.replacingParameters(tensors).forwardCaching(Self.sequences, using: &masks).states * r)
                        .sum())
            }
            #expect(error < 1e-2, "\(key): \(error)")
        }
    }

    @Test func mergingFoldsAndRemovingRestores() throws {
        let base = try Self.base()
        let adapted = try Self.adapted(LoRAConfiguration(targetModules: ["query", "value", "intermediate.dense"]))
        let merged = try adapted.mergingAdapters()
        #expect(merged.adapters.isEmpty)
        #expect(merged.parameters.count == base.parameters.count)
        let adaptedStates = try adapted.hiddenStates(for: Self.sequences).states
        let difference =
            try (merged.hiddenStates(for: Self.sequences).states - adaptedStates).scalars.map(abs).max() ?? 0
        #expect(difference < 1e-5, "\(difference)")
        let changed = try (adaptedStates - base.hiddenStates(for: Self.sequences).states).scalars.map(abs).max() ?? 0
        #expect(changed > 1e-2, "the random adapters should change the outputs")
        let restored = try adapted.removingAdapters()
        #expect(restored.parameters.map(\.key) == base.parameters.map(\.key))
        #expect(restored.parameters.map(\.tensor) == base.parameters.map(\.tensor))
    }

    @Test func adaptersShareTheBaseTensors() throws {
        let base = try Self.base()
        let first = try base.addingAdapters(LoRAConfiguration(), seed: 1)
        let second = try base.addingAdapters(LoRAConfiguration(rank: 4), seed: 2)
        func address(_ encoder: BertEncoder) -> UnsafeRawPointer? {
            let query = (encoder.adapters.first?.layer.base ?? encoder.layers[0].query) as? Linear
            return query?.weight.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        #expect(address(first) != nil)
        #expect(address(first) == address(second))
        #expect(
            address(first)
                == (base.layers[0].query as? Linear)?.weight.withUnsafeBufferPointer {
                    UnsafeRawPointer($0.baseAddress)
                })
    }
}
