/// A value held by a flag of ``GoFlagParser``: one case per flag type of Go's `flag` package we support.
package enum GoFlagValue: Sendable, Equatable {
    case bool(Bool)
    case string(String)
    case int(Int)
    case float64(Double)
    case duration(Duration)

    /// Parses `text` as a new value of the same type as `self`, with Go's syntax for that type.
    func parsingSameType(_ text: String) throws(GoStrconv.Failure) -> GoFlagValue {
        switch self {
        case .bool:
            return .bool(try GoStrconv.parseBool(text))
        case .string:
            return .string(text)
        case .int:
            let wide = try GoStrconv.parseInt(text)
            guard let value = Int(exactly: wide) else { throw .range }
            return .int(value)
        case .float64:
            return .float64(try GoStrconv.parseFloat(text))
        case .duration:
            do {
                return .duration(.nanoseconds(try GoDurationSyntax.parse(text)))
            } catch {
                throw .syntax  // Go's flag package reports every duration failure as "parse error"
            }
        }
    }

    /// The value as Go's `Value.String()` prints it (used for defaults in the usage text).
    var goText: String {
        switch self {
        case .bool(let value): return value ? "true" : "false"
        case .string(let value): return value
        case .int(let value): return String(value)
        case .float64(let value): return GoStrconv.formatFloat(value)
        case .duration(let value): return GoDurationSyntax.format(nanoseconds: value.goNanoseconds)
        }
    }

    /// Whether this is the zero value of its type, whose default Go's `PrintDefaults` leaves out.
    var isZero: Bool {
        switch self {
        case .bool(let value): return !value
        case .string(let value): return value.isEmpty
        case .int(let value): return value == 0
        case .float64(let value): return value == 0
        case .duration(let value): return value == .zero
        }
    }

    /// The placeholder Go's `UnquoteUsage` shows after the flag name; empty for booleans.
    var typeName: String {
        switch self {
        case .bool: return ""
        case .string: return "string"
        case .int: return "int"
        case .float64: return "float"
        case .duration: return "duration"
        }
    }

    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }
}
