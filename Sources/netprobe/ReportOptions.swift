import ArgumentParser
import NIOCore
import RelayCore

/// The options that say what a report probes, shared by `report` and `serve`: the map, which of
/// its regions, the deadline, and the optional probes.
struct ReportOptions: ParsableArguments {
    @OptionGroup var map: DERPMapInputOptions

    @OptionGroup var selection: RegionSelectionOptions

    @Option(
        name: .customLong("timeout"),
        help: ArgumentHelp(
            "The deadline of the whole report, every probe included: Go duration syntax (default: 5s).",
            valueName: "duration"),
        transform: ReportOptions.parseDuration
    )
    var timeout: Duration?

    @Flag(
        name: .customLong("hairpin"),
        help: ArgumentHelp(
            "Also test NAT hairpinning: after the first IPv4 STUN reply, send a packet from a second socket to this "
                + "host's own public address. Off by default because some firewalls flag it as a LAND attack, which is "
                + "why Tailscale stopped sending it.")
    )
    var hairpin = false

    @Flag(
        name: .customLong("no-port-mapping"),
        help: "Do not ask the gateway about UPnP, NAT-PMP or PCP (UPnP, PMP and PCP are then null)."
    )
    var noPortMapping = false

    @Flag(
        name: .customLong("no-captive-portal"),
        help: "Skip captive-portal detection (it asks the map's CanPort80 nodes for /generate_204 over plain HTTP)."
    )
    var noCaptivePortal = false

    static let defaultTimeout: Duration = .seconds(5)

    static func parseDuration(_ text: String) throws -> Duration {
        do {
            let value = try NetcheckDuration.parse(text)
            guard value > .zero else { throw ValidationError("the duration must be positive, got \"\(text)\"") }
            return value
        } catch let error as NetcheckDuration.ParseError {
            throw ValidationError(error.description)
        }
    }

    /// Loads the map, applies the region selection and builds the configuration.
    ///
    /// - Throws: ``NetprobeError``: exit 1 for an unreadable or broken map or one with nothing to
    ///   probe, exit 2 for a selection that matches no region.
    func configuration() async throws -> NetcheckConfiguration {
        let map = try await self.map.load()
        let geo: DERPRegionGeoTable
        do {
            geo = try DERPRegionGeoTable.embedded()
        } catch {
            throw NetprobeError.failure("cannot read the embedded region table: \(error)")
        }
        let selected = try selection.selectedRegionIDs(in: map, geo: geo)
        var configuration = NetcheckConfiguration(map: map, regionIDs: selected, timeout: timeout ?? Self.defaultTimeout)
        guard !configuration.probedRegions.isEmpty else {
            let source = self.map.source ?? .embedded
            throw NetprobeError.failure(
                "\(source): nothing to probe: no selected region has nodes (NoMeasureNoHome regions are never probed)")
        }
        configuration.hairpin = hairpin
        configuration.captivePortal = !noCaptivePortal
        configuration.portMappingProbe = noPortMapping ? nil : ReportPortMapping.probe
        return configuration
    }
}
