import SquireModels
import SquireTensor
import Testing

/// The same vectors as sentence-transformers 6.2 (torch 2.15, FP32) on every reference text:
/// max |Δ| ≤ 1e-4 per component and cosine ≥ 0.99999.
@Suite(
    .enabled(if: ReferenceData.hasReference, "\(ReferenceData.missingReference)"),
    .enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct EmbeddingParityTests {
    @Test func matchesSentenceTransformersOnEveryReferenceText() async throws {
        let embedder = try #require(ReferenceData.embedder)
        let texts = try ReferenceData.texts().map(\.text)
        let expected = try ReferenceData.embeddings().tensor("embeddings", shape: [1477, 384])
        let actual = try embedder.embeddings(for: texts)
        #expect(actual.shape == [1477, 384])
        var worstDelta: Float = 0
        var worstCosine: Float = 1
        var failures: [Int] = []
        for row in 0..<texts.count {
            let a = try actual.rows(row..<(row + 1))
            let e = try expected.rows(row..<(row + 1))
            let delta = zip(a.scalars, e.scalars).map { abs($0 - $1) }.max()!
            let cosine = try (a * e).sum()
            worstDelta = max(worstDelta, delta)
            worstCosine = min(worstCosine, cosine)
            if delta > 1e-4 || cosine < 0.99999 { failures.append(row) }
        }
        #expect(
            failures.isEmpty,
            "\(failures.count) texts out of tolerance, first \(failures.prefix(10)); worst |Δ| \(worstDelta), worst cosine \(worstCosine)"
        )
        print("embedding parity: worst |Δ| \(worstDelta), worst cosine \(worstCosine) over \(texts.count) texts")
    }

    @Test func batchingDoesNotChangeTheVectors() async throws {
        var embedder = try #require(ReferenceData.embedder)
        let texts = ["Where is my card?", "", "I was charged twice for the same transfer, please refund one of them."]
        let together = try embedder.embeddings(for: texts)
        embedder.batchSize = 1
        let alone = try embedder.embeddings(for: texts)
        #expect(zip(together.scalars, alone.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        let viaProtocol = try await embedder.embed(texts)
        // Same batch size, same arithmetic: the protocol path is the tensor path.
        #expect(viaProtocol.count == 3 && viaProtocol[2] == Array(alone.scalars[768..<1152]))
    }
}
