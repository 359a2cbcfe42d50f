/// Everything one probe run observed, as plain data. `NATClassifier.classify(_:)` turns it into
/// a verdict without any I/O, so the truth table is tested on hand-written observations.
package struct NATObservations: Hashable, Sendable, Codable {
    /// The run's hard deadline.
    package var timeoutMs: Double
    /// How long the run took, from the first send to the verdict's inputs being complete.
    package var durationMs: Double
    /// Local interface addresses at the start of the run.
    package var interfaces: [NATLocalInterface]
    /// Every transaction, in the order they were started.
    package var transactions: [NATTransactionRecord]
    /// Datagrams that were not a usable reply to anything (garbage, unknown transaction IDs, …).
    package var ignoredDatagrams: Int
    /// The run's transcript (capped); see `NATProbeEvent`.
    package var events: [NATProbeEvent]
    /// What the port-mapping probe found; nil when none ran.
    package var portMapping: PortMappingEvidence?
    /// Things worth telling that are not a transaction (a server's faulty OTHER-ADDRESS, …).
    package var notes: [String]

    package init(
        timeoutMs: Double = 3000, durationMs: Double = 0, interfaces: [NATLocalInterface] = [],
        transactions: [NATTransactionRecord] = [], ignoredDatagrams: Int = 0, events: [NATProbeEvent] = [],
        portMapping: PortMappingEvidence? = nil, notes: [String] = []
    ) {
        self.timeoutMs = timeoutMs
        self.durationMs = durationMs
        self.interfaces = interfaces
        self.transactions = transactions
        self.ignoredDatagrams = ignoredDatagrams
        self.events = events
        self.portMapping = portMapping
        self.notes = notes
    }

    /// The transactions of one family.
    package func transactions(of family: NATAddressFamily) -> [NATTransactionRecord] {
        transactions.filter { $0.family == family }
    }

    /// Whether `endpoint` is one of this host's own interface addresses (ports ignored).
    package func isLocalAddress(_ endpoint: NATEndpoint) -> Bool {
        interfaces.contains { $0.address == endpoint.ip }
    }
}
