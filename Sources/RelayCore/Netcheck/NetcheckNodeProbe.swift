import Foundation
import NIOCore

/// One DERP node over HTTPS, as Tailscale's HTTPS latency fallback measures it
/// (spec/netcheck.md §4.1): TLS verified as its DERP client verifies (`CertName`: WebPKI, a DNS
/// name, or a `sha256-raw:` pin), then `GET /derp/latency-check`, timed from the request to the
/// response head. The certificates the server presented are inspected whatever the outcome.
enum NetcheckNodeProbe {
    struct Result: Sendable {
        var regionID: Int
        var node: DERPNode
        /// Request-to-head time of a response with status ≤ 299.
        var latency: Duration?
        /// The family of the connection that produced `latency`.
        var family: NATAddressFamily?
        var certificate: NetcheckCertificateResult
        /// What failed, in one line (`TLS: cert hash does not match …`).
        var error: String?
    }

    static func run(
        _ node: DERPNode, regionID: Int, now: Date, deadline: NIODeadline, group: any EventLoopGroup
    ) async -> Result {
        var result = Result(
            regionID: regionID, node: node,
            certificate: NetcheckCertificateResult(region: regionID, node: node.name, host: node.hostName))
        func fail(_ text: String) -> Result {
            result.error = text
            result.certificate.error = text
            return result
        }
        let context: DERPTLSClientContext
        do {
            let verification = try DERPTLSVerification(certName: node.certName, insecureForTests: node.insecureForTests)
            context = try DERPTLSClientContext(verification: verification)
        } catch {
            return fail("TLS: \(error)")
        }
        let address: SocketAddress
        do {
            address = try await NetcheckNodeAddress.derp(node, deadline: deadline, loop: group.next())
        } catch {
            return fail("connect: \(error)")
        }
        let capture = PeerCertificateCapture()
        let tls = NetcheckHTTPExchange.TLS(context: context, serverHostname: node.hostName, capture: capture)
        let exchange: Swift.Result<NetcheckHTTPExchange.Response, NetcheckHTTPExchange.Failure>
        do {
            exchange = .success(try await NetcheckHTTPExchange.run(
                to: address, hostHeader: hostHeader(node), path: "/derp/latency-check", tls: tls, deadline: deadline,
                group: group))
        } catch {
            exchange = .failure(error)
        }
        // The verification callback recorded what the server presented, accepted or not.
        if let leaf = NetcheckCertificateInspection.leaf(presented: capture.presentedCertificates, certName: node.certName) {
            result.certificate.notAfter = NetcheckTimestamp.format(leaf.notAfter)
            result.certificate.daysLeft = NetcheckCertificateInspection.daysLeft(until: leaf.notAfter, now: now)
            result.certificate.pinMatches = leaf.pinMatches
        }
        switch exchange {
        case .failure(let error):
            return fail("\(error)")
        case .success(let response) where response.status > 299:
            result.error = "HTTP: /derp/latency-check answered \(response.status)"
            return result
        case .success(let response):
            result.latency = response.latency
            result.family = address.protocol == .inet6 ? .ipv6 : .ipv4
            return result
        }
    }

    /// `HostName`, with the port when it is not 443 (Go's Host header rules).
    static func hostHeader(_ node: DERPNode) -> String {
        let host = node.hostName.contains(":") ? "[\(node.hostName)]" : node.hostName
        return node.effectiveDERPPort == 443 ? host : "\(host):\(node.effectiveDERPPort)"
    }
}
