import NIOCore
import RelayCore

/// Plugs RelayCore's port-mapping prober (UPnP-IGD, NAT-PMP, PCP; spec/nat.md §9) into the NAT
/// probe run. It probes the first private IPv4 default gateway, within the run's deadline (and at
/// most 500 ms); with no such gateway the report says `"portMappingChecked": false`.
enum StunnerPortMapping {
    static let probe: NATProbeConfiguration.PortMappingProbe = { budget in
        await PortMappingProber.probeDefaultGateway(budget: budget)?.evidence
    }
}
