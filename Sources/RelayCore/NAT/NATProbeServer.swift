/// A STUN server to probe: a display name and one resolved address (one family). A host with
/// IPv4 and IPv6 addresses is two servers.
package struct NATProbeServer: Hashable, Sendable, Codable {
    /// Shown in reports: `"127.0.0.1:3478"`, or a DERP node's name and region code.
    package var name: String
    package var address: NATEndpoint

    package init(name: String? = nil, address: NATEndpoint) {
        self.name = name ?? address.description
        self.address = address
    }
}
