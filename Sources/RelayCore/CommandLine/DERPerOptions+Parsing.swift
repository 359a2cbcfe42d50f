extension DERPerOptions {
    /// What the command line asks derper to do.
    package enum ParseOutcome: Sendable, Equatable {
        /// Run the server with these options.
        case run(DERPerOptions)
        /// `-h`, `-help` or `--help`: print this usage text to standard output and exit 0.
        case help(usage: String)
        /// `-version`: print the version and exit 0. Like the reference, this wins over every
        /// check after the flag grammar itself.
        case version
    }

    /// Parses derper's command line (`arguments` without the program name).
    ///
    /// Throws ``DERPerOptionsError`` for any usage error; the CLI prints its message (followed by
    /// ``usageText(environment:programName:)`` when ``DERPerOptionsError/showsUsage``) to standard
    /// error and exits with ``DERPerOptionsError/exitCode`` (2).
    package static func parse(
        _ arguments: [String],
        environment: DERPerEnvironment,
        programName: String = "derper"
    ) throws(DERPerOptionsError) -> ParseOutcome {
        let flags = DERPerFlags(environment: environment, programName: programName)
        let outcome: GoFlagParser.Outcome
        do {
            outcome = try flags.parser.parse(arguments)
        } catch {
            throw DERPerOptionsError(error)
        }
        switch outcome {
        case .helpRequested:
            return .help(usage: flags.parser.usageText)
        case .parsed(let values):
            if values[flags.version] { return .version }
            return .run(try DERPerOptions(values: values, flags: flags, environment: environment))
        }
    }

    /// The usage text Go would print: `Usage of derper:` and every flag with its default.
    package static func usageText(environment: DERPerEnvironment, programName: String = "derper") -> String {
        DERPerFlags(environment: environment, programName: programName).parser.usageText
    }
}
