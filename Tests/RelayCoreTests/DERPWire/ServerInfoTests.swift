import Testing

@testable import RelayCore

extension DERPWireTests {
    @Suite("ServerInfo JSON")
    struct ServerInfoTests {
        typealias F = DERPWireFixtures

        static func json(_ info: ServerInfo) -> String {
            String(decoding: info.jsonBytes(), as: UTF8.self)
        }

        static func decode(_ json: String) throws -> ServerInfo {
            try ServerInfo(jsonBytes: Array(json.utf8))
        }

        @Test("the reference server's ServerInfo (spec §6.3)")
        func reference() {
            #expect(Self.json(ServerInfo(version: 2)) == #"{"version":2}"#)
            #expect(Self.json(ServerInfo()) == #"{"version":2}"#)
        }

        @Test("token bucket fields, and omission of zeros")
        func tokenBucket() {
            let info = ServerInfo(version: 2, tokenBucketBytesPerSecond: 1_000_000, tokenBucketBytesBurst: 2_000_000)
            #expect(Self.json(info) == #"{"version":2,"TokenBucketBytesPerSecond":1000000,"TokenBucketBytesBurst":2000000}"#)
            #expect(Self.json(ServerInfo(version: 0, tokenBucketBytesBurst: 5)) == #"{"TokenBucketBytesBurst":5}"#)
            #expect(Self.json(ServerInfo(version: 0)) == "{}")
        }

        @Test("decodes case-insensitively and ignores unknown fields")
        func decoding() throws {
            #expect(try Self.decode(#"{"version":2}"#) == ServerInfo(version: 2))
            let info = try Self.decode(#"{"Version":2,"tokenbucketbytespersecond":10,"TOKENBUCKETBYTESBURST":20,"new":[1]}"#)
            #expect(info == ServerInfo(version: 2, tokenBucketBytesPerSecond: 10, tokenBucketBytesBurst: 20))
            #expect(try Self.decode("{}") == ServerInfo(version: 0))
            #expect(try Self.decode(#"{"version":null}"#) == ServerInfo(version: 0))
        }

        @Test("round trip", arguments: [ServerInfo(), ServerInfo(version: 0), ServerInfo(version: 3, tokenBucketBytesPerSecond: 1, tokenBucketBytesBurst: 2)])
        func roundTrip(_ info: ServerInfo) throws {
            #expect(try ServerInfo(jsonBytes: info.jsonBytes()) == info)
        }

        @Test("malformed JSON throws invalidJSON", arguments: ["", "[]", "null", "7", #"{"version":"2"}"#, #"{"version":true}"#, "{\"version\":2"])
        func malformed(_ json: String) {
            #expect(F.errorCode { _ = try Self.decode(json) } == .invalidJSON)
        }
    }
}
