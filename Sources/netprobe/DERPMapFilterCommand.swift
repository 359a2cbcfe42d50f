import ArgumentParser
import RelayCore

/// `netprobe derpmap filter`: keep or drop regions by ID, code, country or continent
/// (geofencing, spec/derpmap.md §3.1), written as a map, a policy overlay or Headscale YAML.
struct DERPMapFilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Keep or drop regions by ID, code, country or continent.",
        discussion: """
            Regions picked by any keep option (--region, --country, --continent) are kept, or \
            every region when none is given; then regions picked by any --exclude-... option are \
            dropped. Countries and continents come from netprobe's table of Tailscale's default \
            regions (city, ISO 3166 country, continent); custom regions have no country, so select \
            them by ID or code. A value that matches no region of the map is an error (exit 2) \
            listing the values that would.

            Without any option, the map is written back unchanged, so filter also converts between \
            formats (--format headscale) and layouts (--compact).

            Examples:
              netprobe derpmap filter --country EU --format policy
              netprobe derpmap filter --continent EU --exclude-country GB
              netprobe derpmap filter --exclude-region 1,sfo --format headscale
            """
    )

    @OptionGroup var input: DERPMapInputOptions
    @OptionGroup(title: "Region selection") var selection: RegionSelectionOptions
    @OptionGroup(title: "Output") var output: DERPMapOutputOptions

    func run() async throws {
        let map = try await input.load()
        let geo = selection.needsGeodata ? try DERPMapGeo.table() : try DERPRegionGeoTable(entries: [])
        let ids = try selection.selectedRegionIDs(in: map, geo: geo)
        guard !ids.isEmpty else {
            throw NetprobeError.usage("the filters leave no regions")
        }
        if ids.count == 1 {
            Console.error("warning: only one region is left: a single point of failure")
        }
        let filtered = map.keepingRegions(ids)
        Console.out(try output.render(filtered, from: map))
    }
}
