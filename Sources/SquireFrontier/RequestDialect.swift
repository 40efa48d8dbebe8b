import Foundation
import Synchronization

/// How an OpenAI-compatible request body is written for one server, learnt from its refusals.
///
/// OpenAI's reasoning models refuse `max_tokens` ("Use 'max_completion_tokens' instead") and
/// any temperature but their default; other servers want `max_tokens`. A client starts from
/// its configuration and, when a 400 names one of these parameters, switches and sends the
/// request again, so a model file written for one model keeps working for the next. Each
/// switch happens at most once, so a server that refuses both ways cannot loop.
final class RequestDialect: Sendable {
    /// The choices a request body depends on.
    struct Settings: Sendable, Hashable {
        var tokenLimitParameter: FrontierConfiguration.TokenLimitParameter
        var sendsTemperature: Bool
    }

    private let state: Mutex<Settings>

    init(_ configuration: FrontierConfiguration) {
        state = Mutex(
            Settings(
                tokenLimitParameter: configuration.tokenLimitParameter,
                sendsTemperature: configuration.sendsTemperature))
    }

    /// The settings the next request is written with.
    var current: Settings { state.withLock { $0 } }

    /// Adapts to a refusal, of a request written with `sent`, that names a parameter this
    /// client can write another way; true when the request is worth sending again: something
    /// changed now, or had already changed since it was written (requests in flight together
    /// are all refused, and only the first changes the settings).
    func adapt(status: Int, body: Data, sent: Settings) -> Bool {
        guard status == 400 else { return false }
        let message = String(decoding: body.prefix(4096), as: UTF8.self).lowercased()
        return state.withLock { settings in
            if settings != sent { return true }
            if settings.tokenLimitParameter == .maxTokens, message.contains("max_completion_tokens"),
                message.contains("max_tokens")
            {
                settings.tokenLimitParameter = .maxCompletionTokens
                return true
            }
            if settings.sendsTemperature, message.contains("temperature"),
                message.contains("unsupported") || message.contains("not support")
                    || message.contains("only the default")
            {
                settings.sendsTemperature = false
                return true
            }
            return false
        }
    }
}
