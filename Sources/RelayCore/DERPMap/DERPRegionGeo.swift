/// Where a DERP region is: one row of `derp-regions.csv` (spec/derpmap.md §5.3).
///
/// Country and continent are our additions; Tailscale's JSON carries neither, and we never write
/// them into DERP map JSON.
package struct DERPRegionGeo: Sendable, Hashable {
    package var regionID: Int
    package var regionCode: String
    package var city: String
    /// Upper-case ISO 3166-1 alpha-2 code.
    package var countryCode: String
    package var continent: GeoContinent

    package init(regionID: Int, regionCode: String, city: String, countryCode: String, continent: GeoContinent) {
        self.regionID = regionID
        self.regionCode = regionCode
        self.city = city
        self.countryCode = countryCode
        self.continent = continent
    }

    /// The country's details, when it is one we know by name.
    package var country: GeoCountry? {
        GeoCountry(code: countryCode)
    }
}
