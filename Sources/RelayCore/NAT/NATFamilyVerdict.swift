/// The classifier's verdict for one address family. Every "unknown" has a reason; so do the
/// known verdicts, which say what evidence decided them.
package struct NATFamilyVerdict: Hashable, Sendable, Codable {
    package var family: NATAddressFamily
    /// At least one server answered over this family.
    package var udp: Bool
    /// The most often reported mapped endpoint of the mapping socket (first seen on a tie).
    package var publicAddress: NATEndpoint?
    package var natType: NATType
    package var mapping: NATMappingBehavior
    package var mappingReason: String
    package var filtering: NATFilteringBehavior
    package var filteringReason: String
    /// True or false when tested on a NAT; nil when not tested or not applicable (no NAT).
    package var hairpinning: Bool?
    package var hairpinningReason: String
    /// Every translated reply kept the local port; nil without translated replies.
    package var portPreservation: Bool?
    /// Distinct servers (primary addresses) tried and answering over this family.
    package var serversTried: Int
    package var serversAnswered: Int

    package init(
        family: NATAddressFamily, udp: Bool = false, publicAddress: NATEndpoint? = nil, natType: NATType = .unknown,
        mapping: NATMappingBehavior = .unknown, mappingReason: String = "",
        filtering: NATFilteringBehavior = .unknown, filteringReason: String = "",
        hairpinning: Bool? = nil, hairpinningReason: String = "", portPreservation: Bool? = nil,
        serversTried: Int = 0, serversAnswered: Int = 0
    ) {
        self.family = family
        self.udp = udp
        self.publicAddress = publicAddress
        self.natType = natType
        self.mapping = mapping
        self.mappingReason = mappingReason
        self.filtering = filtering
        self.filteringReason = filteringReason
        self.hairpinning = hairpinning
        self.hairpinningReason = hairpinningReason
        self.portPreservation = portPreservation
        self.serversTried = serversTried
        self.serversAnswered = serversAnswered
    }
}
