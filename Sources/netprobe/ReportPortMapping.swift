import NIOCore
import RelayCore

/// Plugs RelayCore's port-mapping prober (UPnP-IGD, NAT-PMP, PCP; spec/nat.md §9) into the
/// report, as stunner does: it asks the first private IPv4 default gateway, for at most 500 ms
/// within the report's deadline. With no such gateway (clouds, no NAT) `UPnP`, `PMP` and `PCP`
/// stay null ("not checked") and `--require portmap` fails saying so.
enum ReportPortMapping {
    static let probe: NetcheckConfiguration.PortMappingProbe = { budget in
        await PortMappingProber.probeDefaultGateway(budget: budget)?.evidence
    }
}
