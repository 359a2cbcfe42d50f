import Testing

@testable import RelayCore

/// Choosing probe servers from a DERP map (literal addresses only: these tests do no DNS).
@Suite struct NATServerResolverTests {
    static func node(_ name: String, region: Int, ipv4: String = "none", ipv6: String = "none", stunPort: Int = 3478,
                     stunTestIP: String = "") -> DERPNode {
        DERPNode(name: name, regionID: region, hostName: "\(name).invalid", ipv4: ipv4, ipv6: ipv6, stunPort: stunPort,
                 stunTestIP: stunTestIP)
    }

    static let map = DERPMap(regions: [
        DERPRegion(regionID: 1, regionCode: "one", regionName: "One", nodes: [
            node("1a", region: 1, ipv4: "198.51.100.1", ipv6: "2001:db8::1"),
            node("1b", region: 1, ipv4: "198.51.100.2"),
        ]),
        DERPRegion(regionID: 2, regionCode: "two", regionName: "Two", noMeasureNoHome: true, nodes: [
            node("2a", region: 2, ipv4: "198.51.100.20"),
        ]),
        DERPRegion(regionID: 3, regionCode: "three", regionName: "Three", nodes: [
            node("3a", region: 3, ipv4: "198.51.100.30", stunPort: -1),
            node("3b", region: 3, ipv4: "198.51.100.31", stunPort: 0),
        ]),
        DERPRegion(regionID: 4, regionCode: "", regionName: "Four", nodes: [
            node("4a", region: 4, ipv4: "198.51.100.40", stunTestIP: "127.0.0.9"),
        ]),
        DERPRegion(regionID: 5, regionCode: "five", regionName: "Five", nodes: [node("5a", region: 5, ipv4: "198.51.100.50", stunPort: 70000)]),
        DERPRegion(regionID: 6, regionCode: "six", regionName: "Six", nodes: [node("6a", region: 6, stunTestIP: "not-an-ip")]),
    ])

    @Test func oneNodePerRegionInRegionOrder() async {
        let interfaces = NATFixtures.interfaces(["192.168.1.10", "127.0.0.1", "fe80::1"])
        let (servers, problems) = await NATServerResolver.servers(from: Self.map, interfaces: interfaces)
        #expect(servers.map(\.name) == ["1a (one)", "3b (three)", "4a"])
        #expect(servers.map(\.address.description) == ["198.51.100.1:3478", "198.51.100.31:3478", "127.0.0.9:3478"])
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("5a") && $0.contains("70000") })
        #expect(problems.contains { $0.contains("6a") && $0.contains("not an IP address") })
    }

    @Test func ipv6OnlyWhenThisHostHasIt() async {
        let interfaces = NATFixtures.interfaces(["192.168.1.10", "2001:db8:1::10"])
        let (servers, _) = await NATServerResolver.servers(from: Self.map, interfaces: interfaces)
        #expect(servers.filter { $0.name == "1a (one)" }.map(\.address.description) == ["198.51.100.1:3478", "[2001:db8::1]:3478"])
    }

    @Test func literalSpecsNeedNoLookup() async throws {
        let specs = [NATServerSpec(host: "127.0.0.1", port: 5000), NATServerSpec(host: "::1", port: 5001)]
        let servers = try await NATServerResolver.servers(for: specs, interfaces: [])
        #expect(servers.map(\.address.description) == ["127.0.0.1:5000", "[::1]:5001"])
    }
}
