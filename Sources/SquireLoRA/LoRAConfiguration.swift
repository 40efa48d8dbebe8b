/// The shape of a LoRA adapter: rank, scaling, dropout and which layers it adapts —
/// the fields of PEFT's `LoraConfig` that Squire supports, under PEFT's meaning.
public struct LoRAConfiguration: Sendable, Hashable {
    /// r: the adapter's inner dimension.
    public var rank: Int
    /// `lora_alpha`: the adapter's output is scaled by `alpha / rank` (or `alpha / √rank`).
    public var alpha: Double
    /// `lora_dropout`: dropout on the adapter's input during training, in `0 ..< 1`.
    public var dropout: Float
    /// `target_modules`: a layer is adapted when its key equals a name or ends with `.` and
    /// the name, as PEFT matches them — so `query` adapts every layer's
    /// `attention.self.query`, and `output.dense` adapts `attention.output.dense` too.
    public var targetModules: [String]
    /// `use_rslora`: scale by `alpha / √rank` (rank-stabilized LoRA) instead of `alpha / rank`.
    public var rankStabilized: Bool

    /// Creates a configuration; the defaults are PEFT's (r = 8, alpha = 8, no dropout) with
    /// the query and value projections as targets, as in the LoRA paper.
    public init(
        rank: Int = 8, alpha: Double = 8, dropout: Float = 0, targetModules: [String] = ["query", "value"],
        rankStabilized: Bool = false
    ) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targetModules = targetModules
        self.rankStabilized = rankStabilized
    }

    /// The factor on the adapter's output.
    public var scale: Float {
        Float(rankStabilized ? alpha / Double(rank).squareRoot() : alpha / Double(rank))
    }

    /// Whether the layer under `key` (`encoder.layer.0.attention.self.query`) is a target.
    public func targets(_ key: String) -> Bool {
        targetModules.contains { key == $0 || key.hasSuffix("." + $0) }
    }

    /// Throws ``LoRAError/invalidConfiguration(_:)`` naming the first field out of range.
    public func validate() throws {
        guard rank >= 1 else { throw LoRAError.invalidConfiguration("rank must be at least 1, got \(rank)") }
        guard alpha.isFinite, alpha > 0 else {
            throw LoRAError.invalidConfiguration("alpha must be positive, got \(alpha)")
        }
        guard dropout >= 0, dropout < 1 else {
            throw LoRAError.invalidConfiguration("dropout must be in 0 ..< 1, got \(dropout)")
        }
        guard !targetModules.isEmpty, !targetModules.contains(where: \.isEmpty) else {
            throw LoRAError.invalidConfiguration(
                "name at least one target module (query, key, value, attention.output.dense, intermediate.dense, output.dense)"
            )
        }
    }
}
