import Foundation

// The JSON form of a report. Tailscale's fields first, in Go's struct order and with Go's types:
//
// | key | JSON | unit / notes |
// | --- | --- | --- |
// | Now | string | RFC 3339, UTC, nanoseconds |
// | UDP, IPv6, IPv4, IPv6CanSend, IPv4CanSend, OSHasIPv6, ICMPv4 | bool | |
// | MappingVariesByDestIP, UPnP, PMP, PCP, CaptivePortal | bool or null | opt.Bool: null = not known |
// | PreferredDERP | int | region ID, 0 = none |
// | RegionLatency, RegionV4Latency, RegionV6Latency | object, "id" -> int | nanoseconds; `{}` when empty |
// | GlobalV4Counters, GlobalV6Counters | object, "ip:port" -> int, or null | null when empty |
// | GlobalV4, GlobalV6 | string | "" when unknown |
//
// Region-keyed and address-keyed members are written in Go's order (keys sorted as strings), so
// the Tailscale part reads like Go's output. Our fields follow under lower-camel names.

extension NetcheckReport: Codable {
    private enum Key: String, CodingKey {
        case now = "Now", udp = "UDP", ipv6 = "IPv6", ipv4 = "IPv4", ipv6CanSend = "IPv6CanSend"
        case ipv4CanSend = "IPv4CanSend", osHasIPv6 = "OSHasIPv6", icmpv4 = "ICMPv4"
        case mappingVariesByDestIP = "MappingVariesByDestIP", upnp = "UPnP", pmp = "PMP", pcp = "PCP"
        case preferredDERP = "PreferredDERP", regionLatency = "RegionLatency", regionV4Latency = "RegionV4Latency"
        case regionV6Latency = "RegionV6Latency", globalV4Counters = "GlobalV4Counters"
        case globalV6Counters = "GlobalV6Counters", globalV4 = "GlobalV4", globalV6 = "GlobalV6"
        case captivePortal = "CaptivePortal"
        case schemaVersion, version, durationMs, timeoutMs, captivePortalDetail, hairpinning, nat, regions, derpRoundTrip
        case certificates, warnings, requirements
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(NetcheckTimestamp.format(now), forKey: .now)
        try c.encode(udp, forKey: .udp)
        try c.encode(ipv6, forKey: .ipv6)
        try c.encode(ipv4, forKey: .ipv4)
        try c.encode(ipv6CanSend, forKey: .ipv6CanSend)
        try c.encode(ipv4CanSend, forKey: .ipv4CanSend)
        try c.encode(osHasIPv6, forKey: .osHasIPv6)
        try c.encode(icmpv4, forKey: .icmpv4)
        try c.encode(mappingVariesByDestIP, forKey: .mappingVariesByDestIP)
        try c.encode(upnp, forKey: .upnp)
        try c.encode(pmp, forKey: .pmp)
        try c.encode(pcp, forKey: .pcp)
        try c.encode(preferredDERP, forKey: .preferredDERP)
        try Self.encodeLatencies(regionLatency, into: &c, forKey: .regionLatency)
        try Self.encodeLatencies(regionV4Latency, into: &c, forKey: .regionV4Latency)
        try Self.encodeLatencies(regionV6Latency, into: &c, forKey: .regionV6Latency)
        try Self.encodeCounters(globalV4Counters, into: &c, forKey: .globalV4Counters)
        try Self.encodeCounters(globalV6Counters, into: &c, forKey: .globalV6Counters)
        try c.encode(globalV4, forKey: .globalV4)
        try c.encode(globalV6, forKey: .globalV6)
        try c.encode(captivePortal, forKey: .captivePortal)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(version, forKey: .version)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(timeoutMs, forKey: .timeoutMs)
        try c.encode(captivePortalDetail, forKey: .captivePortalDetail)
        try c.encode(hairpinning, forKey: .hairpinning)
        try c.encode(nat, forKey: .nat)
        try c.encode(regions, forKey: .regions)
        try c.encode(derpRoundTrip, forKey: .derpRoundTrip)
        try c.encode(certificates, forKey: .certificates)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(requirements, forKey: .requirements)
    }

    /// Lenient: every key may be missing, so reports of other versions (and Tailscale's own
    /// JSON, which has only the Go fields) can be read.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let nowText = try c.decodeIfPresent(String.self, forKey: .now)
        self.init()
        now = nowText.flatMap(NetcheckTimestamp.parse) ?? Date(timeIntervalSince1970: 0)
        udp = try c.decodeIfPresent(Bool.self, forKey: .udp) ?? false
        ipv6 = try c.decodeIfPresent(Bool.self, forKey: .ipv6) ?? false
        ipv4 = try c.decodeIfPresent(Bool.self, forKey: .ipv4) ?? false
        ipv6CanSend = try c.decodeIfPresent(Bool.self, forKey: .ipv6CanSend) ?? false
        ipv4CanSend = try c.decodeIfPresent(Bool.self, forKey: .ipv4CanSend) ?? false
        osHasIPv6 = try c.decodeIfPresent(Bool.self, forKey: .osHasIPv6) ?? false
        icmpv4 = try c.decodeIfPresent(Bool.self, forKey: .icmpv4) ?? false
        mappingVariesByDestIP = try c.decodeIfPresent(Bool.self, forKey: .mappingVariesByDestIP)
        upnp = try c.decodeIfPresent(Bool.self, forKey: .upnp)
        pmp = try c.decodeIfPresent(Bool.self, forKey: .pmp)
        pcp = try c.decodeIfPresent(Bool.self, forKey: .pcp)
        preferredDERP = try c.decodeIfPresent(Int.self, forKey: .preferredDERP) ?? 0
        regionLatency = try Self.decodeLatencies(c, forKey: .regionLatency)
        regionV4Latency = try Self.decodeLatencies(c, forKey: .regionV4Latency)
        regionV6Latency = try Self.decodeLatencies(c, forKey: .regionV6Latency)
        globalV4Counters = try c.decodeIfPresent([String: Int].self, forKey: .globalV4Counters) ?? [:]
        globalV6Counters = try c.decodeIfPresent([String: Int].self, forKey: .globalV6Counters) ?? [:]
        globalV4 = try c.decodeIfPresent(String.self, forKey: .globalV4) ?? ""
        globalV6 = try c.decodeIfPresent(String.self, forKey: .globalV6) ?? ""
        captivePortal = try c.decodeIfPresent(Bool.self, forKey: .captivePortal)
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? Self.currentSchemaVersion
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        durationMs = try c.decodeIfPresent(Double.self, forKey: .durationMs) ?? 0
        timeoutMs = try c.decodeIfPresent(Double.self, forKey: .timeoutMs) ?? 0
        captivePortalDetail = try c.decodeIfPresent(String.self, forKey: .captivePortalDetail)
        hairpinning = try c.decodeIfPresent(Bool.self, forKey: .hairpinning)
        if let nat = try c.decodeIfPresent(NATReport.self, forKey: .nat) { self.nat = nat }
        regions = try c.decodeIfPresent([NetcheckRegionResult].self, forKey: .regions) ?? []
        derpRoundTrip = try c.decodeIfPresent(NetcheckRoundTripResult.self, forKey: .derpRoundTrip) ?? NetcheckRoundTripResult()
        certificates = try c.decodeIfPresent([NetcheckCertificateResult].self, forKey: .certificates) ?? []
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
        requirements = try c.decodeIfPresent([NetcheckRequirementResult].self, forKey: .requirements) ?? []
    }

    /// The report as JSON for `--json`: keys in the order above, indented with tabs as
    /// `tailscale netcheck --format=json` prints (Go's `json.MarshalIndent(v, "", "\t")`), no
    /// trailing newline.
    package func jsonText() throws -> String {
        String(decoding: try GoJSONWriter.write(GoJSONValueEncoder.encode(self), format: .indented), as: UTF8.self)
    }

    private static func encodeLatencies(
        _ latencies: [Int: Duration], into container: inout KeyedEncodingContainer<Key>, forKey key: Key
    ) throws {
        var nested = container.nestedContainer(keyedBy: GoJSONKey.self, forKey: key)
        for id in DERPMapRegionOrder.goString.sorted(latencies.keys) {
            try nested.encode(NetcheckDuration.nanoseconds(latencies[id] ?? .zero), forKey: GoJSONKey(String(id)))
        }
    }

    /// Go leaves an empty counter map nil, which encodes as null.
    private static func encodeCounters(
        _ counters: [String: Int], into container: inout KeyedEncodingContainer<Key>, forKey key: Key
    ) throws {
        guard !counters.isEmpty else {
            try container.encodeNil(forKey: key)
            return
        }
        var nested = container.nestedContainer(keyedBy: GoJSONKey.self, forKey: key)
        for endpoint in counters.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            try nested.encode(counters[endpoint] ?? 0, forKey: GoJSONKey(endpoint))
        }
    }

    private static func decodeLatencies(_ container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> [Int: Duration] {
        guard let raw = try container.decodeIfPresent([String: Int64].self, forKey: key) else { return [:] }
        var latencies: [Int: Duration] = [:]
        for (id, nanoseconds) in raw {
            guard let regionID = Int(id) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "region ID \"\(id)\" is not an integer")
            }
            latencies[regionID] = .nanoseconds(nanoseconds)
        }
        return latencies
    }
}
