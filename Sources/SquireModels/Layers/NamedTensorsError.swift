/// Why tensors under keys (``NamedTensors``) do not fit what was asked of them; each case
/// names the key.
public enum NamedTensorsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A key came twice where keys must be unique.
    case repeatedKey(String)
    /// No tensor has this key; `available` lists the keys there are.
    case missingKey(String, available: [String])
    /// A key that the model or layer (`context`) has no parameter for.
    case unexpectedKey(String, context: String)
    /// Two collections that should list the same keys in the same order differ first here;
    /// nil where one of them has ended.
    case keyMismatch(expected: String?, got: String?)
    /// The tensor under `key` has another shape than the one it stands for.
    case shapeMismatch(key: String, expected: [Int], got: [Int])
    /// Keys and tensors given side by side differ in count.
    case countMismatch(keys: Int, tensors: Int)

    public var description: String {
        switch self {
        case .repeatedKey(let key):
            "the key \(key) comes twice; every tensor needs its own key"
        case .missingKey(let key, let available):
            "there is no tensor \(key) among the \(available.count) given"
                + (available.isEmpty
                    ? "" : " (\(available.prefix(3).joined(separator: ", "))\(available.count > 3 ? ", …" : ""))")
        case .unexpectedKey(let key, let context):
            "\(context) has no parameter \(key)"
        case .keyMismatch(let expected, let got):
            "expected the key \(expected ?? "(none)") here, got \(got ?? "(none)"); keys must come in the same order"
        case .shapeMismatch(let key, let expected, let got):
            "\(key) is \(got), expected \(expected)"
        case .countMismatch(let keys, let tensors):
            "\(keys) keys for \(tensors) tensors"
        }
    }
}
