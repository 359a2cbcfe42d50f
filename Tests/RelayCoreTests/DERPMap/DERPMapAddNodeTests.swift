import Testing

@testable import RelayCore

@Suite struct DERPMapAddNodeTests {
    private let newNode = DERPNode(
        name: "", regionID: 0, hostName: "203.0.113.10", certName: DERPMapFixtures.pin,
        ipv4: "203.0.113.10", ipv6: "none"
    )

    @Test func addsNodeAsNewRegionAndParsesBack() throws {
        let defaults = try DERPMap.embeddedDefault()
        let map = try defaults.addingNode(newNode, to: .newRegion(id: nil, code: "myderp", name: "My DERP"))
        let region = try #require(map.regions[900])
        #expect(region.regionCode == "myderp" && region.regionName == "My DERP")
        #expect(region.nodes == [DERPNode(
            name: "900a", regionID: 900, hostName: "203.0.113.10", certName: DERPMapFixtures.pin,
            ipv4: "203.0.113.10", ipv6: "none"
        )])
        #expect(map.regions.count == 29)

        for format in [DERPMapJSONFormat.compact, .indented] {
            let parsed = try DERPMap(jsonData: map.jsonData(format: format))
            #expect(parsed == map)
            #expect(!parsed.validate(defaultRegionIDs: Set(defaults.regionIDs)).containsErrors)
        }
        // Alone, it is exactly the spec's minimal example.
        let alone = try DERPMap().addingNode(newNode, to: .newRegion(id: 900, code: "myderp", name: "My DERP"))
        #expect(DERPMapFixtures.string(try alone.jsonData()) == DERPMapFixtures.minimalJSON)
    }

    @Test func picksNextFreeUserRegionID() throws {
        var map = DERPMapFixtures.twoRegions
        map.removedRegionIDs = [902]
        #expect(map.nextFreeUserRegionID == 903)
        let added = try map.addingNode(newNode, to: .newRegion(id: nil, code: "three", name: "Three"))
        #expect(added.regions[903]?.nodes.first?.name == "903a")
    }

    @Test func addsIntoExistingRegion() throws {
        let map = DERPMapFixtures.twoRegions
        let last = try map.addingNode(newNode, to: .existingRegion(900))
        #expect(last.regions[900]?.nodes.map(\.name) == ["900a", "900b", "900c"])
        let first = try map.addingNode(newNode, to: .existingRegion(900), asPreferred: true)
        #expect(first.regions[900]?.nodes.map(\.name) == ["900c", "900a", "900b"])
        #expect(first.regions[900]?.preferredDERPNode?.hostName == "203.0.113.10")
        var named = newNode
        named.name = "edge-1"
        named.regionID = 901
        #expect(try map.addingNode(named, to: .existingRegion(901)).regions[901]?.nodes.last?.name == "edge-1")
    }

    private func error(_ body: () throws -> DERPMap) -> DERPMapError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? DERPMapError
        }
    }

    @Test func refusesConflicts() {
        let map = DERPMapFixtures.twoRegions
        var taken = newNode
        taken.name = "901a"
        #expect(error { try map.addingNode(taken, to: .existingRegion(900)) }?.description
            == #"node name "901a" is already used in region 901"#)
        var wrongRegion = newNode
        wrongRegion.regionID = 901
        #expect(error { try map.addingNode(wrongRegion, to: .existingRegion(900)) }?.code == .conflict)
        #expect(error { try map.addingNode(newNode, to: .newRegion(id: 900, code: "x", name: "")) }?.code == .conflict)
        #expect(error { try map.addingNode(newNode, to: .newRegion(id: 950, code: "ONE", name: "")) }?.description
            == #"region code "ONE" is already used by region 900"#)
        #expect(error { try map.addingNode(newNode, to: .newRegion(id: 950, code: "", name: "")) }?.code == .conflict)
        #expect(error { try map.addingNode(newNode, to: .newRegion(id: 0, code: "z", name: "")) }?.code == .conflict)
        #expect(error { try map.addingNode(newNode, to: .existingRegion(42)) }?.code == .unknownSelector)

        let full = DERPMap(regions: (900...999).map { DERPRegion(regionID: $0, regionCode: "r\($0)", regionName: "") })
        #expect(error { try full.addingNode(newNode, to: .newRegion(id: nil, code: "x", name: "")) }?.description
            == "no free region ID in 900–999")
    }

    @Test func refusesInvalidNodes() {
        let map = DERPMapFixtures.twoRegions
        var noHost = newNode
        noHost.hostName = ""
        #expect(error { try map.addingNode(noHost, to: .existingRegion(900)) }?.code == .invalidNode)
        var badAddress = newNode
        badAddress.ipv4 = "203.0.113"
        let failure = error { try map.addingNode(badAddress, to: .existingRegion(900)) }
        #expect(failure?.code == .invalidNode)
        #expect(failure?.description.contains("203.0.113") == true)
        var badPort = newNode
        badPort.derpPort = 100_000
        #expect(error { try map.addingNode(badPort, to: .existingRegion(900)) }?.code == .invalidNode)
    }
}
