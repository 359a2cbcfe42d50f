/// Why derper's command line was rejected. Every case exits with status 2, as Go's usage errors do.
package struct DERPerOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The flag grammar failed (``GoFlagError``); Go prints the usage text after the message.
        case flagSyntax(GoFlagError.Code)
        /// The flags parsed but a value or a combination of values is unusable.
        case invalidOption
    }

    package let kind: Kind
    /// The flag the error is about, without dashes, when there is one.
    package let flag: String?
    package let message: String

    /// The exit status for every usage error (Go's `flag.ExitOnError` and the reference's checks).
    package var exitCode: Int32 { GoFlagError.usageExitCode }

    package var description: String { message }

    /// Whether the CLI should print the usage text after the message (Go does for grammar errors).
    package var showsUsage: Bool {
        if case .flagSyntax = kind { return true }
        return false
    }

    init(_ error: GoFlagError) {
        self.kind = .flagSyntax(error.code)
        self.flag = error.flag
        self.message = error.message
    }

    init(invalid flag: String?, _ message: String) {
        self.kind = .invalidOption
        self.flag = flag
        self.message = message
    }

    /// "invalid value "x" for flag -name: reason", matching the wording of Go's flag errors.
    @inline(never)
    static func invalidValue(_ value: String, flag: String, _ reason: String) -> DERPerOptionsError {
        DERPerOptionsError(invalid: flag, "invalid value \(GoStrconv.quote(value)) for flag -\(flag): \(reason)")
    }
}
