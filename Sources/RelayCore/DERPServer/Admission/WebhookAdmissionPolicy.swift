import Foundation
import Logging
import NIOCore

/// `-verify-client-url`: POSTs `{"NodePublic":…,"Source":…}` for each new client and admits it
/// only on status 200 with `{"Allow": true}`; any other status, a false or missing `Allow`, or a
/// body that is not such JSON rejects. If the webhook cannot be reached in time, the client is
/// admitted only when `failOpen` (spec/derp.md §11; the reference's `verifyClient`).
///
/// Definite answers are cached briefly (see ``WebhookAdmissionConfiguration``); the reference
/// has no cache. Metrics: `derp_admission_requests{result}` per webhook request, with `result`
/// one of `allow`, `deny`, `bad_status`, `bad_response`, `error`; `derp_admission_cache_hits`;
/// `derp_admission_fail_open` for clients admitted because the webhook was unreachable.
package final class WebhookAdmissionPolicy: DERPAdmissionPolicy {
    /// What the webhook's answer means, before fail-open is applied.
    package enum Verdict: Equatable, Sendable {
        case allow
        /// 200 with `Allow` false or absent.
        case deny
        /// Any status but 200 (redirects are not followed).
        case badStatus(UInt)
        /// 200 with a body that is not the expected JSON.
        case badResponse(reason: String)
        /// No response head: refused, DNS, TLS, timeout.
        case unreachable(reason: String)
    }

    package struct Counters: Sendable {
        package let allow = AdmissionTally(label: "derp_admission_requests", dimensions: [("result", "allow")])
        package let deny = AdmissionTally(label: "derp_admission_requests", dimensions: [("result", "deny")])
        package let badStatus = AdmissionTally(label: "derp_admission_requests", dimensions: [("result", "bad_status")])
        package let badResponse = AdmissionTally(label: "derp_admission_requests", dimensions: [("result", "bad_response")])
        package let error = AdmissionTally(label: "derp_admission_requests", dimensions: [("result", "error")])
        package let cacheHits = AdmissionTally(label: "derp_admission_cache_hits", dimensions: [])
        package let failOpen = AdmissionTally(label: "derp_admission_fail_open", dimensions: [])

        /// Webhook requests made (cache hits excluded).
        package var requests: Int { allow.value + deny.value + badStatus.value + badResponse.value + error.value }
    }

    package let configuration: WebhookAdmissionConfiguration
    package let counters = Counters()
    private let client: WebhookHTTPClient
    private let cache: AdmissionDecisionCache
    private let logger: Logger

    package init(configuration: WebhookAdmissionConfiguration, logger: Logger) throws(AdmissionError) {
        self.configuration = configuration
        self.logger = logger
        client = try WebhookHTTPClient(
            url: WebhookURL(configuration.url), tls: configuration.tls,
            timeout: configuration.timeout, bodyLimit: configuration.bodyLimit)
        cache = AdmissionDecisionCache(capacity: configuration.cacheCapacity)
    }

    package func admit(key: NodePublicKey, sourceIP: String?, eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        let request = DERPAdmitClientRequest(key: key, sourceIP: sourceIP)
        let cacheKey = AdmissionDecisionCache.Key(nodeKey: key, source: request.source)
        if let cached = cache.lookup(cacheKey, now: .now()) {
            counters.cacheHits.increment()
            return eventLoop.makeSucceededFuture(cached)
        }
        let body: [UInt8]
        do { body = try request.jsonBytes() } catch {
            // Cannot happen for two strings; the reference rejects if marshalling fails.
            return eventLoop.makeSucceededFuture(false)
        }
        return client.post(body, on: eventLoop).map { outcome in
            self.decide(Self.verdict(for: outcome), cacheKey: cacheKey)
        }
    }

    /// The reference's reading of an exchange: status first, then the first JSON value of the body.
    package static func verdict(for outcome: WebhookExchangeOutcome) -> Verdict {
        switch outcome {
        case .unreachable(let reason):
            return .unreachable(reason: reason)
        case .answered(let status, _) where status != 200:
            return .badStatus(status)
        case .answered(_, let body):
            do {
                return try DERPAdmitClientResponse.decode(body).allow ? .allow : .deny
            } catch {
                return .badResponse(reason: Self.describe(error))
            }
        }
    }

    private func decide(_ verdict: Verdict, cacheKey: AdmissionDecisionCache.Key) -> Bool {
        var metadata: Logger.Metadata = ["derp.client": "\(cacheKey.nodeKey.shortDescription)", "peer.address": "\(cacheKey.source)"]
        switch verdict {
        case .allow:
            counters.allow.increment()
            cache.store(true, for: cacheKey, ttl: TimeAmount(configuration.allowTTL), now: .now())
            logger.debug("admission webhook allowed client", metadata: metadata)
            return true
        case .deny:
            counters.deny.increment()
            cache.store(false, for: cacheKey, ttl: TimeAmount(configuration.denyTTL), now: .now())
            logger.info("admission webhook denied client", metadata: metadata)
            return false
        case .badStatus(let status):
            counters.badStatus.increment()
            metadata["http.status"] = "\(status)"
            let note = (300..<400).contains(status) ? "; redirects are not followed, point -verify-client-url at the final URL" : ""
            logger.warning("admission webhook answered a status other than 200; rejecting client\(note)", metadata: metadata)
            return false
        case .badResponse(let reason):
            counters.badResponse.increment()
            metadata["error"] = "\(reason)"
            logger.warning("admission webhook answer is not {\"Allow\": bool}; rejecting client", metadata: metadata)
            return false
        case .unreachable(let reason):
            counters.error.increment()
            metadata["error"] = "\(reason)"
            if configuration.failOpen {
                counters.failOpen.increment()
                logger.warning("admission webhook unreachable; admitting client (fail open)", metadata: metadata)
            } else {
                logger.warning("admission webhook unreachable; rejecting client (fail closed)", metadata: metadata)
            }
            return configuration.failOpen
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "not JSON: \(context.debugDescription)"
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue)): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context): return "missing value: \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
