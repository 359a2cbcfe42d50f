import Testing

@testable import RelayCore

/// `--require` parsing and the CI verdicts, one line of measured value each.
@Suite struct NetcheckRequirementTests {
    @Test func parsesCommaSeparatedRepeatableLists() throws {
        #expect(try NetcheckRequirement.parseList(["udp,derp", " IPv4 ", "udp"]) == [.udp, .derp, .ipv4])
        #expect(try NetcheckRequirement.parseList([]) == [])
        #expect(throws: NetcheckRequirement.ParseError.self) { try NetcheckRequirement.parseList(["udp,,derp"]) }
        do {
            _ = try NetcheckRequirement.parseList(["udp,latency"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "unknown requirement \"latency\"; valid: udp, ipv4, ipv6, derp, direct, portmap")
        }
    }

    static func healthy() -> NetcheckReport {
        var report = NetcheckReport(
            udp: true, ipv4: true, upnp: false, pmp: true, pcp: false, preferredDERP: 900, regionLatency: [900: .milliseconds(12)],
            regionV4Latency: [900: .milliseconds(12)], globalV4: "203.0.113.7:1")
        report.regions = [NetcheckRegionResult(id: 900, code: "custom", name: "Custom", latencyMs: 12, via: .stun, v4LatencyMs: 12, preferred: true)]
        report.derpRoundTrip = NetcheckRoundTripResult(region: 900, code: "custom", node: "900a", ok: true, rttMs: 0.3)
        report.nat.natType = .easy
        report.nat.mappingReason = "2 destinations on 2 IPs all saw 203.0.113.7:1"
        return report
    }

    @Test func everyRequirementHoldsOnAHealthyReport() {
        let check = NetcheckRequirementCheck(requirements: [.udp, .ipv4, .derp, .direct, .portmap], maxLatency: .milliseconds(150))
        let results = check.evaluate(Self.healthy())
        #expect(results.map(\.requirement) == ["udp", "ipv4", "derp", "direct", "portmap", "max-latency"])
        #expect(results.allSatisfy { $0.ok }, "\(results)")
        #expect(results[2].measured == "a packet went through region 900 (custom) node 900a and back in 300µs")
        #expect(results[4].measured == "the gateway offers NAT-PMP")
        #expect(results[5].measured == "preferred region 900 (custom) latency 12ms is within 150ms")
    }

    @Test func failuresSayWhatWasMeasured() {
        var report = Self.healthy()
        report.udp = false
        report.ipv6 = false
        report.osHasIPv6 = true
        report.derpRoundTrip = NetcheckRoundTripResult(region: 900, code: "custom", node: "900a", error: "TLS: cert hash does not match")
        report.nat.natType = .hard
        report.nat.mappingReason = "mappings differ by destination"
        report.upnp = nil
        report.pmp = nil
        report.pcp = nil
        let results = NetcheckRequirementCheck(requirements: [.udp, .ipv6, .derp, .direct, .portmap], maxLatency: .milliseconds(5)).evaluate(report)
        #expect(results.allSatisfy { !$0.ok })
        #expect(results.map(\.failureLine) == [
            "requirement udp failed: no STUN reply from any region (UDP=false)",
            "requirement ipv6 failed: no reply over IPv6 (IPv6=false, IPv6CanSend=false, OSHasIPv6=true)",
            "requirement derp failed: DERP round trip through region 900 (custom) node 900a failed: TLS: cert hash does not match",
            "requirement direct failed: NAT over IPv4 is hard: mappings differ by destination",
            "requirement portmap failed: port mapping was not checked",
            "requirement max-latency failed: preferred region 900 (custom) latency 12ms exceeds 5ms",
        ])
    }

    @Test func withoutAPreferredRegion() {
        let report = NetcheckReport(derpRoundTrip: NetcheckRoundTripResult(error: "no preferred region: no region answered over STUN or HTTPS"))
        let results = NetcheckRequirementCheck(requirements: [.derp], maxLatency: .milliseconds(5)).evaluate(report)
        #expect(results.map(\.ok) == [false, false])
        #expect(results[0].measured == "no preferred region: no region answered over STUN or HTTPS")
        #expect(results[1].measured.hasPrefix("no preferred region"))
    }

    @Test func directFallsBackToIPv6WhenIPv4HasNoVerdict() {
        var report = Self.healthy()
        report.nat.natType = .unknown
        var ipv6 = NATFamilyReport(NATFamilyVerdict(family: .ipv6, udp: true, natType: .none, mappingReason: "no translation"))
        ipv6.natType = .none
        report.nat.ipv6 = ipv6
        let result = NetcheckRequirementCheck(requirements: [.direct]).evaluate(report)
        #expect(result.map(\.ok) == [true] && result[0].measured == "NAT over IPv6 is none: no translation")
    }
}
