import NIOCore

/// The probe engine's logic, without sockets or clocks (STYLE.md §6): events go in with the
/// current time, `Action`s come out, and `NATProber` carries them out on an event loop.
///
/// At `start` every server gets Test I from the mapping socket of its family, all at once, and
/// the hairpin socket asks the first server for its own mapping. Replies trigger the rest:
/// the first mapped address starts the hairpin test; a usable OTHER-ADDRESS starts the RFC 5780
/// mapping tests (from the mapping socket) and, for the first such server of a family, the two
/// filtering tests (each from its own fresh socket). Every request is retransmitted with a fresh
/// transaction ID on the RTT-derived schedule of `NATRetransmissionPolicy`; replies are matched
/// by transaction ID and receiving socket, anything else is ignored and counted. The run ends
/// when every transaction is answered or given up, or at the hard deadline.
package struct NATProbeStateMachine {
    package enum Action: Hashable, Sendable {
        /// Send `bytes` from `socket` to `destination`; report a failure with `sendFailed`.
        case send(socket: NATSocketID, destination: NATEndpoint, bytes: ByteBuffer, transactionID: STUNTransactionID)
        /// The run is over; collect `observations()`.
        case finish
    }

    struct Transaction {
        var record: NATTransactionRecord
        /// Every transmission: its transaction ID and when it left.
        var sends: [(id: STUNTransactionID, at: NIODeadline)] = []
        /// The next retransmission or give-up time; nil once the transaction is over.
        var timer: NIODeadline?
        /// The IP whose RTT sets this transaction's timer.
        var rttKey: NATEndpoint
        /// Why the last datagram that named this transaction was not usable.
        var lastIgnored: String?

        var isOver: Bool { timer == nil }
    }

    let plan: NATProbePlan
    let startTime: NIODeadline
    let deadline: NIODeadline
    /// Local addresses of the sockets that are open.
    let sockets: [NATSocketID: NATEndpoint]
    /// Why the other sockets are not.
    let socketErrors: [NATSocketID: String]

    var transactions: [Transaction] = []
    var byTransactionID: [STUNTransactionID: (index: Int, attempt: Int)] = [:]
    /// Best RTT per server IP (port 0).
    var rttByIP: [NATEndpoint: TimeAmount] = [:]
    /// The slowest per-IP RTT of the run.
    var slowestRTT: TimeAmount?
    var events: [NATProbeEvent] = []
    var ignoredDatagrams = 0
    var notes: [String] = []
    var hairpinStarted: Set<NATAddressFamily> = []
    var filteringStarted: Set<NATAddressFamily> = []
    var rfc5780Servers: Set<NATEndpoint> = []
    package private(set) var isFinished = false
    var finishTime: NIODeadline?

    /// - Parameters:
    ///   - sockets: the local address of every socket that could be opened.
    ///   - socketErrors: why a socket could not be opened; its tests fail with that reason.
    package init(
        plan: NATProbePlan, sockets: [NATSocketID: NATEndpoint], socketErrors: [NATSocketID: String] = [:],
        now: NIODeadline
    ) {
        self.plan = plan
        self.sockets = sockets
        self.socketErrors = socketErrors
        self.startTime = now
        self.deadline = now + plan.timeout
    }

    /// Sends Test I to every server and the hairpin socket's own request.
    package mutating func start(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for server in plan.servers {
            let family = server.address.family
            actions += begin(
                .mapping, server: server.name, destination: server.address, primary: server.address, now: now)
            if plan.hairpin, !transactions.contains(where: { $0.record.test == .hairpinMapping && $0.record.family == family }),
                sockets[NATSocketID(.hairpin, family)] != nil
            {
                actions += begin(
                    .hairpinMapping, server: server.name, destination: server.address, primary: server.address, now: now)
            }
        }
        return actions + finishIfDone(now: now)
    }

    /// The earliest time `timerFired` must be called: a retransmission, a give-up or the deadline.
    package var nextWakeup: NIODeadline? {
        guard !isFinished else { return nil }
        let earliest = transactions.compactMap(\.timer).min()
        return min(earliest ?? deadline, deadline)
    }

    package mutating func timerFired(now: NIODeadline) -> [Action] {
        guard !isFinished else { return [] }
        if now >= deadline {
            for index in transactions.indices where !transactions[index].isOver {
                let attempts = transactions[index].record.transmissions
                fail(index, .deadline, "no reply before the \(Self.describe(plan.timeout)) deadline "
                    + "(\(attempts) attempt\(attempts == 1 ? "" : "s"))", now: now)
            }
            return finishIfDone(now: now)
        }
        var actions: [Action] = []
        for index in transactions.indices {
            guard let timer = transactions[index].timer, timer <= now else { continue }
            if transactions[index].sends.count < plan.retransmission.maxTransmissions {
                actions += transmit(index, now: now)
            } else {
                let attempts = transactions[index].sends.count
                let elapsed = Self.describe(now - (transactions[index].sends.first?.at ?? now))
                var reason = "no reply after \(attempts) attempt\(attempts == 1 ? "" : "s") (\(elapsed))"
                if let ignored = transactions[index].lastIgnored { reason += "; a reply was unusable: \(ignored)" }
                fail(index, .noReply, reason, now: now)
            }
        }
        return actions + finishIfDone(now: now)
    }

    /// The operating system refused a send.
    package mutating func sendFailed(transactionID: STUNTransactionID, error: String, now: NIODeadline) -> [Action] {
        guard !isFinished, let (index, _) = byTransactionID[transactionID], !transactions[index].isOver else { return [] }
        fail(index, .sendFailed, "could not send: \(error)", now: now)
        return finishIfDone(now: now)
    }

    /// What the run observed so far (complete once `finish` was returned).
    package func observations(interfaces: [NATLocalInterface] = [], portMapping: PortMappingEvidence? = nil) -> NATObservations {
        let end = finishTime ?? deadline
        return NATObservations(
            timeoutMs: Self.milliseconds(plan.timeout),
            durationMs: Self.milliseconds(end - startTime),
            interfaces: interfaces,
            transactions: transactions.map(\.record),
            ignoredDatagrams: ignoredDatagrams,
            events: events,
            portMapping: portMapping,
            notes: notes
        )
    }

    // MARK: - Transactions

    /// Starts a transaction and sends its first transmission.
    mutating func begin(
        _ test: NATProbeTest, server: String, destination: NATEndpoint, primary: NATEndpoint,
        other: NATEndpoint? = nil, rttKey: NATEndpoint? = nil, now: NIODeadline
    ) -> [Action] {
        let socket = NATSocketID(test.socketRole, destination.family)
        let record = NATTransactionRecord(
            id: transactions.count, test: test, socket: socket, serverName: server, destination: destination,
            serverPrimary: primary, serverOther: other, local: sockets[socket], startMs: milliseconds(since: now))
        transactions.append(Transaction(record: record, timer: now, rttKey: (rttKey ?? primary).ip))
        let index = transactions.count - 1
        guard sockets[socket] != nil else {
            let why = socketErrors[socket] ?? "not opened"
            fail(index, .socketUnavailable, "the \(socket) socket is unavailable: \(why)", now: now)
            return []
        }
        return transmit(index, now: now)
    }

    /// Sends (or resends) transaction `index` with a fresh transaction ID and arms its timer.
    mutating func transmit(_ index: Int, now: NIODeadline) -> [Action] {
        let id = STUNTransactionID.random()
        let test = transactions[index].record.test
        let message: STUNMessage?
        if let change = test.changeRequest {
            message = try? STUNMessage.bindingRequest(
                transactionID: id, software: STUNMessage.tailscaleSoftware, fingerprint: true, changeRequest: change)
        } else {
            message = STUNMessage.tailscaleBindingRequest(transactionID: id)
        }
        guard let bytes = try? message?.encoded() else {
            fail(index, .sendFailed, "could not encode the request", now: now)
            return []
        }
        transactions[index].sends.append((id, now))
        let attempt = transactions[index].sends.count
        transactions[index].record.transmissions = attempt
        byTransactionID[id] = (index, attempt)
        let base = plan.retransmission.baseRTO(serverRTT: rttByIP[transactions[index].rttKey], runRTT: slowestRTT)
        transactions[index].timer = now + plan.retransmission.wait(afterTransmission: attempt, base: base)
        let record = transactions[index].record
        log(.sent, record.socket, peer: record.destination, transaction: index, id: id, now: now,
            "\(record.test.rawValue) attempt \(attempt)")
        return [.send(socket: record.socket, destination: record.destination, bytes: bytes, transactionID: id)]
    }

    mutating func fail(_ index: Int, _ failure: NATTransactionFailure, _ reason: String, now: NIODeadline) {
        transactions[index].timer = nil
        transactions[index].record.failure = failure
        transactions[index].record.error = reason
        let record = transactions[index].record
        let kind: NATProbeEvent.Kind = failure == .sendFailed ? .sendFailed : .gaveUp
        log(kind, record.socket, peer: record.destination, transaction: index, id: nil, now: now, reason)
    }

    mutating func finishIfDone(now: NIODeadline) -> [Action] {
        guard !isFinished, transactions.allSatisfy(\.isOver) else { return [] }
        isFinished = true
        finishTime = now
        return [.finish]
    }

    // MARK: - Helpers

    mutating func log(
        _ kind: NATProbeEvent.Kind, _ socket: NATSocketID, peer: NATEndpoint?, transaction: Int?,
        id: STUNTransactionID?, now: NIODeadline, _ detail: String
    ) {
        guard events.count < plan.maxEvents else { return }
        events.append(NATProbeEvent(
            atMs: milliseconds(since: now), kind: kind, socket: socket, peer: peer, transaction: transaction,
            transactionID: id?.description, detail: detail))
    }

    func milliseconds(since now: NIODeadline) -> Double {
        Self.milliseconds(now - startTime)
    }

    /// Milliseconds, to the microsecond.
    static func milliseconds(_ amount: TimeAmount) -> Double {
        Double(amount.nanoseconds / 1000) / 1000
    }

    /// `750 ms`, `3 s`.
    static func describe(_ amount: TimeAmount) -> String {
        let ms = amount.nanoseconds / 1_000_000
        return ms % 1000 == 0 && ms > 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }
}
