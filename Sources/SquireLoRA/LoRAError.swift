/// Why a LoRA adapter could not be configured, applied, saved or loaded.
public enum LoRAError: Error, Hashable, CustomStringConvertible {
    /// A configuration field is out of range.
    case invalidConfiguration(String)
    /// No layer of the model matches the configuration's targets.
    case noTargets([String])
    /// An adapter file is missing, unreadable or does not match the base model.
    case invalidAdapter(file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid LoRA configuration: \(reason)"
        case .noTargets(let names):
            "no layer of the model matches the LoRA targets \(names.joined(separator: ", ")); names are matched against keys such as encoder.layer.0.attention.self.query"
        case .invalidAdapter(let file, let reason): "\(file): \(reason)"
        }
    }
}
