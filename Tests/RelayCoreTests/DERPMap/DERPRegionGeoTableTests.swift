import Testing

@testable import RelayCore

@Suite struct DERPRegionGeoTableTests {
    @Test func embeddedTableMatchesDefaultMap() throws {
        let table = try DERPRegionGeoTable.embedded()
        let defaults = try DERPMap.embeddedDefault()
        #expect(table.entries.count == 28)
        for region in defaults.sortedRegions {
            let geo = try #require(table.geo(for: region))
            #expect(geo.regionCode == region.regionCode)
        }
        #expect(table.geo(regionID: 11)?.city == "São Paulo")
        #expect(table.geo(regionCode: "LHR")?.countryCode == "GB")
        #expect(table.geo(regionCode: "hnl")?.continent == .northAmerica)
        #expect(table.geo(regionID: 999) == nil)
        #expect(table.continents == [.africa, .asia, .europe, .northAmerica, .oceania, .southAmerica])
        #expect(table.countryCodes == ["AE", "AU", "BR", "CA", "DE", "ES", "FI", "FR", "GB", "HK", "IN", "JP", "KE", "NL", "PL", "SG", "US", "ZA"])
        // Every country with a region has a name in our table.
        #expect(table.countryCodes.allSatisfy { GeoCountry(code: $0) != nil })
        #expect(table.regionIDs(inCountries: ["de"]) == [4, 26])
        #expect(table.regionIDs(in: .africa) == [15, 25])
    }

    @Test func customRegionReusingAnIDHasNoGeo() throws {
        let table = try DERPRegionGeoTable.embedded()
        #expect(table.geo(for: DERPRegion(regionID: 4, regionCode: "mine", regionName: "")) == nil)
        #expect(table.geo(for: DERPRegion(regionID: 4, regionCode: "FRA", regionName: ""))?.city == "Frankfurt")
    }

    @Test func countriesAndContinents() {
        #expect(GeoCountry.euMemberCodes.count == 27)
        #expect(GeoCountry.euMemberCodes.contains("GR") && !GeoCountry.euMemberCodes.contains("GB"))
        #expect(GeoCountry(code: "de")?.name == "Germany")
        #expect(GeoCountry(code: "XX") == nil)
        #expect(GeoContinent(code: "eu") == .europe)
        #expect(GeoContinent.europe.description == "EU (Europe)")
        #expect(GeoContinent(code: "Europe") == nil)
    }

    @Test func parsesQuotedFieldsAndCRLF() throws {
        let csv = "continent,region_id,region_code,city,country_iso2,extra\r\nEU,900,\"own\",\"Frankfurt, \"\"Main\"\"\",de,x\r\n"
        let table = try DERPRegionGeoTable(csv: csv)
        #expect(table.entries == [DERPRegionGeo(regionID: 900, regionCode: "own", city: "Frankfurt, \"Main\"", countryCode: "DE", continent: .europe)])
    }

    @Test(arguments: [
        ("", "region table is empty"),
        ("region_id,region_code,city,country_iso2\n", "line 1, column 1: region table header lacks column continent"),
        ("region_id,region_code,city,country_iso2,continent\nx,a,b,DE,EU\n", "line 2, column 1: region_id is not a positive integer"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,b,DEU,EU\n", "line 2, column 1: country_iso2 \"DEU\" is not two letters"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,b,DE,XX\n", "line 2, column 1: unknown continent \"XX\" (valid: AF, AN, AS, EU, NA, OC, SA)"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,b,DE,EU\n1,b,c,DE,EU\n", "line 3, column 1: region 1 is listed twice"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,b,DE,EU\n2,A,c,DE,EU\n", "line 3, column 1: region code A is listed twice"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,\"b,DE,EU\n", "line 2, column 1: unterminated quoted field"),
        ("region_id,region_code,city,country_iso2,continent\n1,a,b\n", "line 2, column 1: row has no country_iso2"),
    ])
    func rejectsBadCSV(csv: String, message: String) {
        #expect {
            try DERPRegionGeoTable(csv: csv)
        } throws: { error in
            (error as? DERPMapError)?.code == .invalidGeoData && "\(error)" == message
        }
    }
}
