import NIOCore

/// What one report probes and how long it may take.
package struct NetcheckConfiguration: Sendable {
    /// Asks the gateway about UPnP-IGD, NAT-PMP and PCP within a budget; nil when the probe could
    /// not run. The same hook as the NAT prober's (RelayCore/PortMapping supplies it); without one
    /// the report leaves UPnP/PMP/PCP null.
    package typealias PortMappingProbe = NATProbeConfiguration.PortMappingProbe

    package var map: DERPMap
    /// The regions to probe; nil for every region of the map. `NoMeasureNoHome` regions and
    /// regions without nodes are never probed.
    package var regionIDs: Set<Int>?
    /// The one deadline of the whole report, counted from its start (`--timeout`).
    package var timeout: Duration = .seconds(5)
    /// The longest the STUN and HTTPS phase may take (Tailscale: 3 s); it also ends at 60 % of
    /// `timeout`, so the DERP round trip keeps time for itself.
    package var stunPhaseLimit: Duration = .seconds(3)
    /// Sends the hairpin test (stun.md §6.7) after the first IPv4 reply. Opt-in (spec/nat.md §8):
    /// some firewalls flag the packet to one's own public address as a LAND attack.
    package var hairpin = false
    /// Connects to each DERP node over HTTPS: latency fallback and certificate checks.
    package var httpsProbes = true
    /// Runs the DERP round trip through the preferred region.
    package var derpRoundTrip = true
    /// Runs captive-portal detection against the map's `CanPort80` nodes.
    package var captivePortal = true
    /// The port of `/generate_204`: 80 in real use (what `CanPort80` promises); tests use others.
    package var captivePortalPort = 80
    package var portMappingProbe: PortMappingProbe?
    /// A certificate expiring within this many days is warned about.
    package var certificateWarningDays = 14

    package init(map: DERPMap, regionIDs: Set<Int>? = nil, timeout: Duration = .seconds(5)) {
        self.map = map
        self.regionIDs = regionIDs
        self.timeout = timeout
    }

    /// The regions a report measures, by ID.
    package var probedRegions: [DERPRegion] {
        map.sortedRegions.filter { region in
            (regionIDs?.contains(region.regionID) ?? true) && !region.noMeasureNoHome && !region.nodes.isEmpty
        }
    }
}
