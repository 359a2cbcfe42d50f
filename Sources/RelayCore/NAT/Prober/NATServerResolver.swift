#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix

/// Turns `--stun-server` names and DERP maps into probe servers: one per address family, with
/// names resolved (`getaddrinfo` on NIO's thread pool, never on an event loop).
///
/// A family is probed only if this host could use it: it has an interface address of that family
/// other than loopback and IPv6 link-local, or the server itself is on loopback (tests).
package enum NATServerResolver {
    /// The servers for user-given specs, in the given order; a name with both an IPv4 and an IPv6
    /// address gives two servers. Throws when a name does not resolve at all.
    package static func servers(for specs: [NATServerSpec], interfaces: [NATLocalInterface]) async throws -> [NATProbeServer] {
        var servers: [NATProbeServer] = []
        for spec in specs {
            if let literal = spec.literal {
                servers.append(NATProbeServer(address: literal))
                continue
            }
            let addresses = try await resolve(spec.host)
            let usable = firstPerFamily(addresses).filter { isUsable($0, interfaces: interfaces) }
            servers += usable.map { NATProbeServer(name: "\(spec.host) \($0.withPort(spec.port))", address: $0.withPort(spec.port)) }
        }
        return servers
    }

    /// One STUN node per region of `map` (the first node with STUN), regions in ID order, skipping
    /// regions marked NoMeasureNoHome. `problems` lists nodes that could not be used.
    package static func servers(
        from map: DERPMap, interfaces: [NATLocalInterface]
    ) async -> (servers: [NATProbeServer], problems: [String]) {
        var servers: [NATProbeServer] = []
        var problems: [String] = []
        for region in map.sortedRegions where !region.noMeasureNoHome {
            guard let node = region.nodes.first(where: { $0.effectiveSTUNPort != nil }) else { continue }
            guard let stunPort = node.effectiveSTUNPort, let port = UInt16(exactly: stunPort), port > 0 else {
                problems.append("node \(node.name): STUN port \(node.stunPort) is out of range")
                continue
            }
            let name = region.regionCode.isEmpty ? node.name : "\(node.name) (\(region.regionCode))"
            var addresses: [NATEndpoint] = []
            if !node.stunTestIP.isEmpty {
                guard let test = NATEndpoint(parsingIP: node.stunTestIP) else {
                    problems.append("node \(node.name): STUNTestIP \"\(node.stunTestIP)\" is not an IP address")
                    continue
                }
                addresses = [test]
            } else {
                for (usage, family) in [(node.ipv4Usage, NATAddressFamily.ipv4), (node.ipv6Usage, .ipv6)] {
                    switch usage {
                    case .literal(let text):
                        if let address = NATEndpoint(parsingIP: text) { addresses.append(address) }
                    case .resolveHostName:
                        do {
                            addresses += try await resolve(node.hostName).filter { $0.family == family }.prefix(1)
                        } catch {
                            problems.append("node \(node.name): \(error)")
                        }
                    case .disabled:
                        break
                    }
                }
            }
            for address in firstPerFamily(addresses) where isUsable(address, interfaces: interfaces) {
                servers.append(NATProbeServer(name: name, address: address.withPort(port)))
            }
        }
        return (servers, problems)
    }

    /// Whether this host can reach `address`'s family (see the type's documentation).
    package static func isUsable(_ address: NATEndpoint, interfaces: [NATLocalInterface]) -> Bool {
        if address.isLoopback { return true }
        return interfaces.contains {
            $0.address.family == address.family && !$0.address.isLoopback && !$0.address.isIPv6LinkLocal
        }
    }

    private static func firstPerFamily(_ addresses: [NATEndpoint]) -> [NATEndpoint] {
        NATAddressFamily.allCases.compactMap { family in addresses.first { $0.family == family } }
    }

    /// Every address of `host` (port 0), IPv4 first as getaddrinfo orders them.
    package static func resolve(_ host: String) async throws -> [NATEndpoint] {
        let addresses = try await NIOThreadPool.singleton.runIfActive { try lookup(host) }
        guard !addresses.isEmpty else { throw NATProberError.unresolvable(host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }

    private static func lookup(_ host: String) throws -> [NATEndpoint] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_DGRAM
        #else
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw NATProberError.unresolvable(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var result: [NATEndpoint] = []
        var cursor = list
        while let entry = cursor {
            if let address = entry.pointee.ai_addr, let endpoint = LocalInterfaceAddresses.endpoint(from: address),
                !result.contains(endpoint)
            {
                result.append(endpoint)
            }
            cursor = entry.pointee.ai_next
        }
        return result
    }
}
