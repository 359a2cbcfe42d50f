import Foundation
import NIOCore
import NIOPosix

/// DNS lookups for one address family, run on NIO's thread pool because `getaddrinfo` blocks.
enum HostResolver {
    enum Family: String {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"
    }

    struct LookupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The addresses of `host` in `family` as IP literals, in the resolver's order.
    ///
    /// - Throws: ``LookupError`` with the resolver's one-line reason when there is none.
    static func addresses(of host: String, family: Family) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            try lookUp(host, family: family)
        }
    }

    private static func lookUp(_ host: String, family: Family) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = family == .ipv4 ? AF_INET : AF_INET6
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw LookupError(description: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var result: [String] = []
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let raw = info.ai_addr else { continue }
            let address: SocketAddress
            switch info.ai_family {
            case AF_INET:
                address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }, host: host)
            case AF_INET6:
                address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }, host: host)
            default:
                continue
            }
            if let literal = address.ipAddress, !result.contains(literal) {
                result.append(literal)
            }
        }
        guard !result.isEmpty else { throw LookupError(description: "no \(family.rawValue) address") }
        return result
    }
}
