/// Any JSON value, for reading untrusted or user-written files field by field with precise
/// errors. Integers stay apart from other numbers, so `"label": 3` and `"label": 3.5` can
/// be told apart.
public enum JSONValue: Decodable, Hashable, Sendable {
    /// `{…}`
    case object([String: JSONValue])
    /// `[…]`
    case array([JSONValue])
    /// `"…"`
    case string(String)
    /// A number without fraction or exponent that fits `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
