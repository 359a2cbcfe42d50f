/// A JSON value whose object members keep the order we give them.
///
/// The DERP map types build one of these in Go's struct field order, applying Go's `omitempty`
/// rules, and then either hand it to any `Encoder` (their `encode(to:)`) or to ``GoJSONWriter``,
/// which reproduces the bytes of Go's `json.Marshal` / `json.MarshalIndent`.
enum GoJSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([GoJSONValue])
    case object([Member])

    struct Member: Sendable, Hashable {
        var key: String
        var value: GoJSONValue
    }
}

/// Builds a JSON object member by member, with helpers for Go's `omitempty`.
///
/// encoding/json leaves an `omitempty` field out when it is false, 0, an empty string, or a nil
/// pointer / empty map or slice.
struct GoJSONObjectBuilder {
    private(set) var members: [GoJSONValue.Member] = []

    var value: GoJSONValue { .object(members) }

    mutating func add(_ key: String, _ value: GoJSONValue) {
        members.append(.init(key: key, value: value))
    }

    mutating func add(_ key: String, omitEmpty value: String) {
        if !value.isEmpty { add(key, .string(value)) }
    }

    mutating func add(_ key: String, omitEmpty value: Int) {
        if value != 0 { add(key, .int(value)) }
    }

    mutating func add(_ key: String, omitEmpty value: Bool) {
        if value { add(key, .bool(true)) }
    }

    /// Go tests `v.Float() == 0`, so negative zero is left out as well.
    mutating func add(_ key: String, omitEmpty value: Double) {
        if value != 0 { add(key, .double(value)) }
    }
}

/// The order in which maps keyed by region ID are written.
public enum DERPMapRegionOrder: Sendable, Hashable {
    /// Go's encoding/json order: keys sorted as strings (`"1"`, `"10"`, `"11"`, …, `"2"`), which
    /// reproduces Go's output byte for byte.
    case goString
    /// Numeric order (`1`, `2`, …, `10`), easier to read.
    case numeric

    func sorted(_ ids: some Sequence<Int>) -> [Int] {
        switch self {
        case .numeric:
            return ids.sorted()
        case .goString:
            return ids.map { ($0, String($0)) }
                .sorted { $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
                .map(\.0)
        }
    }
}

/// The layout of JSON we write.
public enum DERPMapJSONFormat: Sendable, Hashable {
    /// Like Go's `json.Marshal`: no whitespace.
    case compact
    /// Like Go's `json.MarshalIndent(v, "", "\t")`: one member per line, tab indentation, no
    /// trailing newline.
    case indented
}

extension GoJSONValue: Encodable {
    func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let members):
            var container = encoder.container(keyedBy: GoJSONKey.self)
            for member in members {
                try container.encode(member.value, forKey: GoJSONKey(member.key))
            }
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements {
                try container.encode(element)
            }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }
}
