import Testing

@testable import RelayCore

/// Value syntax of Go's flag types: strconv.ParseInt(s, 0, 64), strconv.ParseFloat(s, 64),
/// time.ParseDuration, and the formatting Go uses for defaults.
@Suite struct GoFlagValueSyntaxTests {
    // MARK: Int

    @Test(arguments: [
        ("0", 0), ("42", 42), ("+5", 5), ("-7", -7), ("-1", -1), ("0x1F", 31), ("0X1f", 31), ("010", 8),
        ("0o17", 15), ("0b101", 5), ("1_000", 1_000), ("0x_1F", 31), ("-0x10", -16),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
    ] as [(String, Int64)])
    func intSyntax(text: String, expected: Int64) throws {
        #expect(try GoStrconv.parseInt(text) == expected)
    }

    @Test(arguments: ["", "-", "+", "abc", "08", "0x", "1__0", "_1", "1_", "0b2", "1.0", " 1", "1 ", "0x1g"])
    func intSyntaxErrors(text: String) {
        #expect(throws: GoStrconv.Failure.syntax) { try GoStrconv.parseInt(text) }
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "99999999999999999999", "0xFFFFFFFFFFFFFFFFF"])
    func intRangeErrors(text: String) {
        #expect(throws: GoStrconv.Failure.range) { try GoStrconv.parseInt(text) }
    }

    // MARK: Float

    @Test(arguments: [
        ("+Inf", Double.infinity), ("Inf", .infinity), ("inf", .infinity), ("-Inf", -.infinity),
        ("infinity", .infinity), ("+INFINITY", .infinity), ("1", 1), ("2.5", 2.5), (".5", 0.5), ("5.", 5),
        ("1e3", 1_000), ("1E-2", 0.01), ("-0.25", -0.25), ("0x1p-2", 0.25), ("0X1.8P1", 3), ("1_000.5", 1_000.5),
        ("1e-400", 0),
    ] as [(String, Double)])
    func floatSyntax(text: String, expected: Double) throws {
        #expect(try GoStrconv.parseFloat(text) == expected)
    }

    @Test func floatNaN() throws {
        #expect(try GoStrconv.parseFloat("NaN").isNaN)
        #expect(try GoStrconv.parseFloat("nan").isNaN)
    }

    @Test(arguments: ["", "abc", "+nan", "1e", "1e+", "0x1", "0x1.8", ".", "-.", "1..2", "infin", "infx", "1_", "_1", " 1", "1f"])
    func floatSyntaxErrors(text: String) {
        #expect(throws: GoStrconv.Failure.syntax) { try GoStrconv.parseFloat(text) }
    }

    @Test(arguments: ["1e400", "-1e400", "0x1p2000"])
    func floatRangeErrors(text: String) {
        #expect(throws: GoStrconv.Failure.range) { try GoStrconv.parseFloat(text) }
    }

    @Test(arguments: [
        (Double.infinity, "+Inf"), (-.infinity, "-Inf"), (0, "0"), (0.5, "0.5"), (100, "100"), (999_999.5, "999999.5"),
        (1e6, "1e+06"), (1_234_567, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"),
        (1.5e300, "1.5e+300"), (123.456, "123.456"),
    ] as [(Double, String)])
    func floatFormatting(value: Double, expected: String) {
        #expect(GoStrconv.formatFloat(value) == expected)
    }

    // MARK: Duration

    @Test(arguments: [
        ("10m", 600_000_000_000), ("1.5s", 1_500_000_000), ("2h45m", 9_900_000_000_000), ("300ms", 300_000_000),
        ("-1s", -1_000_000_000), ("0", 0), ("+0", 0), ("-0", 0), ("1h2m3.5s", 3_723_500_000_000), ("1ns", 1),
        ("1us", 1_000), ("1\u{00B5}s", 1_000), ("1\u{03BC}s", 1_000), (".5s", 500_000_000), ("1.s", 1_000_000_000),
        ("1.0000000001s", 1_000_000_000), ("0.5h", 1_800_000_000_000), ("5m0s", 300_000_000_000),
        ("+15s", 15_000_000_000), ("2562047h47m16.854775807s", Int64.max),
        ("-2562047h47m16.854775808s", Int64.min),
    ] as [(String, Int64)])
    func durationSyntax(text: String, expected: Int64) throws {
        #expect(try GoDurationSyntax.parse(text) == expected)
    }

    @Test(arguments: [
        "", "-", "+", "1", "00", "10x", "s", ".s", "-.s", "1.5", "1h 2m", " 1s", "1s ", "1e3s", "2562048h",
        "9999999999999999999h", "2562047h47m16.854775808s", "1hh", "1S",
    ])
    func durationErrors(text: String) {
        #expect(throws: GoDurationSyntax.Failure.self) { try GoDurationSyntax.parse(text) }
    }

    @Test func durationErrorWordsMatchGo() {
        #expect(throws: GoDurationSyntax.Failure.missingUnit("10")) { try GoDurationSyntax.parse("10") }
        #expect(throws: GoDurationSyntax.Failure.unknownUnit(unit: "x", in: "10x")) { try GoDurationSyntax.parse("10x") }
        #expect(throws: GoDurationSyntax.Failure.invalid("")) { try GoDurationSyntax.parse("") }
        #expect(GoDurationSyntax.Failure.missingUnit("10").description == "time: missing unit in duration \"10\"")
        #expect(
            GoDurationSyntax.Failure.unknownUnit(unit: "x", in: "10x").description
                == "time: unknown unit \"x\" in duration \"10x\"")
    }

    @Test(arguments: [
        (0, "0s"), (1, "1ns"), (1_500, "1.5\u{00B5}s"), (300_000_000, "300ms"), (1_500_000, "1.5ms"),
        (15_000_000_000, "15s"), (2_000_000_000, "2s"), (600_000_000_000, "10m0s"), (3_600_000_000_000, "1h0m0s"),
        (3_723_500_000_000, "1h2m3.5s"), (-1_000_000_000, "-1s"), (Int64.min, "-2562047h47m16.854775808s"),
        (Int64.max, "2562047h47m16.854775807s"),
    ] as [(Int64, String)])
    func durationFormatting(nanoseconds: Int64, expected: String) {
        #expect(GoDurationSyntax.format(nanoseconds: nanoseconds) == expected)
    }

    @Test func durationRoundTripsThroughSwiftDuration() throws {
        let nanoseconds = try GoDurationSyntax.parse("1h2m3.000000004s")
        #expect(Duration.nanoseconds(nanoseconds).goNanoseconds == nanoseconds)
        #expect(Duration.seconds(-1).goNanoseconds == -1_000_000_000)
    }

    // MARK: Quote

    @Test func quoteEscapesLikeGo() {
        #expect(GoStrconv.quote(":443") == "\":443\"")
        #expect(GoStrconv.quote("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\x01\"")
        #expect(GoStrconv.quote("µ") == "\"µ\"")
    }
}
