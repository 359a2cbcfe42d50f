/// What a port-mapping probe (UPnP-IGD, NAT-PMP, PCP; spec/nat.md §9) found on the gateway.
///
/// The NAT report includes it; it is filled by whichever prober the caller plugs into
/// `NATProbeConfiguration.portMappingProbe` (RelayCore/PortMapping). `externalAddress` is the
/// gateway's external IP as a port-mapping protocol reported it, which feeds the double-NAT hint.
package struct PortMappingEvidence: Hashable, Sendable, Codable {
    package var upnp: Bool
    package var natpmp: Bool
    package var pcp: Bool
    package var externalAddress: String?

    package init(upnp: Bool = false, natpmp: Bool = false, pcp: Bool = false, externalAddress: String? = nil) {
        self.upnp = upnp
        self.natpmp = natpmp
        self.pcp = pcp
        self.externalAddress = externalAddress
    }

    /// Whether any protocol could map a port.
    package var any: Bool { upnp || natpmp || pcp }

    enum CodingKeys: String, CodingKey {
        case upnp, natpmp, pcp, externalAddress
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        upnp = try container.decodeIfPresent(Bool.self, forKey: .upnp) ?? false
        natpmp = try container.decodeIfPresent(Bool.self, forKey: .natpmp) ?? false
        pcp = try container.decodeIfPresent(Bool.self, forKey: .pcp) ?? false
        externalAddress = try container.decodeIfPresent(String.self, forKey: .externalAddress)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(upnp, forKey: .upnp)
        try container.encode(natpmp, forKey: .natpmp)
        try container.encode(pcp, forKey: .pcp)
        try container.encode(externalAddress, forKey: .externalAddress)
    }
}
