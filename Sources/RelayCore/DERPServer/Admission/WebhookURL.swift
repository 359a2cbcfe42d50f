import Foundation

/// The parts of an `http://` or `https://` URL that a one-shot HTTP/1.1 POST needs.
package struct WebhookURL: Equatable, Sendable {
    package var usesTLS: Bool
    /// The host to dial and verify: a DNS name or an IP literal, without IPv6 brackets.
    package var host: String
    package var port: Int
    /// The request target: percent-encoded path (at least `/`) and query.
    package var target: String
    /// `Host:` header value: the host (bracketed if IPv6) and the port unless it is the default.
    package var hostHeader: String
    /// `Authorization: Basic …` from user information in the URL, as Go's HTTP client sends it.
    package var basicAuthorization: String?

    package init(_ url: URL) throws(AdmissionError) {
        let text = url.absoluteString
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw .invalidWebhookURL(text, reason: "cannot be parsed")
        }
        switch components.scheme?.lowercased() {
        case "http": usesTLS = false
        case "https": usesTLS = true
        default: throw .invalidWebhookURL(text, reason: "want an http:// or https:// URL")
        }
        var host = components.percentEncodedHost ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalidWebhookURL(text, reason: "no host") }
        self.host = host.removingPercentEncoding ?? host
        let defaultPort = usesTLS ? 443 : 80
        if let port = components.port {
            guard (1...65535).contains(port) else { throw .invalidWebhookURL(text, reason: "port \(port) out of range") }
            self.port = port
        } else {
            self.port = defaultPort
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        let bracketed = self.host.contains(":") ? "[\(self.host)]" : self.host
        hostHeader = self.port == defaultPort ? bracketed : "\(bracketed):\(self.port)"
        if let user = components.user {
            let credentials = "\(user):\(components.password ?? "")"
            basicAuthorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            basicAuthorization = nil
        }
    }

    /// The URL with any password replaced, for logs.
    package static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false), components.password != nil else {
            return url.absoluteString
        }
        components.password = "xxxxx"
        return components.string ?? url.absoluteString
    }
}
