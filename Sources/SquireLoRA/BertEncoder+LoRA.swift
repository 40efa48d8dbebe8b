public import SquireModels
import SquireTensor

extension BertEncoder {
    /// The encoder with a fresh adapter (``LoRALinear``) on every projection that
    /// `configuration` targets and `filter` accepts, drawn deterministically from `seed`.
    ///
    /// - Parameter filter: a further say per layer, given its checkpoint key
    ///   (`encoder.layer.0.attention.self.query`) and the layer; nil accepts every target.
    /// - Throws: ``LoRAError/noTargets(_:)`` when nothing matches, so a misspelt target
    ///   cannot train an adapter-less model.
    public func addingAdapters(
        _ configuration: LoRAConfiguration, seed: UInt64,
        where filter: ((_ key: String, _ layer: any LinearLayer) -> Bool)? = nil
    ) throws -> BertEncoder {
        try configuration.validate()
        var generator = SeededGenerator(seed: seed)
        var count = 0
        let adapted = try replacingLinearLayers { key, layer in
            guard configuration.targets(key), filter?(key, layer) ?? true else { return nil }
            guard !(layer is LoRALinear) else {
                throw LoRAError.invalidConfiguration("\(key) already carries an adapter")
            }
            count += 1
            return try LoRALinear(wrapping: layer, configuration: configuration, using: &generator)
        }
        guard count > 0 else { throw LoRAError.noTargets(configuration.targetModules) }
        return adapted
    }

    /// Every adapter under the key of the layer it adapts, in layer order.
    public var adapters: [(key: String, layer: LoRALinear)] {
        layers.enumerated().flatMap { index, layer in
            layer.linearLayers.compactMap { name, linear in
                (linear as? LoRALinear).map { ("encoder.layer.\(index).\(name)", $0) }
            }
        }
    }

    /// The encoder with every adapter folded into its base: plain ``Linear`` layers with
    /// `W + scale · B · A`, as fast as the base model and giving the adapted outputs.
    public func mergingAdapters() throws -> BertEncoder {
        try replacingLinearLayers { _, layer in try (layer as? LoRALinear)?.merged() }
    }

    /// The base encoder: every adapter removed, the base layers exactly as they were.
    public func removingAdapters() throws -> BertEncoder {
        try replacingLinearLayers { _, layer in (layer as? LoRALinear)?.base }
    }

    /// Whether a parameter key names an adapter tensor (`….lora_A.weight`, `….lora_B.weight`).
    public static func isAdapterParameter(_ key: String) -> Bool {
        key.hasSuffix(".lora_A.weight") || key.hasSuffix(".lora_B.weight")
    }
}
