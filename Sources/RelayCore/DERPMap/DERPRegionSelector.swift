import Foundation

/// Picks regions of a DERP map for filtering and geofencing.
///
/// Country and continent come from ``DERPRegionGeoTable``, which only knows Tailscale's default
/// regions; a region matches only when its ID *and* code agree with the table, so a custom
/// region reusing a default ID is never mistaken for it.
package enum DERPRegionSelector: Sendable, Hashable, CustomStringConvertible {
    /// The region with this ID (map key).
    case regionID(Int)
    /// The region with this `RegionCode` (without case).
    case regionCode(String)
    /// Regions in this country (ISO 3166-1 alpha-2, without case).
    case country(String)
    /// Regions on this continent.
    case continent(GeoContinent)
    /// Regions in a member state of the European Union (not the same as `continent(.europe)`:
    /// London is in Europe but not in the EU).
    case euMemberStates

    /// Parses the text form used on command lines:
    ///
    /// | text | selector |
    /// | --- | --- |
    /// | `900`, `id:900` | ``regionID(_:)`` |
    /// | `fra`, `code:fra` | ``regionCode(_:)`` |
    /// | `country:DE` | ``country(_:)`` |
    /// | `country:EU` | ``euMemberStates`` (`EU` is ISO 3166's reserved code for the Union) |
    /// | `continent:EU` | ``continent(_:)`` (`EU` here is Europe) |
    package init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else {
            if let id = Int(trimmed) {
                self = .regionID(id)
            } else if !trimmed.isEmpty {
                self = .regionCode(trimmed)
            } else {
                throw DERPMapError.unknownSelector("empty region selector", valid: Self.forms)
            }
            return
        }
        let kind = trimmed[..<colon].lowercased()
        let value = String(trimmed[trimmed.index(after: colon)...])
        switch kind {
        case "id":
            guard let id = Int(value) else {
                throw DERPMapError.unknownSelector("region ID \(DERPMapProblem.quoted(value))", valid: ["a decimal integer"])
            }
            self = .regionID(id)
        case "code":
            guard !value.isEmpty else { throw DERPMapError.unknownSelector("empty region code", valid: Self.forms) }
            self = .regionCode(value)
        case "country":
            let code = value.uppercased()
            if code == "EU" {
                self = .euMemberStates
            } else if code.utf8.count == 2, code.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) {
                self = .country(code)
            } else {
                throw DERPMapError.unknownSelector(
                    "country \(DERPMapProblem.quoted(value))",
                    valid: ["two-letter ISO 3166-1 codes such as DE", "EU (member states)"]
                )
            }
        case "continent":
            guard let continent = GeoContinent(code: value) else {
                throw DERPMapError.unknownSelector(
                    "continent \(DERPMapProblem.quoted(value))",
                    valid: GeoContinent.allCases.map(\.description)
                )
            }
            self = .continent(continent)
        default:
            throw DERPMapError.unknownSelector("selector kind \(DERPMapProblem.quoted(String(kind)))", valid: Self.forms)
        }
    }

    private static let forms = ["<id>", "<code>", "id:<id>", "code:<code>", "country:<ISO2>", "country:EU", "continent:<AF|AN|AS|EU|NA|OC|SA>"]

    package var description: String {
        switch self {
        case .regionID(let id): "id:\(id)"
        case .regionCode(let code): "code:\(code)"
        case .country(let code): "country:\(code)"
        case .continent(let continent): "continent:\(continent.code)"
        case .euMemberStates: "country:EU"
        }
    }
}
