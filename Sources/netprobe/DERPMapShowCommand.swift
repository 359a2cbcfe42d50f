import ArgumentParser
import RelayCore

/// `netprobe derpmap show`: the regions and nodes of a map as a table.
struct DERPMapShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the regions and nodes of a DERP map as a table.",
        discussion: """
            One row per node, regions in ID order, nodes in priority order (clients dial the \
            first reachable one). COUNTRY and CONTINENT come from netprobe's region table and are \
            known only for Tailscale's default regions ("-" otherwise). Ports show the values \
            clients use: STUN 3478 and DERP 443 when the map leaves them out, "off" when STUN is \
            disabled. NOTES lists STUNOnly, CertName (a pin shows as sha256-raw:<first 8 digits>…), \
            InsecureForTests, STUNTestIP and the region flags Avoid and NoMeasureNoHome.
            """
    )

    @OptionGroup var input: DERPMapInputOptions
    @OptionGroup(title: "Region selection") var selection: RegionSelectionOptions

    func run() async throws {
        let map = try await input.load()
        let geo = try DERPMapGeo.table()
        let ids = try selection.selectedRegionIDs(in: map, geo: geo)
        Console.out(DERPMapTableRenderer.render(map.keepingRegions(ids), geo: geo))
    }
}
