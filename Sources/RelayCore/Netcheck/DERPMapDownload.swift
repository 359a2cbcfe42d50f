import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Fetches a DERP map from an `http://` or `https://` URL (`--derp-map URL`): one GET, HTTPS
/// verified against the system roots, a deadline, a 16 MiB cap, no redirects, status 200 only.
package enum DERPMapDownload {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static let bodyLimit = 16 << 20

    package static func fetch(_ text: String, timeout: Duration = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> DERPMap {
        guard let url = URL(string: text) else { throw Failure(description: "\(text): not a valid URL") }
        let target: WebhookURL
        do { target = try WebhookURL(url) } catch { throw Failure(description: "\(WebhookURL.redacted(url)): \(error)") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        let client: WebhookHTTPClient
        do {
            client = try WebhookHTTPClient(url: target, tls: tls, timeout: timeout, bodyLimit: bodyLimit)
        } catch {
            throw Failure(description: "\(WebhookURL.redacted(url)): \(error)")
        }
        let outcome = try await client.get(on: group.next()).get()
        switch outcome {
        case .unreachable(let reason):
            throw Failure(description: "\(WebhookURL.redacted(url)): \(reason)")
        case .answered(let status, let body):
            guard status == 200 else { throw Failure(description: "\(WebhookURL.redacted(url)): HTTP status \(status)") }
            do {
                return try DERPMap(jsonData: Data(body))
            } catch {
                throw Failure(description: "\(WebhookURL.redacted(url)): \(error)")
            }
        }
    }
}
