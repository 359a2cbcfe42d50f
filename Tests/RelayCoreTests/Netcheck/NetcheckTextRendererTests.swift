import Testing

@testable import RelayCore

/// The report for people.
@Suite struct NetcheckTextRendererTests {
    @Test func summaryTableWarningsAndRequirements() {
        var report = NetcheckRequirementTests.healthy()
        report.regions.append(NetcheckRegionResult(id: 901, code: "far", name: "Far Away", httpsLatencyMs: 80))
        report.certificates = [NetcheckCertificateResult(
            region: 900, node: "900a", host: "127.0.0.1", notAfter: "2027-01-01T00:00:00Z", daysLeft: 40, pinMatches: false,
            error: "TLS: cert hash does not match")]
        report.warnings = ["The certificate of node 900a (127.0.0.1) does not match the sha256-raw pin in the map's CertName."]
        report.requirements = NetcheckRequirementCheck(requirements: [.udp, .ipv6]).evaluate(report)
        let lines = NetcheckTextRenderer.render(report).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("  UDP:                            yes"))
        #expect(lines.contains("  IPv4:                           yes, 203.0.113.7:1"))
        #expect(lines.contains("  IPv6:                           no, unavailable in the OS"))
        #expect(lines.contains("  Port mapping:                   NAT-PMP"))
        #expect(lines.contains("  Captive portal:                 not checked"))
        #expect(lines.contains("  Preferred region:               900 custom (Custom), 12ms"))
        #expect(lines.contains("  DERP round trip:                ok, 300µs through node 900a"))
        #expect(lines.contains("  REGION  CODE    NAME      LATENCY  VIA   IPV4  IPV6  HTTPS"))
        #expect(lines.contains("* 900     custom  Custom    12ms     stun  12ms  -     -"))
        #expect(lines.contains("  901     far     Far Away  -        -     -     -     80ms"))
        #expect(lines.contains("  900a  127.0.0.1  2027-01-01T00:00:00Z  40         MISMATCH  failed"))
        #expect(lines.contains("  - The certificate of node 900a (127.0.0.1) does not match the sha256-raw pin in the map's CertName."))
        #expect(lines.contains("  ok   udp: STUN replies from 1 region (UDP=true)"))
        #expect(lines.contains("  FAIL ipv6: no reply over IPv6 (IPv6=false, IPv6CanSend=false, OSHasIPv6=false)"))
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") }, "no trailing spaces")
    }
}
