import Testing

@testable import RelayCore

@Suite struct GoJSONWriterTests {
    /// Expected strings are what Go's encoding/json writes for the same float64.
    @Test(arguments: [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (50.0, "50"),
        (1.5, "1.5"),
        (40.7128, "40.7128"),
        (-74.006, "-74.006"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (-1.5e-7, "-1.5e-7"),
        (1.25e-10, "1.25e-10"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (12345678901234567890.0, "12345678901234567000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ])
    func floatsFormatLikeGo(value: Double, expected: String) {
        #expect(GoJSONWriter.formatDouble(value) == expected)
    }

    @Test func formattedFloatsRoundTrip() {
        // A fixed xorshift sequence of bit patterns covers every exponent range.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var checked = 0
        while checked < 20_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let value = Double(bitPattern: state)
            guard value.isFinite else { continue }
            checked += 1
            let text = GoJSONWriter.formatDouble(value) ?? ""
            #expect(Double(text) == value, "\(value) formatted as \(text)")
            let usesExponent = text.contains("e")
            let magnitude = value.magnitude
            #expect(usesExponent == (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)))
        }
    }

    @Test func nonFiniteFloatsHaveNoForm() {
        #expect(GoJSONWriter.formatDouble(.nan) == nil)
        #expect(GoJSONWriter.formatDouble(.infinity) == nil)
        #expect(GoJSONWriter.formatDouble(-.infinity) == nil)
    }

    @Test func emptyContainersStayOnOneLine() throws {
        let value = GoJSONValue.object([
            .init(key: "a", value: .object([])),
            .init(key: "b", value: .array([])),
            .init(key: "c", value: .array([.int(1), .bool(false), .null])),
        ])
        let indented = String(decoding: try GoJSONWriter.write(value, format: .indented), as: UTF8.self)
        #expect(indented == "{\n\t\"a\": {},\n\t\"b\": [],\n\t\"c\": [\n\t\t1,\n\t\tfalse,\n\t\tnull\n\t]\n}")
        let compact = String(decoding: try GoJSONWriter.write(value, format: .compact), as: UTF8.self)
        #expect(compact == #"{"a":{},"b":[],"c":[1,false,null]}"#)
    }
}
