/// A coding key that takes any name, so that ``ClientInfo`` and ``ServerInfo`` can match JSON
/// object keys the way Go's encoding/json does: case-insensitively.
///
/// Go compares names after folding them (encoding/json fold.go `foldName`): ASCII letters are
/// upper-cased, and any other character becomes `unicode.ToUpper(unicode.ToLower(r))`. So
/// `"VERSION"`, `"canackpings"` and even `"CanAc\u{212A}Pings"` (KELVIN SIGN) all match.
struct DERPJSONKey: CodingKey, Hashable, Sendable {
    let stringValue: String

    init(_ name: String) {
        self.stringValue = name
    }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    var intValue: Int? { nil }

    init?(intValue: Int) {
        return nil
    }

    /// The key folded as Go folds it; compare with the folded (upper-case ASCII) field name.
    var folded: String { Self.fold(self.stringValue) }

    static func fold(_ name: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                let upper = (0x61...0x7a).contains(value) ? value - 0x20 : value
                result.append(Unicode.Scalar(UInt8(truncatingIfNeeded: upper)))
            } else {
                result.append(Self.simpleUppercase(Self.simpleLowercase(scalar)))
            }
        }
        return String(result)
    }

    /// Go's `unicode.ToLower`, a one-to-one mapping. Swift exposes the full mappings, which agree
    /// whenever they produce a single scalar; U+0130 (capital I with dot) is the one letter whose
    /// full mapping is longer but whose simple mapping is ASCII, so it is special-cased.
    private static func simpleLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar == "\u{0130}" {
            return "i"
        }
        return Self.single(scalar.properties.lowercaseMapping) ?? scalar
    }

    /// Go's `unicode.ToUpper`; where the full mapping has several scalars the character is kept,
    /// which cannot make a non-matching name match an ASCII field name.
    private static func simpleUppercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        Self.single(scalar.properties.uppercaseMapping) ?? scalar
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        var scalars = mapping.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else {
            return nil
        }
        return first
    }
}
