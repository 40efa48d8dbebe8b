public import Foundation

/// A secret read from the environment. It prints as `<redacted>` everywhere — in errors,
/// logs, `dump` and string interpolation — and is never written to disk.
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    /// The environment variable it came from, for messages that say where to fix it.
    public let variable: String

    /// Reads `variable` from the environment; throws when it is unset or empty.
    public init(
        environmentVariable variable: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard let value = environment[variable], !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw FrontierError.missingAPIKey(variable: variable)
        }
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
        self.variable = variable
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: ["variable": variable]) }
}
