#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// This host's interface addresses, read with `getifaddrs(3)`. The classifier compares mapped
/// addresses against them to recognise "no NAT" (spec/nat.md §7.2 rule 2).
package enum LocalInterfaceAddresses {
    /// Every IPv4 and IPv6 address of every interface that is up; empty if `getifaddrs` fails.
    package static func current() -> [NATLocalInterface] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var result: [NATLocalInterface] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard entry.pointee.ifa_flags & UInt32(IFF_UP) != 0,
                let address = entry.pointee.ifa_addr,
                let endpoint = endpoint(from: address)
            else { continue }
            let name = entry.pointee.ifa_name.map { String(cString: $0) } ?? "?"
            let interface = NATLocalInterface(name: name, address: endpoint)
            if !result.contains(interface) { result.append(interface) }
        }
        return result
    }

    /// The IP of an AF_INET or AF_INET6 socket address, with port 0.
    static func endpoint(from address: UnsafeMutablePointer<sockaddr>) -> NATEndpoint? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
            return STUNAddress(family: .ipv4, addressBytes: bytes, port: 0).map(NATEndpoint.init)
        case AF_INET6:
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            return STUNAddress(family: .ipv6, addressBytes: bytes, port: 0).map(NATEndpoint.init)
        default:
            return nil
        }
    }
}
