import Foundation

/// The set of DERP relay regions available to a tailnet: Tailscale's `tailcfg.DERPMap`.
///
/// JSON (tailscale/tailscale tailcfg/derpmap.go), keys in this order:
///
/// | key | type | omitempty |
/// | --- | --- | --- |
/// | `HomeParams` | ``DERPHomeParams`` | yes |
/// | `Regions` | object: decimal region ID → ``DERPRegion`` or `null` | no |
/// | `omitDefaultRegions` | bool (note the lower-case `o`) | yes |
///
/// Decoding follows Go's encoding/json: keys match case-insensitively (an exact match wins),
/// unknown keys are ignored, and `null` for a non-pointer field leaves it at its zero value.
/// Encoding applies Go's `omitempty` and writes Go's bytes (see ``jsonData(format:regionOrder:)``).
///
/// A region entry whose value is `null` (`"Regions": {"900": null}`) is a deletion marker: a
/// tailnet policy overlay uses it to remove a default region, and Tailscale clients delete such
/// entries from maps they receive (Headscale has been seen sending them). They are kept apart from
/// the real regions, in ``removedRegionIDs``, so ``regions`` never holds optionals.
public struct DERPMap: Sendable, Hashable {
    /// A change in home-selection parameters; nil means "unchanged" in a MapResponse update.
    public var homeParams: DERPHomeParams?
    /// The regions, keyed by region ID (which should equal each region's ``DERPRegion/regionID``).
    public var regions: [Int: DERPRegion]
    /// Region IDs that the document maps to `null`.
    public var removedRegionIDs: Set<Int>
    /// "Use only the regions listed here, not Tailscale's defaults." Meaningful to whoever builds
    /// the map; Tailscale clients ignore it because they receive a merged map.
    public var omitDefaultRegions: Bool
    /// The document had no `Regions`, or `"Regions": null` (in a MapResponse update: keep the
    /// previous regions). When set and the map has no regions and no removals, we write
    /// `"Regions": null` as Go writes a nil map; otherwise we write an object.
    public var regionsIsNull: Bool

    public init(
        homeParams: DERPHomeParams? = nil,
        regions: [Int: DERPRegion] = [:],
        removedRegionIDs: Set<Int> = [],
        omitDefaultRegions: Bool = false,
        regionsIsNull: Bool = false
    ) {
        self.homeParams = homeParams
        self.regions = regions
        self.removedRegionIDs = removedRegionIDs
        self.omitDefaultRegions = omitDefaultRegions
        self.regionsIsNull = regionsIsNull
    }

    /// A map holding `regions`, keyed by their own IDs. When two share an ID the later one wins.
    public init(regions: [DERPRegion], omitDefaultRegions: Bool = false) {
        self.init(
            regions: Dictionary(regions.map { ($0.regionID, $0) }, uniquingKeysWith: { _, later in later }),
            omitDefaultRegions: omitDefaultRegions
        )
    }

    /// Region IDs in numeric order (Go's `RegionIDs`).
    public var regionIDs: [Int] {
        regions.keys.sorted()
    }

    /// The regions in numeric order of their keys.
    public var sortedRegions: [DERPRegion] {
        regionIDs.compactMap { regions[$0] }
    }

    /// Every node in the map, regions in numeric order, nodes in priority order.
    public var allNodes: [DERPNode] {
        sortedRegions.flatMap(\.nodes)
    }

    /// The region whose `RegionCode` is `code` (compared without case), if exactly one is.
    public func region(code: String) -> DERPRegion? {
        let matches = regions.values.filter { $0.regionCode.lowercased() == code.lowercased() }
        return matches.count == 1 ? matches.first : nil
    }

    /// The node named `name`, if any.
    public func node(named name: String) -> DERPNode? {
        allNodes.first { $0.name == name }
    }
}

// MARK: - JSON

extension DERPMap: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try GoJSONObject(from: decoder)
        var map = DERPMap(
            homeParams: try object.decode(DERPHomeParams.self, "HomeParams"),
            omitDefaultRegions: try object.decode(Bool.self, "omitDefaultRegions") ?? false
        )
        if let container = try object.nestedObject("Regions") {
            let entries = try container.decodeRegionKeyed { key -> DERPRegion? in
                try container.decodeNil(forKey: key) ? nil : try container.decode(DERPRegion.self, forKey: key)
            }
            for entry in entries {
                if let region = entry.value {
                    map.regions[entry.id] = region
                } else {
                    map.removedRegionIDs.insert(entry.id)
                }
            }
        } else {
            map.regionsIsNull = true
        }
        self = map
    }

    /// Encodes with Go's keys, order and `omitempty` (regions in Go's string order). Key order
    /// survives only with encoders that keep insertion order; ``jsonData(format:regionOrder:)``
    /// always gives Go's exact bytes.
    public func encode(to encoder: any Encoder) throws {
        try goJSON(order: .goString).encode(to: encoder)
    }

    func goJSON(order: DERPMapRegionOrder) -> GoJSONValue {
        var object = GoJSONObjectBuilder()
        if let homeParams {
            object.add("HomeParams", homeParams.goJSON(order: order))
        }
        object.add("Regions", regionsJSON(order: order))
        object.add("omitDefaultRegions", omitEmpty: omitDefaultRegions)
        return object.value
    }

    /// The `Regions` object: regions and `null` removals together, in `order`. A region that is
    /// also listed as removed is written as the region.
    func regionsJSON(order: DERPMapRegionOrder) -> GoJSONValue {
        if regionsIsNull && regions.isEmpty && removedRegionIDs.isEmpty {
            return .null
        }
        let ids = order.sorted(Set(regions.keys).union(removedRegionIDs))
        return .object(ids.map { id in
            GoJSONValue.Member(key: String(id), value: regions[id]?.goJSON ?? .null)
        })
    }

    /// The map as JSON bytes identical to Go's `json.Marshal` (`.compact`) or
    /// `json.MarshalIndent(m, "", "\t")` (`.indented`). No trailing newline.
    ///
    /// - Throws: ``DERPMapError`` when a float is NaN or infinite, which JSON cannot carry.
    public func jsonData(
        format: DERPMapJSONFormat = .compact,
        regionOrder: DERPMapRegionOrder = .goString
    ) throws -> Data {
        Data(try GoJSONWriter.write(goJSON(order: regionOrder), format: format))
    }

    /// ``jsonData(format:regionOrder:)`` as a string.
    public func jsonString(
        format: DERPMapJSONFormat = .compact,
        regionOrder: DERPMapRegionOrder = .goString
    ) throws -> String {
        String(decoding: try GoJSONWriter.write(goJSON(order: regionOrder), format: format), as: UTF8.self)
    }
}

extension DERPRegion {
    /// The region alone as Go's JSON (what `derper` prints for a one-region map snippet).
    public func jsonData(format: DERPMapJSONFormat = .compact) throws -> Data {
        Data(try GoJSONWriter.write(goJSON, format: format))
    }
}

extension DERPNode {
    /// The node alone as Go's JSON.
    public func jsonData(format: DERPMapJSONFormat = .compact) throws -> Data {
        Data(try GoJSONWriter.write(goJSON, format: format))
    }
}
