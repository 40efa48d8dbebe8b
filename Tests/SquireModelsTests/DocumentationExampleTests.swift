import SquireModels
import Testing

/// Keeps the example in Documentation/SquireModels.md compiling and true; edit both together.
@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct DocumentationExampleTests {
    @Test func embedsText() async throws {
        let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let vectors = try await embedder.embed(["Where is my card?", "My card has not arrived yet"])
        let cosine = zip(vectors[0], vectors[1]).map { $0 * $1 }.reduce(0, +)   // unit vectors: dot = cosine

        #expect(vectors.count == 2 && vectors[0].count == 384)
        #expect(cosine > 0.5 && cosine < 1)
    }
}
