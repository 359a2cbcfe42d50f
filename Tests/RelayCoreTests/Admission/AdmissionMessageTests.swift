import Foundation
import Testing
@testable import RelayCore

/// The webhook's JSON, as the reference derper writes and reads it (spec/derp.md §11).
@Suite struct AdmissionMessageTests {
    static let key = "nodekey:fb6045ae28334a3ac206fae40f9537e193c7b8561631185c07b27f9c8226b232"

    @Test func requestBytesMatchTheReference() throws {
        let request = DERPAdmitClientRequest(key: try NodePublicKey(text: Self.key), sourceIP: "198.51.100.23")
        let json = String(decoding: try request.jsonBytes(), as: UTF8.self)
        #expect(json == #"{"NodePublic":"\#(Self.key)","Source":"198.51.100.23"}"#)
    }

    @Test func sourceIsNormalizedAsGoReportsIt() throws {
        let key = try NodePublicKey(text: Self.key)
        #expect(DERPAdmitClientRequest(key: key, sourceIP: "::ffff:198.51.100.23").source == "198.51.100.23")
        #expect(DERPAdmitClientRequest(key: key, sourceIP: "::FFFF:10.0.0.1").source == "10.0.0.1")
        #expect(DERPAdmitClientRequest(key: key, sourceIP: "2001:db8::1").source == "2001:db8::1")
        #expect(DERPAdmitClientRequest(key: key, sourceIP: "::ffff:abcd").source == "::ffff:abcd", "not a mapped IPv4")
        #expect(DERPAdmitClientRequest(key: key, sourceIP: nil).source == "", "Go marshals a zero netip.Addr as empty")
    }

    @Test(arguments: [
        (#"{"Allow":true}"#, true),
        (#"{"Allow": true, "Reason": "known node", "Extra": {"nested": [1, 2]}}"#, true),
        (#"{"allow":true}"#, true),  // Go matches field names case-insensitively
        (#"  {"ALLOW":true}  "#, true),
        (#"{"Allow":true} trailing bytes Go never reads"#, true),
        (#"{"Note":"}\"{","Allow":true}"#, true),  // brackets inside strings do not end the object
        (#"{"Allow":false}"#, false),
        (#"{}"#, false),
        (#"{"Allow":null}"#, false),
    ])
    func responsesDecodeLikeGo(json: String, allow: Bool) throws {
        #expect(try DERPAdmitClientResponse.decode(Array(json.utf8)).allow == allow)
    }

    @Test(arguments: [#"{"Allow":"true"}"#, #"{"Allow":1}"#, #"{"Allow":tr"#, #"{"Allow":true"#, "", "<html>", "[true]"])
    func malformedResponsesThrow(json: String) {
        #expect(throws: (any Error).self) { try DERPAdmitClientResponse.decode(Array(json.utf8)) }
    }

    @Test func verdictsFollowTheReference() {
        let allow = Array(#"{"Allow":true}"#.utf8)
        typealias Verdict = WebhookAdmissionPolicy.Verdict
        #expect(WebhookAdmissionPolicy.verdict(for: .answered(status: 200, body: allow)) == .allow)
        #expect(WebhookAdmissionPolicy.verdict(for: .answered(status: 200, body: Array(#"{"Allow":false}"#.utf8))) == .deny)
        #expect(WebhookAdmissionPolicy.verdict(for: .answered(status: 201, body: allow)) == .badStatus(201), "only 200 counts")
        #expect(WebhookAdmissionPolicy.verdict(for: .answered(status: 302, body: allow)) == .badStatus(302))
        #expect(WebhookAdmissionPolicy.verdict(for: .answered(status: 500, body: [])) == .badStatus(500))
        guard case .badResponse = WebhookAdmissionPolicy.verdict(for: .answered(status: 200, body: Array("ok".utf8))) else {
            Issue.record("a non-JSON 200 must be a bad response")
            return
        }
        #expect(WebhookAdmissionPolicy.verdict(for: .unreachable(reason: "refused")) == .unreachable(reason: "refused"))
    }

    @Test func webhookURLParts() throws {
        let plain = try WebhookURL(#require(URL(string: "http://127.0.0.1:8080")))
        #expect(plain.usesTLS == false && plain.host == "127.0.0.1" && plain.port == 8080)
        #expect(plain.target == "/" && plain.hostHeader == "127.0.0.1:8080" && plain.basicAuthorization == nil)

        let secure = try WebhookURL(#require(URL(string: "https://headscale.example.com/verify?tenant=a%20b")))
        #expect(secure.usesTLS && secure.port == 443 && secure.hostHeader == "headscale.example.com")
        #expect(secure.target == "/verify?tenant=a%20b")

        let v6 = try WebhookURL(#require(URL(string: "http://[::1]:9000/admit")))
        #expect(v6.host == "::1" && v6.hostHeader == "[::1]:9000" && v6.target == "/admit")

        let withUser = try WebhookURL(#require(URL(string: "https://derper:s3cret@admit.example/")))
        #expect(withUser.basicAuthorization == "Basic " + Data("derper:s3cret".utf8).base64EncodedString())
        #expect(WebhookURL.redacted(try #require(URL(string: "https://derper:s3cret@admit.example/"))).contains("s3cret") == false)

        #expect(throws: AdmissionError.self) { try WebhookURL(#require(URL(string: "ftp://example.com/"))) }
    }
}
