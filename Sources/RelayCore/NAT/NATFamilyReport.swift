/// One family's verdict as the JSON report prints it (the top level carries IPv4's; the `ipv6`
/// key carries this object or null).
package struct NATFamilyReport: Hashable, Sendable {
    package var udp: Bool
    package var publicAddress: String?
    package var natType: NATType
    package var mapping: NATMappingBehavior
    package var mappingReason: String
    package var filtering: NATFilteringBehavior
    package var filteringReason: String
    package var hairpinning: Bool?
    package var hairpinningReason: String
    package var portPreservation: Bool?

    package init(_ verdict: NATFamilyVerdict) {
        udp = verdict.udp
        publicAddress = verdict.publicAddress?.description
        natType = verdict.natType
        mapping = verdict.mapping
        mappingReason = verdict.mappingReason
        filtering = verdict.filtering
        filteringReason = verdict.filteringReason
        hairpinning = verdict.hairpinning
        hairpinningReason = verdict.hairpinningReason
        portPreservation = verdict.portPreservation
    }
}

extension NATFamilyReport: Codable {
    enum CodingKeys: String, CodingKey {
        case udp, publicAddress, natType, mapping, mappingReason, filtering, filteringReason
        case hairpinning, hairpinningReason, portPreservation
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        udp = try container.decodeIfPresent(Bool.self, forKey: .udp) ?? false
        publicAddress = try container.decodeIfPresent(String.self, forKey: .publicAddress)
        natType = try container.decode(NATType.self, forKey: .natType)
        mapping = try container.decodeIfPresent(NATMappingBehavior.self, forKey: .mapping) ?? .unknown
        mappingReason = try container.decodeIfPresent(String.self, forKey: .mappingReason) ?? ""
        filtering = try container.decodeIfPresent(NATFilteringBehavior.self, forKey: .filtering) ?? .unknown
        filteringReason = try container.decodeIfPresent(String.self, forKey: .filteringReason) ?? ""
        hairpinning = try container.decodeIfPresent(Bool.self, forKey: .hairpinning)
        hairpinningReason = try container.decodeIfPresent(String.self, forKey: .hairpinningReason) ?? ""
        portPreservation = try container.decodeIfPresent(Bool.self, forKey: .portPreservation)
    }

    /// Every key is written, absent values as null.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(udp, forKey: .udp)
        try container.encode(publicAddress, forKey: .publicAddress)
        try container.encode(natType, forKey: .natType)
        try container.encode(mapping, forKey: .mapping)
        try container.encode(mappingReason, forKey: .mappingReason)
        try container.encode(filtering, forKey: .filtering)
        try container.encode(filteringReason, forKey: .filteringReason)
        try container.encode(hairpinning, forKey: .hairpinning)
        try container.encode(hairpinningReason, forKey: .hairpinningReason)
        try container.encode(portPreservation, forKey: .portPreservation)
    }
}
