import Testing

@testable import RelayCore

@Suite struct DERPMapFilterTests {
    private let defaults: DERPMap
    private let geo: DERPRegionGeoTable

    init() throws {
        defaults = try DERPMap.embeddedDefault()
        geo = try DERPRegionGeoTable.embedded()
    }

    @Test func keepEUMemberStatesLeavesOnlyEURegions() throws {
        let map = try defaults.filtered(keeping: [.euMemberStates], geo: geo)
        #expect(map.regionIDs == [4, 14, 18, 19, 22, 26, 28])
        for region in map.sortedRegions {
            let country = try #require(geo.geo(for: region)?.country)
            #expect(country.isEUMember)
        }
        #expect(map.regions[8] == nil)  // London: Europe, not EU
        #expect(!map.validate(defaultRegionIDs: Set(defaults.regionIDs)).containsErrors)
    }

    @Test func keepByContinentCountryCodeAndID() throws {
        #expect(try defaults.filtered(keeping: [.continent(.europe)], geo: geo).regionIDs == [4, 8, 14, 18, 19, 22, 26, 28])
        #expect(try defaults.filtered(keeping: [.country("de"), .regionCode("LHR"), .regionID(1)], geo: geo).regionIDs == [1, 4, 8, 26])
        #expect(try defaults.filtered(keeping: [.continent(.oceania), .continent(.africa)], geo: geo).regionIDs == [5, 15, 25])
    }

    @Test func dropByCountry() throws {
        let map = try defaults.filtered(dropping: [.country("US")], geo: geo)
        #expect(map.regions.count == 28 - 10)
        #expect(map.regions.values.allSatisfy { geo.geo(for: $0)?.countryCode != "US" })
    }

    @Test func customRegionsMatchByIDAndCodeOnly() throws {
        var map = defaults
        map.regions[900] = DERPMapFixtures.region(900, code: "own", nodes: ["900a"])
        #expect(try map.filtered(keeping: [.continent(.europe), .regionCode("own")], geo: geo).regions[900] != nil)
        #expect(try map.filtered(keeping: [.continent(.europe)], geo: geo).regions[900] == nil)
        #expect(try map.filtered(dropping: [.continent(.europe)], geo: geo).regions[900] != nil)
    }

    @Test func filteringDropsScoresOfDroppedRegions() throws {
        var map = defaults
        map.homeParams = DERPHomeParams(regionScore: [1: 2, 4: 0.5])
        #expect(try map.filtered(keeping: [.regionID(4)], geo: geo).homeParams?.regionScore == [4: 0.5])
    }

    @Test func unknownSelectorsListValidOnes() {
        func message(_ selector: DERPRegionSelector) -> String? {
            do {
                _ = try defaults.filtered(keeping: [selector], geo: geo)
                return nil
            } catch let error as DERPMapError {
                #expect(error.code == .unknownSelector)
                return error.description
            } catch {
                return nil
            }
        }
        #expect(message(.regionID(99)) == "unknown region ID 99; valid: " + (1...28).map(String.init).joined(separator: ", "))
        #expect(message(.regionCode("xyz"))?.hasPrefix(#"unknown region code "xyz"; valid: nyc, sfo, sin, fra"#) == true)
        #expect(message(.country("IT")) == #"unknown country "IT" (no region there); valid: AE, AU, BR, CA, DE, ES, FI, FR, GB, HK, IN, JP, KE, NL, PL, SG, US, ZA"#)
        #expect(message(.continent(.antarctica)) == "unknown continent AN (Antarctica) (no region there); valid: AF (Africa), AS (Asia), EU (Europe), NA (North America), OC (Oceania), SA (South America)")
    }

    @Test(arguments: [
        ("900", DERPRegionSelector.regionID(900)),
        ("id:4", .regionID(4)),
        ("fra", .regionCode("fra")),
        ("code:fra", .regionCode("fra")),
        ("country:de", .country("DE")),
        ("country:EU", .euMemberStates),
        ("continent:eu", .continent(.europe)),
        (" Continent:NA ", .continent(.northAmerica)),
    ])
    func parsesSelectors(text: String, expected: DERPRegionSelector) throws {
        #expect(try DERPRegionSelector(parsing: text) == expected)
    }

    @Test(arguments: ["", "id:x", "code:", "country:DEU", "country:1A", "continent:XX", "city:Paris"])
    func rejectsBadSelectors(text: String) {
        #expect(throws: DERPMapError.self) { try DERPRegionSelector(parsing: text) }
    }
}
