import Foundation
import SquireCore

/// Reads a chat model's answer into one of the allowed labels.
///
/// Structured output asks for `{"label": "…"}`, but a model or route that ignores
/// `response_format` (many OpenRouter routes, Ollama models and vLLM deployments) answers as
/// the prompt says — the label and nothing else — or wraps the JSON in a Markdown fence. Each
/// of those is read: `{"label": …}`, a bare label, a JSON string, each possibly fenced and
/// surrounded by whitespace. The label-set check still decides, so leniency in the form never
/// widens what can be answered; anything else is a `ModelError` quoting the start of the answer.
enum LabelAnswer {
    static func label(in content: String, allowed: [String]) throws -> String {
        let answer = unfenced(content.trimmingCharacters(in: .whitespacesAndNewlines))
        struct Object: Decodable { var label: String }
        let label: String
        if let object = try? JSONDecoder().decode(Object.self, from: Data(answer.utf8)) {
            label = object.label
        } else if let string = try? JSONDecoder().decode(String.self, from: Data(answer.utf8)) {
            label = string
        } else if allowed.contains(answer) {
            return answer
        } else {
            throw ModelError.invalidResponse(
                "expected one label or {\"label\": …}, got \(String(reflecting: String(content.prefix(200))))")
        }
        guard allowed.contains(label) else { throw ModelError.unknownLabel(label, known: allowed) }
        return label
    }

    /// The inside of a Markdown code fence (```` ```json … ``` ````), or the text as it is.
    static func unfenced(_ text: String) -> String {
        guard text.hasPrefix("```"), text.hasSuffix("```"), text.count >= 6 else { return text }
        var inside = text.dropFirst(3).dropLast(3)
        // The fence's info string (`json`) runs to the end of its first line.
        if let newline = inside.firstIndex(of: "\n") {
            let info = inside[..<newline].trimmingCharacters(in: .whitespaces)
            if info.allSatisfy({ $0.isLetter || $0.isNumber }) { inside = inside[inside.index(after: newline)...] }
        }
        return inside.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
