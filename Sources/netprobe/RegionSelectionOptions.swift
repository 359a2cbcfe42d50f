import ArgumentParser
import Foundation
import RelayCore

/// `--region`, `--country`, `--continent` and their `--exclude-…` forms: which regions of a map
/// to keep. Each takes comma-separated values and may be repeated.
///
/// Regions picked by any keep option are kept (all regions when none is given), then regions
/// picked by any exclude option are dropped. A value that matches no region is a usage error
/// listing the values that would match.
struct RegionSelectionOptions: ParsableArguments {
    @Option(
        name: .customLong("region"),
        help: ArgumentHelp("Keep these regions: region IDs (4) or region codes (fra).", valueName: "id|code,...")
    )
    var regions: [String] = []

    @Option(
        name: .customLong("exclude-region"),
        help: ArgumentHelp("Drop these regions: region IDs or region codes.", valueName: "id|code,...")
    )
    var excludedRegions: [String] = []

    @Option(
        name: .customLong("country"),
        help: ArgumentHelp(
            "Keep regions in these countries: ISO 3166-1 alpha-2 codes (DE, US); EU means every EU member state.",
            valueName: "code,..."
        )
    )
    var countries: [String] = []

    @Option(
        name: .customLong("exclude-country"),
        help: ArgumentHelp("Drop regions in these countries (ISO 3166-1 alpha-2; EU for the member states).", valueName: "code,...")
    )
    var excludedCountries: [String] = []

    @Option(
        name: .customLong("continent"),
        help: ArgumentHelp("Keep regions on these continents: AF, AS, EU, NA, OC, SA (by country, so Honolulu is NA).", valueName: "code,...")
    )
    var continents: [String] = []

    @Option(
        name: .customLong("exclude-continent"),
        help: ArgumentHelp("Drop regions on these continents.", valueName: "code,...")
    )
    var excludedContinents: [String] = []

    /// Whether any option was given.
    var isEmpty: Bool {
        [regions, excludedRegions, countries, excludedCountries, continents, excludedContinents].allSatisfy(\.isEmpty)
    }

    /// Whether a country or continent is asked for, which needs the region table.
    var needsGeodata: Bool {
        !(countries.isEmpty && excludedCountries.isEmpty && continents.isEmpty && excludedContinents.isEmpty)
    }

    func validate() throws {
        _ = try keepSelectors()
        _ = try dropSelectors()
    }

    func keepSelectors() throws -> [DERPRegionSelector] {
        try Self.selectors(regions, kind: nil) + Self.selectors(countries, kind: "country")
            + Self.selectors(continents, kind: "continent")
    }

    func dropSelectors() throws -> [DERPRegionSelector] {
        try Self.selectors(excludedRegions, kind: nil) + Self.selectors(excludedCountries, kind: "country")
            + Self.selectors(excludedContinents, kind: "continent")
    }

    /// The region IDs of `map` that the options select.
    ///
    /// - Throws: ``NetprobeError`` (usage) when a value matches no region of `map`.
    func selectedRegionIDs(in map: DERPMap, geo: DERPRegionGeoTable) throws -> Set<Int> {
        do {
            let keep = try keepSelectors()
            var ids = keep.isEmpty ? Set(map.regions.keys) : try map.regionIDs(matchingAny: keep, geo: geo)
            ids.subtract(try map.regionIDs(matchingAny: try dropSelectors(), geo: geo))
            return ids
        } catch let error as DERPMapError {
            throw NetprobeError.from(error)
        }
    }

    /// Splits comma-separated values and parses each as a selector of `kind` (`country`,
    /// `continent`), or as a region ID or code when `kind` is nil.
    private static func selectors(_ values: [String], kind: String?) throws -> [DERPRegionSelector] {
        let items = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard !item.isEmpty else {
                throw ValidationError("empty value in a comma-separated list")
            }
            if kind == nil, item.contains(":") {
                throw ValidationError("\"\(item)\" is not a region ID or code")
            }
            do {
                return try DERPRegionSelector(parsing: kind.map { "\($0):\(item)" } ?? item)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}
