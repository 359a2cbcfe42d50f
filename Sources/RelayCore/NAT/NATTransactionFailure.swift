/// Why a transaction has no success reply. The classifier treats only `noReply` as the silence
/// that filtering and hairpin tests measure; the others make a test inconclusive.
package enum NATTransactionFailure: String, Hashable, Sendable, Codable {
    /// Every transmission went out and the retransmission schedule ran out without a reply.
    case noReply = "no-reply"
    /// The run's overall deadline ended the transaction before its schedule did.
    case deadline
    /// The operating system refused to send (no route, firewall EPERM, …).
    case sendFailed = "send-failed"
    /// The socket for this test could not be opened (no IPv6, port in use, …).
    case socketUnavailable = "socket-unavailable"
    /// The server answered with a STUN error response.
    case errorResponse = "error-response"
}
