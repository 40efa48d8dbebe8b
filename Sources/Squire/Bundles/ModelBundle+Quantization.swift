import SquireModels
public import SquireQuantization

extension ModelBundle {
    /// This bundle's model with its encoder's weights quantized to `format`, ready to save as
    /// a new bundle; the head stays in float.
    ///
    /// - Parameter filter: which parts to quantize, by checkpoint key (see
    ///   `QuantizedBundle.init(quantizing:to:where:)`); the default takes them all.
    /// - Throws: `ModelError.unavailable` for a bundle that is already quantized, a tiny
    ///   transformer or a LoRA fine-tune (merge it first); `QuantizationError` for a format
    ///   the kernels do not run.
    public func quantized(
        to format: QuantizationFormat, where filter: (_ key: String) -> Bool = { _ in true }
    ) throws -> QuantizedBundle {
        guard weights == .float32 else {
            throw ModelError.unavailable("\(folder) is already quantized (\(weights)); quantize the float bundle")
        }
        guard kind == .logisticHead || kind == .mlpHead else {
            throw ModelError.unavailable(
                "only a head on the frozen encoder can be quantized; \(folder) holds a \(kind) model")
        }
        return try QuantizedBundle(quantizing: ClassifierBundle(folder: folder), to: format, where: filter)
    }
}
