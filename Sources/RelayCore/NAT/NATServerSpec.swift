/// A STUN server as the user names it: `HOST[:PORT]`, `[IPv6]:PORT` or a bare IPv6 literal
/// (`stunner --stun-server`). The port defaults to 3478.
package struct NATServerSpec: Hashable, Sendable, CustomStringConvertible {
    package static let defaultPort: UInt16 = 3478

    package var host: String
    package var port: UInt16

    package init(host: String, port: UInt16 = NATServerSpec.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Nil for an empty host, bad brackets, or a port outside 1–65535.
    package init?(parsing text: String) {
        guard let (host, port) = NATEndpoint.splitHostPort(text, defaultPort: Self.defaultPort), let port,
            !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "[" || $0 == "]" })
        else { return nil }
        self.init(host: String(host), port: port)
    }

    /// The address, when `host` is an IP literal.
    package var literal: NATEndpoint? {
        NATEndpoint(parsingIP: host)?.withPort(port)
    }

    package var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
