/// Which STUN probes a report sends: Tailscale's full ("initial") plan (spec/netcheck.md §3.1).
///
/// For every region that has nodes and is not `NoMeasureNoHome` (`Avoid` regions are measured
/// too), three tries `t = 0, 1, 2` at `t × 100 ms`, each to `Nodes[t mod count]`, once per
/// address family the node and the host allow. The probes of one (region, family) form a set;
/// a set ends at its first reply.
package struct NetcheckSTUNPlan: Hashable, Sendable {
    package struct Probe: Hashable, Sendable {
        package var regionID: Int
        package var node: DERPNode
        package var family: NATAddressFamily
        /// When to send, counted from the start of the report.
        package var delay: Duration
        /// The node's STUN port (never 0 or negative here).
        package var port: Int

        package var set: SetID { SetID(regionID: regionID, family: family) }
    }

    /// `region-<id>-v4` in Tailscale's logs.
    package struct SetID: Hashable, Sendable, CustomStringConvertible {
        package var regionID: Int
        package var family: NATAddressFamily
        package var description: String { "region-\(regionID)-\(family.shortName)" }
    }

    package static let triesPerRegion = 3
    package static let tryInterval: Duration = .milliseconds(100)

    package var probes: [Probe]

    package var sets: Set<SetID> { Set(probes.map(\.set)) }

    /// - Parameters:
    ///   - regions: the regions to measure.
    ///   - families: the families this host can send on; a test node (`STUNTestIP` set, or IPv4
    ///     127.0.0.1) is probed over IPv4 whatever `families` says, as Tailscale does.
    package init(regions: [DERPRegion], families: Set<NATAddressFamily>) {
        var probes: [Probe] = []
        for region in regions.sorted(by: { $0.regionID < $1.regionID }) where !region.noMeasureNoHome {
            let nodes = region.nodes
            guard !nodes.isEmpty else { continue }
            for attempt in 0..<Self.triesPerRegion {
                let node = nodes[attempt % nodes.count]
                guard let port = node.effectiveSTUNPort, (1...65535).contains(port) else { continue }
                let delay = Self.tryInterval * attempt
                if Self.usable(node, family: .ipv4), families.contains(.ipv4) || node.isTestNode {
                    probes.append(Probe(regionID: region.regionID, node: node, family: .ipv4, delay: delay, port: port))
                }
                if Self.usable(node, family: .ipv6), families.contains(.ipv6) {
                    probes.append(Probe(regionID: region.regionID, node: node, family: .ipv6, delay: delay, port: port))
                }
            }
        }
        self.probes = probes
    }

    /// Whether the node can be reached over `family` at all: a literal of that family, a
    /// `STUNTestIP` of it, or a `HostName` to look up; never when the field says `none` (any
    /// non-address text), nor when `HostName` is an IP literal of the other family.
    package static func usable(_ node: DERPNode, family: NATAddressFamily) -> Bool {
        if !node.stunTestIP.isEmpty {
            return IPAddressLiteral.isIPv4(node.stunTestIP) ? family == .ipv4 : family == .ipv6
        }
        switch family == .ipv4 ? node.ipv4Usage : node.ipv6Usage {
        case .literal: return true
        case .disabled: return false
        case .resolveHostName:
            if IPAddressLiteral.isIPv4(node.hostName) { return family == .ipv4 }
            if IPAddressLiteral.isIPv6(node.hostName) { return family == .ipv6 }
            return !node.hostName.isEmpty
        }
    }
}
