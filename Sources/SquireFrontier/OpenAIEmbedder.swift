public import Foundation
public import SquireCore

/// The OpenAI-compatible embeddings endpoint as a `TextEmbedder`: one request per batch,
/// vectors returned in input order (by the response's `index`), checked against ``dimension``.
public struct OpenAIEmbedder: TextEmbedder, UsageMetered {
    public let dimension: Int
    let configuration: FrontierConfiguration
    let transport: FrontierTransport

    /// Creates a client for a model whose vectors have `dimension` entries.
    public init(
        configuration: FrontierConfiguration, dimension: Int, apiKeyVariable: String = "OPENAI_API_KEY",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard dimension > 0 else { throw FrontierError.invalidConfiguration("the dimension must be positive") }
        let key = try APIKey(environmentVariable: apiKeyVariable, environment: environment)
        self.dimension = dimension
        self.configuration = configuration
        transport = try FrontierTransport(configuration: configuration, authorization: .bearer(key))
    }

    /// Every call this client has sent and the tokens its answers reported.
    public var meter: UsageMeter { transport.meter }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body: [String: Any] = ["model": configuration.model, "input": texts, "encoding_format": "float"]
        let (data, _, _) = try await transport.post(
            "embeddings", body: try JSONSerialization.data(withJSONObject: body))
        transport.charge(ReportedTokens.openAI(data))
        struct Response: Decodable {
            struct Item: Decodable {
                var index: Int
                var embedding: [Float]
            }
            var data: [Item]
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: data) else {
            throw ModelError.invalidResponse("not an embeddings response\(FrontierTransport.excerpt(data))")
        }
        guard response.data.count == texts.count, Set(response.data.map(\.index)) == Set(texts.indices) else {
            throw ModelError.resultCountMismatch(expected: texts.count, actual: response.data.count)
        }
        return try response.data.sorted { $0.index < $1.index }.map { item in
            guard item.embedding.count == dimension else {
                throw ModelError.dimensionMismatch(expected: dimension, actual: item.embedding.count)
            }
            guard item.embedding.allSatisfy(\.isFinite) else {
                throw ModelError.invalidResponse("the embedding holds NaN or infinite values")
            }
            return item.embedding
        }
    }
}
