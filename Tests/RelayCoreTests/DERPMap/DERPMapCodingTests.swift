import Foundation
import Testing

@testable import RelayCore

@Suite struct DERPMapCodingTests {
    @Test func embeddedDefaultDecodes() throws {
        let map = try DERPMap.embeddedDefault()
        #expect(map.regions.count == 28)
        #expect(map.allNodes.count == 88)
        #expect(map.regionIDs == Array(1...28))
        #expect(map.homeParams == nil)
        #expect(!map.omitDefaultRegions)

        let nyc = try #require(map.regions[1])
        #expect(nyc.regionCode == "nyc")
        #expect(nyc.regionName == "New York City")
        #expect(nyc.latitude == 40.7128)
        #expect(nyc.longitude == -74.006)
        #expect(nyc.nodes.map(\.name) == ["1f", "1g", "1h", "1i"])

        let node = try #require(map.node(named: "1i"))
        #expect(node == DERPNode(
            name: "1i", regionID: 1, hostName: "derp1i.tailscale.com",
            ipv4: "199.38.181.103", ipv6: "2607:f740:f::e19", canPort80: true
        ))
        #expect(node.effectiveDERPPort == 443)
        #expect(node.effectiveSTUNPort == 3478)
        #expect(node.ipv4Usage == .literal("199.38.181.103"))
        #expect(map.regions[6]?.nodes.first?.hostName == "derp6.tailscale.com")
        #expect(map.region(code: "SAO")?.regionName == "São Paulo")
    }

    @Test func embeddedDefaultReencodesByteForByte() throws {
        let map = try DERPMap.embeddedDefault()
        let file = try DERPMapFixtures.sourceData("derpmap-default.json")
        // The file is json.MarshalIndent(m, "", "\t") plus a newline.
        var indented = try map.jsonData(format: .indented)
        indented.append(UInt8(ascii: "\n"))
        #expect(indented == file)
    }

    @Test func roundTripIsLossless() throws {
        let maps = [
            try DERPMap.embeddedDefault(),
            try DERPMapFixtures.decode(DERPMapFixtures.fullExampleJSON),
            try DERPMapFixtures.decode(#"{"Regions":{"1":null,"900":{"RegionID":900,"RegionCode":"x","RegionName":"X","Nodes":null}}}"#),
            try DERPMapFixtures.decode(#"{"Regions":null}"#),
        ]
        for map in maps {
            for format in [DERPMapJSONFormat.compact, .indented] {
                for order in [DERPMapRegionOrder.goString, .numeric] {
                    let data = try map.jsonData(format: format, regionOrder: order)
                    #expect(try DERPMap(jsonData: data) == map)
                }
            }
            // Through Foundation's encoder, via encode(to:).
            #expect(try DERPMap(jsonData: JSONEncoder().encode(map)) == map)
        }
    }

    @Test func minimalNodeOmitsEmptyFields() throws {
        let node = DERPNode(name: "900a", regionID: 900, hostName: "203.0.113.10", certName: DERPMapFixtures.pin)
        let json = DERPMapFixtures.string(try node.jsonData())
        #expect(json == #"{"Name":"900a","RegionID":900,"HostName":"203.0.113.10","CertName":"\#(DERPMapFixtures.pin)"}"#)

        let bare = DERPNode(name: "", regionID: 0, hostName: "")
        #expect(DERPMapFixtures.string(try bare.jsonData()) == #"{"Name":"","RegionID":0,"HostName":""}"#)

        let region = DERPRegion(regionID: 900, regionCode: "", regionName: "", latitude: -0.0)
        #expect(DERPMapFixtures.string(try region.jsonData()) == #"{"RegionID":900,"RegionCode":"","RegionName":"","Nodes":null}"#)
    }

    @Test func minimalSpecExampleReencodesExactly() throws {
        let map = try DERPMapFixtures.decode(DERPMapFixtures.minimalJSON)
        #expect(DERPMapFixtures.string(try map.jsonData()) == DERPMapFixtures.minimalJSON)
        #expect(map.regions[900]?.nodes.first?.pinnedCertificateSHA256?.count == 32)
        #expect(map.regions[900]?.nodes.first?.ipv6Usage == .disabled)
    }

    @Test func fullExampleKeepsEveryField() throws {
        let map = try DERPMapFixtures.decode(DERPMapFixtures.fullExampleJSON)
        #expect(map.homeParams?.regionScore == [900: 0.8, 1: 1.5])
        #expect(map.omitDefaultRegions)
        let region = try #require(map.regions[900])
        #expect(region.latitude == 50.1109 && region.longitude == 8.6821)
        #expect(region.nodes[0].derpPort == 8443 && region.nodes[0].stunPort == 3478 && region.nodes[0].canPort80)
        #expect(region.nodes[0].certName == "derp.example.net")
        #expect(region.nodes[1].stunOnly && region.nodes[1].ipv4.isEmpty)
        #expect(region.preferredDERPNode?.name == "900a")

        let expected = #"{"HomeParams":{"RegionScore":{"1":1.5,"900":0.8}},"Regions":{"900":{"RegionID":900,"RegionCode":"fra-own","RegionName":"Frankfurt (own)","Latitude":50.1109,"Longitude":8.6821,"Nodes":[{"Name":"900a","RegionID":900,"HostName":"derp-a.example.net","CertName":"derp.example.net","IPv4":"198.51.100.10","IPv6":"2001:db8::10","STUNPort":3478,"DERPPort":8443,"CanPort80":true},{"Name":"900s","RegionID":900,"HostName":"stun.example.net","IPv6":"none","STUNOnly":true}]}},"omitDefaultRegions":true}"#
        #expect(DERPMapFixtures.string(try map.jsonData()) == expected)
    }

    @Test func indentedMatchesMarshalIndent() throws {
        let map = DERPMap(
            homeParams: DERPHomeParams(regionScore: [:]),
            regions: [900: DERPRegion(regionID: 900, regionCode: "a", regionName: "A", nodes: [DERPNode(name: "900a", regionID: 900, hostName: "h", stunPort: -1)])],
            removedRegionIDs: [1]
        )
        let expected = """
            {
            \t"HomeParams": {},
            \t"Regions": {
            \t\t"1": null,
            \t\t"900": {
            \t\t\t"RegionID": 900,
            \t\t\t"RegionCode": "a",
            \t\t\t"RegionName": "A",
            \t\t\t"Nodes": [
            \t\t\t\t{
            \t\t\t\t\t"Name": "900a",
            \t\t\t\t\t"RegionID": 900,
            \t\t\t\t\t"HostName": "h",
            \t\t\t\t\t"STUNPort": -1
            \t\t\t\t}
            \t\t\t]
            \t\t}
            \t}
            }
            """
        #expect(DERPMapFixtures.string(try map.jsonData(format: .indented)) == expected)
    }

    @Test func regionOrder() throws {
        let map = DERPMap(regions: [1, 2, 10, 900, 19, 3].map { DERPRegion(regionID: $0, regionCode: "r\($0)", regionName: "") })
        func keys(_ order: DERPMapRegionOrder) throws -> [String] {
            let text = DERPMapFixtures.string(try map.jsonData(regionOrder: order))
            return text.split(separator: "\"").filter { Int($0) != nil }.map(String.init)
        }
        #expect(try keys(.goString) == ["1", "10", "19", "2", "3", "900"])
        #expect(try keys(.numeric) == ["1", "2", "3", "10", "19", "900"])
    }

    @Test func unknownFieldsAreIgnored() throws {
        let json = #"""
            {"Version": 3, "Regions": {"900": {"RegionID": 900, "RegionCode": "x", "Future": {"a": [1, {"b": null}]},
             "Nodes": [{"Name": "900a", "RegionID": 900, "HostName": "h", "QUICPort": 443, "Extra": "yes"}]}},
             "Anything": [true, false, null, 1.5e3]}
            """#
        let map = try DERPMapFixtures.decode(json)
        #expect(map.regions[900]?.nodes == [DERPNode(name: "900a", regionID: 900, hostName: "h")])
    }

    @Test func keysMatchCaseInsensitively() throws {
        let json = #"""
            {"regions": {"900": {"regionid": 900, "REGIONCODE": "x", "regionName": "X", "latitude": 1.5,
             "nomeasurenohome": true, "NODES": [{"name": "900a", "regionID": 900, "hostname": "h", "ipv4": "192.0.2.1",
             "stunport": 3479, "derpport": 444, "stunonly": true, "canport80": true, "certname": "c", "stuntestip": "192.0.2.9",
             "insecurefortests": true}]}}, "OmitDefaultRegions": true, "homeparams": {"regionscore": {"900": 2}}}
            """#
        let map = try DERPMapFixtures.decode(json)
        #expect(map.omitDefaultRegions)
        #expect(map.homeParams?.regionScore == [900: 2])
        let region = try #require(map.regions[900])
        #expect(region.regionCode == "x" && region.regionName == "X" && region.latitude == 1.5 && region.noMeasureNoHome)
        #expect(region.nodes == [DERPNode(
            name: "900a", regionID: 900, hostName: "h", certName: "c", ipv4: "192.0.2.1", stunPort: 3479,
            stunOnly: true, derpPort: 444, insecureForTests: true, stunTestIP: "192.0.2.9", canPort80: true
        )])
        // Encoding always uses Go's spelling.
        #expect(DERPMapFixtures.string(try map.jsonData()).contains(#""omitDefaultRegions":true"#))
    }

    @Test func exactKeyWinsOverOtherSpellings() throws {
        let node = try DERPNode(jsonData: Data(#"{"hostname": "lower", "HostName": "exact", "HOSTNAME": "upper"}"#.utf8))
        #expect(node.hostName == "exact")
        let folded = try DERPNode(jsonData: Data(#"{"hostname": "lower", "HOSTNAME": "upper"}"#.utf8))
        #expect(folded.hostName == "lower")  // the spelling that sorts last
        // Go's folding also maps U+212A KELVIN SIGN to k and U+017F LONG S to s.
        let kelvin = try DERPNode(jsonData: Data("{\"In\u{017F}ecureForTe\u{017F}t\u{017F}\": true}".utf8))
        #expect(kelvin.insecureForTests)
    }

    @Test func nullFieldsLeaveZeroValues() throws {
        let node = try DERPNode(jsonData: Data(#"{"Name": null, "RegionID": null, "HostName": "h", "STUNOnly": null}"#.utf8))
        #expect(node == DERPNode(name: "", regionID: 0, hostName: "h"))
    }

    @Test func nullRegionsArePreserved() throws {
        let map = try DERPMapFixtures.decode(#"{"Regions": {"900": null, "1": null, "2": {"RegionID": 2, "RegionCode": "sfo", "RegionName": "San Francisco", "Nodes": []}}}"#)
        #expect(map.removedRegionIDs == [1, 900])
        #expect(map.regionIDs == [2])
        #expect(DERPMapFixtures.string(try map.jsonData()) == #"{"Regions":{"1":null,"2":{"RegionID":2,"RegionCode":"sfo","RegionName":"San Francisco","Nodes":null},"900":null}}"#)
    }

    @Test func absentAndNullRegions() throws {
        for json in [#"{}"#, #"{"Regions": null}"#] {
            let map = try DERPMapFixtures.decode(json)
            #expect(map.regionsIsNull)
            #expect(DERPMapFixtures.string(try map.jsonData()) == #"{"Regions":null}"#)
        }
        let empty = try DERPMapFixtures.decode(#"{"Regions": {}}"#)
        #expect(!empty.regionsIsNull)
        #expect(DERPMapFixtures.string(try empty.jsonData()) == #"{"Regions":{}}"#)
        #expect(DERPMapFixtures.string(try DERPMap().jsonData()) == #"{"Regions":{}}"#)
    }

    @Test func homeParamsScores() throws {
        let reset = try DERPMapFixtures.decode(#"{"HomeParams": {"RegionScore": {}}, "Regions": {}}"#)
        #expect(reset.homeParams?.regionScore == [:])
        let keep = try DERPMapFixtures.decode(#"{"HomeParams": {"RegionScore": null}, "Regions": {}}"#)
        #expect(keep.homeParams != nil && keep.homeParams?.regionScore == nil)
        // Go's omitempty drops an empty map, so both write "HomeParams":{}.
        #expect(DERPMapFixtures.string(try reset.jsonData()) == #"{"HomeParams":{},"Regions":{}}"#)
        #expect(DERPMapFixtures.string(try keep.jsonData()) == #"{"HomeParams":{},"Regions":{}}"#)
    }

    @Test func nonFiniteFloatsAreRefused() throws {
        let map = DERPMap(regions: [DERPRegion(regionID: 900, regionCode: "x", regionName: "", latitude: .nan)])
        #expect(throws: DERPMapError.self) { try map.jsonData() }
        do {
            _ = try map.jsonData()
        } catch let error as DERPMapError {
            #expect(error.code == .unsupportedValue)
        }
    }

    @Test func stringsAreEscapedLikeGo() throws {
        let node = DERPNode(name: "a\"b\\c\n\t\u{08}\u{0C}\u{01}<>&\u{2028}é", regionID: 1, hostName: "h")
        let json = DERPMapFixtures.string(try node.jsonData())
        #expect(json.hasPrefix(#"{"Name":"a\"b\\c\n\t\b\f\u0001\u003c\u003e\u0026\u2028é","#))
        #expect(try DERPNode(jsonData: Data(json.utf8)) == node)
    }
}
