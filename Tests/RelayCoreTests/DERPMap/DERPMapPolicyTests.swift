import Testing

@testable import RelayCore

@Suite struct DERPMapPolicyTests {
    private let defaults: DERPMap
    private let geo: DERPRegionGeoTable
    private let custom = DERPMapFixtures.region(900, code: "own", nodes: ["900a"])

    init() throws {
        defaults = try DERPMap.embeddedDefault()
        geo = try DERPRegionGeoTable.embedded()
    }

    @Test func nullStyleNullsExactlyTheDroppedRegions() throws {
        let keep = try defaults.regionIDs(matching: .euMemberStates, geo: geo)
        let policy = try DERPMapPolicy.make(defaults: defaults, keeping: keep, custom: [custom])
        #expect(!policy.omitDefaultRegions)
        #expect(policy.removedRegionIDs == Set(1...28).subtracting(keep))
        #expect(policy.regions == [900: custom])

        let parsed = try DERPMap(jsonData: policy.jsonData(wrapped: false))
        #expect(parsed.removedRegionIDs == Set(1...28).subtracting(keep))
        #expect(parsed.regionIDs == [900])

        let effective = policy.effectiveMap(over: defaults)
        #expect(effective.regionIDs == keep.sorted() + [900])
        #expect(effective.regions[4] == defaults.regions[4])
        #expect(effective.removedRegionIDs.isEmpty && !effective.omitDefaultRegions)
        #expect(!effective.validate(defaultRegionIDs: Set(defaults.regionIDs)).containsErrors)
    }

    @Test func omitStyleCopiesKeptRegions() throws {
        let policy = try DERPMapPolicy.make(defaults: defaults, keeping: [4, 26], custom: [custom], style: .omitDefaults)
        #expect(policy.omitDefaultRegions)
        #expect(policy.removedRegionIDs.isEmpty)
        #expect(policy.regions.keys.sorted() == [4, 26, 900])
        #expect(policy.effectiveMap(over: defaults).regionIDs == [4, 26, 900])

        let text = DERPMapFixtures.string(try policy.jsonData(format: .compact))
        #expect(text.hasPrefix(#"{"derpMap":{"OmitDefaultRegions":true,"Regions":{"4":{"RegionID":4,"RegionCode":"fra","#))
        // Go's decoder (and ours) accepts the policy spelling.
        #expect(try DERPMap(jsonData: policy.jsonData(wrapped: false)).omitDefaultRegions)
    }

    @Test func policyJSONLayout() throws {
        let policy = DERPMapPolicy(regions: [900: DERPRegion(regionID: 900, regionCode: "own", regionName: "Own", nodes: [
            DERPNode(name: "900a", regionID: 900, hostName: "derp.example.net"),
        ])], removedRegionIDs: [1, 10, 2])
        let expected = """
            {
            \t"derpMap": {
            \t\t"Regions": {
            \t\t\t"1": null,
            \t\t\t"2": null,
            \t\t\t"10": null,
            \t\t\t"900": {
            \t\t\t\t"RegionID": 900,
            \t\t\t\t"RegionCode": "own",
            \t\t\t\t"RegionName": "Own",
            \t\t\t\t"Nodes": [
            \t\t\t\t\t{
            \t\t\t\t\t\t"Name": "900a",
            \t\t\t\t\t\t"RegionID": 900,
            \t\t\t\t\t\t"HostName": "derp.example.net"
            \t\t\t\t\t}
            \t\t\t\t]
            \t\t\t}
            \t\t}
            \t}
            }
            """
        #expect(DERPMapFixtures.string(try policy.jsonData()) == expected)
    }

    @Test func refusesUnknownKeptAndClashingCustomRegions() {
        #expect(throws: DERPMapError.self) { try DERPMapPolicy.make(defaults: defaults, keeping: [99]) }
        let clash = DERPMapFixtures.region(4, code: "mine", nodes: ["4z"])
        #expect(throws: DERPMapError.self) { try DERPMapPolicy.make(defaults: defaults, keeping: [1], custom: [clash]) }
        #expect(throws: DERPMapError.self) { try DERPMapPolicy.make(defaults: defaults, keeping: [1], custom: [custom, custom]) }
    }

    @Test func ownServersOnly() throws {
        let policy = try DERPMapPolicy.make(defaults: defaults, keeping: [], custom: [custom], style: .omitDefaults)
        let effective = policy.effectiveMap(over: defaults)
        #expect(effective.regionIDs == [900])
        #expect(effective.validate().map(\.rule) == [.singleRegion])
    }
}
