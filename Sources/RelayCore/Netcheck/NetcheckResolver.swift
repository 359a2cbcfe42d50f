import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// DNS lookups of DERP node host names for one address family, on NIO's thread pool (because
/// `getaddrinfo` blocks) and bounded by a deadline (because it can take long).
package enum NetcheckResolver {
    package struct LookupError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The first address of `host` in `family`, with `port`.
    ///
    /// - Throws: ``LookupError`` with the resolver's reason, or when `deadline` passes first (the
    ///   lookup itself then finishes in the background and is ignored).
    package static func firstAddress(
        of host: String, family: NATAddressFamily, port: Int, deadline: NIODeadline, on loop: any EventLoop
    ) async throws -> SocketAddress {
        let answer = loop.makePromise(of: SocketAddress.self)
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            try lookUp(host, family: family, port: port)
        }.cascade(to: answer)
        let timer = loop.scheduleTask(deadline: deadline) {
            answer.fail(LookupError(description: "lookup of \(host) timed out"))
        }
        defer { timer.cancel() }
        return try await answer.futureResult.get()
    }

    private static func lookUp(_ host: String, family: NATAddressFamily, port: Int) throws -> SocketAddress {
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
            throw LookupError(description: "cannot resolve \(host) (\(family)): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let raw = info.ai_addr else { continue }
            var address: SocketAddress
            switch info.ai_family {
            case AF_INET:
                address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }, host: host)
            case AF_INET6:
                address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }, host: host)
            default:
                continue
            }
            address.port = port
            return address
        }
        throw LookupError(description: "cannot resolve \(host): no \(family) address")
    }
}
