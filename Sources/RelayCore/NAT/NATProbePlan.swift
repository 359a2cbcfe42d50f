import NIOCore

/// What a probe run does, independent of sockets: the servers, the deadline, the retransmission
/// policy and the optional tests.
package struct NATProbePlan: Sendable {
    /// Probed concurrently from the mapping socket of their family. Duplicate addresses are
    /// probed once.
    package var servers: [NATProbeServer]
    /// The hard overall deadline (`stunner --timeout`).
    package var timeout: TimeAmount
    package var retransmission: NATRetransmissionPolicy
    /// Run the hairpin test (a second socket sends to the mapping socket's public address).
    package var hairpin: Bool
    /// Run RFC 5780 mapping and filtering tests against servers that offer OTHER-ADDRESS.
    package var rfc5780: Bool
    /// At most this many transcript events are kept.
    package var maxEvents: Int

    package init(
        servers: [NATProbeServer],
        timeout: TimeAmount = .seconds(3),
        retransmission: NATRetransmissionPolicy = NATRetransmissionPolicy(),
        hairpin: Bool = true,
        rfc5780: Bool = true,
        maxEvents: Int = 2000
    ) {
        var seen: Set<NATEndpoint> = []
        self.servers = servers.filter { seen.insert($0.address).inserted }
        self.timeout = timeout
        self.retransmission = retransmission
        self.hairpin = hairpin
        self.rfc5780 = rfc5780
        self.maxEvents = maxEvents
    }

    /// The families some server needs.
    package var families: [NATAddressFamily] {
        NATAddressFamily.allCases.filter { family in servers.contains { $0.address.family == family } }
    }
}
