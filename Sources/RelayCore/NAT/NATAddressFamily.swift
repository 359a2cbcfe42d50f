/// IPv4 or IPv6. The classifier never compares mappings across families (spec/nat.md §7.1).
package enum NATAddressFamily: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case ipv4
    case ipv6

    package init(_ family: STUNAddress.Family) {
        switch family {
        case .ipv4: self = .ipv4
        case .ipv6: self = .ipv6
        }
    }

    /// "v4" or "v6", as socket names use it.
    package var shortName: String { self == .ipv4 ? "v4" : "v6" }

    /// "IPv4" or "IPv6".
    package var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}
