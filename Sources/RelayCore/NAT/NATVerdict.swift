/// The classifier's output for a whole run.
package struct NATVerdict: Hashable, Sendable {
    /// Nil when no IPv4 server was probed.
    package var ipv4: NATFamilyVerdict?
    /// Nil when no IPv6 server was probed.
    package var ipv6: NATFamilyVerdict?
    /// Any server answered over any family.
    package var udp: Bool
    /// Observations that do not fit a field: CGNAT, double NAT, IP pooling, ignored datagrams, …
    package var hints: [String]
    /// Nil when no port-mapping probe ran.
    package var portMapping: PortMappingEvidence?

    package init(
        ipv4: NATFamilyVerdict? = nil, ipv6: NATFamilyVerdict? = nil, udp: Bool = false, hints: [String] = [],
        portMapping: PortMappingEvidence? = nil
    ) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.udp = udp
        self.hints = hints
        self.portMapping = portMapping
    }

    /// The headline: the IPv4 verdict, or unknown when IPv4 was not probed.
    package var natType: NATType { ipv4?.natType ?? .unknown }
}
