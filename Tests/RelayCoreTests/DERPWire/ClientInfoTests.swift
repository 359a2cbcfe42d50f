import Foundation
import Testing

@testable import RelayCore

extension DERPWireTests {
    @Suite("ClientInfo JSON")
    struct ClientInfoTests {
        typealias F = DERPWireFixtures

        static let meshHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        static let meshKey: DERPMeshKey = {
            do {
                return try DERPMeshKey(text: meshHex)
            } catch {
                fatalError("bad mesh key fixture: \(error)")
            }
        }()

        static func json(_ info: ClientInfo) -> String {
            String(decoding: info.jsonBytes(), as: UTF8.self)
        }

        static func decode(_ json: String) throws -> ClientInfo {
            try ClientInfo(jsonBytes: Array(json.utf8))
        }

        // MARK: - Exact bytes (spec §6.2)

        @Test("tailscaled's ClientInfo")
        func tailscaled() {
            #expect(Self.json(ClientInfo(version: 2, canAckPings: true)) == #"{"version":2,"CanAckPings":true}"#)
        }

        @Test("derper mesh client's ClientInfo")
        func meshClient() {
            let info = ClientInfo(meshKey: Self.meshKey, version: 2, canAckPings: false)
            #expect(Self.json(info) == #"{"meshKey":"\#(Self.meshHex)","version":2,"CanAckPings":false}"#)
        }

        @Test("derpprobe's ClientInfo, with and without a mesh key")
        func prober() {
            #expect(Self.json(ClientInfo(version: 2, isProber: true)) == #"{"version":2,"CanAckPings":false,"IsProber":true}"#)
            let meshProber = ClientInfo(meshKey: Self.meshKey, version: 2, isProber: true)
            #expect(Self.json(meshProber) == #"{"meshKey":"\#(Self.meshHex)","version":2,"CanAckPings":false,"IsProber":true}"#)
        }

        @Test("zero and empty fields are omitted, CanAckPings never")
        func omitted() {
            #expect(Self.json(ClientInfo(version: 0)) == #"{"CanAckPings":false}"#)
            #expect(Self.json(ClientInfo(version: 2, appName: "app")) == #"{"version":2,"CanAckPings":false,"AppName":"app"}"#)
        }

        @Test("AppName is escaped as Go's json.Marshal escapes it")
        func escaping() {
            let info = ClientInfo(version: 0, appName: "a<b>&\"\\\n\r\t\u{8}\u{C}\u{1}\u{7F}\u{2028}\u{2029}é🔑")
            let expected = #"{"CanAckPings":false,"AppName":"a\u003cb\u003e\u0026\"\\\n\r\t\b\f\u0001"#
                + "\u{7F}" + #"\u2028\u2029é🔑"}"#
            #expect(Self.json(info) == expected)
        }

        @Test("the spec's worked example decodes")
        func workedExample() throws {
            #expect(try Self.decode(#"{"version":2,"CanAckPings":true}"#) == ClientInfo(version: 2, canAckPings: true))
        }

        @Test("jsonBytes round-trips", arguments: [
            ClientInfo(version: 2, canAckPings: true),
            ClientInfo(meshKey: meshKey, version: 2),
            ClientInfo(version: 7, isProber: true, appName: "x\"y<z>"),
            ClientInfo(version: 0),
        ])
        func roundTrip(_ info: ClientInfo) throws {
            #expect(try ClientInfo(jsonBytes: info.jsonBytes()) == info)
        }

        @Test("Codable encoding through JSONEncoder decodes back")
        func codable() throws {
            let info = ClientInfo(meshKey: Self.meshKey, version: 2, canAckPings: true, isProber: true, appName: "a")
            let data = try JSONEncoder().encode(info)
            #expect(try JSONDecoder().decode(ClientInfo.self, from: data) == info)
            let sorted = JSONEncoder()
            sorted.outputFormatting = .sortedKeys
            let text = String(decoding: try sorted.encode(ClientInfo(version: 2, canAckPings: true)), as: UTF8.self)
            #expect(text == #"{"CanAckPings":true,"version":2}"#)
        }

        // MARK: - Decoding like Go

        @Test("keys match case-insensitively")
        func caseInsensitive() throws {
            let json = #"{"MESHKEY":"\#(Self.meshHex.uppercased())","VERSION":2,"canackpings":true,"isprober":true,"appname":"n"}"#
            let info = try Self.decode(json)
            #expect(info == ClientInfo(meshKey: Self.meshKey, version: 2, canAckPings: true, isProber: true, appName: "n"))
        }

        @Test("keys fold as Go folds them (KELVIN SIGN, long s, dotted and dotless I)")
        func unicodeFolding() throws {
            let info = try Self.decode(#"{"CanAc\u212APings":true,"I\u017FProber":true,"\u0130sProber":false,"appName":"x"}"#)
            #expect(info.canAckPings)
            #expect(info.appName == "x")
            #expect(DERPJSONKey.fold("\u{0131}sprober") == "ISPROBER")
            #expect(DERPJSONKey.fold("CanAckPings") == "CANACKPINGS")
            #expect(DERPJSONKey.fold("verſion") == "VERSION")
            #expect(DERPJSONKey.fold("versión") != "VERSION")
        }

        @Test("unknown fields are ignored and null leaves a field at zero")
        func unknownAndNull() throws {
            let info = try Self.decode(#"{"version":2,"Future":{"a":[1,2,{"b":null}]},"x":"y","CanAckPings":true}"#)
            #expect(info == ClientInfo(version: 2, canAckPings: true))
            let nulls = try Self.decode(#"{"version":null,"CanAckPings":null,"IsProber":null,"AppName":null}"#)
            #expect(nulls == ClientInfo(version: 0))
            #expect(try Self.decode(" {} \n") == ClientInfo(version: 0))
        }

        @Test("malformed JSON throws invalidJSON", arguments: [
            "", "{", "}", "[]", "[{}]", #""x""#, "2", "true", "null", "{}x", #"{"version" 2}"#,
            #"{"version":"2"}"#, #"{"version":2.5}"#, #"{"version":1e400}"#, #"{"CanAckPings":1}"#,
            #"{"CanAckPings":"true"}"#, #"{"IsProber":[]}"#, #"{"AppName":5}"#, "\u{FF}",
        ])
        func malformed(_ json: String) {
            #expect(F.errorCode { _ = try Self.decode(json) } == .invalidJSON)
        }

        @Test("invalid bytes (not UTF-8) throw invalidJSON")
        func notUTF8() {
            #expect(F.errorCode { _ = try ClientInfo(jsonBytes: [0x7b, 0xff, 0xfe, 0x7d]) } == .invalidJSON)
        }

        @Test("a meshKey that is not 64 hex digits throws invalidMeshKey", arguments: [
            String(meshHex.dropLast()), meshHex + "0", meshHex + "00", " " + String(meshHex.dropLast()),
            String(meshHex.dropLast()) + "g", "", "nodekey:" + meshHex,
        ])
        func badMeshKey(_ text: String) {
            #expect(F.errorCode { _ = try Self.decode(#"{"meshKey":"\#(text)","version":2}"#) } == .invalidMeshKey)
        }

        @Test("a meshKey that is not a string throws invalidMeshKey", arguments: ["null", "5", "true", "{}", "[]"])
        func meshKeyNotString(_ value: String) {
            #expect(F.errorCode { _ = try Self.decode(#"{"meshKey":\#(value)}"#) } == .invalidMeshKey)
        }

        @Test("an all-zero meshKey reads as no mesh key and is not written")
        func zeroMeshKey() throws {
            let info = try Self.decode(#"{"meshKey":"\#(String(repeating: "0", count: 64))","CanAckPings":true}"#)
            #expect(info.meshKey == nil)
            #expect(info.canAckPings)
        }

        @Test("the mesh key is never printed")
        func redacted() {
            let text = String(describing: ClientInfo(meshKey: Self.meshKey))
            #expect(!text.contains(Self.meshHex))
        }
    }
}
