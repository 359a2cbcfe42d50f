#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A server's name as TLS sees it: an IP address literal or a DNS name.
///
/// The distinction matters everywhere in this folder. An IP is never sent as SNI (Go omits it and
/// NIOSSL refuses it), it is matched against IP SANs only, and `-certmode manual` generates a
/// self-signed certificate only for an IP. Go decides with `net.ParseIP`; we use `inet_pton`,
/// which accepts the same forms (dotted quad without leading zeros, RFC 4291 IPv6 text) and,
/// like Go, rejects an IPv6 zone (`fe80::1%eth0`).
package enum TLSServerName: Hashable, Sendable, CustomStringConvertible {
    /// `bytes` holds 4 bytes for IPv4 and 16 for IPv6, as an X.509 IP SAN stores them.
    case ipAddress(text: String, bytes: [UInt8])
    case dnsName(String)

    package init(_ text: String) throws(TLSSetupError) {
        if let bytes = Self.parseIPAddress(text) {
            self = .ipAddress(text: text, bytes: bytes)
            return
        }
        guard !text.isEmpty else { throw .invalidHostname(text, reason: "hostname is empty") }
        guard !text.contains(":") else {
            throw .invalidHostname(
                text,
                reason: "contains ':' but is not an IPv6 address; give a bare address or DNS name, without brackets or a port")
        }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "/") }) else {
            throw .invalidHostname(text, reason: "contains a space, a slash or a non-ASCII character")
        }
        self = .dnsName(text)
    }

    package var text: String {
        switch self {
        case .ipAddress(let text, _): return text
        case .dnsName(let name): return name
        }
    }

    package var isIPAddress: Bool {
        if case .ipAddress = self { return true }
        return false
    }

    /// The value to send as SNI: the DNS name, or nil for an IP address.
    package var sniValue: String? {
        switch self {
        case .ipAddress: return nil
        case .dnsName(let name): return name
        }
    }

    package var description: String { text }

    /// The 4 or 16 address bytes of an IPv4 or IPv6 literal, or nil if `text` is neither.
    package static func parseIPAddress(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, !text.utf8.contains(0) else { return nil }
        // Plain byte buffers instead of in_addr/in6_addr: those types are visible through two
        // modules (the C library and NIO's CNIOLinux), which member-import visibility rejects.
        var v4 = [UInt8](repeating: 0, count: 4)
        if v4.withUnsafeMutableBytes({ inet_pton(AF_INET, text, $0.baseAddress) }) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        if v6.withUnsafeMutableBytes({ inet_pton(AF_INET6, text, $0.baseAddress) }) == 1 { return v6 }
        return nil
    }
}
