import Foundation

/// What `netprobe report` measures: every field of Tailscale's netcheck `Report` with the same
/// meaning (spec/netcheck.md §2), plus our own fields beside them.
///
/// The JSON (``NetcheckReport+Coding``) writes the Tailscale fields under Go's names with Go's
/// types and units — durations as integer nanoseconds, `opt.Bool` as `true`/`false`/`null`,
/// region-keyed maps with decimal-string keys — so tools reading `tailscale netcheck
/// --format=json` read ours; our fields use lower-camel names that cannot collide with Go's.
package struct NetcheckReport: Hashable, Sendable {
    package static let currentSchemaVersion = 1

    // MARK: Tailscale's Report, in its field order

    /// When the report was finished.
    package var now: Date
    /// At least one STUN reply arrived.
    package var udp: Bool
    package var ipv6: Bool
    package var ipv4: Bool
    package var ipv6CanSend: Bool
    package var ipv4CanSend: Bool
    package var osHasIPv6: Bool
    /// Always false: netprobe sends no ICMP (it would need raw sockets).
    package var icmpv4: Bool
    package var mappingVariesByDestIP: Bool?
    /// nil when port mapping was not checked.
    package var upnp: Bool?
    package var pmp: Bool?
    package var pcp: Bool?
    /// 0 when no region was measured.
    package var preferredDERP: Int
    package var regionLatency: [Int: Duration]
    package var regionV4Latency: [Int: Duration]
    package var regionV6Latency: [Int: Duration]
    /// Mapped endpoint text (`ip:port`) to the number of replies that reported it.
    package var globalV4Counters: [String: Int]
    package var globalV6Counters: [String: Int]
    /// The first IPv4 reply's mapped endpoint, or "".
    package var globalV4: String
    /// The last IPv6 reply's mapped endpoint (`[ip]:port`), or "".
    package var globalV6: String
    /// nil when not checked (no node of the map offers `/generate_204` on port 80).
    package var captivePortal: Bool?

    // MARK: Ours

    package var schemaVersion: Int
    /// The toolkit version that made the report.
    package var version: String
    package var durationMs: Double
    package var timeoutMs: Double
    /// What decided `CaptivePortal` (or why it stayed null although endpoints were tried); null
    /// when captive-portal detection did not run.
    package var captivePortalDetail: String?
    /// IPv4 hairpinning from the NAT verdict: nil when not tested or not applicable (no NAT).
    package var hairpinning: Bool?
    /// The RFC 4787 verdict of RelayCore's NAT classifier over this report's STUN transactions,
    /// in the same form as `stunner --json` (so `stunner compare` reads it).
    package var nat: NATReport
    /// Every probed region: measured ones by latency, then the rest by ID.
    package var regions: [NetcheckRegionResult]
    package var derpRoundTrip: NetcheckRoundTripResult
    /// One per DERP node probed over TLS, in map order.
    package var certificates: [NetcheckCertificateResult]
    /// Problems in plain words, one sentence each.
    package var warnings: [String]
    /// The outcome of each `--require` / `--max-latency` condition (empty without them).
    package var requirements: [NetcheckRequirementResult]

    package init(
        now: Date = Date(), udp: Bool = false, ipv6: Bool = false, ipv4: Bool = false, ipv6CanSend: Bool = false,
        ipv4CanSend: Bool = false, osHasIPv6: Bool = false, icmpv4: Bool = false, mappingVariesByDestIP: Bool? = nil,
        upnp: Bool? = nil, pmp: Bool? = nil, pcp: Bool? = nil, preferredDERP: Int = 0,
        regionLatency: [Int: Duration] = [:], regionV4Latency: [Int: Duration] = [:],
        regionV6Latency: [Int: Duration] = [:], globalV4Counters: [String: Int] = [:],
        globalV6Counters: [String: Int] = [:], globalV4: String = "", globalV6: String = "",
        captivePortal: Bool? = nil, captivePortalDetail: String? = nil, version: String = ToolkitVersion.string, durationMs: Double = 0,
        timeoutMs: Double = 0, hairpinning: Bool? = nil,
        nat: NATReport = NATReport(observations: NATObservations(), verdict: NATVerdict()),
        regions: [NetcheckRegionResult] = [], derpRoundTrip: NetcheckRoundTripResult = NetcheckRoundTripResult(),
        certificates: [NetcheckCertificateResult] = [], warnings: [String] = [],
        requirements: [NetcheckRequirementResult] = []
    ) {
        self.now = now
        self.udp = udp
        self.ipv6 = ipv6
        self.ipv4 = ipv4
        self.ipv6CanSend = ipv6CanSend
        self.ipv4CanSend = ipv4CanSend
        self.osHasIPv6 = osHasIPv6
        self.icmpv4 = icmpv4
        self.mappingVariesByDestIP = mappingVariesByDestIP
        self.upnp = upnp
        self.pmp = pmp
        self.pcp = pcp
        self.preferredDERP = preferredDERP
        self.regionLatency = regionLatency
        self.regionV4Latency = regionV4Latency
        self.regionV6Latency = regionV6Latency
        self.globalV4Counters = globalV4Counters
        self.globalV6Counters = globalV6Counters
        self.globalV4 = globalV4
        self.globalV6 = globalV6
        self.captivePortal = captivePortal
        self.captivePortalDetail = captivePortalDetail
        self.schemaVersion = Self.currentSchemaVersion
        self.version = version
        self.durationMs = durationMs
        self.timeoutMs = timeoutMs
        self.hairpinning = hairpinning
        self.nat = nat
        self.regions = regions
        self.derpRoundTrip = derpRoundTrip
        self.certificates = certificates
        self.warnings = warnings
        self.requirements = requirements
    }

    /// The preferred region's entry in ``regions``.
    package var preferredRegion: NetcheckRegionResult? {
        regions.first { $0.id == preferredDERP && preferredDERP != 0 }
    }

    /// Whether UPnP, NAT-PMP or PCP answered; nil when port mapping was not checked.
    package var portMappingAvailable: Bool? {
        guard upnp != nil || pmp != nil || pcp != nil else { return nil }
        return upnp == true || pmp == true || pcp == true
    }
}
