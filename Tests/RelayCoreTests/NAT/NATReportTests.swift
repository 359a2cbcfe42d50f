import Foundation
import Testing

@testable import RelayCore

/// The `stunner --json` schema (schemaVersion 1), redaction and the text report.
@Suite struct NATReportTests {
    typealias F = NATFixtures

    static func easyReport(portMapping: PortMappingEvidence? = nil) -> (NATObservations, NATReport) {
        var observations = F.observations([
            F.record(to: "198.51.100.1:3478", mapped: "203.0.113.77:40000", name: "a"),
            F.record(to: "203.0.113.1:3478", mapped: "203.0.113.77:40000", name: "b"),
            F.record(to: "192.0.2.1:3478", name: "c"),
        ], portMapping: portMapping)
        observations.durationMs = 61.23456
        let report = NATReport(observations: observations, verdict: NATClassifier.classify(observations))
        return (observations, report)
    }

    static func json(_ report: NATReport) throws -> [String: Any] {
        let data = try JSONEncoder().encode(report)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func topLevelKeysAreAlwaysPresent() throws {
        let (_, report) = Self.easyReport()
        let object = try Self.json(report)
        let required = [
            "schemaVersion", "udp", "publicAddress", "natType", "mapping", "filtering", "hairpinning", "portMapping",
            "probes", "ipv6", "explanation", "legacyName", "mappingReason", "filteringReason", "portMappingChecked",
            "durationMs", "timeoutMs", "portPreservation", "hints", "events",
        ]
        for key in required { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["schemaVersion"] as? Int == 1)
        #expect(object["udp"] as? Bool == true)
        #expect(object["publicAddress"] as? String == "203.0.113.77:40000")
        #expect(object["natType"] as? String == "easy")
        #expect(object["mapping"] as? String == "endpoint-independent")
        #expect(object["filtering"] as? String == "unknown")
        #expect(object["ipv6"] is NSNull)
        #expect(object["events"] is NSNull)
        #expect(object["portMappingChecked"] as? Bool == false)
        #expect(object["durationMs"] as? Double == 61.235)
        let portMapping = try #require(object["portMapping"] as? [String: Any])
        #expect(portMapping["upnp"] as? Bool == false)
        #expect(portMapping["externalAddress"] is NSNull)
        let probes = try #require(object["probes"] as? [[String: Any]])
        #expect(probes.count == 3)
        for key in ["server", "local", "mapped", "rttMs", "error"] {
            #expect(probes.allSatisfy { $0[key] != nil }, "probe key \(key)")
        }
        #expect(probes[2]["mapped"] is NSNull)
        #expect(probes[2]["rttMs"] is NSNull)
        #expect((probes[2]["error"] as? String)?.hasPrefix("no reply") == true)
    }

    @Test func theOnlyVerdictWordsAtTheTopAreTheDocumentedOnes() throws {
        let object = try Self.json(Self.easyReport().1)
        #expect(NATType.allCases.map(\.rawValue).contains(object["natType"] as? String ?? ""))
        #expect(NATMappingBehavior.allCases.map(\.rawValue).contains(object["mapping"] as? String ?? ""))
        #expect(NATFilteringBehavior.allCases.map(\.rawValue).contains(object["filtering"] as? String ?? ""))
    }

    @Test func roundTripsAndDecodesLeniently() throws {
        let (_, report) = Self.easyReport(portMapping: PortMappingEvidence(pcp: true, externalAddress: "203.0.113.77"))
        let data = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(NATReport.self, from: data)
        #expect(decoded.natType == report.natType)
        #expect(decoded.probes == report.probes.map { probe in
            var probe = probe
            probe.rttMs = probe.rttMs.map(NATReport.rounded)
            return probe
        })
        #expect(decoded.portMapping.pcp)
        #expect(decoded.portMappingChecked)
        let minimal = try JSONDecoder().decode(NATReport.self, from: Data(#"{"natType":"hard"}"#.utf8))
        #expect(minimal.natType == .hard)
        #expect(minimal.mapping == .unknown)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NATReport.self, from: Data(#"{"udp":true}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NATReport.self, from: Data(#"{"natType":"cone"}"#.utf8)) }
    }

    @Test func ipv6IsAnObjectWhenProbed() throws {
        let observations = F.observations([F.record(to: "[2001:db8::1]:3478", mapped: "[2001:db8:1::10]:40000")],
                                          interfaces: F.interfaces(["2001:db8:1::10"]))
        let report = NATReport(observations: observations, verdict: NATClassifier.classify(observations))
        let object = try Self.json(report)
        let ipv6 = try #require(object["ipv6"] as? [String: Any])
        #expect(ipv6["natType"] as? String == "none")
        #expect(ipv6["publicAddress"] as? String == "[2001:db8:1::10]:40000")
        #expect(object["natType"] as? String == "unknown", "no IPv4 server was probed")
        #expect(object["mappingReason"] as? String == "no IPv4 server was probed")
    }

    @Test func redactionHidesOwnAddressesEverywhere() throws {
        let (observations, report) = Self.easyReport(portMapping: PortMappingEvidence(upnp: true, externalAddress: "203.0.113.77"))
        let redacted = report.redactingAddresses(interfaces: observations.interfaces)
        let text = String(decoding: try JSONEncoder().encode(redacted), as: UTF8.self)
            + NATReportRenderer().render(redacted)
        #expect(!text.contains("203.0.113.77"))
        #expect(!text.contains("192.168.1.10"))
        #expect(text.contains("x.x.x.x:40000"))
        #expect(text.contains("198.51.100.1:3478"), "server addresses stay")
        #expect(text.contains("127.0.0.1"), "loopback stays")
    }

    @Test func redactionReplacesWholeAddressesOnly() {
        #expect(NATRedaction.redact("1.2.3.4:5 and 11.2.3.45 and [2001:db8::1]:3 and 2001:db8::10", ips: ["2001:db8::1", "1.2.3.4"])
            == "x.x.x.x:5 and 11.2.3.45 and [x::x]:3 and 2001:db8::10")
    }

    @Test func theTextReportHasTheTableAndTheVerdict() {
        let (_, report) = Self.easyReport()
        let text = NATReportRenderer().render(report)
        #expect(text.contains("SERVER"))
        #expect(text.contains("a 198.51.100.1:3478"))
        #expect(text.contains("NAT type     easy"))
        #expect(text.contains("endpoint-independent (EIM)"))
        #expect(text.contains("Cone (filtering not measured)"))
        #expect(text.contains("not checked"))
        #expect(!text.contains("\u{1B}["), "no colour unless asked")
        #expect(NATReportRenderer(color: true).render(report).contains("\u{1B}[32measy"))
        // Nearest server first; the silent one last.
        let lines = text.split(separator: "\n")
        let a = lines.firstIndex { $0.contains("198.51.100.1") } ?? 99
        let c = lines.firstIndex { $0.contains("192.0.2.1") } ?? -1
        #expect(a < c)
    }

    @Test func debugAddsTheTranscript() {
        var observations = F.observations([F.record(to: "198.51.100.1:3478", mapped: "203.0.113.77:40000")])
        observations.events = [NATProbeEvent(atMs: 0.5, kind: .sent, socket: NATSocketID(.mapping, .ipv4),
                                              peer: F.ep("198.51.100.1:3478"), transaction: 0, detail: "mapping attempt 1")]
        let report = NATReport(observations: observations, verdict: NATClassifier.classify(observations), includeEvents: true)
        let text = NATReportRenderer(debug: true).render(report)
        #expect(text.contains("Transcript"))
        #expect(text.contains("+     0.50 ms  sent"))
        #expect(!NATReportRenderer(debug: false).render(report).contains("Transcript"))
    }

    @Test func durations() {
        #expect(NATReportRenderer.milliseconds(0.123) == "0.12 ms")
        #expect(NATReportRenderer.milliseconds(61.26) == "61.3 ms")
        #expect(NATReportRenderer.milliseconds(3000) == "3000 ms")
        #expect(NATReportRenderer.milliseconds(99.96) == "100.0 ms")
        #expect(NATReportRenderer.milliseconds(.infinity) == "- ms")
    }
}
