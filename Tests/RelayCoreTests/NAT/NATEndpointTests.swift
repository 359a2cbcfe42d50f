import Foundation
import Testing

@testable import RelayCore

@Suite struct NATEndpointTests {
    @Test(arguments: [
        ("192.0.2.1:3478", "192.0.2.1:3478"),
        ("[2001:db8::1]:3478", "[2001:db8::1]:3478"),
        ("[2001:DB8:0:0::1]:1", "[2001:db8::1]:1"),
        ("[::ffff:192.0.2.1]:9", "192.0.2.1:9"),
    ])
    func parsesAndPrints(text: String, expected: String) {
        #expect(NATEndpoint(parsing: text)?.description == expected)
    }

    @Test(arguments: ["", "192.0.2.1", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:x", "host:1", "[::1", "[::1]x",
                      "01.2.3.4:5", "1.2.3:4", "[::1]:", "192.0.2.1:-1"])
    func rejects(text: String) {
        #expect(NATEndpoint(parsing: text) == nil)
    }

    @Test func defaultPort() {
        #expect(NATEndpoint(parsing: "192.0.2.1", defaultPort: 3478)?.port == 3478)
        #expect(NATEndpoint(parsing: "::1", defaultPort: 3478)?.description == "[::1]:3478")
    }

    @Test func jsonIsOneString() throws {
        let endpoint = try #require(NATEndpoint(parsing: "[2001:db8::1]:3478"))
        let data = try JSONEncoder().encode([endpoint])
        #expect(String(decoding: data, as: UTF8.self) == #"["[2001:db8::1]:3478"]"#)
        #expect(try JSONDecoder().decode([NATEndpoint].self, from: data) == [endpoint])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([NATEndpoint].self, from: Data(#"["nope"]"#.utf8)) }
    }

    @Test func ranges() throws {
        let ip = { (text: String) in try #require(NATEndpoint(parsingIP: text)) }
        #expect(try ip("127.0.0.2").isLoopback)
        #expect(try ip("::1").isLoopback)
        #expect(try ip("fe80::1").isIPv6LinkLocal)
        #expect(try ip("172.31.255.1").isPrivate)
        #expect(try !ip("172.32.0.1").isPrivate)
        #expect(try ip("fd00::1").isPrivate)
        #expect(try ip("100.127.255.255").isSharedAddressSpace)
        #expect(try !ip("100.128.0.0").isSharedAddressSpace)
    }

    @Test(arguments: [
        ("stun.example.com", "stun.example.com", 3478 as UInt16),
        ("stun.example.com:19302", "stun.example.com", 19302),
        ("127.0.0.1:5000", "127.0.0.1", 5000),
        ("[::1]:5000", "::1", 5000),
        ("2001:db8::1", "2001:db8::1", 3478),
    ])
    func serverSpecs(text: String, host: String, port: UInt16) {
        let spec = NATServerSpec(parsing: text)
        #expect(spec?.host == host)
        #expect(spec?.port == port)
    }

    @Test(arguments: ["", ":3478", "host:0", "host:99999", "a b:1", "[::1", "http://x"])
    func badServerSpecs(text: String) {
        #expect(NATServerSpec(parsing: text) == nil)
    }

    @Test func socketIDsRoundTrip() throws {
        let data = try JSONEncoder().encode(NATSocketID.all)
        #expect(try JSONDecoder().decode([NATSocketID].self, from: data) == NATSocketID.all)
        #expect(NATSocketID(.filteringChangeIPAndPort, .ipv6).description == "filtering-ip-port-v6")
    }

    @Test func serversUsableByFamily() throws {
        let v4Only = NATFixtures.interfaces(["192.168.1.10", "127.0.0.1", "::1", "fe80::1"])
        #expect(NATServerResolver.isUsable(NATFixtures.ep("198.51.100.1:3478"), interfaces: v4Only))
        #expect(!NATServerResolver.isUsable(NATFixtures.ep("[2001:db8::1]:3478"), interfaces: v4Only))
        #expect(NATServerResolver.isUsable(NATFixtures.ep("[::1]:3478"), interfaces: v4Only), "loopback is always usable")
    }
}
