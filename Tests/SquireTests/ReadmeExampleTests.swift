import Foundation
import Squire
import Testing

// Keeps the agent example in README.md ("In your agent") compiling; edit both together.

enum ReadmeExample {
    static func makeRouter() throws -> some TextClassifier {
        let data = try Dataset(contentsOf: URL(fileURLWithPath: "train.jsonl"))  // {"text", "label"} per line
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(), on: data, options: TrainingOptions(bundleFolder: "intent-bundle"))
        let local = try ModelBundle(folder: "intent-bundle")  // head, LoRA, tiny transformer or quantized
        let frontier = try OpenAIClassifier(
            configuration: FrontierConfiguration(baseURL: "https://api.openai.com/v1", model: "gpt-4.1-mini"),
            labels: local.labels, instructions: "Route the user's request to one tool.")  // key from $OPENAI_API_KEY
        // Local first; the frontier model answers only when the local one is unsure or fails.
        return Cascade(local: local, fallback: frontier, threshold: 0.86, localTimeout: .milliseconds(200))
    }

    /// Documentation/ReplaceAFrontierRoutingCall.md, step 5: the same cascade from a bundle on disk.
    static func makeRouterFromBundle() throws -> some TextClassifier {
        // The small model `squire train` wrote (any kind), and the frontier call it replaces.
        let local = try ModelBundle(folder: "intent-bundle")
        let frontier = try OpenAIClassifier(
            configuration: FrontierConfiguration(baseURL: "https://api.openai.com/v1", model: "gpt-4.1-mini"),
            labels: local.labels, instructions: "Route the user's request to one tool.")  // key from $OPENAI_API_KEY
        // Local first; the frontier model answers only when the local one is unsure or fails.
        return Cascade(local: local, fallback: frontier, threshold: 0.86, localTimeout: .milliseconds(200))
    }

    static func handle(_ request: String, with router: some TextClassifier) async throws -> String {
        switch try await router.classify(request).label {
        case "billing": "billing tool"
        case "human_handoff": "page the on-call agent"
        case let label: "\(label) tool"
        }
    }
}

@Suite struct ReadmeExampleTests {
    @Test func theAgentExampleRoutesThroughAnyClassifier() async throws {
        // The README builds the cascade from files and a key; here a scripted model stands in.
        let scripted = ScriptedClassifier(labels: ["billing", "human_handoff", "search_docs"]) { _ in
            Classification(label: "billing", confidence: 0.9)
        }
        #expect(try await ReadmeExample.handle("I was charged twice", with: scripted) == "billing tool")
        // No train.jsonl here: a typed dataset error, nothing written.
        #expect(throws: DatasetError.self) { try ReadmeExample.makeRouter() }
        #expect(!FileManager.default.fileExists(atPath: "intent-bundle"))
        #expect(throws: BundleError.notABundle(folder: "intent-bundle")) { try ReadmeExample.makeRouterFromBundle() }
    }

    /// The same path end to end on a real bundle: trained, opened, cascaded.
    @Test(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
    func theCascadeTakesAnOpenedBundle() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundleFolder = folder.appendingPathComponent("intent-bundle").path
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(), on: try Fixtures.dataset(), options: TrainingOptions(bundleFolder: bundleFolder))
        let local = try ModelBundle(folder: bundleFolder)
        let frontier = Recording(
            ScriptedClassifier(labels: local.labels) { _ in Classification(label: "refund", confidence: 1) })
        // A threshold above every confidence sends everything to the fallback; zero keeps it local.
        let escalating = Cascade(local: local, fallback: frontier, threshold: 1.01)
        #expect(try await escalating.classify(Fixtures.probes).map(\.label) == ["refund", "refund", "refund"])
        let local1 = Cascade(local: local, fallback: frontier, threshold: 0)
        #expect(try await local1.classify(Fixtures.probes).map(\.label) == ["card", "refund", "address"])
        // The fallback was asked once, for all three texts, by the escalating cascade only.
        #expect(frontier.log.calls == [Fixtures.probes])
    }
}
