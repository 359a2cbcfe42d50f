import Testing

@testable import RelayCore

/// The STUN phase's bookkeeping (spec/netcheck.md §3.3–3.4), driven event by event.
@Suite struct NetcheckSTUNResultsTests {
    static func endpoint(_ text: String) throws -> NATEndpoint {
        try #require(NATEndpoint(parsing: text))
    }

    static func probe(region: Int, family: NATAddressFamily = .ipv4) -> NetcheckSTUNPlan.Probe {
        NetcheckSTUNPlan.Probe(
            regionID: region, node: DERPNode(name: "\(region)a", regionID: region, hostName: "h"), family: family,
            delay: .zero, port: 3478)
    }

    /// Sends one probe and answers it with `mapped` after `rtt`.
    static func exchange(
        _ results: inout NetcheckSTUNResults, region: Int, family: NATAddressFamily = .ipv4, server: String,
        mapped: String, at start: Duration, rtt: Duration
    ) throws {
        let id = STUNTransactionID.random()
        results.sent(
            id, test: .mapping, set: probe(region: region, family: family).set, serverName: "\(region)a",
            destination: try endpoint(server), local: try endpoint(family == .ipv4 ? "0.0.0.0:5000" : "[::]:5000"), at: start)
        results.writeCompleted(id, error: nil)
        #expect(results.received(id, mapped: try endpoint(mapped), source: try endpoint(server), at: start + rtt))
    }

    @Test func repliesFillLatenciesAddressesAndCounters() throws {
        var results = NetcheckSTUNResults()
        try Self.exchange(&results, region: 1, server: "192.0.2.1:3478", mapped: "203.0.113.7:41641", at: .zero, rtt: .milliseconds(30))
        try Self.exchange(&results, region: 1, server: "192.0.2.1:3478", mapped: "203.0.113.7:41641", at: .milliseconds(5), rtt: .milliseconds(20))
        try Self.exchange(&results, region: 2, family: .ipv6, server: "[2001:db8::1]:3478", mapped: "[2001:db8::7]:41641", at: .zero, rtt: .milliseconds(9))
        #expect(results.udp)
        #expect(results.regionV4Latency == [1: .milliseconds(20)], "the minimum")
        #expect(results.regionV6Latency == [2: .milliseconds(9)])
        #expect(results.regionLatency == [1: .milliseconds(20), 2: .milliseconds(9)])
        #expect(results.globalV4?.description == "203.0.113.7:41641")
        #expect(results.globalV6?.description == "[2001:db8::7]:41641")
        #expect(results.globalV4Counters[try Self.endpoint("203.0.113.7:41641")] == 2)
        #expect(results.ipv4CanSend && results.ipv6CanSend)
        #expect(results.mappingVariesByDestIP == false)
        #expect(results.records.count == 3 && results.records.allSatisfy { $0.reply != nil && $0.test == .mapping })
        #expect(results.records[0].socket == NATSocketID(.mapping, .ipv4))
        #expect(results.records[0].reply?.rttMs == 30)
    }

    @Test func mappingVariesIsStickyAndIPv4Only() throws {
        var results = NetcheckSTUNResults()
        #expect(results.mappingVariesByDestIP == nil)
        try Self.exchange(&results, region: 1, server: "192.0.2.1:3478", mapped: "203.0.113.7:1000", at: .zero, rtt: .milliseconds(1))
        #expect(results.mappingVariesByDestIP == nil, "one reply: unknown")
        try Self.exchange(&results, region: 2, server: "192.0.2.2:3478", mapped: "203.0.113.7:2000", at: .zero, rtt: .milliseconds(1))
        #expect(results.mappingVariesByDestIP == true)
        try Self.exchange(&results, region: 3, server: "192.0.2.3:3478", mapped: "203.0.113.7:1000", at: .zero, rtt: .milliseconds(1))
        #expect(results.mappingVariesByDestIP == true, "sticky")
        #expect(results.globalV4?.description == "203.0.113.7:1000", "the first reply's")
    }

    @Test func wouldHelpFollowsTailscale() throws {
        var results = NetcheckSTUNResults()
        let first = Self.probe(region: 1)
        #expect(results.wouldHelp(first))
        try Self.exchange(&results, region: 1, server: "192.0.2.1:3478", mapped: "203.0.113.7:1000", at: .zero, rtt: .milliseconds(1))
        #expect(!results.wouldHelp(first), "its set has a reply")
        #expect(results.wouldHelp(Self.probe(region: 1, family: .ipv6)), "the first IPv6 result would help")
        #expect(results.wouldHelp(Self.probe(region: 2)), "a region without latency")
        try Self.exchange(&results, region: 2, family: .ipv6, server: "[2001:db8::1]:3478", mapped: "[2001:db8::7]:1", at: .zero, rtt: .milliseconds(1))
        #expect(results.wouldHelp(Self.probe(region: 2, family: .ipv4)), "IPv4 while mapping variance is unknown")
        try Self.exchange(&results, region: 3, server: "192.0.2.3:3478", mapped: "203.0.113.7:1000", at: .zero, rtt: .milliseconds(1))
        #expect(!results.wouldHelp(Self.probe(region: 2, family: .ipv4)), "region 2 has a latency and variance is known")
    }

    @Test func unknownAndRepeatedTransactionsAreIgnored() throws {
        var results = NetcheckSTUNResults()
        #expect(!results.received(.random(), mapped: try Self.endpoint("203.0.113.7:1"), source: try Self.endpoint("192.0.2.1:3478"), at: .zero))
        try Self.exchange(&results, region: 1, server: "192.0.2.1:3478", mapped: "203.0.113.7:1", at: .zero, rtt: .milliseconds(1))
        #expect(results.udp && results.records.count == 1)
    }

    @Test func silenceSendFailuresAndTheHairpinTest() throws {
        var results = NetcheckSTUNResults()
        let silent = STUNTransactionID.random()
        results.sent(silent, test: .mapping, set: Self.probe(region: 1).set, serverName: "1a",
                     destination: try Self.endpoint("192.0.2.1:3478"), local: nil, at: .zero)
        results.writeCompleted(silent, error: nil)
        let refused = STUNTransactionID.random()
        results.sent(refused, test: .mapping, set: Self.probe(region: 2, family: .ipv6).set, serverName: "2a",
                     destination: try Self.endpoint("[2001:db8::1]:3478"), local: nil, at: .zero)
        results.writeCompleted(refused, error: "cannot send: network unreachable")
        let hairpinMapping = STUNTransactionID.random()
        results.sent(hairpinMapping, test: .hairpinMapping, set: nil, serverName: "1a",
                     destination: try Self.endpoint("192.0.2.1:3478"), local: nil, at: .milliseconds(10))
        let hairpin = STUNTransactionID.random()
        results.sent(hairpin, test: .hairpin, set: nil, serverName: "self",
                     destination: try Self.endpoint("203.0.113.7:1000"), local: nil, at: .milliseconds(10))
        results.writeCompleted(hairpin, error: nil)
        #expect(!results.hairpinSettled)
        #expect(results.hairpinArrived(hairpin, source: try Self.endpoint("203.0.113.7:2000"), at: .milliseconds(12)))
        #expect(!results.hairpinSettled, "the hairpin socket's own mapping is still missing")
        #expect(results.received(hairpinMapping, mapped: try Self.endpoint("203.0.113.7:2000"), source: try Self.endpoint("192.0.2.1:3478"), at: .milliseconds(13)))
        #expect(results.hairpinSettled && !results.udp, "the hairpin socket's replies are not the plan's")
        results.finish(after: .seconds(3))
        #expect(!results.udp && results.ipv4CanSend && !results.ipv6CanSend)
        #expect(results.records[0].failure == .noReply && results.records[0].error == "no reply within 3s")
        #expect(results.records[1].failure == .sendFailed && results.records[1].transmissions == 0)
        #expect(results.records[3].reply?.source.description == "203.0.113.7:2000" && results.records[3].reply?.mapped == nil)
        #expect(results.probesPerRegion == [1: 1, 2: 1])
    }

    @Test func hairpinTimeoutIsEvidenceButTheDeadlineIsNot() throws {
        var timedOut = NetcheckSTUNResults()
        let id = STUNTransactionID.random()
        timedOut.sent(id, test: .hairpin, set: nil, serverName: "self", destination: try Self.endpoint("203.0.113.7:1"), local: nil, at: .zero)
        var cutShort = timedOut
        timedOut.hairpinTimedOut(after: .milliseconds(500))
        timedOut.finish(after: .seconds(1))
        #expect(timedOut.records[0].failure == .noReply)
        cutShort.finish(after: .milliseconds(100))
        #expect(cutShort.records[0].failure == .deadline)
    }
}
