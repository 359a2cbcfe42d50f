/// A command-line parser with the grammar of Go's `flag` package (golang/go src/flag/flag.go),
/// so a program can accept a Go program's command lines unchanged.
///
/// - `-flag`, `--flag` (one or two dashes are the same), `-flag=value`, `-flag value`.
/// - A boolean flag never takes the next argument: `-stun` is true, `-stun=false` is false, and in
///   `-stun false` the word `false` is the first positional argument.
/// - A non-boolean flag takes the next argument whatever it looks like: `-http-port -1`.
/// - Parsing stops at the first non-flag argument (a lone `-` is one) or just after `--`.
/// - `-h`, `-help` (any dashes, any `=value`) ask for help unless a flag has that name.
///
/// Register flags, then call ``parse(_:)``; typed handles read the values:
/// ```swift
/// var parser = GoFlagParser(programName: "derper")
/// let port = parser.int("http-port", default: 80, usage: "The port on which to serve HTTP.")
/// guard case .parsed(let values) = try parser.parse(["-http-port", "-1"]) else { ... }
/// values[port]  // -1
/// ```
package struct GoFlagParser: Sendable {
    /// A registered flag: its name, usage text and default value (which also fixes its type).
    package struct Definition: Sendable, Equatable {
        package let name: String
        package let usage: String
        package let defaultValue: GoFlagValue
    }

    package enum Outcome: Sendable {
        case parsed(GoFlagValues)
        /// `-h` or `-help` was given (and no flag of that name exists): print ``usageText`` and exit 0.
        case helpRequested
    }

    package let programName: String
    package private(set) var definitions: [String: Definition] = [:]

    package init(programName: String) {
        self.programName = programName
    }

    // MARK: - Registration

    @discardableResult
    package mutating func bool(_ name: String, default value: Bool, usage: String) -> GoFlag<Bool> {
        define(name, .bool(value), usage)
        return GoFlag(bool: name, defaultValue: value)
    }

    @discardableResult
    package mutating func string(_ name: String, default value: String, usage: String) -> GoFlag<String> {
        define(name, .string(value), usage)
        return GoFlag(string: name, defaultValue: value)
    }

    @discardableResult
    package mutating func int(_ name: String, default value: Int, usage: String) -> GoFlag<Int> {
        define(name, .int(value), usage)
        return GoFlag(int: name, defaultValue: value)
    }

    @discardableResult
    package mutating func float64(_ name: String, default value: Double, usage: String) -> GoFlag<Double> {
        define(name, .float64(value), usage)
        return GoFlag(float64: name, defaultValue: value)
    }

    @discardableResult
    package mutating func duration(_ name: String, default value: Duration, usage: String) -> GoFlag<Duration> {
        define(name, .duration(value), usage)
        return GoFlag(duration: name, defaultValue: value)
    }

    /// Registration mistakes are programming errors, as in Go (which panics): names come from
    /// our source, never from user input.
    private mutating func define(_ name: String, _ value: GoFlagValue, _ usage: String) {
        precondition(!name.isEmpty && !name.hasPrefix("-"), "flag \(GoStrconv.quote(name)) begins with -")
        precondition(!name.contains("="), "flag \(GoStrconv.quote(name)) contains =")
        precondition(definitions[name] == nil, "flag redefined: \(name)")
        definitions[name] = Definition(name: name, usage: usage, defaultValue: value)
    }

    // MARK: - Parsing

    /// Parses `arguments` (without the program name). Throws the first usage error, as Go does.
    package func parse(_ arguments: [String]) throws(GoFlagError) -> Outcome {
        var values = definitions.mapValues(\.defaultValue)
        var explicitlySet: Set<String> = []
        var remaining = arguments[...]

        while let argument = remaining.first {
            // Go works on bytes here: a flag is "-" or "--" followed by a name that starts with
            // neither "-" nor "=". Anything else ends the flags ("-" alone is a positional argument).
            let bytes = Array(argument.utf8)
            let dash = UInt8(ascii: "-")
            guard bytes.count >= 2, bytes[0] == dash else { break }
            var nameStart = 1
            if bytes[1] == dash {
                if bytes.count == 2 {  // "--" ends the flags and is consumed
                    remaining = remaining.dropFirst()
                    break
                }
                nameStart = 2
            }
            guard nameStart < bytes.count, bytes[nameStart] != dash, bytes[nameStart] != UInt8(ascii: "=") else {
                throw .badSyntax(argument)
            }
            remaining = remaining.dropFirst()

            var nameBytes = bytes[nameStart...]
            var inlineValue: String?
            if let equals = nameBytes.dropFirst().firstIndex(of: UInt8(ascii: "=")) {
                inlineValue = String(decoding: nameBytes[(equals + 1)...], as: UTF8.self)
                nameBytes = nameBytes[..<equals]
            }
            let flagName = String(decoding: nameBytes, as: UTF8.self)

            guard let definition = definitions[flagName] else {
                if flagName == "help" || flagName == "h" { return .helpRequested }
                throw .notDefined(flagName)
            }

            let newValue: GoFlagValue
            if definition.defaultValue.isBool {
                let text = inlineValue ?? "true"
                do {
                    newValue = try definition.defaultValue.parsingSameType(text)
                } catch {
                    throw .invalidBooleanValue(text, flag: flagName, reason: error)
                }
            } else {
                let text: String
                if let inlineValue {
                    text = inlineValue
                } else if let next = remaining.first {
                    text = next
                    remaining = remaining.dropFirst()
                } else {
                    throw .missingArgument(flagName)
                }
                do {
                    newValue = try definition.defaultValue.parsingSameType(text)
                } catch {
                    throw .invalidValue(text, flag: flagName, reason: error)
                }
            }
            values[flagName] = newValue
            explicitlySet.insert(flagName)
        }
        return .parsed(GoFlagValues(values: values, explicitlySet: explicitlySet, arguments: Array(remaining)))
    }
}
