/// A real DERP round trip through the preferred region: two DERP connections (TLS verified as
/// Tailscale's client verifies), one packet from the first to the second and back.
///
/// JSON: `{"region": 900, "code": "custom", "node": "900a", "ok": true, "rttMs": 0.31,
/// "connectMs": 12.5, "error": null}`. `rttMs` is the packet's time there and back (connects
/// excluded); `connectMs` the slower of the two connects (TCP, TLS, upgrade, DERP handshake).
/// Without a preferred region `region`, `code` and `node` are null, `ok` is false and `error` says
/// why.
package struct NetcheckRoundTripResult: Hashable, Sendable, Codable {
    package var region: Int?
    package var code: String?
    package var node: String?
    package var ok: Bool
    package var rttMs: Double?
    package var connectMs: Double?
    package var error: String?

    package init(
        region: Int? = nil, code: String? = nil, node: String? = nil, ok: Bool = false, rttMs: Double? = nil,
        connectMs: Double? = nil, error: String? = nil
    ) {
        self.region = region
        self.code = code
        self.node = node
        self.ok = ok
        self.rttMs = rttMs
        self.connectMs = connectMs
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case region, code, node, ok, rttMs, connectMs, error
    }

    /// Every key is written, absent values as null.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(region, forKey: .region)
        try container.encode(code, forKey: .code)
        try container.encode(node, forKey: .node)
        try container.encode(ok, forKey: .ok)
        try container.encode(rttMs, forKey: .rttMs)
        try container.encode(connectMs, forKey: .connectMs)
        try container.encode(error, forKey: .error)
    }
}
