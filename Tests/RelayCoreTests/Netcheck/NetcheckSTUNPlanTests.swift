import Testing

@testable import RelayCore

/// Tailscale's full probe plan (spec/netcheck.md §3.1).
@Suite struct NetcheckSTUNPlanTests {
    static func node(_ name: String, region: Int, ipv4: String = "", ipv6: String = "", host: String = "derp.example", stunPort: Int = 0) -> DERPNode {
        DERPNode(name: name, regionID: region, hostName: host, ipv4: ipv4, ipv6: ipv6, stunPort: stunPort)
    }

    @Test func threeTriesRotatingOverNodes() {
        let region = DERPRegion(regionID: 1, regionCode: "a", regionName: "A", nodes: [
            Self.node("1a", region: 1, ipv4: "192.0.2.1", ipv6: "2001:db8::1"),
            Self.node("1b", region: 1, ipv4: "192.0.2.2", ipv6: "none"),
        ])
        let plan = NetcheckSTUNPlan(regions: [region], families: [.ipv4, .ipv6])
        #expect(plan.probes.map { "\($0.node.name)-\($0.family.shortName)-\($0.delay)" } == [
            "1a-v4-0.0 seconds", "1a-v6-0.0 seconds", "1b-v4-0.1 seconds", "1a-v4-0.2 seconds", "1a-v6-0.2 seconds",
        ])
        #expect(plan.probes.allSatisfy { $0.port == 3478 })
        #expect(plan.sets.map(\.description).sorted() == ["region-1-v4", "region-1-v6"])
    }

    @Test func skipsWhatCannotOrMustNotBeProbed() {
        let regions = [
            DERPRegion(regionID: 1, regionCode: "nomeasure", regionName: "", noMeasureNoHome: true, nodes: [Self.node("1a", region: 1)]),
            DERPRegion(regionID: 2, regionCode: "empty", regionName: ""),
            DERPRegion(regionID: 3, regionCode: "nostun", regionName: "", nodes: [Self.node("3a", region: 3, stunPort: -1)]),
            DERPRegion(regionID: 4, regionCode: "avoid", regionName: "", avoid: true, nodes: [Self.node("4a", region: 4, ipv6: "none")]),
        ]
        let plan = NetcheckSTUNPlan(regions: regions, families: [.ipv4, .ipv6])
        #expect(Set(plan.probes.map(\.regionID)) == [4], "Avoid regions are measured")
        #expect(plan.probes.allSatisfy { $0.family == .ipv4 })
    }

    @Test func familiesOfTheHostAndTestNodes() {
        let region = DERPRegion(regionID: 900, regionCode: "t", regionName: "", nodes: [
            Self.node("900a", region: 900, ipv4: "127.0.0.1", host: "127.0.0.1", stunPort: 3479),
        ])
        let plan = NetcheckSTUNPlan(regions: [region], families: [])
        #expect(plan.probes.count == 3 && plan.probes.allSatisfy { $0.family == .ipv4 && $0.port == 3479 }, "a test node, probed anyway")
        #expect(!NetcheckSTUNPlan.usable(Self.node("x", region: 1, host: "192.0.2.9"), family: .ipv6))
        #expect(NetcheckSTUNPlan.usable(Self.node("x", region: 1, host: "2001:db8::9"), family: .ipv6))
        #expect(NetcheckSTUNPlan.usable(Self.node("x", region: 1, host: "derp.example"), family: .ipv6))
        #expect(!NetcheckSTUNPlan.usable(Self.node("x", region: 1, ipv4: "none"), family: .ipv4))
    }
}
