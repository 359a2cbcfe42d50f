/// Continents by their two-letter codes, as GeoIP databases assign them: by country, so Honolulu
/// (United States) is North America. spec/derpmap.md §5.2.
package enum GeoContinent: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case africa = "AF"
    case antarctica = "AN"
    case asia = "AS"
    case europe = "EU"
    case northAmerica = "NA"
    case oceania = "OC"
    case southAmerica = "SA"

    /// The code, compared without case (`"eu"`, `"EU"`).
    package init?(code: String) {
        self.init(rawValue: code.uppercased())
    }

    package var code: String { rawValue }

    package var name: String {
        switch self {
        case .africa: "Africa"
        case .antarctica: "Antarctica"
        case .asia: "Asia"
        case .europe: "Europe"
        case .northAmerica: "North America"
        case .oceania: "Oceania"
        case .southAmerica: "South America"
        }
    }

    package var description: String { "\(rawValue) (\(name))" }
}
