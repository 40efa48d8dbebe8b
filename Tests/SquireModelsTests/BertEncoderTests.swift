import Foundation
import SquireModels
import SquireTensor
import Testing

/// Writes a random two-layer BERT (V = 15, D = 8, H = 2) with its config, for tests that need no download.
func writeTinyBert(in folder: ScratchFolder, corrupt: ((inout SafetensorsWriter) throws -> Void)? = nil) throws {
    let config =
        #"{"vocab_size": 15, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 12, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#
    try Data(config.utf8).write(to: URL(fileURLWithPath: folder.file("config.json")))
    var generator = SeededGenerator(seed: 5)
    var writer = SafetensorsWriter()
    func add(_ key: String, _ shape: [Int]) throws {
        try writer.add(try Tensor.normal(shape, standardDeviation: 0.3, using: &generator), named: key)
    }
    try add("embeddings.word_embeddings.weight", [15, 8])
    try add("embeddings.position_embeddings.weight", [12, 8])
    try add("embeddings.token_type_embeddings.weight", [2, 8])
    try add("embeddings.LayerNorm.weight", [8])
    try add("embeddings.LayerNorm.bias", [8])
    for layer in 0..<2 {
        let p = "encoder.layer.\(layer)"
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
            try add("\(p).\(name).weight", [8, 8])
            try add("\(p).\(name).bias", [8])
        }
        try add("\(p).intermediate.dense.weight", [16, 8])
        try add("\(p).intermediate.dense.bias", [16])
        try add("\(p).output.dense.weight", [8, 16])
        try add("\(p).output.dense.bias", [8])
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            try add("\(p).\(name).weight", [8])
            try add("\(p).\(name).bias", [8])
        }
    }
    try corrupt?(&writer)
    try writer.write(to: folder.file("model.safetensors"))
}

@Suite struct BertEncoderTests {
    let folder = try! ScratchFolder()

    @Test func packedAttentionEqualsOneSequenceAtATime() throws {
        try writeTinyBert(in: folder)
        let encoder = try BertEncoder(
            checkpoint: SafetensorsFile(path: folder.file("model.safetensors")),
            configuration: BertConfiguration(contentsOf: folder.file("config.json")))
        let sequences = [[2, 5, 6, 3], [2, 7, 3], [2, 5, 9, 10, 11, 6, 3]]
        let (together, ranges) = try encoder.hiddenStates(for: sequences)
        #expect(together.shape == [14, 8])
        #expect(ranges == [0..<4, 4..<7, 7..<14])
        for (sequence, range) in zip(sequences, ranges) {
            let alone = try encoder.hiddenStates(for: [sequence]).states
            let part = try together.rows(range)
            #expect(zip(alone.scalars, part.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        #expect(encoder.parameters.count == 5 + 2 * 16)
        #expect(encoder.parameters.first?.key == "embeddings.word_embeddings.weight")
    }

    @Test func aBatchSplitAcrossCoresEqualsOneSequenceAtATime() throws {
        try writeTinyBert(in: folder)
        let encoder = try BertEncoder(
            checkpoint: SafetensorsFile(path: folder.file("model.safetensors")),
            configuration: BertConfiguration(contentsOf: folder.file("config.json")))
        var generator = SeededGenerator(seed: 9)
        // 300-odd tokens: enough for the encoder to give each core a share.
        let sequences = (0..<40).map { _ in
            [2] + (0..<Int.random(in: 1...10, using: &generator)).map { _ in Int.random(in: 4...14, using: &generator) }
                + [3]
        }
        let (together, ranges) = try encoder.hiddenStates(for: sequences)
        #expect(BertEncoder.partition(ranges, into: 2).count == 2)
        for (sequence, range) in zip(sequences, ranges) {
            let alone = try encoder.hiddenStates(for: [sequence]).states
            #expect(zip(alone.scalars, try together.rows(range).scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    @Test func partsAreContiguousAndCarryAboutEqualTokens() {
        var start = 0
        let ranges = [5, 30, 12, 12, 7, 40, 9, 20, 3, 25].map { length in
            defer { start += length }
            return start..<(start + length)
        }
        for cores in [2, 3, 4] {
            let parts = BertEncoder.partition(ranges, into: cores)
            #expect(parts.count == cores)
            #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == ranges.count)
            #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty })
            let tokens = parts.map { ranges[$0].reduce(0) { $0 + $1.count } }
            // No part exceeds its fair share by more than one sequence (at most 40 tokens).
            #expect(tokens.allSatisfy { $0 <= 163 / cores + 40 })
        }
        #expect(BertEncoder.partition(ranges, into: 1) == [0..<10])
        #expect(BertEncoder.partition(Array(ranges.prefix(3)), into: 2) == [0..<3])  // 47 tokens: not worth splitting
        #expect(BertEncoder.partition([0..<200], into: 2) == [0..<1])
    }

    @Test func rejectsBadTokenSequences() throws {
        try writeTinyBert(in: folder)
        let encoder = try BertEncoder(
            checkpoint: SafetensorsFile(path: folder.file("model.safetensors")),
            configuration: BertConfiguration(contentsOf: folder.file("config.json")))
        #expect(throws: TensorError.self) { try encoder.hiddenStates(for: [[2, 15, 3]]) }  // id outside V
        #expect(throws: TensorError.self) { try encoder.hiddenStates(for: [[]]) }
        // More than 12 positions.
        #expect(throws: TensorError.self) { try encoder.hiddenStates(for: [Array(repeating: 5, count: 13)]) }
        #expect(try encoder.hiddenStates(for: []).states.shape == [0, 8])
    }

    @Test func refusesCheckpointsThatDoNotFitTheConfiguration() throws {
        try writeTinyBert(in: folder) { writer in
            try writer.add(try Tensor.zeros([8, 9]), named: "encoder.layer.1.attention.self.key.weight")
        }
        let path = folder.file("model.safetensors")
        let configuration = try BertConfiguration(contentsOf: folder.file("config.json"))
        #expect(
            throws: SafetensorsError.unexpectedShape(
                file: path, tensor: "encoder.layer.1.attention.self.key.weight", expected: [8, 8], actual: [8, 9])
        ) {
            try BertEncoder(checkpoint: SafetensorsFile(path: path), configuration: configuration)
        }
        try writeTinyBert(in: folder) { writer in
            try writer.add(try Tensor(repeating: .nan, shape: [8]), named: "embeddings.LayerNorm.bias")
        }
        #expect(throws: SafetensorsError.nonFiniteValues(file: path, tensor: "embeddings.LayerNorm.bias")) {
            try BertEncoder(checkpoint: SafetensorsFile(path: path), configuration: configuration)
        }
    }

    @Test func refusesUnsupportedConfigurations() throws {
        let path = folder.file("config.json")
        for (json, reason) in [
            (
                #"{"vocab_size": 5, "hidden_size": 10, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4}"#,
                "hidden_size 10 is not a multiple of num_attention_heads 3"
            ),
            (
                #"{"vocab_size": 5, "hidden_size": 6, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4, "hidden_act": "relu"}"#,
                "hidden_act \"relu\" is not supported; Squire implements gelu (erf)"
            ),
        ] {
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: ModelLoadingError.invalidConfiguration(file: path, reason: reason)) {
                try BertConfiguration(contentsOf: path)
            }
        }
        try Data(#"{"hidden_size": 6}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelLoadingError.self) { try BertConfiguration(contentsOf: path) }
        #expect(throws: ModelLoadingError.missingFile(folder.file("absent.json"))) {
            try BertConfiguration(contentsOf: folder.file("absent.json"))
        }
    }

    @Test func embedderNeedsItsWeights() throws {
        try writeTinyBert(in: folder)
        _ = try writeTinyTokenizer(in: folder)
        let embedder = try SentenceEmbedder(folder: folder.path)
        #expect(embedder.dimension == 8)
        let vectors = try embedder.embeddings(for: ["hello world", ""])
        for row in 0..<2 { #expect(abs(try vectors.rows(row..<(row + 1)).squared().sum() - 1) < 1e-5) }
        try FileManager.default.removeItem(atPath: folder.file("model.safetensors"))
        #expect(throws: ModelLoadingError.missingFile(folder.file("model.safetensors"))) {
            try SentenceEmbedder(folder: folder.path)
        }
    }
}

@Suite struct LinearTests {
    @Test func fusedForwardEqualsProductPlusBiasPlusResidual() throws {
        var generator = SeededGenerator(seed: 8)
        let layer = try Linear(
            weight: Tensor.normal([5, 7], using: &generator), bias: Tensor.normal([5], using: &generator))
        let x = try Tensor.normal([2, 3, 7], using: &generator)
        let residual = try Tensor.normal([2, 3, 5], using: &generator)
        let reference = try Tensor.naiveMatmul(x, layer.weight, transposeB: true) + layer.bias
        let plain = try layer.forward(x)
        #expect(plain.shape == [2, 3, 5])
        #expect(zip(plain.scalars, reference.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        let fused = try layer.forward(x, adding: residual)
        #expect(zip(fused.scalars, try (reference + residual).scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(throws: TensorError.self) { try layer.forward(Tensor.zeros([2, 6])) }
        #expect(throws: TensorError.self) { try layer.forward(x, adding: Tensor.zeros([6, 5])) }
        #expect(try layer.forward(Tensor.zeros([0, 7])).shape == [0, 5])
        // No inputs to weigh: every row is the bias.
        let empty = try Linear(weight: Tensor.zeros([5, 0]), bias: layer.bias)
        #expect(try empty.forward(Tensor.zeros([2, 0])).scalars == layer.bias.scalars + layer.bias.scalars)
    }
}
