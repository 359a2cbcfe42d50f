import NIOCore
import Testing
@testable import RelayCore

@Suite struct DERPHTTPHeadParserTests {
    @Test func parsesAHeadAndLeavesTheRestInTheBuffer() throws {
        var buffer = ByteBuffer(string: "GET /derp?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: DERP\r\nDerp-Fast-Start: 1\r\n\r\n\u{02}\u{00}")
        let head = try #require(try HTTPHeadParser.parse(&buffer))
        #expect(head.method == "GET")
        #expect(head.path == "/derp")
        #expect(head.query == "x=1")
        #expect(head.header("upgrade") == "DERP")
        #expect(head.header("DERP-FAST-START") == "1")
        #expect(buffer.readableBytes == 2, "bytes after the blank line belong to DERP")
    }

    @Test func everyStrictPrefixNeedsMoreAndLeavesTheReaderAlone() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        for length in 0..<text.utf8.count {
            var buffer = ByteBuffer(bytes: Array(text.utf8.prefix(length)))
            #expect(try HTTPHeadParser.parse(&buffer) == nil)
            #expect(buffer.readerIndex == 0)
        }
    }

    @Test func malformedHeadsThrow() {
        for text in ["NOT HTTP\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n"] {
            var buffer = ByteBuffer(string: text)
            #expect(throws: HTTPHeadError.self) { try HTTPHeadParser.parse(&buffer) }
        }
        var huge = ByteBuffer(string: "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000))
        #expect(throws: HTTPHeadError.headTooLarge) { try HTTPHeadParser.parse(&huge) }
    }
}

@Suite struct DERPHTTPRouterTests {
    private func route(_ text: String, role: DERPHTTPConfiguration.ListenerRole = .main, loopback: Bool = true,
                       configure: (inout DERPHTTPConfiguration) -> Void = { _ in }) throws -> DERPHTTPRouter.Decision {
        var buffer = ByteBuffer(string: text)
        let head = try #require(try HTTPHeadParser.parse(&buffer))
        var configuration = DERPHTTPConfiguration()
        configure(&configuration)
        return DERPHTTPRouter.route(head, connection: .init(role: role, fromLoopback: loopback), configuration: configuration) { _ in "page" }
    }

    private func status(_ decision: DERPHTTPRouter.Decision) -> Int? {
        if case .respond(let status, _, _, _) = decision { return status }
        return nil
    }

    @Test func derpUpgradeVariants() throws {
        guard case .upgradeToDERP(false, false) = try route("GET /derp HTTP/1.1\r\nUpgrade: DERP\r\n\r\n") else { Issue.record("plain"); return }
        guard case .upgradeToDERP(true, true) = try route("GET /derp HTTP/1.1\r\nUpgrade: derp\r\nDerp-Fast-Start: 1\r\nIdeal-Node: 1a\r\n\r\n")
        else { Issue.record("fast start"); return }
        // Old clients: "Upgrade: WebSocket" without the derp subprotocol speaks raw DERP.
        guard case .upgradeToDERP = try route("GET /derp HTTP/1.1\r\nUpgrade: WebSocket\r\n\r\n") else { Issue.record("old ws"); return }
        guard case .upgradeToWebSocket = try route("GET /derp HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: derp\r\nSec-WebSocket-Key: x\r\n\r\n")
        else { Issue.record("websocket"); return }
        #expect(status(try route("GET /derp HTTP/1.1\r\n\r\n")) == 426)
        #expect(status(try route("GET /derp HTTP/1.1\r\nUpgrade: DERP\r\n\r\n") { $0.derpEnabled = false }) == 404)
    }

    @Test func probesAndCaptivePortal() throws {
        #expect(status(try route("GET /derp/probe HTTP/1.1\r\n\r\n")) == 200)
        #expect(status(try route("HEAD /derp/latency-check HTTP/1.1\r\n\r\n")) == 200)
        #expect(status(try route("POST /derp/probe HTTP/1.1\r\n\r\n")) == 405)
        guard case .respond(204, _, let headers, _) = try route("GET /generate_204 HTTP/1.1\r\nX-Tailscale-Challenge: ts_abc.def:1-2\r\n\r\n") else {
            Issue.record("204"); return
        }
        #expect(headers.contains { $0.0 == "X-Tailscale-Response" && $0.1 == "response ts_abc.def:1-2" })
        guard case .respond(204, _, let plain, _) = try route("GET /generate_204 HTTP/1.1\r\nX-Tailscale-Challenge: bad value!\r\n\r\n") else {
            Issue.record("204"); return
        }
        #expect(!plain.contains { $0.0 == "X-Tailscale-Response" })
        #expect(DERPHTTPRouter.isValidChallenge(String(repeating: "a", count: 64)))
        #expect(!DERPHTTPRouter.isValidChallenge(String(repeating: "a", count: 65)))
    }

    @Test func debugOnlyFromLoopbackWithoutForwarding() throws {
        #expect(status(try route("GET /debug/ HTTP/1.1\r\n\r\n")) == 200)
        #expect(status(try route("GET /debug/ HTTP/1.1\r\n\r\n", loopback: false)) == 403)
        #expect(status(try route("GET /debug/ HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n")) == 403)
        #expect(status(try route("GET /debug/varz HTTP/1.1\r\n\r\n") { $0.metricsText = { "derp_accepts 1\n" } }) == 200)
    }

    @Test func homePageModesAndRedirectListener() throws {
        #expect(status(try route("GET / HTTP/1.1\r\n\r\n")) == 200)
        #expect(status(try route("GET / HTTP/1.1\r\n\r\n") { $0.homePage = .blank }) == 200)
        guard case .respond(302, _, let headers, _) = try route("GET / HTTP/1.1\r\n\r\n", configure: { $0.homePage = .redirect("https://example.net/") })
        else { Issue.record("redirect"); return }
        #expect(headers.contains { $0.0 == "Location" && $0.1 == "https://example.net/" })
        guard case .respond(302, _, let location, _) = try route("GET /x?y=1 HTTP/1.1\r\nHost: derp.example.net\r\n\r\n", role: .httpRedirect)
        else { Issue.record("port 80"); return }
        #expect(location.contains { $0.0 == "Location" && $0.1 == "https://derp.example.net/x?y=1" })
        #expect(status(try route("POST /x HTTP/1.1\r\n\r\n", role: .httpRedirect)) == 400)
        #expect(status(try route("GET /generate_204 HTTP/1.1\r\n\r\n", role: .httpRedirect)) == 204)
        #expect(status(try route("GET /robots.txt HTTP/1.1\r\n\r\n")) == 200)
        #expect(status(try route("GET /nope HTTP/1.1\r\n\r\n")) == 404)
    }
}
