import Foundation
import Testing

@testable import RelayCore

/// The JSON of a report: Tailscale's field names, types, units and order, then ours.
@Suite struct NetcheckReportCodingTests {
    static func sample() -> NetcheckReport {
        var report = NetcheckReport(
            now: Date(timeIntervalSince1970: 1_787_411_045.5), udp: true, ipv6: false, ipv4: true, ipv6CanSend: false,
            ipv4CanSend: true, osHasIPv6: true, mappingVariesByDestIP: false, upnp: true, pmp: false, pcp: false,
            preferredDERP: 4,
            regionLatency: [1: .nanoseconds(86_234_117), 4: .nanoseconds(9_123_456), 14: .nanoseconds(14_211_093)],
            regionV4Latency: [4: .nanoseconds(9_123_456)], globalV4Counters: ["203.0.113.7:41641": 4],
            globalV4: "203.0.113.7:41641", version: "test", durationMs: 12.5, timeoutMs: 5000)
        report.regions = [NetcheckRegionResult(id: 4, code: "fra", name: "Frankfurt", latencyMs: 9.123, via: .stun, preferred: true)]
        report.derpRoundTrip = NetcheckRoundTripResult(region: 4, code: "fra", node: "4a", ok: true, rttMs: 18.2, connectMs: 40)
        report.certificates = [NetcheckCertificateResult(region: 4, node: "4a", host: "derp4a.example", notAfter: "2026-12-01T00:00:00Z", daysLeft: 80)]
        report.requirements = [NetcheckRequirementResult(requirement: "udp", ok: true, measured: "fine")]
        return report
    }

    @Test func goFieldsComeFirstInGoOrderWithGoTypes() throws {
        let text = try Self.sample().jsonText()
        let expectedPrefix = """
            {
            \t"Now": "2026-08-22T15:04:05.5Z",
            \t"UDP": true,
            \t"IPv6": false,
            \t"IPv4": true,
            \t"IPv6CanSend": false,
            \t"IPv4CanSend": true,
            \t"OSHasIPv6": true,
            \t"ICMPv4": false,
            \t"MappingVariesByDestIP": false,
            \t"UPnP": true,
            \t"PMP": false,
            \t"PCP": false,
            \t"PreferredDERP": 4,
            \t"RegionLatency": {
            \t\t"1": 86234117,
            \t\t"14": 14211093,
            \t\t"4": 9123456
            \t},
            \t"RegionV4Latency": {
            \t\t"4": 9123456
            \t},
            \t"RegionV6Latency": {},
            \t"GlobalV4Counters": {
            \t\t"203.0.113.7:41641": 4
            \t},
            \t"GlobalV6Counters": null,
            \t"GlobalV4": "203.0.113.7:41641",
            \t"GlobalV6": "",
            \t"CaptivePortal": null,
            \t"schemaVersion": 1,
            """
        #expect(text.hasPrefix(expectedPrefix), "\(text.prefix(800))")
        #expect(!text.hasSuffix("\n"))
        for key in ["\"version\"", "\"durationMs\"", "\"hairpinning\"", "\"nat\"", "\"regions\"", "\"derpRoundTrip\"", "\"certificates\"", "\"warnings\"", "\"requirements\""] {
            #expect(text.contains("\n\t\(key): "), "missing \(key)")
        }
        #expect(text.contains("\"rttMs\": 18.2") && text.contains("\"pinMatches\": null"))
    }

    @Test func decodesWhatItEncodes() throws {
        let report = Self.sample()
        let decoded = try JSONDecoder().decode(NetcheckReport.self, from: Data(try report.jsonText().utf8))
        #expect(decoded == report)
    }

    @Test func readsTailscalesOwnJSON() throws {
        let go = #"{"Now":"2026-08-22T15:04:05.123456789Z","UDP":true,"IPv4":true,"PreferredDERP":4,"RegionLatency":{"4":9123456},"GlobalV4Counters":null,"CaptivePortal":false}"#
        let report = try JSONDecoder().decode(NetcheckReport.self, from: Data(go.utf8))
        #expect(report.udp && report.preferredDERP == 4 && report.captivePortal == false)
        #expect(report.regionLatency == [4: .nanoseconds(9_123_456)])
        #expect(report.mappingVariesByDestIP == nil && report.globalV4Counters.isEmpty)
        #expect(NetcheckTimestamp.format(report.now).hasPrefix("2026-08-22T15:04:05.123"))
    }

    @Test func encoderKeepsOrderReplacesRepeatsAndNestsContainers() throws {
        struct Probe: Encodable {
            enum Key: String, CodingKey { case z, a, nested, list }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(1, forKey: .z)
                try c.encode("x", forKey: .a)
                try c.encode(2, forKey: .z)
                var nested = c.nestedUnkeyedContainer(forKey: .list)
                try nested.encode(true)
                try nested.encodeNil()
                try nested.encode(UInt64.max)
                try c.encode([Double?](arrayLiteral: 1.5, nil), forKey: .nested)
            }
        }
        let bytes = try GoJSONWriter.write(GoJSONValueEncoder.encode(Probe()), format: .compact)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"z":2,"a":"x","list":[true,null,18446744073709552000],"nested":[1.5,null]}"#)
    }

    @Test func timestampsAreRFC3339NanoUTC() {
        #expect(NetcheckTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(NetcheckTimestamp.format(Date(timeIntervalSince1970: 1_787_411_045.25)) == "2026-08-22T15:04:05.25Z")
        #expect(NetcheckTimestamp.parse("2026-08-22T15:04:05.25Z") == Date(timeIntervalSince1970: 1_787_411_045.25))
        #expect(NetcheckTimestamp.parse("2026-08-22T15:04:05Z") == Date(timeIntervalSince1970: 1_787_411_045))
        for bad in ["", "2026-08-22 15:04:05Z", "2026-08-22T15:04:05", "2026-08-22T15:04:05.Z", "2026-08-22T15:04:05+02:00"] {
            #expect(NetcheckTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func durations() throws {
        #expect(try NetcheckDuration.parse("150ms") == .milliseconds(150))
        #expect(try NetcheckDuration.parse("1m30s") == .seconds(90))
        #expect(throws: NetcheckDuration.ParseError.self) { try NetcheckDuration.parse("150") }
        #expect(throws: NetcheckDuration.ParseError.self) { try NetcheckDuration.parse("-1s") }
        #expect(NetcheckDuration.text(.nanoseconds(9_123_456)) == "9.1ms")
        #expect(NetcheckDuration.text(.nanoseconds(123_456_789)) == "123.5ms")
        #expect(NetcheckDuration.text(.nanoseconds(1_234_549_999)) == "1.2345s")
        #expect(NetcheckDuration.text(.microseconds(412)) == "400µs")
        #expect(NetcheckDuration.milliseconds(.nanoseconds(412_345)) == 0.412)
        #expect(NetcheckDuration.goString(.seconds(5)) == "5s")
    }
}
