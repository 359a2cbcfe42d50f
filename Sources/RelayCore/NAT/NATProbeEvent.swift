/// One line of a probe run's transcript, shown by `stunner --debug`: every transmission, reply,
/// ignored datagram and give-up, in order.
package struct NATProbeEvent: Hashable, Sendable, Codable {
    package enum Kind: String, Hashable, Sendable, Codable {
        case sent
        case received
        case ignored
        case sendFailed = "send-failed"
        case gaveUp = "gave-up"
    }

    /// Milliseconds since the run started.
    package var atMs: Double
    package var kind: Kind
    package var socket: NATSocketID
    /// The other end: destination of a send, source of a datagram.
    package var peer: NATEndpoint?
    /// The transaction this concerns, if known.
    package var transaction: Int?
    /// The STUN transaction ID in hex, if any.
    package var transactionID: String?
    package var detail: String

    package init(
        atMs: Double, kind: Kind, socket: NATSocketID, peer: NATEndpoint? = nil, transaction: Int? = nil,
        transactionID: String? = nil, detail: String = ""
    ) {
        self.atMs = atMs
        self.kind = kind
        self.socket = socket
        self.peer = peer
        self.transaction = transaction
        self.transactionID = transactionID
        self.detail = detail
    }
}
