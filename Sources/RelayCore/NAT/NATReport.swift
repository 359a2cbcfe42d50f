/// What `stunner --json` prints: one object, `schemaVersion` 1. The top level carries the IPv4
/// verdict (`natType` is its one-word summary); `ipv6` carries IPv6's or null. Every key is always
/// present; absent values are null. The field-by-field schema is documented in README.md.
package struct NATReport: Hashable, Sendable {
    package static let currentSchemaVersion = 1

    package var schemaVersion: Int
    /// The toolkit version that wrote the report.
    package var version: String
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
    package var legacyName: String
    package var explanation: String
    package var portMappingChecked: Bool
    package var portMapping: PortMappingEvidence
    package var ipv6: NATFamilyReport?
    package var hints: [String]
    package var probes: [NATProbeReport]
    package var localAddresses: [String]
    package var ignoredDatagrams: Int
    package var durationMs: Double
    package var timeoutMs: Double
    /// The transcript; only with `--debug`, else null.
    package var events: [NATProbeEvent]?

    /// The report of a run. `includeEvents` adds the transcript.
    package init(
        observations: NATObservations, verdict: NATVerdict, version: String = ToolkitVersion.string,
        includeEvents: Bool = false
    ) {
        let ipv4 = verdict.ipv4.map(NATFamilyReport.init)
        schemaVersion = Self.currentSchemaVersion
        self.version = version
        udp = verdict.udp
        publicAddress = ipv4?.publicAddress
        natType = verdict.natType
        mapping = ipv4?.mapping ?? .unknown
        mappingReason = ipv4?.mappingReason ?? "no IPv4 server was probed"
        filtering = ipv4?.filtering ?? .unknown
        filteringReason = ipv4?.filteringReason ?? "no IPv4 server was probed"
        hairpinning = ipv4?.hairpinning
        hairpinningReason = ipv4?.hairpinningReason ?? "no IPv4 server was probed"
        portPreservation = ipv4?.portPreservation
        legacyName = NATExplanation.legacyName(verdict.ipv4)
        explanation = NATExplanation.sentences(verdict)
        portMappingChecked = verdict.portMapping != nil
        portMapping = verdict.portMapping ?? PortMappingEvidence()
        ipv6 = verdict.ipv6.map(NATFamilyReport.init)
        hints = verdict.hints
        probes = observations.transactions.map(NATProbeReport.init)
        localAddresses = observations.interfaces.map { "\($0.name) \($0.address.ipDescription)" }
        ignoredDatagrams = observations.ignoredDatagrams
        durationMs = observations.durationMs
        timeoutMs = observations.timeoutMs
        events = includeEvents ? observations.events : nil
    }

    /// Whether a verdict was reached (`stunner` exits 0), as opposed to UDP blocked, nothing
    /// answering, or too little evidence (exit 1).
    package var reachedVerdict: Bool { natType.isVerdict }

    /// Milliseconds to three decimals, so JSON does not print 0.30000000000000004.
    static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}

extension NATReport: Codable {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, version, udp, publicAddress, natType, mapping, mappingReason, filtering, filteringReason
        case hairpinning, hairpinningReason, portPreservation, legacyName, explanation, portMappingChecked
        case portMapping, ipv6, hints, probes, localAddresses, ignoredDatagrams, durationMs, timeoutMs, events
    }

    /// Lenient: only `natType` is required, so `stunner compare` reads reports of later versions
    /// and hand-written ones.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? Self.currentSchemaVersion
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        udp = try c.decodeIfPresent(Bool.self, forKey: .udp) ?? false
        publicAddress = try c.decodeIfPresent(String.self, forKey: .publicAddress)
        natType = try c.decode(NATType.self, forKey: .natType)
        mapping = try c.decodeIfPresent(NATMappingBehavior.self, forKey: .mapping) ?? .unknown
        mappingReason = try c.decodeIfPresent(String.self, forKey: .mappingReason) ?? ""
        filtering = try c.decodeIfPresent(NATFilteringBehavior.self, forKey: .filtering) ?? .unknown
        filteringReason = try c.decodeIfPresent(String.self, forKey: .filteringReason) ?? ""
        hairpinning = try c.decodeIfPresent(Bool.self, forKey: .hairpinning)
        hairpinningReason = try c.decodeIfPresent(String.self, forKey: .hairpinningReason) ?? ""
        portPreservation = try c.decodeIfPresent(Bool.self, forKey: .portPreservation)
        legacyName = try c.decodeIfPresent(String.self, forKey: .legacyName) ?? ""
        explanation = try c.decodeIfPresent(String.self, forKey: .explanation) ?? ""
        portMappingChecked = try c.decodeIfPresent(Bool.self, forKey: .portMappingChecked) ?? false
        portMapping = try c.decodeIfPresent(PortMappingEvidence.self, forKey: .portMapping) ?? PortMappingEvidence()
        ipv6 = try c.decodeIfPresent(NATFamilyReport.self, forKey: .ipv6)
        hints = try c.decodeIfPresent([String].self, forKey: .hints) ?? []
        probes = try c.decodeIfPresent([NATProbeReport].self, forKey: .probes) ?? []
        localAddresses = try c.decodeIfPresent([String].self, forKey: .localAddresses) ?? []
        ignoredDatagrams = try c.decodeIfPresent(Int.self, forKey: .ignoredDatagrams) ?? 0
        durationMs = try c.decodeIfPresent(Double.self, forKey: .durationMs) ?? 0
        timeoutMs = try c.decodeIfPresent(Double.self, forKey: .timeoutMs) ?? 0
        events = try c.decodeIfPresent([NATProbeEvent].self, forKey: .events)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(version, forKey: .version)
        try c.encode(udp, forKey: .udp)
        try c.encode(publicAddress, forKey: .publicAddress)
        try c.encode(natType, forKey: .natType)
        try c.encode(mapping, forKey: .mapping)
        try c.encode(mappingReason, forKey: .mappingReason)
        try c.encode(filtering, forKey: .filtering)
        try c.encode(filteringReason, forKey: .filteringReason)
        try c.encode(hairpinning, forKey: .hairpinning)
        try c.encode(hairpinningReason, forKey: .hairpinningReason)
        try c.encode(portPreservation, forKey: .portPreservation)
        try c.encode(legacyName, forKey: .legacyName)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(portMappingChecked, forKey: .portMappingChecked)
        try c.encode(portMapping, forKey: .portMapping)
        try c.encode(ipv6, forKey: .ipv6)
        try c.encode(hints, forKey: .hints)
        try c.encode(probes, forKey: .probes)
        try c.encode(localAddresses, forKey: .localAddresses)
        try c.encode(ignoredDatagrams, forKey: .ignoredDatagrams)
        try c.encode(Self.rounded(durationMs), forKey: .durationMs)
        try c.encode(Self.rounded(timeoutMs), forKey: .timeoutMs)
        try c.encode(events, forKey: .events)
    }
}
