import NIOCore
import Foundation

/// The body POSTed to `-verify-client-url` for each new client: Tailscale's
/// `tailcfg.DERPAdmitClientRequest` (spec/derp.md §11), byte for byte:
///
///     {"NodePublic":"nodekey:<64 hex>","Source":"198.51.100.23"}
///
/// Go emits fields in declaration order, which is also alphabetical here, so sorted keys give
/// the same bytes.
package struct DERPAdmitClientRequest: Codable, Equatable, Sendable {
    /// The client's key in text form, `nodekey:` and 64 lower-case hex digits.
    package var nodePublic: String
    /// The client's IP as the server sees it: no port, IPv6 in standard text form, and an
    /// IPv4-mapped IPv6 address written as IPv4 (as Go's net package reports it). Empty when
    /// unknown, as Go marshals a zero `netip.Addr`.
    package var source: String

    enum CodingKeys: String, CodingKey {
        case nodePublic = "NodePublic"
        case source = "Source"
    }

    package init(key: NodePublicKey, sourceIP: String?) {
        nodePublic = key.description
        source = sourceIP.map(Self.normalizedSource) ?? ""
    }

    package func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// `::ffff:a.b.c.d` becomes `a.b.c.d`; anything else is kept. A dual-stack listener reports
    /// IPv4 clients in the mapped form, but Go's derper (and so every webhook) sees plain IPv4.
    package static func normalizedSource(_ ip: String) -> String {
        let mappedPrefix = "::ffff:"
        guard ip.lowercased().hasPrefix(mappedPrefix) else { return ip }
        let tail = String(ip.dropFirst(mappedPrefix.count))
        guard tail.contains("."), (try? SocketAddress(ipAddress: tail, port: 0)) != nil else { return ip }
        return tail
    }
}
