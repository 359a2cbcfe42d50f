/// The loopback-only `/debug/` pages other than the metrics: an index and a consistency check.
enum DERPDebugPages {
    static func page(_ path: String, server: DERPServer, configuration: DERPHTTPConfiguration) -> String? {
        switch path {
        case "/debug/":
            return """
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>derper debug</title></head><body>
                <h1>derper debug</h1>
                <ul>
                <li>version: \(ToolkitVersion.string) (DERP protocol \(ToolkitVersion.derpProtocol))</li>
                <li>hostname: \(escape(configuration.hostname))</li>
                <li>server key: \(server.publicKey)</li>
                <li>mesh key configured: \(server.configuration.meshKey != nil)</li>
                <li>connections: \(server.registry.connectionCount), keys: \(server.registry.keyCount)</li>
                </ul>
                <p><a href="/debug/varz">/debug/varz</a> (Prometheus metrics) &middot;
                <a href="/debug/check">/debug/check</a> (registry consistency)</p>
                </body></html>

                """
        case "/debug/check":
            let problems = server.registry.consistencyProblems()
            if problems.isEmpty { return "derp.Server ConsistencyCheck okay\n" }
            return "500 " + problems.joined(separator: "\n") + "\n"
        default:
            return nil
        }
    }

    private static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
