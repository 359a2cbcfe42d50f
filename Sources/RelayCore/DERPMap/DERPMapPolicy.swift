import Foundation

/// The `derpMap` section of a Tailscale tailnet policy file (spec/derpmap.md §3): an overlay that
/// Tailscale's control server merges with its default map.
///
/// ```json
/// "derpMap": {
///     "OmitDefaultRegions": true,
///     "Regions": { "900": { ... }, "1": null }
/// }
/// ```
///
/// Listed regions are added to the defaults, `"<id>": null` removes a default region, and
/// `OmitDefaultRegions: true` drops every default. We write the key as `OmitDefaultRegions`, the
/// spelling of Tailscale's documentation; in a full map it is `omitDefaultRegions`, and Go's
/// case-insensitive decoding accepts both. The merge runs in closed-source code, so edge cases
/// (a listed region whose ID is a default one) are unverified; ``make(defaults:keeping:custom:style:)``
/// avoids them.
package struct DERPMapPolicy: Sendable, Hashable {
    /// How to keep only some default regions (spec/derpmap.md §3.1).
    package enum Style: Sendable, Hashable, CaseIterable {
        /// `"<id>": null` for every dropped default region. Regions Tailscale adds later appear
        /// automatically, and kept regions get Tailscale's node updates. The default.
        case nullDropped
        /// `OmitDefaultRegions: true` plus full copies of the kept regions. Frozen: new regions
        /// never appear and the copied node lists go stale.
        case omitDefaults

        /// One line on what the style means, for tools to print beside the output.
        package var summary: String {
            switch self {
            case .nullDropped:
                "dropped default regions are set to null; regions Tailscale adds later stay enabled and kept regions get node updates"
            case .omitDefaults:
                "OmitDefaultRegions is true and kept regions are copied; the result is frozen: new regions never appear and node lists go stale"
            }
        }
    }

    package var omitDefaultRegions: Bool
    /// Regions to add (custom 900–999 regions, or copies of kept defaults).
    package var regions: [Int: DERPRegion]
    /// Default regions to remove (`"<id>": null`).
    package var removedRegionIDs: Set<Int>

    package init(omitDefaultRegions: Bool = false, regions: [Int: DERPRegion] = [:], removedRegionIDs: Set<Int> = []) {
        self.omitDefaultRegions = omitDefaultRegions
        self.regions = regions
        self.removedRegionIDs = removedRegionIDs
    }

    /// The overlay that leaves exactly the `keeping` default regions plus `custom` ones.
    ///
    /// - Throws: ``DERPMapError`` `unknownSelector` when a kept ID is not a default region, and
    ///   `conflict` when custom regions share an ID or reuse a default region's ID (whether that
    ///   replaces the default is unverified).
    package static func make(
        defaults: DERPMap,
        keeping: Set<Int>,
        custom: [DERPRegion] = [],
        style: Style = .nullDropped
    ) throws -> DERPMapPolicy {
        let unknown = keeping.subtracting(defaults.regions.keys)
        if let first = unknown.min() {
            throw DERPMapError.unknownSelector("default region ID \(first)", valid: defaults.regionIDs.map(String.init))
        }
        var customRegions: [Int: DERPRegion] = [:]
        for region in custom {
            if defaults.regions[region.regionID] != nil {
                throw DERPMapError.conflict(
                    "custom region \(region.regionID) reuses a default region ID; use an ID in 900–999"
                )
            }
            if customRegions.updateValue(region, forKey: region.regionID) != nil {
                throw DERPMapError.conflict("two custom regions use ID \(region.regionID)")
            }
        }
        switch style {
        case .nullDropped:
            return DERPMapPolicy(
                regions: customRegions,
                removedRegionIDs: Set(defaults.regions.keys).subtracting(keeping)
            )
        case .omitDefaults:
            let kept = defaults.regions.filter { keeping.contains($0.key) }
            return DERPMapPolicy(
                omitDefaultRegions: true,
                regions: kept.merging(customRegions) { _, custom in custom }
            )
        }
    }

    /// The map a client would get from this overlay over `defaults`, as documented by Tailscale:
    /// without `OmitDefaultRegions`, defaults minus the null-ed ones plus the listed ones (a
    /// listed ID replaces a default one here, which is unverified); with it, only the listed
    /// ones.
    package func effectiveMap(over defaults: DERPMap) -> DERPMap {
        var map = defaults
        map.omitDefaultRegions = false
        map.removedRegionIDs = []
        map.regionsIsNull = false
        if omitDefaultRegions {
            map.regions = regions
        } else {
            map.regions = defaults.regions.filter { !removedRegionIDs.contains($0.key) }
            map.regions.merge(regions) { _, listed in listed }
        }
        return map.keepingRegions(Set(map.regions.keys))
    }

    /// The overlay as JSON, formatted like Go's encoder. With `wrapped`, it is the member of a
    /// policy file, `{"derpMap": {...}}`; otherwise the section's value alone.
    package func jsonData(
        format: DERPMapJSONFormat = .indented,
        regionOrder: DERPMapRegionOrder = .numeric,
        wrapped: Bool = true
    ) throws -> Data {
        var object = GoJSONObjectBuilder()
        object.add("OmitDefaultRegions", omitEmpty: omitDefaultRegions)
        let overlay = DERPMap(regions: regions, removedRegionIDs: removedRegionIDs)
        object.add("Regions", overlay.regionsJSON(order: regionOrder))
        var value = object.value
        if wrapped {
            var outer = GoJSONObjectBuilder()
            outer.add("derpMap", value)
            value = outer.value
        }
        return Data(try GoJSONWriter.write(value, format: format))
    }
}
