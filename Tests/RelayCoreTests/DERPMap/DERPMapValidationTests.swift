import Testing

@testable import RelayCore

@Suite struct DERPMapValidationTests {
    private typealias Rule = DERPMapProblem.Rule

    /// Applies `edit` to a healthy two-region map and returns the rules it trips.
    private func rules(after edit: (inout DERPMap) -> Void, defaultRegionIDs: Set<Int>? = nil) -> [Rule] {
        var map = DERPMapFixtures.twoRegions
        edit(&map)
        return map.validate(defaultRegionIDs: defaultRegionIDs).map(\.rule)
    }

    private func editNode(_ map: inout DERPMap, _ edit: (inout DERPNode) -> Void) {
        edit(&map.regions[900, default: DERPRegion(regionID: 0, regionCode: "", regionName: "")].nodes[0])
    }

    @Test func healthyMapsPass() throws {
        #expect(DERPMapFixtures.twoRegions.validate().isEmpty)
        let defaults = try DERPMap.embeddedDefault()
        #expect(defaults.validate(defaultRegionIDs: Set(defaults.regionIDs)).isEmpty)
        #expect(try DERPMapFixtures.decode(DERPMapFixtures.fullExampleJSON).validate() == [
            DERPMapProblem(.singleRegion, "only one region: a single point of failure"),
        ])
    }

    @Test func regionKeyMismatchAndDuplicateRegionID() {
        let found = rules { map in map.regions[901]?.regionID = 900 }
        #expect(found.contains(.regionKeyMismatch))
        #expect(found.contains(.duplicateRegionID))
        #expect(found.contains(.nodeRegionMismatch))  // 901a still says 901
    }

    @Test func duplicateRegionIDMessageNamesBothKeys() {
        var map = DERPMapFixtures.twoRegions
        map.regions[901]?.regionID = 900
        let problem = map.validate().first { $0.rule == .duplicateRegionID }
        #expect(problem?.description == "error: region 901: RegionID 900 is also used by region key 900")
    }

    @Test(arguments: [0, -5, (1 << 53)])
    func regionIDOutOfRange(id: Int) {
        let found = rules { map in
            map.regions[id] = DERPRegion(regionID: id, regionCode: "bad", regionName: "", nodes: [DERPMapFixtures.node("bad1", region: id)])
        }
        #expect(found == [.regionIDOutOfRange])
    }

    @Test func nodeRegionMismatch() {
        #expect(rules { editNode(&$0) { $0.regionID = 1 } } == [.nodeRegionMismatch])
    }

    @Test func missingHostName() {
        var map = DERPMapFixtures.twoRegions
        map.regions[900]?.nodes[1].hostName = ""
        #expect(map.validate().map(\.description) == [#"error: region 900, node "900b": HostName is empty"#])
    }

    @Test func duplicateNodeNames() {
        let across = rules { map in map.regions[901]?.nodes[0].name = "900a" }
        #expect(across == [.duplicateNodeName])
        var within = DERPMapFixtures.twoRegions
        within.regions[900]?.nodes[1].name = "900a"
        let problems = within.validate()
        #expect(problems.map(\.rule) == [.duplicateNodeName])
        #expect(problems.first?.description == #"error: region 900, node "900a": node name is already used in region 900"#)
    }

    @Test(arguments: ["1.2.3", "none ", "None", "2001:db8::1", "example.com", "01.2.3.4"])
    func invalidIPv4(value: String) {
        #expect(rules { editNode(&$0) { $0.ipv4 = value } } == [.invalidIPv4])
    }

    @Test(arguments: ["", "none", "192.0.2.1"])
    func acceptableIPv4(value: String) {
        #expect(rules { editNode(&$0) { $0.ipv4 = value } }.isEmpty)
    }

    @Test(arguments: ["1.2.3.4", "2001:db8::g", "NONE", "::1::"])
    func invalidIPv6(value: String) {
        #expect(rules { editNode(&$0) { $0.ipv6 = value } } == [.invalidIPv6])
    }

    @Test(arguments: ["", "none", "2001:db8::10", "::ffff:192.0.2.1", "fe80::1%eth0"])
    func acceptableIPv6(value: String) {
        #expect(rules { editNode(&$0) { $0.ipv6 = value } }.isEmpty)
    }

    @Test(arguments: [
        "sha256-raw:", "sha256-raw:abc",
        "sha256-raw:" + String(repeating: "A", count: 64),
        "sha256-raw:" + String(repeating: "a", count: 63) + "g",
        "sha256-raw:" + String(repeating: "a", count: 65),
    ])
    func invalidCertPin(value: String) {
        #expect(rules { editNode(&$0) { $0.certName = value } } == [.invalidCertPin])
    }

    @Test func certNameForms() {
        #expect(rules { editNode(&$0) { $0.certName = DERPMapFixtures.pin } }.isEmpty)
        #expect(rules { editNode(&$0) { $0.certName = "derp.example.net" } }.isEmpty)
        #expect(rules { editNode(&$0) { $0.certName = "SHA256-RAW:" + String(repeating: "a", count: 64) } } == [.certPinPrefixCase])
    }

    @Test func ports() {
        #expect(rules { editNode(&$0) { $0.stunPort = 65536 } } == [.portOutOfRange])
        #expect(rules { editNode(&$0) { $0.derpPort = 70000 } } == [.portOutOfRange])
        #expect(rules { editNode(&$0) { $0.derpPort = -1 } } == [.portOutOfRange])
        #expect(rules { editNode(&$0) { $0.stunPort = -1 } }.isEmpty)  // STUN off
        #expect(rules { editNode(&$0) { $0.stunPort = 65535; $0.derpPort = 65535 } }.isEmpty)
    }

    @Test func regionWarnings() {
        #expect(rules { $0.regions[901]?.nodes = [] } == [.regionWithoutNodes])
        #expect(rules { $0.regions[901]?.nodes[0].stunOnly = true } == [.regionOnlySTUN])
        #expect(rules { $0.regions[901]?.avoid = true } == [.avoidDeprecated])
        #expect(rules { $0.regions[901]?.regionCode = "ONE" } == [.duplicateRegionCode])
    }

    @Test func mapWarnings() {
        #expect(rules { $0.regions[901] = nil } == [.singleRegion])
        #expect(rules { $0.regions = [:] } == [.noRegions])
        #expect(rules { $0.homeParams = DERPHomeParams(regionScore: [900: 0.5, 901: 0]) } == [.ignoredRegionScore])
    }

    @Test func nullEntries() {
        #expect(rules { $0.removedRegionIDs = [1] } == [.nullRegion])
        #expect(rules { $0.removedRegionIDs = [900] } == [.regionRemovedAndDefined])
    }

    @Test func userRegionOutsideReservedRange() {
        let found = rules(
            after: { map in map.regions[42] = DERPMapFixtures.region(42, code: "own", nodes: ["42a"]) },
            defaultRegionIDs: Set(1...28)
        )
        #expect(found == [.userRegionOutsideReservedRange])
        // Without the default IDs the check is off.
        #expect(rules { $0.regions[42] = DERPMapFixtures.region(42, code: "own", nodes: ["42a"]) }.isEmpty)
    }

    @Test func nodeWarnings() {
        #expect(rules { editNode(&$0) { $0.insecureForTests = true } } == [.insecureForTests])
        #expect(rules { editNode(&$0) { $0.canPort80 = true } }.isEmpty)
        #expect(rules { editNode(&$0) { $0.canPort80 = true; $0.ipv4 = "" } } == [.canPort80WithoutIPv4])
        #expect(rules { editNode(&$0) { $0.name = "" } } == [.missingNodeName])
    }

    @Test func severitiesAndSummary() {
        var map = DERPMapFixtures.twoRegions
        map.regions[900]?.nodes[0].ipv4 = "bad\nvalue"
        map.regions[901]?.avoid = true
        let problems = map.validate()
        #expect(problems.containsErrors)
        #expect(problems.map(\.severity) == [.error, .warning])
        // Messages stay on one line whatever the input holds.
        #expect(problems.allSatisfy { !$0.description.contains("\n") })
        #expect(!DERPMapFixtures.twoRegions.validate().containsErrors)
    }
}
