import NIOCore

/// Everything `NATProber.run` needs: the plan plus where to bind and the port-mapping hook.
package struct NATProbeConfiguration: Sendable {
    /// A port-mapping prober (RelayCore/PortMapping) given the time left; nil = not checked.
    package typealias PortMappingProbe = @Sendable (_ budget: TimeAmount) async -> PortMappingEvidence?

    package var plan: NATProbePlan
    /// Local port of the mapping sockets (`--source-port`); nil for an ephemeral port. Binding
    /// it failing is an error, not an observation.
    package var sourcePort: Int?
    /// Local IPv4 address to bind (default the wildcard).
    package var bindIPv4: String
    /// Local IPv6 address to bind (default the wildcard, IPv6-only so both families can share a port).
    package var bindIPv6: String
    /// Runs concurrently with the STUN probes, bounded by the same deadline.
    package var portMappingProbe: PortMappingProbe?
    /// Interface addresses; nil reads them with `getifaddrs` at the start of the run.
    package var interfaces: [NATLocalInterface]?

    package init(
        plan: NATProbePlan, sourcePort: Int? = nil, bindIPv4: String = "0.0.0.0", bindIPv6: String = "::",
        portMappingProbe: PortMappingProbe? = nil, interfaces: [NATLocalInterface]? = nil
    ) {
        self.plan = plan
        self.sourcePort = sourcePort
        self.bindIPv4 = bindIPv4
        self.bindIPv6 = bindIPv6
        self.portMappingProbe = portMappingProbe
        self.interfaces = interfaces
    }
}
