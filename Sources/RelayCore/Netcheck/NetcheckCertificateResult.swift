/// The TLS certificate one DERP node presented, checked the way a Tailscale client checks it
/// (spec/derp.md §3.4), plus its expiry.
///
/// JSON: `{"region": 900, "node": "900a", "host": "127.0.0.1", "notAfter": "2026-…Z",
/// "daysLeft": 89, "pinMatches": true, "error": null}`. `pinMatches` is null when the node's
/// `CertName` is not a `sha256-raw:` pin; `notAfter` and `daysLeft` are null when no certificate
/// was seen (the connection failed before the handshake); `error` is null when the handshake and
/// its verification succeeded.
package struct NetcheckCertificateResult: Hashable, Sendable, Codable {
    package var region: Int
    package var node: String
    /// The node's `HostName`.
    package var host: String
    /// The leaf's NotAfter, RFC 3339 UTC.
    package var notAfter: String?
    /// Whole days from the report's time to NotAfter, rounded down; negative once expired.
    package var daysLeft: Int?
    package var pinMatches: Bool?
    package var error: String?

    package init(
        region: Int, node: String, host: String, notAfter: String? = nil, daysLeft: Int? = nil,
        pinMatches: Bool? = nil, error: String? = nil
    ) {
        self.region = region
        self.node = node
        self.host = host
        self.notAfter = notAfter
        self.daysLeft = daysLeft
        self.pinMatches = pinMatches
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case region, node, host, notAfter, daysLeft, pinMatches, error
    }

    /// Every key is written, absent values as null.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(region, forKey: .region)
        try container.encode(node, forKey: .node)
        try container.encode(host, forKey: .host)
        try container.encode(notAfter, forKey: .notAfter)
        try container.encode(daysLeft, forKey: .daysLeft)
        try container.encode(pinMatches, forKey: .pinMatches)
        try container.encode(error, forKey: .error)
    }
}
