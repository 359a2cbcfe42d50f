import NIOCore

/// The sockets of one STUN server before they are bound: IP1:P1 and optionally RFC 5780's P2 and
/// IP2. Ports may be 0 ("any free port") until bound.
package struct STUNServerPlan: Hashable, Sendable, CustomStringConvertible {
    package var primary: SocketAddress
    package var alternatePort: Int?
    /// IP2; its port is ignored (IP2 is bound at P1 and P2).
    package var alternateAddress: SocketAddress?

    package init(primary: SocketAddress, alternatePort: Int? = nil, alternateAddress: SocketAddress? = nil) {
        self.primary = primary
        self.alternatePort = alternatePort
        self.alternateAddress = alternateAddress
    }

    package var description: String {
        var text = STUNAddress(datagramSource: primary)?.description ?? "\(primary)"
        if let alternatePort { text += " alt-port \(alternatePort)" }
        if let alternateAddress, let address = STUNAddress(datagramSource: alternateAddress) {
            text += " alt-address \(address.addressDescription)"
        }
        return text
    }
}

extension STUNServerConfiguration {
    /// The plan for a listener on one address (`host` resolved by the caller).
    ///
    /// - Throws: a port out of range, an alternate address that is not an IP literal, of another
    ///   family, or equal to `host`, or an alternate port equal to the primary one.
    package func plan(host address: SocketAddress, port: Int, alternatePort: Int?) throws(STUNServerError) -> STUNServerPlan {
        let alternate = try validatedAlternates(port: port, alternatePort: alternatePort)
        var primary = address
        primary.port = port
        if let alternate {
            guard let primaryIP = STUNAddress(datagramSource: primary)?.unmapped,
                let alternateIP = STUNAddress(datagramSource: alternate)
            else { throw .invalidAddress("\(address)", reason: "not an IP address") }
            guard primaryIP.family == alternateIP.family else {
                throw .alternateFamilyMismatch(primary: primaryIP.addressDescription, alternate: alternateIP.addressDescription)
            }
            guard !Self.sameIP(primaryIP, alternateIP) else {
                throw .alternateAddressIsPrimary(alternateIP.addressDescription)
            }
        }
        return STUNServerPlan(primary: primary, alternatePort: alternatePort, alternateAddress: alternate)
    }

    /// The plans for listening on every address: one per usable local address. IPv6 link-local
    /// addresses are left out (they need an interface scope); duplicates are dropped. With an
    /// alternate address, that address is not a primary of its own: it pairs with one other local
    /// address of its family, preferably one that is loopback exactly when it is.
    package func plans(localAddresses: [SocketAddress], port: Int, alternatePort: Int?) throws(STUNServerError) -> [STUNServerPlan] {
        let alternate = try validatedAlternates(port: port, alternatePort: alternatePort)
        let alternateIP = alternate.flatMap { STUNAddress(datagramSource: $0) }
        var seen: [STUNAddress] = []
        var primaries: [(socket: SocketAddress, ip: STUNAddress)] = []
        for address in localAddresses {
            guard var ip = STUNAddress(datagramSource: address)?.unmapped else { continue }
            ip.port = 0
            guard ip.isReplyableSourceAddress, !ip.isIPv6LinkLocal, !seen.contains(ip) else { continue }
            seen.append(ip)
            if let alternateIP, Self.sameIP(ip, alternateIP) { continue }
            guard var socket = try? ip.makeSocketAddress() else { continue }
            socket.port = port
            primaries.append((socket, ip))
        }
        guard !primaries.isEmpty else { throw .noLocalAddresses }
        var partner: SocketAddress?
        if let alternateIP {
            let sameFamily = primaries.filter { $0.ip.family == alternateIP.family }
            let preferred = sameFamily.first { $0.ip.isLoopback == alternateIP.isLoopback } ?? sameFamily.first
            guard let preferred else { throw .noPrimaryForAlternate(alternateIP.addressDescription) }
            partner = preferred.socket
        }
        return primaries.map { primary in
            let isPartner = primary.socket == partner
            return STUNServerPlan(
                primary: primary.socket, alternatePort: alternatePort, alternateAddress: isPartner ? alternate : nil)
        }
    }

    /// Checks the ports and parses the alternate address.
    private func validatedAlternates(port: Int, alternatePort: Int?) throws(STUNServerError) -> SocketAddress? {
        for value in [port, alternatePort].compactMap({ $0 }) where !(0...65535).contains(value) {
            throw .invalidPort(value)
        }
        if let alternatePort, alternatePort != 0, alternatePort == port {
            throw .alternatePortIsPrimary(alternatePort)
        }
        guard let text = alternateAddress else { return nil }
        do {
            return try SocketAddress(ipAddress: text, port: 0)
        } catch {
            throw .invalidAddress(text, reason: "not an IP address")
        }
    }

    private static func sameIP(_ a: STUNAddress, _ b: STUNAddress) -> Bool {
        var (a, b) = (a.unmapped, b.unmapped)
        a.port = 0
        b.port = 0
        return a == b
    }
}

extension STUNAddress {
    /// `isReplyableSource` for the address alone: not unspecified, multicast or broadcast.
    fileprivate var isReplyableSourceAddress: Bool {
        var address = self
        address.port = 1
        return address.isReplyableSource
    }
}
