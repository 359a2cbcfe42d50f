/// Where and how derper's STUN server listens.
package struct STUNServerConfiguration: Sendable, Hashable {
    /// An IP literal or a host name (resolved once, at start). Nil, `0.0.0.0` and `::` mean every
    /// local address, one socket each (see `STUNServer` for why not one wildcard socket).
    package var host: String?
    /// P1. 0 binds a free port, shared by every socket that uses P1.
    package var port: Int
    /// Answer only Tailscale-style requests (`-stun-strict`).
    package var strict: Bool
    /// RFC 5780's second port P2; 0 binds a free one.
    package var alternatePort: Int?
    /// RFC 5780's second IP address IP2, an IP literal of a local address.
    package var alternateAddress: String?
    /// Datagrams read per `recvmmsg` call (at most 64).
    package var vectorReadMessageCount = 64
    /// Bytes set aside for each datagram. A longer datagram is cut short and then ignored as
    /// malformed; 2048 covers RFC 5780 PADDING for a 1500-byte MTU.
    package var maximumDatagramSize = 2048
    /// How often the local addresses are listed again when listening on every address (binding
    /// new ones, closing those gone), and the longest a failed socket waits to be bound again.
    package var refreshInterval: Duration = .seconds(30)

    package init(
        host: String?, port: Int, strict: Bool = false, alternatePort: Int? = nil, alternateAddress: String? = nil
    ) {
        self.host = host
        self.port = port
        self.strict = strict
        self.alternatePort = alternatePort
        self.alternateAddress = alternateAddress
    }

    /// Whether `host` stands for every local address.
    package var listensOnEveryAddress: Bool {
        guard let host, !host.isEmpty else { return true }
        return host == "0.0.0.0" || host == "::"
    }
}
