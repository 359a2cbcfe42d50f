/// What one POST to the admission webhook came to, before any policy is applied.
///
/// The split follows Go's `http.Client.Do`, which the reference derper uses: an error before the
/// response head (connection refused, DNS, TLS, timeout) is `unreachable`, the only case that
/// `-verify-client-url-fail-open` admits. Once a head has arrived the answer is a status and
/// whatever body bytes arrived within the cap and the deadline.
package enum WebhookExchangeOutcome: Equatable, Sendable {
    case unreachable(reason: String)
    /// `body` holds at most the body cap; it may be cut short by the cap, the deadline or a close.
    case answered(status: UInt, body: [UInt8])
}
