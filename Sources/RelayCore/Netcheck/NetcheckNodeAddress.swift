import NIOCore

/// Where a report sends its packets for a DERP node, chosen as Tailscale chooses
/// (spec/netcheck.md §3.3 step 3, derp.md §3): `STUNTestIP` for STUN if set, else the node's
/// `IPv4` / `IPv6` literal, else a DNS lookup of `HostName`; never a family set to `none`.
enum NetcheckNodeAddress {
    /// The STUN destination of `node` over `family`.
    static func stun(
        _ node: DERPNode, family: NATAddressFamily, port: Int, deadline: NIODeadline, loop: any EventLoop
    ) async throws -> SocketAddress {
        try checkPort(port, of: node, field: "STUNPort")
        if !node.stunTestIP.isEmpty {
            return try SocketAddress(ipAddress: node.stunTestIP, port: port)
        }
        return try await address(node, family: family, port: port, deadline: deadline, loop: loop)
    }

    /// The address of the node's DERP (HTTPS) port: IPv4 first, then IPv6.
    static func derp(_ node: DERPNode, deadline: NIODeadline, loop: any EventLoop) async throws -> SocketAddress {
        try checkPort(node.effectiveDERPPort, of: node, field: "DERPPort")
        var failures: [String] = []
        for family in [NATAddressFamily.ipv4, .ipv6] where NetcheckSTUNPlan.usable(node, family: family) {
            do {
                return try await address(node, family: family, port: node.effectiveDERPPort, deadline: deadline, loop: loop)
            } catch {
                failures.append("\(error)")
            }
        }
        let reason = failures.isEmpty ? "no usable IPv4 or IPv6 address (both set to \"none\"?)" : failures.joined(separator: "; ")
        throw NetcheckResolver.LookupError(description: reason)
    }

    /// NIO traps on a port outside 0...65535, and a map can hold any integer.
    private static func checkPort(_ port: Int, of node: DERPNode, field: String) throws {
        guard (1...65535).contains(port) else {
            throw NetcheckResolver.LookupError(description: "\(field) \(port) of node \(node.name) is not a usable port")
        }
    }

    private static func address(
        _ node: DERPNode, family: NATAddressFamily, port: Int, deadline: NIODeadline, loop: any EventLoop
    ) async throws -> SocketAddress {
        switch family == .ipv4 ? node.ipv4Usage : node.ipv6Usage {
        case .literal(let literal):
            return try SocketAddress(ipAddress: literal, port: port)
        case .disabled:
            throw NetcheckResolver.LookupError(description: "\(family) is disabled for node \(node.name)")
        case .resolveHostName:
            if let literal = try? SocketAddress(ipAddress: node.hostName, port: port) {
                guard (literal.protocol == .inet) == (family == .ipv4) else {
                    throw NetcheckResolver.LookupError(description: "HostName \(node.hostName) is not an \(family) address")
                }
                return literal
            }
            return try await NetcheckResolver.firstAddress(of: node.hostName, family: family, port: port, deadline: deadline, on: loop)
        }
    }
}
