/// A coding key for any JSON object member, used for Go-style decoding and for ordered encoding.
struct GoJSONKey: CodingKey, Hashable, Sendable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) {
        self.stringValue = stringValue
    }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
    }

    /// Go's key folding for our (ASCII) field names: ASCII letters compare without case, and the
    /// two non-ASCII letters that Unicode simple-folds onto ASCII ones (U+212A KELVIN SIGN → k,
    /// U+017F LATIN SMALL LETTER LONG S → s) do too, as `bytes.EqualFold` has it.
    static func fold(_ name: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: folded.append(Unicode.Scalar(UInt8(scalar.value + 0x20)))
            case 0x212A: folded.append("k")
            case 0x17F: folded.append("s")
            default: folded.append(scalar)
            }
        }
        return String(folded)
    }
}

/// The members of one JSON object, looked up the way Go's encoding/json matches keys to struct
/// fields.
///
/// Go matches keys case-insensitively. Where a document holds both the exact name and another
/// spelling, we take the exact one. Where it holds only several other spellings (`regionid` and
/// `REGIONID`), Go takes the last in document order; Foundation does not tell us the order, so we
/// take the spelling that sorts last by code point, which at least is deterministic.
///
/// `null` for a field that is not a pointer leaves it at its zero value in Go; ``decode(_:_:)``
/// returns nil for both absent and null members so callers can do the same.
struct GoJSONObject {
    let container: KeyedDecodingContainer<GoJSONKey>
    private let keysByFoldedName: [String: [GoJSONKey]]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: GoJSONKey.self)
        self.container = container
        var keys: [String: [GoJSONKey]] = [:]
        for key in container.allKeys {
            keys[GoJSONKey.fold(key.stringValue), default: []].append(key)
        }
        self.keysByFoldedName = keys
    }

    /// The document's key that fills the field `name`, if any.
    func key(_ name: String) -> GoJSONKey? {
        guard let candidates = keysByFoldedName[GoJSONKey.fold(name)] else { return nil }
        if let exact = candidates.first(where: { $0.stringValue == name }) {
            return exact
        }
        return candidates.max { $0.stringValue.unicodeScalars.lexicographicallyPrecedes($1.stringValue.unicodeScalars) }
    }

    /// Decodes the field `name`, or returns nil when it is absent or `null`.
    func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        guard let key = key(name), try !container.decodeNil(forKey: key) else { return nil }
        return try container.decode(type, forKey: key)
    }

    /// Decodes the integer field `name`, or returns nil when it is absent or `null`.
    ///
    /// Foundation reports a number that doesn't fit `Int` (`1.5`, `1e30`) as "not valid JSON"
    /// with no coding path; we turn that into an error that names the field.
    func decodeInt(_ name: String) throws -> Int? {
        guard let key = key(name), try !container.decodeNil(forKey: key) else { return nil }
        do {
            return try container.decode(Int.self, forKey: key)
        } catch {
            guard let number = try? container.decode(Double.self, forKey: key) else { throw error }
            let shown = GoJSONWriter.formatDouble(number) ?? "\(number)"
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription: "cannot use number \(shown) as an integer"
            )
        }
    }

    /// A nested object for the field `name`, or nil when it is absent or `null`.
    func nestedObject(_ name: String) throws -> KeyedDecodingContainer<GoJSONKey>? {
        guard let key = key(name), try !container.decodeNil(forKey: key) else { return nil }
        return try container.nestedContainer(keyedBy: GoJSONKey.self, forKey: key)
    }
}

extension KeyedDecodingContainer where Key == GoJSONKey {
    /// The members of a JSON object keyed by region ID (`"900"`), decoded as Go decodes a
    /// `map[int]T`: each key must parse as a base-10 integer (`strconv.ParseInt(key, 10, 64)`).
    ///
    /// Go lets a later key overwrite an earlier one that names the same number (`"1"` and
    /// `"01"`); since Foundation hides document order we refuse such a document instead.
    func decodeRegionKeyed<T>(
        _ decodeValue: (GoJSONKey) throws -> T
    ) throws -> [(id: Int, value: T)] {
        var seen: [Int: String] = [:]
        var result: [(id: Int, value: T)] = []
        for key in allKeys {
            guard let id = Int(key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: self,
                    debugDescription: "region key \"\(key.stringValue)\" is not a decimal integer"
                )
            }
            if let other = seen[id] {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: self,
                    debugDescription: "keys \"\(other)\" and \"\(key.stringValue)\" both name region \(id)"
                )
            }
            seen[id] = key.stringValue
            result.append((id, try decodeValue(key)))
        }
        return result
    }
}
