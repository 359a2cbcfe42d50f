/// One region's line in the report's `regions` array: what was measured and how.
///
/// JSON: `{"id": 900, "code": "custom", "name": "Custom", "latencyMs": 0.412, "via": "stun",
/// "v4LatencyMs": 0.412, "v6LatencyMs": null, "httpsLatencyMs": 1.9, "preferred": true,
/// "error": null}`. Every key is always written; unmeasured values are null.
package struct NetcheckRegionResult: Hashable, Sendable, Codable {
    /// How `latencyMs` (the region's `RegionLatency`) was measured.
    package enum Source: String, Hashable, Sendable, Codable {
        /// A STUN Binding round trip over UDP (the fastest of either family).
        case stun
        /// HTTPS `/derp/latency-check`, used when no STUN reply came from the region.
        case https
    }

    package var id: Int
    package var code: String
    package var name: String
    package var latencyMs: Double?
    package var via: Source?
    package var v4LatencyMs: Double?
    package var v6LatencyMs: Double?
    /// Request-to-response-head time of `GET /derp/latency-check` on an established TLS
    /// connection (connect and handshake excluded, as Tailscale measures it); measured for every
    /// region, used as `latencyMs` only without a STUN reply.
    package var httpsLatencyMs: Double?
    package var preferred: Bool
    /// Why the region has no latency, or what failed on the way; null when all went well.
    package var error: String?

    package init(
        id: Int, code: String, name: String, latencyMs: Double? = nil, via: Source? = nil,
        v4LatencyMs: Double? = nil, v6LatencyMs: Double? = nil, httpsLatencyMs: Double? = nil,
        preferred: Bool = false, error: String? = nil
    ) {
        self.id = id
        self.code = code
        self.name = name
        self.latencyMs = latencyMs
        self.via = via
        self.v4LatencyMs = v4LatencyMs
        self.v6LatencyMs = v6LatencyMs
        self.httpsLatencyMs = httpsLatencyMs
        self.preferred = preferred
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case id, code, name, latencyMs, via, v4LatencyMs, v6LatencyMs, httpsLatencyMs, preferred, error
    }

    /// Every key is written, absent values as null.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(via, forKey: .via)
        try container.encode(v4LatencyMs, forKey: .v4LatencyMs)
        try container.encode(v6LatencyMs, forKey: .v6LatencyMs)
        try container.encode(httpsLatencyMs, forKey: .httpsLatencyMs)
        try container.encode(preferred, forKey: .preferred)
        try container.encode(error, forKey: .error)
    }
}
