/// Go's `time.ParseDuration` and `time.Duration.String`, on signed 64-bit nanoseconds as in Go.
///
/// Grammar (golang/go src/time/format.go): `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or a bare `0`
/// (optionally signed). Every number needs a unit: `ns`, `us`, `µs` (U+00B5), `μs` (U+03BC),
/// `ms`, `s`, `m`, `h`. Examples: `300ms`, `-1.5h`, `2h45m`, `1h2m3.5s`. Totals beyond the
/// range of an `Int64` of nanoseconds (about 292 years) are invalid.
enum GoDurationSyntax {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case missingUnit(String)
        case unknownUnit(unit: String, in: String)

        /// The words Go's `time` package uses (the `flag` package reports all of them as "parse error").
        var description: String {
            switch self {
            case .invalid(let text): return "time: invalid duration \(GoStrconv.quote(text))"
            case .missingUnit(let text): return "time: missing unit in duration \(GoStrconv.quote(text))"
            case .unknownUnit(let unit, let text):
                return "time: unknown unit \(GoStrconv.quote(unit)) in duration \(GoStrconv.quote(text))"
            }
        }
    }

    private static let nanosecondsPerUnit: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,
        "\u{03BC}s": 1_000,
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    /// Parses `text` into nanoseconds.
    static func parse(_ text: String) throws(Failure) -> Int64 {
        let limit: UInt64 = 1 << 63
        var rest = Array(text.utf8)[...]
        var negative = false
        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        if rest.elementsEqual([UInt8(ascii: "0")]) { return 0 }
        guard !rest.isEmpty else { throw .invalid(text) }

        var total: UInt64 = 0
        while let next = rest.first {
            guard next == UInt8(ascii: ".") || isDigit(next) else { throw .invalid(text) }
            // Whole part: [0-9]*, failing on overflow.
            var whole: UInt64 = 0
            let wholeDigits = rest.prefix(while: isDigit)
            for digit in wholeDigits {
                guard whole <= limit / 10 else { throw .invalid(text) }
                whole = whole * 10 + UInt64(digit - UInt8(ascii: "0"))
                guard whole <= limit else { throw .invalid(text) }
            }
            rest = rest.dropFirst(wholeDigits.count)
            // Fraction: (\.[0-9]*)?, keeping only the precision that fits.
            var fraction: UInt64 = 0
            var scale = 1.0
            var fractionDigitCount = 0
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                let fractionDigits = rest.prefix(while: isDigit)
                fractionDigitCount = fractionDigits.count
                var overflowed = false
                for digit in fractionDigits where !overflowed {
                    let (shifted, overflowA) = fraction.multipliedReportingOverflow(by: 10)
                    let (sum, overflowB) = shifted.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
                    if overflowA || overflowB || sum > limit {
                        overflowed = true
                    } else {
                        fraction = sum
                        scale *= 10
                    }
                }
                rest = rest.dropFirst(fractionDigitCount)
            }
            guard !wholeDigits.isEmpty || fractionDigitCount > 0 else { throw .invalid(text) }
            // Unit: everything up to the next digit or '.'.
            let unitBytes = rest.prefix(while: { $0 != UInt8(ascii: ".") && !isDigit($0) })
            guard !unitBytes.isEmpty else { throw .missingUnit(text) }
            rest = rest.dropFirst(unitBytes.count)
            let unitText = String(decoding: unitBytes, as: UTF8.self)
            guard let unit = nanosecondsPerUnit[unitText] else { throw .unknownUnit(unit: unitText, in: text) }

            guard whole <= limit / unit else { throw .invalid(text) }
            var value = whole * unit
            if fraction > 0 {
                // Go computes this in float64 too: it is exact to the nanosecond for every unit.
                let fractional = Double(fraction) * (Double(unit) / scale)
                guard fractional < 18_446_744_073_709_551_616.0 else { throw .invalid(text) }
                let (sum, overflow) = value.addingReportingOverflow(UInt64(fractional))
                guard !overflow, sum <= limit else { throw .invalid(text) }
                value = sum
            }
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow, sum <= limit else { throw .invalid(text) }
            total = sum
        }
        if negative {
            return total == limit ? Int64.min : -Int64(total)
        }
        guard total < limit else { throw .invalid(text) }
        return Int64(total)
    }

    /// Formats nanoseconds like Go's `Duration.String`: `0s`, `1.5µs`, `300ms`, `15s`, `10m0s`, `1h2m3.5s`.
    static func format(nanoseconds: Int64) -> String {
        let negative = nanoseconds < 0
        var remaining = nanoseconds.magnitude
        var text: String
        if remaining == 0 { return "0s" }
        if remaining < 1_000_000_000 {
            let (unit, digits): (String, Int)
            switch remaining {
            case ..<1_000: (unit, digits) = ("ns", 0)
            case ..<1_000_000: (unit, digits) = ("\u{00B5}s", 3)
            default: (unit, digits) = ("ms", 6)
            }
            let fraction = fractionText(&remaining, digits: digits)
            text = "\(remaining)\(fraction)\(unit)"
        } else {
            let fraction = fractionText(&remaining, digits: 9)
            // `remaining` is now whole seconds.
            text = "\(remaining % 60)\(fraction)s"
            remaining /= 60
            if remaining > 0 {
                text = "\(remaining % 60)m" + text
                remaining /= 60
                if remaining > 0 { text = "\(remaining)h" + text }
            }
        }
        return negative ? "-" + text : text
    }

    /// Go's `fmtFrac`: removes `digits` decimal digits from `value` and returns them as ".ddd"
    /// without trailing zeros, or "" when they are all zero.
    private static func fractionText(_ value: inout UInt64, digits: Int) -> String {
        var kept: [Character] = []
        var printing = false
        for _ in 0..<digits {
            let digit = value % 10
            printing = printing || digit != 0
            if printing { kept.append(Character(String(digit))) }
            value /= 10
        }
        return kept.isEmpty ? "" : "." + String(kept.reversed())
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to the range of `Int64` (Go's `time.Duration`).
    var goNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowB) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowB { return seconds < 0 ? .min : .max }
        return sum
    }
}
