/// Writes the small flat JSON objects sealed inside ClientInfo and ServerInfo frames with exactly
/// the bytes Go's `json.Marshal` produces: fields in declaration order, no spaces, and Go's string
/// escaping. `JSONEncoder` guarantees no key order, so it cannot reproduce Tailscale's bytes.
struct DERPJSONWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isFirstField = true

    init() {}

    mutating func field(_ name: String, _ value: Int) {
        self.key(name)
        self.bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: String, _ value: Bool) {
        self.key(name)
        self.bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field(_ name: String, _ value: String) {
        self.key(name)
        self.string(value)
    }

    /// Closes the object and returns its bytes.
    consuming func finish() -> [UInt8] {
        self.bytes.append(UInt8(ascii: "}"))
        return self.bytes
    }

    private mutating func key(_ name: String) {
        if !self.isFirstField {
            self.bytes.append(UInt8(ascii: ","))
        }
        self.isFirstField = false
        self.string(name)
        self.bytes.append(UInt8(ascii: ":"))
    }

    /// Go's encoding/json `appendString` with HTML escaping on (the `json.Marshal` default):
    /// `"` and `\` are backslash-escaped; `\b \f \n \r \t` use their short forms (Go 1.22 and
    /// later); other control characters, `<`, `>`, `&`, U+2028 and U+2029 become `\u00XX` /
    /// `\u20XX` with lower-case hex.
    private mutating func string(_ value: String) {
        self.bytes.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": self.bytes.append(contentsOf: #"\""#.utf8)
            case "\\": self.bytes.append(contentsOf: #"\\"#.utf8)
            case "\u{08}": self.bytes.append(contentsOf: #"\b"#.utf8)
            case "\u{0C}": self.bytes.append(contentsOf: #"\f"#.utf8)
            case "\n": self.bytes.append(contentsOf: #"\n"#.utf8)
            case "\r": self.bytes.append(contentsOf: #"\r"#.utf8)
            case "\t": self.bytes.append(contentsOf: #"\t"#.utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}", "\u{00}"..."\u{1F}":
                self.unicodeEscape(scalar.value)
            default:
                self.bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    private mutating func unicodeEscape(_ value: UInt32) {
        let digits = Array("0123456789abcdef".utf8)
        self.bytes.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            self.bytes.append(digits[Int((value >> UInt32(shift)) & 0xf)])
        }
    }
}
