import Testing

@testable import RelayCore

@Suite struct HeadscaleYAMLTests {
    @Test func writesSpecShape() throws {
        let map = DERPMap(
            homeParams: DERPHomeParams(regionScore: [900: 0.8]),
            regions: [900: DERPRegion(regionID: 900, regionCode: "custom", regionName: "My Region", latitude: 50.1109, nodes: [
                DERPNode(name: "900a", regionID: 900, hostName: "myderp.example.com", ipv4: "198.51.100.1", ipv6: "2001:db8::1", canPort80: true),
                DERPNode(name: "900", regionID: 900, hostName: "stun.example.com", stunPort: -1, stunOnly: true, derpPort: 8443),
            ])],
            removedRegionIDs: [1],
            omitDefaultRegions: true
        )
        let expected = """
            # Headscale DERP map (derp.paths). To use only these regions, set derp.urls: [] in config.yaml.
            homeparams:
              regionscore:
                900: 0.8
            regions:
              1: null  # removes region 1 only on Headscale <= v0.29.0
              900:
                regionid: 900
                regioncode: custom
                regionname: My Region
                latitude: 50.1109
                nodes:
                  - name: 900a
                    regionid: 900
                    hostname: myderp.example.com
                    ipv4: 198.51.100.1
                    ipv6: "2001:db8::1"
                    canport80: true
                  - name: "900"
                    regionid: 900
                    hostname: stun.example.com
                    stunport: -1
                    stunonly: true
                    derpport: 8443
            omitdefaultregions: true  # ignored by Headscale

            """
        #expect(try map.headscaleYAML() == expected)
    }

    @Test func defaultMapSortsNumericallyAndQuotesUnicode() throws {
        let yaml = try DERPMap.embeddedDefault().headscaleYAML(includeHeaderComment: false)
        #expect(yaml.hasPrefix("regions:\n  1:\n    regionid: 1\n    regioncode: nyc\n    regionname: New York City\n"))
        #expect(yaml.contains("  2:\n    regionid: 2\n"))
        #expect(yaml.contains(#"regionname: "São Paulo""#))
        #expect(yaml.contains("longitude: -74.006\n"))
        #expect(yaml.contains(#"ipv6: "2607:f740:f::bc""#))
        #expect(!yaml.contains("\t"))
        #expect(try DERPMap().headscaleYAML(includeHeaderComment: false) == "regions: {}\n")
    }

    @Test(arguments: [
        ("fra", "fra"),
        ("My Region", "My Region"),
        ("derp1f.tailscale.com", "derp1f.tailscale.com"),
        ("198.51.100.1", "198.51.100.1"),
        ("900", "\"900\""),
        ("1e5", "\"1e5\""),
        ("1_000", "\"1_000\""),
        ("0x1F", "\"0x1F\""),
        ("yes", "\"yes\""),
        ("Null", "\"Null\""),
        ("none", "none"),
        ("", "\"\""),
        ("a: b", "\"a: b\""),
        ("#tag", "\"#tag\""),
        ("-dash", "\"-dash\""),
        ("trailing ", "\"trailing \""),
        ("say \"hi\"\n", "\"say \\\"hi\\\"\\n\""),
        ("bell\u{07}", "\"bell\\u0007\""),
    ])
    func quotesStringsThatNeedIt(value: String, expected: String) {
        #expect(HeadscaleYAMLWriter.string(value) == expected)
    }

    @Test func refusesNonFiniteNumbers() {
        let map = DERPMap(regions: [DERPRegion(regionID: 900, regionCode: "x", regionName: "", longitude: .infinity)])
        #expect(throws: DERPMapError.self) { try map.headscaleYAML() }
    }
}
