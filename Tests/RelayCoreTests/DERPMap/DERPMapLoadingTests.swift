import Foundation
import Testing

@testable import RelayCore

@Suite struct DERPMapLoadingTests {
    private func decodeError(_ json: String) -> DERPMapError? {
        do {
            _ = try DERPMapFixtures.decode(json)
            return nil
        } catch {
            return error as? DERPMapError
        }
    }

    @Test func truncatedJSONReportsLineAndColumn() throws {
        let text = DERPMapFixtures.string(try DERPMap.embeddedDefault().jsonData(format: .indented))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Cut in the middle of line 10, after its first three characters.
        let cut = lines.prefix(9).joined(separator: "\n") + "\n" + lines[9].prefix(3)
        let error = try #require(decodeError(cut))
        #expect(error.code == .invalidJSON)
        #expect(error.line == 10)
        #expect(error.column == 4)
        #expect(error.description.hasPrefix("line 10, column 4: unexpected end of JSON input"))
    }

    @Test func truncatedAfterNewlineIsOnTheNextLine() throws {
        let error = try #require(decodeError("{\n\t\"Regions\": {\n"))
        #expect(error.line == 3 && error.column == 1)
    }

    @Test func syntaxErrorPosition() throws {
        let error = try #require(decodeError("{\n  \"Regions\": {\n    \"1\": {\"RegionID\": 1,,}\n  }\n}"))
        #expect(error.code == .invalidJSON)
        #expect(error.line == 3 && error.column == 25)
        #expect(error.description == "line 3, column 25: invalid character ',' looking for beginning of object key string")
    }

    @Test func typeMismatchNamesPathAndPosition() throws {
        let json = "{\"Regions\": {\"900\": {\"RegionID\": 900,\n \"Nodes\": [{\"Name\": \"a\"}, {\"Name\": \"b\", \"RegionID\": \"900\"}]}}}"
        let error = try #require(decodeError(json))
        #expect(error.code == .invalidValue)
        #expect(error.codingPath == "Regions.900.Nodes[1].RegionID")
        #expect(error.line == 2 && error.column == 53)
        #expect(error.description.contains("Regions.900.Nodes[1].RegionID"))
    }

    @Test func nullNodeIsRefused() throws {
        let error = try #require(decodeError(#"{"Regions": {"900": {"RegionID": 900, "Nodes": [null]}}}"#))
        #expect(error.code == .invalidValue)
        #expect(error.codingPath == "Regions.900.Nodes[0]")
    }

    @Test func badRegionKeys() throws {
        let notNumber = try #require(decodeError(#"{"Regions": {"fra": {"RegionID": 4}}}"#))
        #expect(notNumber.code == .invalidValue)
        #expect(notNumber.description.contains("not a decimal integer"))
        let twice = try #require(decodeError(#"{"Regions": {"1": null, "01": {"RegionID": 1}}}"#))
        #expect(twice.description.contains("both name region 1"))
        // Go's ParseInt accepts a sign and leading zeros.
        let signed = try DERPMapFixtures.decode(#"{"Regions": {"+007": {"RegionID": 7}}}"#)
        #expect(signed.regionIDs == [7])
    }

    @Test func outOfRangeNumber() throws {
        let error = try #require(decodeError(#"{"Regions": {"1": {"RegionID": 99999999999999999999}}}"#))
        #expect(error.code == .invalidValue)
        #expect(error.codingPath == "Regions.1.RegionID")
        #expect(error.line == 1 && error.column == 32)
        let fraction = try #require(decodeError(#"{"Regions": {"1": {"RegionID": 1, "Nodes": [{"DERPPort": 443.5}]}}}"#))
        #expect(fraction.description == "line 1, column 58: Regions.1.Nodes[0].DERPPort: cannot use number 443.5 as an integer")
    }

    @Test func topLevelMustBeAnObject() throws {
        let error = try #require(decodeError("[1, 2]"))
        #expect(error.code == .invalidValue)
    }

    @Test func hostileNestingIsRefusedWithoutCrashing() throws {
        let deep = "{\"Regions\": " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "}"
        let error = try #require(decodeError(deep))
        #expect(error.code == .invalidJSON)
        #expect(error.description.contains("nesting"))
    }

    @Test func loadsFromFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("derpmap-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let good = directory.appendingPathComponent("map.json")
        try Data(DERPMapFixtures.minimalJSON.utf8).write(to: good)
        #expect(try DERPMap(contentsOfFile: good.path).regionIDs == [900])

        let broken = directory.appendingPathComponent("broken.json")
        try Data("{\n\"Regions\": {\n\"900\": ".utf8).write(to: broken)
        #expect(throws: DERPMapError.self) { try DERPMap(contentsOfFile: broken.path) }
        do {
            _ = try DERPMap(contentsOfFile: broken.path)
        } catch let error as DERPMapError {
            #expect(error.line == 3 && error.column == 8)
        }

        do {
            _ = try DERPMap(contentsOfFile: directory.appendingPathComponent("missing.json").path)
            Issue.record("expected an error")
        } catch let error as DERPMapError {
            #expect(error.code == .fileUnreadable)
            #expect(error.description.contains("missing.json"))
        }
    }

    @Test func missingResourceIsAnErrorNotATrap() {
        #expect {
            try DERPMapResources.url(forResource: "no-such-file", withExtension: "json")
        } throws: { error in
            (error as? DERPMapError)?.code == .resourceUnavailable && "\(error)".contains("no-such-file.json")
        }
    }

    @Test func nodeAndRegionDecodeAlone() throws {
        let node = try DERPNode(jsonData: Data(#"{"Name":"900a","RegionID":900,"HostName":"h","IPv4":"none"}"#.utf8))
        #expect(node.ipv4Usage == .disabled && node.ipv6Usage == .resolveHostName)
        let region = try DERPRegion(jsonData: Data(#"{"RegionID":900,"RegionCode":"x","RegionName":"X","Nodes":null}"#.utf8))
        #expect(region.nodes.isEmpty)
    }
}
