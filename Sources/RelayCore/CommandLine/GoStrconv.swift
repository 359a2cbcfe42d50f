/// The parts of Go's `strconv` package that Go's `flag` package uses, re-implemented so that
/// derper accepts exactly the values the Go derper accepts.
///
/// Grammar (golang/go src/strconv/atoi.go, atof.go, atob.go):
/// - `ParseBool`: `1 t T TRUE true True 0 f F FALSE false False`, nothing else.
/// - `ParseInt(s, 0, 64)`: optional sign, then `0b`/`0o`/`0x` or a bare leading `0` (octal) picks
///   the base; `_` may separate digits (only between digits or after a base prefix).
/// - `ParseFloat(s, 64)`: decimal or hexadecimal (`0x1p-2`, exponent required) Go float literals
///   with optional `_` separators, or case-insensitive `inf`, `infinity` (signed) and `nan`.
/// Errors are reported the way `flag` reports them: "parse error" or "value out of range".
enum GoStrconv {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case syntax
        case range

        var description: String {
            switch self {
            case .syntax: return "parse error"
            case .range: return "value out of range"
            }
        }
    }

    // MARK: - Bool

    static func parseBool(_ text: String) throws(Failure) -> Bool {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw .syntax
        }
    }

    // MARK: - Int

    /// `strconv.ParseInt(text, 0, 64)`. Checks happen in Go's order: an overflow found while
    /// reading digits wins over a syntax error later in the string.
    static func parseInt(_ text: String) throws(Failure) -> Int64 {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { throw .syntax }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let magnitude = try parseUnsigned(bytes, original: text)
        let limit: UInt64 = 1 << 63
        if negative {
            guard magnitude <= limit else { throw .range }
            return magnitude == limit ? Int64.min : -Int64(magnitude)
        }
        guard magnitude < limit else { throw .range }
        return Int64(magnitude)
    }

    /// `strconv.ParseUint(bytes, 0, 64)` without the sign.
    private static func parseUnsigned(_ input: Substring.UTF8View.SubSequence, original: String) throws(Failure) -> UInt64 {
        guard let first = input.first else { throw .syntax }
        var digits = input
        var base: UInt64 = 10
        if first == UInt8(ascii: "0") {
            let second = input.dropFirst().first.map(lower)
            if input.count >= 3, second == UInt8(ascii: "b") {
                base = 2
                digits = input.dropFirst(2)
            } else if input.count >= 3, second == UInt8(ascii: "o") {
                base = 8
                digits = input.dropFirst(2)
            } else if input.count >= 3, second == UInt8(ascii: "x") {
                base = 16
                digits = input.dropFirst(2)
            } else {
                base = 8
                digits = input.dropFirst()
            }
        }
        var sawUnderscore = false
        var value: UInt64 = 0
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                sawUnderscore = true
                continue
            }
            guard let digit = digitValue(byte), UInt64(digit) < base else { throw .syntax }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: base)
            let (sum, overflowB) = shifted.addingReportingOverflow(UInt64(digit))
            guard !overflowA, !overflowB else { throw .range }
            value = sum
        }
        if sawUnderscore, !underscoresAreValid(Array(original.utf8)) { throw .syntax }
        return value
    }

    // MARK: - Float

    /// `strconv.ParseFloat(text, 64)`.
    static func parseFloat(_ text: String) throws(Failure) -> Double {
        let bytes = Array(text.utf8)
        if let special = specialFloat(bytes) { return special }
        guard isFloatLiteral(bytes) else { throw .syntax }
        // Swift's parser accepts every Go literal once the separators are gone (both follow C's
        // strtod grammar); an infinite result from a finite literal is Go's range error.
        let withoutSeparators = String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(withoutSeparators) else { throw .syntax }
        if value.isInfinite { throw .range }
        return value
    }

    /// Go's `special`: signed `inf`/`infinity` and unsigned `nan`, ignoring case, filling the whole string.
    private static func specialFloat(_ bytes: [UInt8]) -> Double? {
        var body = bytes[...]
        var sign = 1.0
        var signed = false
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            signed = true
            body = body.dropFirst()
        }
        let word = String(decoding: body.map(lower), as: UTF8.self)
        switch word {
        case "inf", "infinity": return sign * .infinity
        case "nan" where !signed: return .nan
        default: return nil
        }
    }

    /// Go's `readFloat` as a validator: true only if the whole string is one Go float literal.
    private static func isFloatLiteral(_ s: [UInt8]) -> Bool {
        var i = 0
        var sawUnderscore = false
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        var hex = false
        if i + 2 < s.count, s[i] == UInt8(ascii: "0"), lower(s[i + 1]) == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        var sawDot = false
        var sawDigits = false
        mantissa: while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "_"):
                sawUnderscore = true
            case UInt8(ascii: "."):
                if sawDot { break mantissa }
                sawDot = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigits = true
            case _ where hex && (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower(c)):
                sawDigits = true
            default:
                break mantissa
            }
            i += 1
        }
        guard sawDigits else { return false }
        let exponentMarker = hex ? UInt8(ascii: "p") : UInt8(ascii: "e")
        if i < s.count, lower(s[i]) == exponentMarker {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]) else { return false }
            while i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]) || s[i] == UInt8(ascii: "_") {
                if s[i] == UInt8(ascii: "_") { sawUnderscore = true }
                i += 1
            }
        } else if hex {
            return false  // a hexadecimal mantissa needs a 'p' exponent
        }
        guard i == s.count else { return false }
        return !sawUnderscore || underscoresAreValid(s)
    }

    /// Go's `underscoreOK`: `_` only between digits, or between a base prefix and a digit.
    static func underscoresAreValid(_ input: [UInt8]) -> Bool {
        enum Saw { case start, digit, underscore, other }
        var s = input[...]
        if let first = s.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { s = s.dropFirst() }
        var saw = Saw.start
        var hex = false
        if s.count >= 2, s.first == UInt8(ascii: "0") {
            let marker = lower(s[s.startIndex + 1])
            if marker == UInt8(ascii: "b") || marker == UInt8(ascii: "o") || marker == UInt8(ascii: "x") {
                hex = marker == UInt8(ascii: "x")
                saw = .digit
                s = s.dropFirst(2)
            }
        }
        for c in s {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || (hex && (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower(c)))
            {
                saw = .digit
                continue
            }
            if c == UInt8(ascii: "_") {
                guard saw == .digit else { return false }
                saw = .underscore
                continue
            }
            if saw == .underscore { return false }
            saw = .other
        }
        return saw != .underscore
    }

    // MARK: - Formatting

    /// `strconv.FormatFloat(value, 'g', -1, 64)`: shortest digits, in exponent form when the decimal
    /// exponent is below -4 or at least 6 (Go fixes 6 for the shortest format, src/strconv/ftoa.go),
    /// e.g. `999999.5`, `1e+06`, `0.0001`, `1e-05`, `+Inf`.
    static func formatFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (digits, pointPosition) = shortestDecimalDigits(of: value.magnitude)
        let sign = value < 0 ? "-" : ""
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            return sign + exponentForm(digits: digits, exponent: exponent)
        }
        return sign + fixedForm(digits: digits, pointPosition: pointPosition)
    }

    /// Shortest round-trip digits of a positive finite value (no leading or trailing zeros) and the
    /// position of the decimal point relative to the first digit, from Swift's own shortest printer.
    private static func shortestDecimalDigits(of value: Double) -> (digits: [Character], pointPosition: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first.map(String.init) ?? text
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = pieces.first.map(String.init) ?? ""
        let fractionPart = pieces.count == 2 ? String(pieces[1]) : ""
        var digits = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == "0" { digits.removeLast() }
        return (digits, pointPosition)
    }

    private static func exponentForm(digits: [Character], exponent: Int) -> String {
        var text = String(digits.first ?? "0")
        if digits.count > 1 { text += "." + String(digits.dropFirst()) }
        let magnitude = exponent.magnitude
        text += exponent < 0 ? "e-" : "e+"
        text += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return text
    }

    private static func fixedForm(digits: [Character], pointPosition: Int) -> String {
        if pointPosition <= 0 {
            return "0." + String(repeating: "0", count: -pointPosition) + String(digits)
        }
        if pointPosition >= digits.count {
            return String(digits) + String(repeating: "0", count: pointPosition - digits.count)
        }
        return String(digits[..<pointPosition]) + "." + String(digits[pointPosition...])
    }

    /// `strconv.Quote` for the text we print in usage: escapes quotes, backslashes and control characters.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    // MARK: - Bytes

    private static func lower(_ byte: UInt8) -> UInt8 { byte | 0x20 }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
