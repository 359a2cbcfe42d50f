/// Decides what to do with one HTTP request. Pure: no I/O, so every endpoint is unit-testable.
package enum DERPHTTPRouter {
    package enum Decision {
        case respond(status: Int, reason: String, headers: [(String, String)], body: String)
        case upgradeToDERP(fastStart: Bool, notIdeal: Bool)
        case upgradeToWebSocket(key: String, notIdeal: Bool)
    }

    /// Facts about the connection that routing depends on.
    package struct Connection {
        package var role: DERPHTTPConfiguration.ListenerRole
        /// The peer is on loopback (debug pages are served only then).
        package var fromLoopback: Bool
        package init(role: DERPHTTPConfiguration.ListenerRole, fromLoopback: Bool) {
            self.role = role
            self.fromLoopback = fromLoopback
        }
    }

    package static func route(
        _ head: DERPHTTPRequestHead, connection: Connection, configuration: DERPHTTPConfiguration,
        debugPage: (String) -> String?
    ) -> Decision {
        let path = head.path
        if connection.role == .metrics {
            guard path == "/metrics" || path == "/debug/varz" else { return respond(.text(404, "Not Found", "404 page not found")) }
            let text = configuration.metricsText?() ?? ""
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "text/plain;version=0.0.4;charset=utf-8")], body: text))
        }
        if path == "/generate_204" { return generate204(head) }
        if path.hasPrefix("/debug") { return debug(head, connection: connection, configuration: configuration, debugPage: debugPage) }
        if connection.role == .httpRedirect {
            guard head.method == "GET" || head.method == "HEAD" else { return respond(.text(400, "Bad Request", "Use HTTPS")) }
            let host = head.header("Host") ?? configuration.hostname
            let target = head.query.map { path + "?" + $0 } ?? path
            return respond(HTTPResponse(status: 302, reason: "Found", headers: [("Location", "https://\(host)\(target)")]))
        }
        switch path {
        case "/derp":
            return derp(head, configuration: configuration)
        case "/derp/probe", "/derp/latency-check":
            guard head.method == "GET" || head.method == "HEAD" else { return respond(.text(405, "Method Not Allowed", "bogus probe method")) }
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Access-Control-Allow-Origin", "*")]))
        case "/bootstrap-dns":
            // No bootstrap names are configured (the -bootstrap-dns-names flags are accepted but not
            // implemented); the reference answers an empty body in that case.
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/json")] + HTTPResponse.securityHeaders))
        case "/robots.txt":
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "text/plain; charset=utf-8")], body: "User-agent: *\nDisallow: /\n"))
        case "/":
            return home(configuration: configuration, debugAllowed: connection.fromLoopback && !head.hasHeader("X-Forwarded-For"))
        default:
            return respond(.text(404, "Not Found", "404 page not found"))
        }
    }

    private static func respond(_ response: HTTPResponse) -> Decision {
        .respond(status: response.status, reason: response.reason, headers: response.headers, body: response.body)
    }

    private static func derp(_ head: DERPHTTPRequestHead, configuration: DERPHTTPConfiguration) -> Decision {
        guard configuration.derpEnabled else { return respond(.text(404, "Not Found", "derp server disabled")) }
        let upgrade = (head.header("Upgrade") ?? "").lowercased()
        let notIdeal = !(head.header("Ideal-Node") ?? "").isEmpty
        switch upgrade {
        case "derp":
            return .upgradeToDERP(fastStart: head.header("Derp-Fast-Start") == "1", notIdeal: notIdeal)
        case "websocket":
            let protocols = (head.header("Sec-WebSocket-Protocol") ?? "").split(separator: ",").map { $0.trimmingWhitespace() }
            // Very old clients sent "Upgrade: WebSocket" but spoke raw DERP: only the subprotocol means WebSocket.
            guard protocols.contains("derp") else {
                return .upgradeToDERP(fastStart: head.header("Derp-Fast-Start") == "1", notIdeal: notIdeal)
            }
            guard let key = head.header("Sec-WebSocket-Key"), !key.isEmpty else {
                return respond(.text(400, "Bad Request", "missing Sec-WebSocket-Key"))
            }
            return .upgradeToWebSocket(key: key, notIdeal: notIdeal)
        default:
            return respond(.text(426, "Upgrade Required", "DERP requires connection upgrade"))
        }
    }

    private static func generate204(_ head: DERPHTTPRequestHead) -> Decision {
        var headers = [("Cache-Control", "no-cache, no-store, must-revalidate, no-transform, max-age=0")]
        if let challenge = head.header("X-Tailscale-Challenge"), isValidChallenge(challenge) {
            headers.append(("X-Tailscale-Response", "response " + challenge))
        }
        return respond(HTTPResponse(status: 204, reason: "No Content", headers: headers))
    }

    /// At most 64 characters, all from `[A-Za-z0-9._:-]`.
    package static func isValidChallenge(_ challenge: String) -> Bool {
        guard challenge.utf8.count <= 64 else { return false }
        return challenge.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    private static func debug(
        _ head: DERPHTTPRequestHead, connection: Connection, configuration: DERPHTTPConfiguration, debugPage: (String) -> String?
    ) -> Decision {
        guard configuration.debugEnabled, connection.fromLoopback, !head.hasHeader("X-Forwarded-For") else {
            return respond(.text(403, "Forbidden", "debug access denied"))
        }
        guard head.method == "GET" || head.method == "HEAD" else { return respond(.text(405, "Method Not Allowed", "method not allowed")) }
        let path = head.path == "/debug" ? "/debug/" : head.path
        if path == "/debug/varz" {
            let text = configuration.metricsText?() ?? ""
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "text/plain;version=0.0.4;charset=utf-8")], body: text))
        }
        guard let body = debugPage(path) else { return respond(.text(404, "Not Found", "404 page not found")) }
        let isHTML = path == "/debug/"
        let status = body.hasPrefix("500 ") ? 500 : 200
        return respond(HTTPResponse(
            status: status, reason: status == 200 ? "OK" : "Internal Server Error",
            headers: [("Content-Type", isHTML ? "text/html; charset=utf-8" : "text/plain; charset=utf-8")], body: body))
    }

    private static func home(configuration: DERPHTTPConfiguration, debugAllowed: Bool) -> Decision {
        switch configuration.homePage {
        case .blank:
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "text/html; charset=utf-8")] + HTTPResponse.securityHeaders))
        case .redirect(let target):
            return respond(HTTPResponse(status: 302, reason: "Found", headers: [("Location", target)] + HTTPResponse.securityHeaders))
        case .standard:
            var body = """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>DERP</title></head><body>
                <h1>DERP</h1>
                <p>This is a <a href="https://tailscale.com/kb/1232/derp-servers">DERP</a> relay server
                compatible with Tailscale, serving the relay and STUN.</p>

                """
            if !configuration.derpEnabled { body += "<p>Status: disabled</p>\n" }
            if debugAllowed { body += "<p>Debug info at <a href=\"/debug/\">/debug/</a>.</p>\n" }
            body += "</body></html>\n"
            return respond(HTTPResponse(status: 200, reason: "OK", headers: [("Content-Type", "text/html; charset=utf-8")] + HTTPResponse.securityHeaders, body: body))
        }
    }
}
