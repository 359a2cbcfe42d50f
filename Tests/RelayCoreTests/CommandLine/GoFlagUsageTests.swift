import Testing

@testable import RelayCore

/// The usage text follows Go's `PrintDefaults` layout exactly.
@Suite struct GoFlagUsageTests {
    @Test func layoutMatchesPrintDefaults() {
        var parser = GoFlagParser(programName: "derper")
        parser.string("a", default: ":443", usage: "listen address")
        parser.int("http-port", default: 80, usage: "HTTP port; -1 disables")
        parser.bool("v", default: false, usage: "verbose")
        parser.bool("stun", default: true, usage: "run STUN")
        parser.float64("accept-connection-limit", default: .infinity, usage: "rate")
        parser.duration("tcp-keepalive-time", default: .seconds(600), usage: "keepalive")
        parser.string("I", default: "", usage: "search `directory` for include files")
        let expected = """
            Usage of derper:
              -I directory
                \tsearch directory for include files
              -a string
                \tlisten address (default ":443")
              -accept-connection-limit float
                \trate (default +Inf)
              -http-port int
                \tHTTP port; -1 disables (default 80)
              -stun
                \trun STUN (default true)
              -tcp-keepalive-time duration
                \tkeepalive (default 10m0s)
              -v\tverbose

            """
        #expect(parser.usageText == expected)
    }

    @Test func zeroDefaultsAreLeftOut() {
        var parser = GoFlagParser(programName: "x")
        parser.string("c", default: "", usage: "config")
        parser.int("max-connections", default: 0, usage: "max")
        parser.bool("dev", default: false, usage: "dev")
        parser.duration("wait", default: .zero, usage: "wait")
        parser.float64("rate", default: 0, usage: "rate")
        #expect(!parser.defaultsText.contains("default"))
    }

    @Test func multiLineUsageIsIndented() {
        var parser = GoFlagParser(programName: "x")
        parser.int("n", default: 3, usage: "first line\nsecond line")
        #expect(parser.defaultsText == "  -n int\n    \tfirst line\n    \tsecond line (default 3)\n")
    }

    @Test func stringDefaultsAreQuoted() {
        var parser = GoFlagParser(programName: "x")
        parser.string("home", default: "say \"hi\"", usage: "home")
        #expect(parser.defaultsText == "  -home string\n    \thome (default \"say \\\"hi\\\"\")\n")
    }

    @Test func sortedByteWiseLikeGo() {
        var parser = GoFlagParser(programName: "x")
        parser.bool("b", default: false, usage: "")
        parser.bool("B", default: false, usage: "")
        parser.bool("a-b", default: false, usage: "")
        parser.bool("a", default: false, usage: "")
        let names = parser.defaultsText.split(separator: "\n").filter { $0.hasPrefix("  -") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false)[0] }
        #expect(names == ["  -B", "  -a", "  -a-b", "  -b"])
    }
}
