/// Writes a ``GoJSONValue`` the way Go's encoding/json does, byte for byte.
///
/// What it reproduces (Go 1.22 and later, `json.Marshal` with its default HTML escaping):
/// - strings: `"` and `\` escaped; `\b \f \n \r \t` as short escapes; other control characters as
///   `\u00XX`; `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`
///   (lower-case hex); everything else as UTF-8.
/// - numbers: integers in decimal; floats with the shortest digits that round-trip, in `%f` style
///   unless the magnitude is below 1e-6 or at least 1e21, then `%e` style with a two-digit-minimum
///   exponent and `e-07` shortened to `e-7` (encoding/json `floatEncoder`). NaN and infinities are
///   refused, as Go refuses them.
/// - `MarshalIndent(v, "", "\t")`: a newline and tabs before every member and element, `": "`
///   between key and value, `{}` and `[]` for empty containers, no trailing newline.
enum GoJSONWriter {
    static func write(_ value: GoJSONValue, format: DERPMapJSONFormat) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        try append(value, to: &out, format: format, depth: 0)
        return out
    }

    private static func append(
        _ value: GoJSONValue,
        to out: inout [UInt8],
        format: DERPMapJSONFormat,
        depth: Int
    ) throws {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number):
            out.append(contentsOf: String(number).utf8)
        case .double(let number):
            guard let text = formatDouble(number) else {
                throw DERPMapError.unsupportedValue("json: unsupported value: \(number)")
            }
            out.append(contentsOf: text.utf8)
        case .string(let text):
            appendString(text, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, format: format, depth: depth + 1)
                try append(element, to: &out, format: format, depth: depth + 1)
            }
            newline(&out, format: format, depth: depth)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, format: format, depth: depth + 1)
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if format == .indented { out.append(UInt8(ascii: " ")) }
                try append(member.value, to: &out, format: format, depth: depth + 1)
            }
            newline(&out, format: format, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], format: DERPMapJSONFormat, depth: Int) {
        guard format == .indented else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: depth))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.utf8)
            case "\\": out.append(contentsOf: #"\\"#.utf8)
            case "\u{08}": out.append(contentsOf: #"\b"#.utf8)
            case "\u{0C}": out.append(contentsOf: #"\f"#.utf8)
            case "\n": out.append(contentsOf: #"\n"#.utf8)
            case "\r": out.append(contentsOf: #"\r"#.utf8)
            case "\t": out.append(contentsOf: #"\t"#.utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &out)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
        out.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }

    /// Formats a float as encoding/json does, or returns nil for NaN and infinities.
    static func formatDouble(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var out = value.sign == .minus ? "-" : ""
        guard value != 0 else { return out + "0" }
        let (digits, pointPosition) = shortestDigits(of: value.magnitude)
        let magnitude = value.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // %e: d[.ddd]e±XX; Go's exponent has at least two digits, and encoding/json then
            // turns e-07 into e-7. Exponents here are always <= -7 or >= 21.
            out.append(digits[digits.startIndex])
            if digits.count > 1 {
                out += "." + digits.dropFirst()
            }
            let exponent = pointPosition - 1
            out += exponent < 0 ? "e-" : "e+"
            out += String(exponent.magnitude)
        } else if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }

    /// The shortest decimal digits that round-trip `magnitude` (positive, finite), as
    /// `0.DIGITS × 10^pointPosition`, taken from Swift's own shortest representation.
    private static func shortestDigits(of magnitude: Double) -> (digits: String, pointPosition: Int) {
        let text = magnitude.description
        let mantissa: Substring
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        } else {
            mantissa = text[...]
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        } else {
            integerPart = mantissa
            fractionPart = ""
        }
        var digits = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == "0" {
            digits.removeLast()
        }
        return (digits.isEmpty ? "0" : String(digits), pointPosition)
    }
}
