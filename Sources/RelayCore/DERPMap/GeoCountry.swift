/// ISO 3166-1 alpha-2 countries our tools know by name: every country of a Tailscale default
/// region (spec/derpmap.md §5.2) and every member state of the European Union.
package struct GeoCountry: Sendable, Hashable, CustomStringConvertible {
    /// Upper-case ISO 3166-1 alpha-2 code (`"DE"`). Greece is `GR` here, not the EU's `EL`.
    package let code: String
    package let name: String
    /// Member state of the European Union (27 states since 2020; the United Kingdom is not).
    package let isEUMember: Bool

    package var description: String { "\(code) (\(name))" }

    /// The country with this code (compared without case), if we know it.
    package init?(code: String) {
        guard let country = Self.all.first(where: { $0.code == code.uppercased() }) else { return nil }
        self = country
    }

    private init(_ code: String, _ name: String, eu: Bool = false) {
        self.code = code
        self.name = name
        self.isEUMember = eu
    }

    /// Codes of the EU member states.
    package static var euMemberCodes: Set<String> {
        Set(all.filter(\.isEUMember).map(\.code))
    }

    package static let all: [GeoCountry] = [
        GeoCountry("AE", "United Arab Emirates"),
        GeoCountry("AT", "Austria", eu: true),
        GeoCountry("AU", "Australia"),
        GeoCountry("BE", "Belgium", eu: true),
        GeoCountry("BG", "Bulgaria", eu: true),
        GeoCountry("BR", "Brazil"),
        GeoCountry("CA", "Canada"),
        GeoCountry("CY", "Cyprus", eu: true),
        GeoCountry("CZ", "Czechia", eu: true),
        GeoCountry("DE", "Germany", eu: true),
        GeoCountry("DK", "Denmark", eu: true),
        GeoCountry("EE", "Estonia", eu: true),
        GeoCountry("ES", "Spain", eu: true),
        GeoCountry("FI", "Finland", eu: true),
        GeoCountry("FR", "France", eu: true),
        GeoCountry("GB", "United Kingdom"),
        GeoCountry("GR", "Greece", eu: true),
        GeoCountry("HK", "Hong Kong"),
        GeoCountry("HR", "Croatia", eu: true),
        GeoCountry("HU", "Hungary", eu: true),
        GeoCountry("IE", "Ireland", eu: true),
        GeoCountry("IN", "India"),
        GeoCountry("IT", "Italy", eu: true),
        GeoCountry("JP", "Japan"),
        GeoCountry("KE", "Kenya"),
        GeoCountry("LT", "Lithuania", eu: true),
        GeoCountry("LU", "Luxembourg", eu: true),
        GeoCountry("LV", "Latvia", eu: true),
        GeoCountry("MT", "Malta", eu: true),
        GeoCountry("NL", "Netherlands", eu: true),
        GeoCountry("PL", "Poland", eu: true),
        GeoCountry("PT", "Portugal", eu: true),
        GeoCountry("RO", "Romania", eu: true),
        GeoCountry("SE", "Sweden", eu: true),
        GeoCountry("SG", "Singapore"),
        GeoCountry("SI", "Slovenia", eu: true),
        GeoCountry("SK", "Slovakia", eu: true),
        GeoCountry("US", "United States"),
        GeoCountry("ZA", "South Africa"),
    ]
}
