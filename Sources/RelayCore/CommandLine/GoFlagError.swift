/// A command-line usage error from ``GoFlagParser``, worded exactly as Go's `flag` package words it.
/// Go prints the message, then the usage text, and exits with status 2.
package struct GoFlagError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: Sendable, Equatable {
        /// `---x`, `-=x`: "bad flag syntax: ---x".
        case badSyntax
        /// "flag provided but not defined: -x".
        case notDefined
        /// "flag needs an argument: -a".
        case missingArgument
        /// "invalid value \"abc\" for flag -http-port: parse error".
        case invalidValue
        /// "invalid boolean value \"maybe\" for -stun: parse error".
        case invalidBooleanValue
    }

    package let code: Code
    /// The flag concerned (without dashes), or the whole argument for ``Code/badSyntax``.
    package let flag: String
    package let message: String

    /// The exit status for a usage error, as Go's `flag.ExitOnError` uses.
    package static let usageExitCode: Int32 = 2

    package var exitCode: Int32 { Self.usageExitCode }

    package var description: String { message }

    @inline(never)
    static func badSyntax(_ argument: String) -> GoFlagError {
        GoFlagError(code: .badSyntax, flag: argument, message: "bad flag syntax: \(argument)")
    }

    @inline(never)
    static func notDefined(_ name: String) -> GoFlagError {
        GoFlagError(code: .notDefined, flag: name, message: "flag provided but not defined: -\(name)")
    }

    @inline(never)
    static func missingArgument(_ name: String) -> GoFlagError {
        GoFlagError(code: .missingArgument, flag: name, message: "flag needs an argument: -\(name)")
    }

    @inline(never)
    static func invalidValue(_ value: String, flag name: String, reason: GoStrconv.Failure) -> GoFlagError {
        GoFlagError(
            code: .invalidValue,
            flag: name,
            message: "invalid value \(GoStrconv.quote(value)) for flag -\(name): \(reason)"
        )
    }

    @inline(never)
    static func invalidBooleanValue(_ value: String, flag name: String, reason: GoStrconv.Failure) -> GoFlagError {
        GoFlagError(
            code: .invalidBooleanValue,
            flag: name,
            message: "invalid boolean value \(GoStrconv.quote(value)) for -\(name): \(reason)"
        )
    }
}
