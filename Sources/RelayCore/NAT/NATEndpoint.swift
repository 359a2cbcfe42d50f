/// An IP address and UDP port as the NAT probes record them.
///
/// In JSON it is one string, the form Go's `netip.AddrPort` prints: `"192.0.2.1:3478"` or
/// `"[2001:db8::1]:3478"`. IPv4-mapped IPv6 addresses are unmapped on the way in, so a mapping
/// reported by a dual-stack server compares equal to the same IPv4 mapping from another server.
package struct NATEndpoint: Hashable, Sendable, CustomStringConvertible {
    package let address: STUNAddress

    package init(_ address: STUNAddress) {
        self.address = address.unmapped
    }

    package var family: NATAddressFamily { NATAddressFamily(address.family) }

    package var port: UInt16 { address.port }

    /// The same IP with port 0: what two endpoints share when they are "on the same address".
    package var ip: NATEndpoint {
        var copy = address
        copy.port = 0
        return NATEndpoint(copy)
    }

    /// The same IP with another port.
    package func withPort(_ port: UInt16) -> NATEndpoint {
        var copy = address
        copy.port = port
        return NATEndpoint(copy)
    }

    /// Whether both endpoints have the same IP address (ports ignored).
    package func hasSameIP(as other: NATEndpoint) -> Bool {
        ip == other.ip
    }

    /// `192.0.2.1:3478` or `[2001:db8::1]:3478`.
    package var description: String { address.description }

    /// The IP address alone: `192.0.2.1` or `2001:db8::1`.
    package var ipDescription: String { address.addressDescription }

    /// Parses `IP:PORT`, `[IPv6]:PORT`, or (with `defaultPort`) a bare `IP` / `[IPv6]` / `IPv6`.
    /// Only address literals are accepted (no host names, no zones kept); nil otherwise.
    package init?(parsing text: String, defaultPort: UInt16? = nil) {
        guard let (host, port) = NATEndpoint.splitHostPort(text, defaultPort: defaultPort),
            let port,
            let address = NATEndpoint.parseIP(host, port: port)
        else { return nil }
        self.init(address)
    }

    /// An address literal without a port (`192.0.2.1`, `2001:db8::1`), as port 0.
    package init?(parsingIP text: String) {
        guard let address = NATEndpoint.parseIP(Substring(text), port: 0) else { return nil }
        self.init(address)
    }

    /// Splits `host:port`, `[v6]:port`, `[v6]`, a bare IPv6 literal (two or more colons), or a
    /// bare host. The port is nil when absent and there is no default; the outer nil means
    /// malformed (bad brackets, a port that is not 1–65535).
    package static func splitHostPort(_ text: String, defaultPort: UInt16?) -> (host: Substring, port: UInt16?)? {
        let text = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":"), let port = parsePort(rest.dropFirst()) else { return nil }
            return (host, port)
        }
        let colons = text.filter { $0 == ":" }.count
        if colons >= 2 { return (text, defaultPort) }
        if colons == 1, let colon = text.firstIndex(of: ":") {
            guard let port = parsePort(text[text.index(after: colon)...]) else { return nil }
            return (text[..<colon], port)
        }
        return (text, defaultPort)
    }

    private static func parsePort(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
            let value = UInt16(text), value > 0
        else { return nil }
        return value
    }

    private static func parseIP(_ text: Substring, port: UInt16) -> STUNAddress? {
        if let bytes = IPAddressLiteral.parseIPv4(text) {
            return STUNAddress(family: .ipv4, addressBytes: bytes, port: port)
        }
        if let bytes = IPAddressLiteral.parseIPv6(String(text)) {
            return STUNAddress(family: .ipv6, addressBytes: bytes, port: port)
        }
        return nil
    }
}

extension NATEndpoint: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let endpoint = NATEndpoint(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected \"IP:PORT\" or \"[IPv6]:PORT\", found \"\(text)\"")
        }
        self = endpoint
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension NATEndpoint {
    /// Address ranges the hints and redaction care about.
    package var isLoopback: Bool {
        switch address.family {
        case .ipv4: return (address.ipv4Value ?? 0) >> 24 == 127
        case .ipv6: return address.addressBytes == Array(repeating: 0, count: 15) + [1]
        }
    }

    /// fe80::/10.
    package var isIPv6LinkLocal: Bool {
        let bytes = address.addressBytes
        return address.family == .ipv6 && bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80
    }

    /// 10/8, 172.16/12, 192.168/16 (RFC 1918) or fc00::/7 (RFC 4193).
    package var isPrivate: Bool {
        switch address.family {
        case .ipv4:
            let value = address.ipv4Value ?? 0
            return value >> 24 == 10 || value >> 20 == 0xAC1 || value >> 16 == 0xC0A8
        case .ipv6:
            return address.addressBytes[0] & 0xFE == 0xFC
        }
    }

    /// 100.64.0.0/10, the shared address space of carrier-grade NAT (RFC 6598).
    package var isSharedAddressSpace: Bool {
        guard let value = address.ipv4Value else { return false }
        return value >> 22 == (100 << 2 | 1)
    }
}
