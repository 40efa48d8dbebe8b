import SquireCore
import SquireFrontier
import SquireModels
import SquireRouting
import Testing

// Keeps the agent example in README.md ("In your agent") compiling; edit both together.

enum ReadmeExample {
    static func makeRouter() throws -> some TextClassifier {
        // The small model `squire train` wrote, and the frontier call it replaces.
        guard let local = try ClassifierBundle(folder: "intent-bundle").embeddingClassifier else {
            throw ModelError.unavailable("intent-bundle is not an embedding classifier")
        }
        let frontier = try OpenAIClassifier(
            configuration: FrontierConfiguration(baseURL: "https://api.openai.com/v1", model: "gpt-4.1-mini"),
            labels: local.labels, instructions: "Route the user's request to one tool.")  // key from $OPENAI_API_KEY
        // Local first; the frontier model answers only when the local one is unsure or fails.
        return Cascade(local: local, fallback: frontier, threshold: 0.86, localTimeout: .milliseconds(200))
    }

    static func handle(_ request: String, with router: some TextClassifier) async throws -> String {
        let answer = try await router.classify(request)
        switch answer.label {
        case "billing": return "billing tool"
        case "human_handoff": return "page the on-call agent"
        default: return "\(answer.label) tool"
        }
    }
}

@Suite struct ReadmeExampleTests {
    @Test func theAgentExampleRoutesThroughAnyClassifier() async throws {
        // The README builds the cascade from files and a key; here a scripted model stands in.
        struct Fixed: TextClassifier {
            let labels = ["billing", "human_handoff", "search_docs"]
            func classify(_ texts: [String]) async throws -> [Classification] {
                texts.map { _ in Classification(label: "billing", confidence: 0.9) }
            }
        }
        #expect(try await ReadmeExample.handle("I was charged twice", with: Fixed()) == "billing tool")
        #expect(throws: (any Error).self) { try ReadmeExample.makeRouter() }  // no intent-bundle here
    }
}
