/// A TCP or UDP listen address given as Go's `host:port`: `:443` (all interfaces),
/// `127.0.0.1:8443`, `[::1]:8443`, `derp.example.com:443`.
///
/// Split with the rules of Go's `net.SplitHostPort`; the port must be a number from 0 to 65535
/// or one of the service names `http` (80) and `https` (443).
package struct DERPerListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets (an IPv6 literal is `::1`, not `[::1]`); nil means every interface.
    package let host: String?
    package let port: Int

    package init(host: String?, port: Int) {
        self.host = host.flatMap { $0.isEmpty ? nil : $0 }
        self.port = port
    }

    /// Why a listen address failed to parse, in Go's words where Go has them.
    package enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case missingPort
        case tooManyColons
        case missingClosingBracket
        case unexpectedOpeningBracket
        case unexpectedClosingBracket
        case invalidPort(String)

        package var description: String {
            switch self {
            case .missingPort: return "missing port in address"
            case .tooManyColons: return "too many colons in address"
            case .missingClosingBracket: return "missing ']' in address"
            case .unexpectedOpeningBracket: return "unexpected '[' in address"
            case .unexpectedClosingBracket: return "unexpected ']' in address"
            case .invalidPort(let port): return "port \(GoStrconv.quote(port)) is not a number from 0 to 65535"
            }
        }
    }

    package init(parsing text: String) throws(ParseError) {
        let (host, portText) = try Self.splitHostPort(text)
        self.init(host: host, port: try Self.parsePort(portText))
    }

    /// The same host with another port: the reference binds STUN and plain HTTP to `-a`'s IP.
    package func withPort(_ port: Int) -> DERPerListenAddress {
        DERPerListenAddress(host: host, port: port)
    }

    /// Whether the host is an IPv6 literal (it contains a colon).
    package var isIPv6Literal: Bool { host?.contains(":") ?? false }

    /// Go's `net.JoinHostPort`: brackets around IPv6 hosts, `:port` for every interface.
    package var description: String {
        guard let host else { return ":\(port)" }
        return isIPv6Literal ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Go's `net.SplitHostPort`, byte for byte.
    static func splitHostPort(_ text: String) throws(ParseError) -> (host: String, port: String) {
        let bytes = Array(text.utf8)
        let colon = UInt8(ascii: ":")
        let open = UInt8(ascii: "[")
        let close = UInt8(ascii: "]")
        guard let lastColon = bytes.lastIndex(of: colon) else { throw .missingPort }
        var hostBytes: ArraySlice<UInt8>
        var openSearchStart = 0
        var closeSearchStart = 0
        if bytes.first == open {
            guard let end = bytes.firstIndex(of: close) else { throw .missingClosingBracket }
            switch end + 1 {
            case bytes.count:
                throw .missingPort
            case lastColon:
                break
            default:
                // Either "[::1]:80:90" (more colons) or "[::1]x:80" (junk after the bracket).
                throw bytes[end + 1] == colon ? .tooManyColons : .missingPort
            }
            hostBytes = bytes[1..<end]
            openSearchStart = 1
            closeSearchStart = end + 1
        } else {
            hostBytes = bytes[..<lastColon]
            if hostBytes.contains(colon) { throw .tooManyColons }
        }
        if bytes[openSearchStart...].contains(open) { throw .unexpectedOpeningBracket }
        if bytes[closeSearchStart...].contains(close) { throw .unexpectedClosingBracket }
        let port = bytes[(lastColon + 1)...]
        return (String(decoding: hostBytes, as: UTF8.self), String(decoding: port, as: UTF8.self))
    }

    static func parsePort(_ text: String) throws(ParseError) -> Int {
        switch text {
        case "http": return 80
        case "https": return 443
        default: break
        }
        // Decimal digits only: no sign, no spaces, value at most 65535.
        var port = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .invalidPort(text) }
            port = port * 10 + Int(byte - UInt8(ascii: "0"))
            guard port <= 65535 else { throw .invalidPort(text) }
        }
        guard !text.isEmpty else { throw .invalidPort(text) }
        return port
    }
}
