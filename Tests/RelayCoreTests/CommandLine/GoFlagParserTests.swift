import Testing

@testable import RelayCore

/// Go's flag grammar, case by case (golang/go src/flag/flag.go `parseOne`).
@Suite struct GoFlagParserTests {
    struct Fixture {
        var parser = GoFlagParser(programName: "derper")
        let listen: GoFlag<String>
        let httpPort: GoFlag<Int>
        let stun: GoFlag<Bool>
        let verbose: GoFlag<Bool>
        let limit: GoFlag<Double>
        let keepAlive: GoFlag<Duration>

        init() {
            listen = parser.string("a", default: ":443", usage: "listen address")
            httpPort = parser.int("http-port", default: 80, usage: "HTTP port")
            stun = parser.bool("stun", default: false, usage: "run STUN")
            verbose = parser.bool("v", default: false, usage: "verbose")
            limit = parser.float64("limit", default: .infinity, usage: "rate")
            keepAlive = parser.duration("keepalive", default: .seconds(600), usage: "keepalive")
        }

        func parse(_ arguments: [String]) throws -> GoFlagValues {
            guard case .parsed(let values) = try parser.parse(arguments) else {
                throw HelpWasRequested()
            }
            return values
        }

        func error(_ arguments: [String]) -> GoFlagError? {
            #expect(throws: GoFlagError.self) { try parser.parse(arguments) }
        }
    }

    struct HelpWasRequested: Error {}

    let f = Fixture()

    @Test func noArgumentsGivesDefaults() throws {
        let values = try f.parse([])
        #expect(values[f.listen] == ":443")
        #expect(values[f.httpPort] == 80)
        #expect(values[f.stun] == false)
        #expect(values[f.limit] == .infinity)
        #expect(values[f.keepAlive] == .seconds(600))
        #expect(values.arguments.isEmpty)
        #expect(values.explicitlySet.isEmpty)
    }

    @Test func negativeValueIsConsumedAsTheValue() throws {
        let values = try f.parse(["-http-port", "-1"])
        #expect(values[f.httpPort] == -1)
        #expect(values.arguments.isEmpty)
    }

    @Test func bareBoolMeansTrue() throws {
        let values = try f.parse(["-stun"])
        #expect(values[f.stun] == true)
        #expect(values.isSet(f.stun))
    }

    @Test func boolWithEqualsFalse() throws {
        let values = try f.parse(["-stun=true", "-stun=false"])
        #expect(values[f.stun] == false)
        #expect(values.isSet("stun"))
    }

    @Test func boolNeverTakesTheNextArgument() throws {
        let values = try f.parse(["-stun", "false", "-http-port", "1"])
        #expect(values[f.stun] == true)
        #expect(values.arguments == ["false", "-http-port", "1"])
        #expect(values[f.httpPort] == 80)
        #expect(!values.isSet(f.httpPort))
    }

    @Test(arguments: [
        ["-a=127.0.0.1:8443"], ["--a=127.0.0.1:8443"], ["-a", "127.0.0.1:8443"], ["--a", "127.0.0.1:8443"],
    ])
    func oneOrTwoDashesWithOrWithoutEquals(arguments: [String]) throws {
        let values = try f.parse(arguments)
        #expect(values[f.listen] == "127.0.0.1:8443")
    }

    @Test func doubleDashBoolAndValue() throws {
        let values = try f.parse(["--stun", "--http-port=8080"])
        #expect(values[f.stun] == true)
        #expect(values[f.httpPort] == 8080)
    }

    @Test func doubleDashTerminatesFlagsAndIsConsumed() throws {
        let values = try f.parse(["-stun", "--", "-http-port", "5"])
        #expect(values[f.stun] == true)
        #expect(values[f.httpPort] == 80)
        #expect(values.arguments == ["-http-port", "5"])
    }

    @Test func loneDashIsPositional() throws {
        let values = try f.parse(["-", "-stun"])
        #expect(values.arguments == ["-", "-stun"])
        #expect(values[f.stun] == false)
    }

    @Test func parsingStopsAtFirstNonFlag() throws {
        let values = try f.parse(["-v", "serve", "-http-port", "1"])
        #expect(values[f.verbose] == true)
        #expect(values.arguments == ["serve", "-http-port", "1"])
        #expect(values[f.httpPort] == 80)
    }

    @Test func nonBoolTakesNextArgumentWhateverItLooksLike() throws {
        let values = try f.parse(["-a", "--", "rest"])
        #expect(values[f.listen] == "--")
        #expect(values.arguments == ["rest"])
    }

    @Test func valueMayContainEqualsOrBeEmpty() throws {
        #expect(try f.parse(["-a=x=y"])[f.listen] == "x=y")
        #expect(try f.parse(["-a="])[f.listen] == "")
        #expect(try f.parse(["-a", ""])[f.listen] == "")
    }

    @Test func lastOccurrenceWins() throws {
        let values = try f.parse(["-http-port", "1", "-http-port=2"])
        #expect(values[f.httpPort] == 2)
    }

    @Test func explicitlySetTracksFlagsGivenEvenAtTheirDefault() throws {
        let values = try f.parse(["-http-port", "80", "-stun=false"])
        #expect(values.explicitlySet == ["http-port", "stun"])
        #expect(!values.isSet(f.listen))
    }

    @Test(arguments: [["-h"], ["-help"], ["--help"], ["--h"], ["-help=x"], ["-stun", "-h", "-nonsense"]])
    func helpIsRequested(arguments: [String]) throws {
        guard case .helpRequested = try f.parser.parse(arguments) else {
            Issue.record("expected help for \(arguments)")
            return
        }
    }

    @Test func errorBeforeHelpWins() {
        let error = f.error(["-nonsense", "-h"])
        #expect(error?.message == "flag provided but not defined: -nonsense")
    }

    @Test func aDefinedHelpFlagIsJustAFlag() throws {
        var parser = GoFlagParser(programName: "x")
        let help = parser.bool("help", default: false, usage: "custom")
        guard case .parsed(let values) = try parser.parse(["-help"]) else {
            Issue.record("-help was defined")
            return
        }
        #expect(values[help])
    }

    @Test func undefinedFlag() {
        let error = f.error(["-x"])
        #expect(error?.message == "flag provided but not defined: -x")
        #expect(error?.code == .notDefined)
        #expect(f.error(["--x=1"])?.message == "flag provided but not defined: -x")
    }

    @Test func missingArgument() {
        let error = f.error(["-a"])
        #expect(error?.message == "flag needs an argument: -a")
        #expect(error?.code == .missingArgument)
        #expect(f.error(["-stun", "--http-port"])?.message == "flag needs an argument: -http-port")
    }

    @Test func badInt() {
        let error = f.error(["-http-port", "abc"])
        #expect(error?.message == "invalid value \"abc\" for flag -http-port: parse error")
        #expect(error?.code == .invalidValue)
        #expect(error?.exitCode == 2)
    }

    @Test func intOutOfRange() {
        #expect(
            f.error(["-http-port=99999999999999999999"])?.message
                == "invalid value \"99999999999999999999\" for flag -http-port: value out of range")
    }

    @Test func badBool() {
        let error = f.error(["-stun=maybe"])
        #expect(error?.message == "invalid boolean value \"maybe\" for -stun: parse error")
        #expect(error?.code == .invalidBooleanValue)
        #expect(f.error(["-stun="])?.message == "invalid boolean value \"\" for -stun: parse error")
    }

    @Test func badFloatAndDuration() {
        #expect(f.error(["-limit", "fast"])?.message == "invalid value \"fast\" for flag -limit: parse error")
        #expect(f.error(["-limit", "1e400"])?.message == "invalid value \"1e400\" for flag -limit: value out of range")
        #expect(f.error(["-keepalive", "10"])?.message == "invalid value \"10\" for flag -keepalive: parse error")
    }

    @Test(arguments: ["---x", "-=x", "--=x", "---"])
    func badFlagSyntax(argument: String) {
        let error = f.error([argument])
        #expect(error?.message == "bad flag syntax: \(argument)")
        #expect(error?.code == .badSyntax)
    }

    @Test(arguments: [
        ("1", true), ("t", true), ("T", true), ("TRUE", true), ("true", true), ("True", true),
        ("0", false), ("f", false), ("F", false), ("FALSE", false), ("false", false), ("False", false),
    ])
    func goBoolSyntax(text: String, expected: Bool) throws {
        let values = try f.parse(["-stun=\(text)"])
        #expect(values[f.stun] == expected)
    }

    @Test(arguments: ["yes", "no", "TRUe", "on", "2", " true"])
    func notGoBools(text: String) {
        #expect(f.error(["-stun=\(text)"])?.code == .invalidBooleanValue)
    }

    @Test func floatFlagAcceptsInfinity() throws {
        #expect(try f.parse(["-limit", "+Inf"])[f.limit] == .infinity)
        #expect(try f.parse(["-limit=Inf"])[f.limit] == .infinity)
        #expect(try f.parse(["-limit=2.5"])[f.limit] == 2.5)
    }

    @Test func durationFlag() throws {
        #expect(try f.parse(["-keepalive", "1h2m3.5s"])[f.keepAlive] == .milliseconds(3_723_500))
        #expect(try f.parse(["-keepalive=-1s"])[f.keepAlive] == .seconds(-1))
        #expect(try f.parse(["-keepalive", "0"])[f.keepAlive] == .zero)
    }

    @Test func valueNamedLookup() throws {
        let values = try f.parse(["-http-port", "0x10"])
        #expect(values.value(named: "http-port") == .int(16))
        #expect(values.value(named: "missing") == nil)
    }
}
