/// A geographic DERP region and its nodes: Tailscale's `tailcfg.DERPRegion`.
///
/// JSON keys in Go's field order: `RegionID`, `RegionCode`, `RegionName`, `Latitude`
/// (omitempty), `Longitude` (omitempty), `Avoid` (omitempty), `NoMeasureNoHome` (omitempty),
/// `Nodes` (`null` when there are none, as Go writes a nil slice).
public struct DERPRegion: Sendable, Hashable {
    /// Unique, positive, at most 2^53−1. IDs 900–999 are reserved for users' own regions.
    public var regionID: Int
    /// Short name, usually a city or airport code (`"nyc"`).
    public var regionCode: String
    /// Long English name (`"New York City"`).
    public var regionName: String
    /// City coordinates in degrees; 0 means unknown and is not written.
    public var latitude: Double
    public var longitude: Double
    /// Deprecated "don't pick as home" flag; prefer ``noMeasureNoHome``.
    public var avoid: Bool
    /// Never measured and never chosen as home, but still used to reach peers homed here.
    public var noMeasureNoHome: Bool
    /// Nodes in priority order: clients dial the first reachable non-STUN-only node.
    public var nodes: [DERPNode]

    public init(
        regionID: Int,
        regionCode: String,
        regionName: String,
        latitude: Double = 0,
        longitude: Double = 0,
        avoid: Bool = false,
        noMeasureNoHome: Bool = false,
        nodes: [DERPNode] = []
    ) {
        self.regionID = regionID
        self.regionCode = regionCode
        self.regionName = regionName
        self.latitude = latitude
        self.longitude = longitude
        self.avoid = avoid
        self.noMeasureNoHome = noMeasureNoHome
        self.nodes = nodes
    }

    /// The first node a client would dial for DERP (not STUN-only), if any.
    public var preferredDERPNode: DERPNode? {
        nodes.first { !$0.stunOnly }
    }

    /// The name for another node in this region: the region ID followed by the first of
    /// `a`…`z`, then `aa`…`zz`, not yet used anywhere in `takenNames`.
    func nextNodeName(avoiding takenNames: Set<String>) -> String {
        let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
        let suffixes = letters + letters.flatMap { first in letters.map { first + $0 } }
        for suffix in suffixes where !takenNames.contains("\(regionID)\(suffix)") {
            return "\(regionID)\(suffix)"
        }
        return "\(regionID)-\(takenNames.count + 1)"
    }
}

extension DERPRegion: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try GoJSONObject(from: decoder)
        self.init(
            regionID: try object.decodeInt("RegionID") ?? 0,
            regionCode: try object.decode(String.self, "RegionCode") ?? "",
            regionName: try object.decode(String.self, "RegionName") ?? "",
            latitude: try object.decode(Double.self, "Latitude") ?? 0,
            longitude: try object.decode(Double.self, "Longitude") ?? 0,
            avoid: try object.decode(Bool.self, "Avoid") ?? false,
            noMeasureNoHome: try object.decode(Bool.self, "NoMeasureNoHome") ?? false,
            nodes: try object.decode([DERPNode].self, "Nodes") ?? []
        )
    }

    public func encode(to encoder: any Encoder) throws {
        try goJSON.encode(to: encoder)
    }

    var goJSON: GoJSONValue {
        var object = GoJSONObjectBuilder()
        object.add("RegionID", .int(regionID))
        object.add("RegionCode", .string(regionCode))
        object.add("RegionName", .string(regionName))
        object.add("Latitude", omitEmpty: latitude)
        object.add("Longitude", omitEmpty: longitude)
        object.add("Avoid", omitEmpty: avoid)
        object.add("NoMeasureNoHome", omitEmpty: noMeasureNoHome)
        object.add("Nodes", nodes.isEmpty ? .null : .array(nodes.map(\.goJSON)))
        return object.value
    }
}
