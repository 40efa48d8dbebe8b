import SquireModels
import SquireTensor
import Testing

/// Tensors under keys: order, lookup, replacement and the errors that name a key.
@Suite struct NamedTensorsTests {
    static let weight = try! Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    static let bias = Tensor([7, 8])

    @Test func keepsTheOrderEntriesCameIn() throws {
        var tensors = try NamedTensors([("weight", Self.weight), ("bias", Self.bias)])
        try tensors.append(Tensor([9]), forKey: "scale")
        #expect(tensors.keys == ["weight", "bias", "scale"])
        #expect(tensors.map(\.key) == tensors.keys)
        #expect(tensors[1].tensor == Self.bias)
        #expect(tensors["bias"] == Self.bias && tensors["missing"] == nil)
        #expect(try tensors.tensor(forKey: "weight") == Self.weight)
    }

    @Test func assigningReplacesInPlaceAddsAtTheEndAndRemoves() throws {
        var tensors = try NamedTensors([("weight", Self.weight), ("bias", Self.bias)])
        tensors["weight"] = Tensor([0])
        tensors["extra"] = Tensor([1])
        #expect(tensors.keys == ["weight", "bias", "extra"])
        #expect(tensors["weight"] == Tensor([0]))
        tensors["weight"] = nil
        #expect(tensors.keys == ["bias", "extra"])
        #expect(tensors["extra"] == Tensor([1]) && !tensors.contains(key: "weight"))
    }

    @Test func refusesRepeatedAndMissingKeys() throws {
        #expect(throws: NamedTensorsError.repeatedKey("bias")) {
            try NamedTensors([("bias", Self.bias), ("bias", Self.bias)])
        }
        var tensors = try NamedTensors([("bias", Self.bias)])
        #expect(throws: NamedTensorsError.repeatedKey("bias")) { try tensors.append(Self.bias, forKey: "bias") }
        #expect(throws: NamedTensorsError.missingKey("weight", available: ["bias"])) {
            try tensors.tensor(forKey: "weight")
        }
        #expect(throws: NamedTensorsError.countMismatch(keys: 2, tensors: 1)) {
            try NamedTensors(keys: ["weight", "bias"], tensors: [Self.bias])
        }
    }

    @Test func scopesAndPrefixesKeys() throws {
        let layer = try NamedTensors([("weight", Self.weight), ("bias", Self.bias)])
        let model = layer.prefixingKeys(with: "encoder.layer.1.")
        #expect(model.keys == ["encoder.layer.1.weight", "encoder.layer.1.bias"])
        #expect(model.scoped("encoder.layer.1") == layer)
        #expect(model.scoped("encoder.layer").keys == ["1.weight", "1.bias"])
        #expect(model.scoped("encoder.layer.10").isEmpty)
        #expect(model.filter(keys: { $0.hasSuffix("bias") }).keys == ["encoder.layer.1.bias"])
    }

    @Test func replacesTensorsOfTheSameShapeOnly() throws {
        let layer = try NamedTensors([("weight", Self.weight), ("bias", Self.bias)])
        let replaced = try layer.replacingTensors(with: NamedTensors([("bias", Tensor([0, 0]))]), context: "Linear")
        #expect(replaced.keys == layer.keys && replaced["weight"] == Self.weight && replaced["bias"] == Tensor([0, 0]))
        #expect(throws: NamedTensorsError.unexpectedKey("scale", context: "Linear")) {
            try layer.replacingTensors(with: NamedTensors([("scale", Tensor([1]))]), context: "Linear")
        }
        #expect(throws: NamedTensorsError.shapeMismatch(key: "bias", expected: [2], got: [3])) {
            try layer.replacingTensors(with: NamedTensors([("bias", Tensor([1, 2, 3]))]), context: "Linear")
        }
    }

    @Test func checksThatTwoCollectionsShareKeysOrderAndShapes() throws {
        let parameters = try NamedTensors([("weight", Self.weight), ("bias", Self.bias)])
        try parameters.checkSameLayout(as: parameters.mapTensors { $0.tensor * 2 })
        #expect(throws: NamedTensorsError.keyMismatch(expected: "weight", got: "bias")) {
            try parameters.checkSameLayout(as: NamedTensors([("bias", Self.bias), ("weight", Self.weight)]))
        }
        #expect(throws: NamedTensorsError.keyMismatch(expected: "bias", got: nil)) {
            try parameters.checkSameLayout(as: NamedTensors([("weight", Self.weight)]))
        }
        #expect(throws: NamedTensorsError.shapeMismatch(key: "bias", expected: [2], got: [1])) {
            try parameters.checkSameLayout(as: NamedTensors([("weight", Self.weight), ("bias", Tensor([1]))]))
        }
    }

    @Test func anEncoderListsItsParametersUnderCheckpointKeysAndTakesThemBack() throws {
        let configuration = try BertConfiguration(
            vocabularySize: 20, hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16, maximumPositions: 10)
        let encoder = try BertEncoder(configuration: configuration, seed: 1)
        let parameters = encoder.parameters
        #expect(
            parameters.keys.prefix(2) == ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"])
        #expect(parameters.keys[5] == "encoder.layer.0.attention.self.query.weight")
        #expect(parameters.keys.last == "encoder.layer.1.output.LayerNorm.bias")
        let bias = try #require(parameters["encoder.layer.1.output.dense.bias"])
        let replaced = try encoder.replacingParameters(
            NamedTensors([("encoder.layer.1.output.dense.bias", bias + Float(1))]))
        #expect(replaced.parameters["encoder.layer.1.output.dense.bias"] == bias + Float(1))
        #expect(
            replaced.parameters["encoder.layer.0.output.dense.bias"] == parameters["encoder.layer.0.output.dense.bias"])
        #expect(throws: NamedTensorsError.unexpectedKey("encoder.layer.2.output.dense.bias", context: "BertEncoder")) {
            try encoder.replacingParameters(NamedTensors([("encoder.layer.2.output.dense.bias", bias)]))
        }
    }
}
