import Foundation
import NIOSSL

/// How ``WebhookAdmissionPolicy`` asks `-verify-client-url` (spec/derp.md §11).
package struct WebhookAdmissionConfiguration: Sendable {
    package var url: URL
    /// Admit when the webhook cannot be reached or does not answer in time
    /// (`-verify-client-url-fail-open`, default true as in the reference).
    package var failOpen = true
    /// Covers connect, TLS, request and response, as the reference's 5 s context does.
    package var timeout: Duration = .seconds(5)
    /// The reference reads at most 4 KiB of the answer.
    package var bodyLimit = 4 << 10
    /// Decisions remembered by (key, source IP); 0 turns the cache off.
    package var cacheCapacity = 512
    /// How long an allow is reused. This bounds how long a revoked key can still connect (an
    /// established connection is never re-checked, as in the reference), while sparing the webhook
    /// the reconnects tailscaled makes on every network change or home-region move.
    package var allowTTL: Duration = .seconds(30)
    /// How long a deny is reused: long enough to absorb a rejected client's retry loop, short
    /// enough that a node just approved in the control plane gets in within seconds.
    package var denyTTL: Duration = .seconds(5)
    /// TLS for `https://` URLs: the system trust roots with full verification of the URL's host,
    /// TLS 1.2 or later, ALPN `http/1.1`. Tests replace the trust roots.
    package var tls: TLSConfiguration = WebhookAdmissionConfiguration.defaultTLS

    package init(url: URL, failOpen: Bool = true) {
        self.url = url
        self.failOpen = failOpen
    }

    package static var defaultTLS: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        return tls
    }
}
