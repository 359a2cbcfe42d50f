/// What came back for one STUN transaction: the first usable reply, as received.
package struct NATReply: Hashable, Sendable, Codable {
    /// The UDP source address of the reply, as the socket reported it. Filtering tests depend on
    /// it, never on what the reply claims (stun.md §6.4).
    package var source: NATEndpoint
    /// XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS), unmapped; nil for error responses and hairpin.
    package var mapped: NATEndpoint?
    /// RFC 5780 RESPONSE-ORIGIN, if the server sent one.
    package var responseOrigin: NATEndpoint?
    /// RFC 5780 OTHER-ADDRESS, if the server sent one.
    package var otherAddress: NATEndpoint?
    /// ERROR-CODE of an error response (e.g. 420 when the server does not do CHANGE-REQUEST).
    package var errorCode: Int?
    /// Its reason phrase.
    package var errorReason: String?
    /// Time from sending the answered transmission to receiving this reply.
    package var rttMs: Double
    /// When the reply arrived, in milliseconds since the run started.
    package var atMs: Double
    /// Which transmission (1-based) was answered.
    package var attempt: Int

    package init(
        source: NATEndpoint, mapped: NATEndpoint? = nil, responseOrigin: NATEndpoint? = nil,
        otherAddress: NATEndpoint? = nil, errorCode: Int? = nil, errorReason: String? = nil,
        rttMs: Double = 0, atMs: Double = 0, attempt: Int = 1
    ) {
        self.source = source
        self.mapped = mapped
        self.responseOrigin = responseOrigin
        self.otherAddress = otherAddress
        self.errorCode = errorCode
        self.errorReason = errorReason
        self.rttMs = rttMs
        self.atMs = atMs
        self.attempt = attempt
    }

    /// A success response carrying a mapped address.
    package var isSuccess: Bool { errorCode == nil }
}
