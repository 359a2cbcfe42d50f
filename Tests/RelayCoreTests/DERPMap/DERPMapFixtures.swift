import Foundation

@testable import RelayCore

/// Small maps and helpers shared by the DERP map suites.
enum DERPMapFixtures {
    static let pin = "sha256-raw:" + String(repeating: "0123456789abcdef", count: 4)

    /// spec/derpmap.md §2.5, "Minimal custom region", with a real-looking pin.
    static var minimalJSON: String {
        #"{"Regions":{"900":{"RegionID":900,"RegionCode":"myderp","RegionName":"My DERP","Nodes":[{"Name":"900a","RegionID":900,"HostName":"203.0.113.10","CertName":"\#(pin)","IPv4":"203.0.113.10","IPv6":"none"}]}}}"#
    }

    /// spec/derpmap.md §2.5, "With HomeParams and every optional node field shown".
    static let fullExampleJSON = """
        {
          "HomeParams": {"RegionScore": {"900": 0.8, "1": 1.5}},
          "Regions": {
            "900": {
              "RegionID": 900, "RegionCode": "fra-own", "RegionName": "Frankfurt (own)",
              "Latitude": 50.1109, "Longitude": 8.6821,
              "Nodes": [
                {"Name": "900a", "RegionID": 900, "HostName": "derp-a.example.net",
                 "CertName": "derp.example.net", "IPv4": "198.51.100.10", "IPv6": "2001:db8::10",
                 "STUNPort": 3478, "DERPPort": 8443, "CanPort80": true},
                {"Name": "900s", "RegionID": 900, "HostName": "stun.example.net",
                 "IPv6": "none", "STUNOnly": true}
              ]
            }
          },
          "omitDefaultRegions": true
        }
        """

    static func node(_ name: String, region: Int, host: String? = nil) -> DERPNode {
        DERPNode(name: name, regionID: region, hostName: host ?? "derp\(name).example.net", ipv4: "198.51.100.\(abs(region % 250) + 1)")
    }

    static func region(_ id: Int, code: String, nodes: [String]) -> DERPRegion {
        DERPRegion(regionID: id, regionCode: code, regionName: code.uppercased(), nodes: nodes.map { node($0, region: id) })
    }

    /// Two healthy custom regions.
    static var twoRegions: DERPMap {
        DERPMap(regions: [region(900, code: "one", nodes: ["900a", "900b"]), region(901, code: "two", nodes: ["901a"])])
    }

    static func decode(_ json: String) throws -> DERPMap {
        try DERPMap(jsonData: Data(json.utf8))
    }

    static func string(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
    }

    static func sourceData(_ name: String) throws -> Data {
        // Tests/RelayCoreTests/DERPMap/ -> Sources/RelayCore/Resources/
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RelayCore/Resources").appendingPathComponent(name)
        return try Data(contentsOf: url)
    }
}
