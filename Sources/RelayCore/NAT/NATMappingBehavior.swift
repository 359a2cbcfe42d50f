/// RFC 4787 §4.1 mapping behaviour (spec/nat.md §2), as the JSON `mapping` field spells it.
package enum NATMappingBehavior: String, Hashable, Sendable, Codable, CaseIterable {
    /// EIM: one public endpoint for every destination ("cone", Tailscale's "easy").
    case endpointIndependent = "endpoint-independent"
    /// ADM: the public endpoint changes with the destination IP only.
    case addressDependent = "address-dependent"
    /// APDM: it changes with the destination IP or port ("symmetric").
    case addressAndPortDependent = "address-and-port-dependent"
    /// ADM or APDM, not told apart: mappings differ between destination IPs, but no server offered
    /// two ports on one IP (all DERP servers use port 3478).
    case endpointDependent = "endpoint-dependent"
    /// No translation: the servers see this host's own address and port.
    case none
    /// Not enough observations; `mappingReason` says why.
    case unknown

    /// RFC 4787's abbreviation.
    package var abbreviation: String {
        switch self {
        case .endpointIndependent: return "EIM"
        case .addressDependent: return "ADM"
        case .addressAndPortDependent: return "APDM"
        case .endpointDependent: return "ADM or APDM"
        case .none: return "no NAT"
        case .unknown: return "unknown"
        }
    }

    /// ADM, APDM or either: the mapping varies by destination.
    package var variesByDestination: Bool {
        self == .addressDependent || self == .addressAndPortDependent || self == .endpointDependent
    }
}
