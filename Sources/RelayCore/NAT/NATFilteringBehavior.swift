/// RFC 4787 §5 filtering behaviour (spec/nat.md §3), as the JSON `filtering` field spells it.
/// Measurable only with an RFC 5780 server that honours CHANGE-REQUEST.
package enum NATFilteringBehavior: String, Hashable, Sendable, Codable, CaseIterable {
    /// EIF: inbound packets from any endpoint reach the mapping.
    case endpointIndependent = "endpoint-independent"
    /// ADF: only from IPs this socket has sent to.
    case addressDependent = "address-dependent"
    /// APDF: only from IP:port pairs this socket has sent to.
    case addressAndPortDependent = "address-and-port-dependent"
    /// Not measured or inconclusive; `filteringReason` says why.
    case unknown

    package var abbreviation: String {
        switch self {
        case .endpointIndependent: return "EIF"
        case .addressDependent: return "ADF"
        case .addressAndPortDependent: return "APDF"
        case .unknown: return "unknown"
        }
    }
}
