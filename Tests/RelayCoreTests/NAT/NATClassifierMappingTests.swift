import Testing

@testable import RelayCore

/// The mapping half of the classifier's truth table (spec/nat.md §7.2, §7.8).
@Suite struct NATClassifierMappingTests {
    typealias F = NATFixtures
    // Two DERP-like servers on different IPs, and a second port on A's IP.
    static let a = "198.51.100.1:3478"
    static let aOtherPort = "198.51.100.1:3479"
    static let b = "203.0.113.1:3478"
    static let bOtherPort = "203.0.113.1:3479"
    static let x = "203.0.113.77:40000"
    static let y = "203.0.113.77:40001"
    static let z = "203.0.113.77:40002"

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var replies: [(to: String, mapped: String?)]
        var mapping: NATMappingBehavior
        var natType: NATType
        var reasonMentions: String

        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "one server, silent", replies: [(a, nil)], mapping: .unknown, natType: .unknown,
            reasonMentions: "only server tried"),
        Row(name: "two servers, both silent", replies: [(a, nil), (b, nil)], mapping: .unknown, natType: .blocked,
            reasonMentions: "none of the 2 servers"),
        Row(name: "own address seen", replies: [(a, "192.168.1.10:40000")], mapping: .none, natType: .none,
            reasonMentions: "own address"),
        Row(name: "own address seen by two", replies: [(a, "192.168.1.10:40000"), (b, "192.168.1.10:40000")],
            mapping: .none, natType: .none, reasonMentions: "all 2 servers"),
        Row(name: "one server answered", replies: [(a, x)], mapping: .unknown, natType: .unknown,
            reasonMentions: "only one server answered"),
        Row(name: "one answered, one silent", replies: [(a, x), (b, nil)], mapping: .unknown, natType: .unknown,
            reasonMentions: "only one server answered"),
        Row(name: "two IPs, same mapping", replies: [(a, x), (b, x)], mapping: .endpointIndependent, natType: .easy,
            reasonMentions: "2 IPs all saw \(x)"),
        Row(name: "two IPs, different mappings", replies: [(a, x), (b, y)], mapping: .endpointDependent, natType: .hard,
            reasonMentions: "no server offered two ports on one IP"),
        Row(name: "one IP, two ports, same mapping", replies: [(a, x), (aOtherPort, x)], mapping: .unknown,
            natType: .unknown, reasonMentions: "did not change with the server's port"),
        Row(name: "one IP, two ports, different mappings", replies: [(a, x), (aOtherPort, y)],
            mapping: .addressAndPortDependent, natType: .hard, reasonMentions: "ports 3478 and 3479"),
        Row(name: "ADM: same per IP, different across IPs", replies: [(a, x), (aOtherPort, x), (b, y)],
            mapping: .addressDependent, natType: .hard, reasonMentions: "saw \(x)"),
        Row(name: "APDM: different per port and per IP", replies: [(a, x), (aOtherPort, y), (b, z)],
            mapping: .addressAndPortDependent, natType: .hard, reasonMentions: "mappings differ"),
        Row(name: "contradictory port evidence", replies: [(a, x), (aOtherPort, x), (b, y), (bOtherPort, z)],
            mapping: .endpointDependent, natType: .hard, reasonMentions: "contradictory"),
        Row(name: "EIM with a silent third server", replies: [(a, x), (b, x), ("192.0.2.1:3478", nil)],
            mapping: .endpointIndependent, natType: .easy, reasonMentions: "all saw"),
        Row(name: "port rewritten on the host's own IP", replies: [(a, "192.168.1.10:50000"), (b, "192.168.1.10:50000")],
            mapping: .endpointIndependent, natType: .easy, reasonMentions: "all saw"),
    ]

    @Test(arguments: rows)
    func truthTable(_ row: Row) {
        let records = row.replies.map { F.record(to: $0.to, mapped: $0.mapped) }
        let verdict = F.classify(records)
        let ipv4 = verdict.ipv4
        #expect(ipv4?.mapping == row.mapping)
        #expect(verdict.natType == row.natType)
        #expect(ipv4?.mappingReason.contains(row.reasonMentions) == true, "\(ipv4?.mappingReason ?? "nil")")
        #expect(ipv4?.mappingReason.isEmpty == false)
    }

    @Test func nothingProbedMeansNoFamilyVerdict() {
        let verdict = F.classify([])
        #expect(verdict.ipv4 == nil)
        #expect(verdict.ipv6 == nil)
        #expect(verdict.natType == .unknown)
        #expect(!verdict.udp)
    }

    @Test func sendFailuresAreNotBlocked() {
        let records = [F.record(to: Self.a, failure: .sendFailed), F.record(to: Self.b, failure: .socketUnavailable)]
        let verdict = F.classify(records)
        #expect(verdict.natType == .unknown)
        #expect(verdict.ipv4?.mappingReason.contains("none of the 2 servers") == true)
    }

    @Test func deadlineSilenceCountsTowardsBlocked() {
        let verdict = F.classify([F.record(to: Self.a, failure: .deadline), F.record(to: Self.b, failure: .noReply)])
        #expect(verdict.natType == .blocked)
        #expect(!verdict.udp)
    }

    @Test func anErrorResponseProvesUDPButNoMapping() {
        let verdict = F.classify([F.record(to: Self.a, errorCode: 420), F.record(to: Self.b, failure: .noReply)])
        #expect(verdict.udp)
        #expect(verdict.natType == .unknown)
    }

    @Test func aServerInsideTheNATIsLeftOut() {
        let records = [
            F.record(to: "192.168.1.1:3478", mapped: "192.168.1.10:40000", name: "lan"),
            F.record(to: Self.a, mapped: Self.x),
            F.record(to: Self.b, mapped: Self.x),
        ]
        let ipv4 = F.classify(records).ipv4
        #expect(ipv4?.mapping == .endpointIndependent)
        #expect(ipv4?.mappingReason.contains("lan saw the local address") == true)
        #expect(ipv4?.publicAddress == F.ep(Self.x))
    }

    @Test func anUnstableDestinationIsUnknown() {
        let records = [F.record(to: Self.a, mapped: Self.x), F.record(to: Self.a, mapped: Self.y), F.record(to: Self.b, mapped: Self.x)]
        let ipv4 = F.classify(records).ipv4
        #expect(ipv4?.mapping == .unknown)
        #expect(ipv4?.mappingReason.contains("not stable") == true)
    }

    /// RFC 5780 §4.3 Tests I–III are just three destinations of the same socket.
    @Test(arguments: [
        (Self.x, Self.x, Self.x, NATMappingBehavior.endpointIndependent),
        (Self.x, Self.y, Self.y, .addressDependent),
        (Self.x, Self.y, Self.z, .addressAndPortDependent),
    ])
    func rfc5780MappingTests(testI: String, testII: String, testIII: String, expected: NATMappingBehavior) {
        let primary = "198.51.100.1:3478"
        let other = "198.51.100.2:3479"
        let records = [
            F.record(.mapping, to: primary, mapped: testI, otherAddressInReply: other),
            F.record(.mappingAlternateIP, to: "198.51.100.2:3478", primary: primary, other: other, mapped: testII),
            F.record(.mappingAlternateAddress, to: other, primary: primary, other: other, mapped: testIII),
        ]
        #expect(F.classify(records).ipv4?.mapping == expected)
    }

    @Test func mappingsOfOtherSocketsAreNotCompared() {
        // The filtering socket's different mapping must not make an EIM NAT look hard.
        let records = [
            F.record(to: Self.a, mapped: Self.x),
            F.record(to: Self.b, mapped: Self.x),
            F.record(.filteringChangePort, to: Self.a, primary: Self.a, mapped: "203.0.113.77:41000", source: Self.aOtherPort),
            F.record(.hairpinMapping, to: Self.a, mapped: "203.0.113.77:41001"),
        ]
        #expect(F.classify(records).ipv4?.mapping == .endpointIndependent)
    }

    @Test func familiesAreClassifiedSeparately() {
        let records = [
            F.record(to: Self.a, mapped: Self.x),
            F.record(to: Self.b, mapped: Self.x),
            F.record(to: "[2001:db8::1]:3478", mapped: "[2001:db8:1::10]:40000"),
            F.record(to: "[2001:db8::2]:3478", mapped: "[2001:db8:1::10]:40000"),
        ]
        let verdict = F.classify(records, interfaces: F.interfaces([F.hostIP, "2001:db8:1::10"]))
        #expect(verdict.ipv4?.natType == .easy)
        #expect(verdict.ipv6?.natType == NATType.none)
        #expect(verdict.ipv6?.publicAddress == F.ep("[2001:db8:1::10]:40000"))
    }

    @Test func arbitraryPoolingIsHinted() {
        let verdict = F.classify([F.record(to: Self.a, mapped: Self.x), F.record(to: Self.b, mapped: "198.18.0.9:40000")])
        #expect(verdict.natType == .hard)
        #expect(verdict.hints.contains { $0.contains("arbitrary") })
    }

    @Test func publicAddressIsTheMostCommonMapping() {
        let records = [
            F.record(to: Self.a, mapped: Self.y),
            F.record(to: Self.b, mapped: Self.x),
            F.record(to: "192.0.2.1:3478", mapped: Self.x),
        ]
        #expect(F.classify(records).ipv4?.publicAddress == F.ep(Self.x))
    }

    @Test func ipv4MappedRepliesCompareEqualToIPv4() {
        let mapped = NATEndpoint(STUNAddress(ipv6High: 0, low: 0x0000_FFFF_CB00_714D, port: 40000))
        #expect(mapped == F.ep(Self.x))
        #expect(mapped.family == .ipv4)
    }
}
