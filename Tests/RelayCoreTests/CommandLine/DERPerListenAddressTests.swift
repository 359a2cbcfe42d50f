import Testing

@testable import RelayCore

/// `-a` and `-metrics-listen` follow Go's `net.SplitHostPort`.
@Suite struct DERPerListenAddressTests {
    @Test(arguments: [
        (":443", nil, 443, ":443"),
        ("127.0.0.1:8443", "127.0.0.1", 8443, "127.0.0.1:8443"),
        ("[::1]:8443", "::1", 8443, "[::1]:8443"),
        ("[::]:3340", "::", 3340, "[::]:3340"),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80, "[fe80::1%eth0]:80"),
        ("derp.example.com:443", "derp.example.com", 443, "derp.example.com:443"),
        ("[]:443", nil, 443, ":443"),
        (":0", nil, 0, ":0"),
        (":65535", nil, 65535, ":65535"),
        (":https", nil, 443, ":443"),
        ("0.0.0.0:http", "0.0.0.0", 80, "0.0.0.0:80"),
    ] as [(String, String?, Int, String)])
    func parses(text: String, host: String?, port: Int, description: String) throws {
        let address = try DERPerListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == description)
    }

    @Test(arguments: [
        ("443", DERPerListenAddress.ParseError.missingPort),
        ("", .missingPort),
        ("[::1]", .missingPort),
        ("[::1]x:80", .missingPort),
        ("::1:8443", .tooManyColons),
        ("[::1]:80:90", .tooManyColons),
        ("[::1:80", .missingClosingBracket),
        ("a[b:80", .unexpectedOpeningBracket),
        ("a]:80", .unexpectedClosingBracket),
        ("[a]:8]0", .unexpectedClosingBracket),
        (":abc", .invalidPort("abc")),
        (":", .invalidPort("")),
        (":99999", .invalidPort("99999")),
        (":65536", .invalidPort("65536")),
        (":-1", .invalidPort("-1")),
        (":+80", .invalidPort("+80")),
        (": 80", .invalidPort(" 80")),
        (":1000000000000000000000", .invalidPort("1000000000000000000000")),
    ])
    func rejects(text: String, expected: DERPerListenAddress.ParseError) {
        #expect(throws: expected) { try DERPerListenAddress(parsing: text) }
    }

    @Test func messagesUseGoWords() {
        #expect(DERPerListenAddress.ParseError.missingPort.description == "missing port in address")
        #expect(DERPerListenAddress.ParseError.tooManyColons.description == "too many colons in address")
        #expect(
            DERPerListenAddress.ParseError.invalidPort("abc").description
                == "port \"abc\" is not a number from 0 to 65535")
    }

    @Test func withPortKeepsTheHost() {
        let address = DERPerListenAddress(host: "::1", port: 443)
        #expect(address.withPort(3478) == DERPerListenAddress(host: "::1", port: 3478))
        #expect(address.isIPv6Literal)
        #expect(DERPerListenAddress(host: "", port: 80).host == nil)
    }
}
