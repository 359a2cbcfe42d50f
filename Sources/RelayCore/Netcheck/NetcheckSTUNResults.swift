/// Everything the STUN phase of a report learns, accumulated one event at a time (spec/netcheck.md
/// §3.3–3.4). Pure: the UDP session feeds it sends and replies with their times, so its rules are
/// unit-tested without sockets.
///
/// Besides Tailscale's fields it keeps every transaction as a ``NATTransactionRecord``, so the
/// NAT classifier can judge the same replies (mapping socket per family, plus the hairpin test).
package struct NetcheckSTUNResults: Hashable, Sendable {
    package private(set) var regionLatency: [Int: Duration] = [:]
    package private(set) var regionV4Latency: [Int: Duration] = [:]
    package private(set) var regionV6Latency: [Int: Duration] = [:]
    package private(set) var globalV4: NATEndpoint?
    package private(set) var globalV6: NATEndpoint?
    package private(set) var globalV4Counters: [NATEndpoint: Int] = [:]
    package private(set) var globalV6Counters: [NATEndpoint: Int] = [:]
    package private(set) var mappingVariesByDestIP: Bool?
    package private(set) var ipv4CanSend = false
    package private(set) var ipv6CanSend = false
    package private(set) var answeredSets: Set<NetcheckSTUNPlan.SetID> = []
    package private(set) var records: [NATTransactionRecord] = []
    /// How many of the plan's probes were sent (or tried) per region.
    package private(set) var probesPerRegion: [Int: Int] = [:]

    private struct Pending: Hashable, Sendable {
        var record: Int
        var sentAt: Duration
        var set: NetcheckSTUNPlan.SetID?
    }

    private var pending: [STUNTransactionID: Pending] = [:]

    package init() {}

    package var udp: Bool { !regionLatency.isEmpty }

    /// Tailscale's "would this probe help?" (§3.3 step 2): its set has no reply yet, and the region
    /// has no latency, or it is the first IPv6 result, or IPv4 mapping variance is still unknown.
    package func wouldHelp(_ probe: NetcheckSTUNPlan.Probe) -> Bool {
        guard !answeredSets.contains(probe.set) else { return false }
        if regionLatency[probe.regionID] == nil { return true }
        switch probe.family {
        case .ipv6: return regionV6Latency.isEmpty
        case .ipv4: return mappingVariesByDestIP == nil
        }
    }

    /// Records a request about to be handed to the operating system, or (`error` set) one that
    /// could not be sent at all.
    ///
    /// - Parameters:
    ///   - test: `.mapping` for the plan's probes, `.hairpinMapping` / `.hairpin` for the hairpin test.
    ///   - set: the plan's set, nil for the hairpin test.
    ///   - local: the sending socket's local address.
    package mutating func sent(
        _ transactionID: STUNTransactionID, test: NATProbeTest, set: NetcheckSTUNPlan.SetID?, serverName: String,
        destination: NATEndpoint, local: NATEndpoint?, at time: Duration, error: String? = nil
    ) {
        var record = NATTransactionRecord(
            id: records.count, test: test, socket: NATSocketID(test.socketRole, destination.family),
            serverName: serverName, destination: destination, local: local, transmissions: error == nil ? 1 : 0,
            startMs: NetcheckDuration.milliseconds(time))
        if let error {
            record.failure = .sendFailed
            record.error = error
        }
        records.append(record)
        if let set { probesPerRegion[set.regionID, default: 0] += 1 }
        guard error == nil else { return }
        pending[transactionID] = Pending(record: records.count - 1, sentAt: time, set: set)
    }

    /// Records the outcome of the write of a request recorded by ``sent(_:test:set:serverName:destination:local:at:error:)``:
    /// a success sets `IPv4CanSend` / `IPv6CanSend` (for the plan's probes); a failure ends the
    /// transaction.
    package mutating func writeCompleted(_ transactionID: STUNTransactionID, error: String?) {
        guard let entry = pending[transactionID] else { return }
        let record = records[entry.record]
        guard let error else {
            if record.test == .mapping {
                if record.family == .ipv4 { ipv4CanSend = true } else { ipv6CanSend = true }
            }
            return
        }
        pending[transactionID] = nil
        records[entry.record].transmissions = 0
        records[entry.record].failure = .sendFailed
        records[entry.record].error = error
    }

    /// Records a Binding success response. Returns false for a transaction we did not send (or
    /// one already answered), which the caller counts as ignored.
    @discardableResult
    package mutating func received(
        _ transactionID: STUNTransactionID, mapped: NATEndpoint, source: NATEndpoint, at time: Duration
    ) -> Bool {
        guard let entry = pending.removeValue(forKey: transactionID) else { return false }
        let latency = max(time - entry.sentAt, .nanoseconds(1))
        records[entry.record].reply = NATReply(
            source: source, mapped: mapped, rttMs: NetcheckDuration.milliseconds(latency),
            atMs: NetcheckDuration.milliseconds(time))
        guard let set = entry.set, records[entry.record].test == .mapping else { return true }
        answeredSets.insert(set)
        let region = set.regionID
        regionLatency[region] = min(regionLatency[region] ?? latency, latency)
        switch set.family {
        case .ipv6:
            regionV6Latency[region] = min(regionV6Latency[region] ?? latency, latency)
            globalV6 = mapped
            globalV6Counters[mapped, default: 0] += 1
        case .ipv4:
            regionV4Latency[region] = min(regionV4Latency[region] ?? latency, latency)
            globalV4Counters[mapped, default: 0] += 1
            if let first = globalV4 {
                if first != mapped {
                    mappingVariesByDestIP = true
                } else if mappingVariesByDestIP == nil {
                    mappingVariesByDestIP = false
                }
            } else {
                globalV4 = mapped
            }
        }
        return true
    }

    /// Records the hairpin request arriving on the IPv4 mapping socket; false if it is not the
    /// hairpin transaction.
    @discardableResult
    package mutating func hairpinArrived(_ transactionID: STUNTransactionID, source: NATEndpoint, at time: Duration) -> Bool {
        guard let entry = pending[transactionID], records[entry.record].test == .hairpin else { return false }
        pending[transactionID] = nil
        let latency = max(time - entry.sentAt, .nanoseconds(1))
        records[entry.record].reply = NATReply(
            source: source, rttMs: NetcheckDuration.milliseconds(latency), atMs: NetcheckDuration.milliseconds(time))
        return true
    }

    /// Whether the hairpin test has its answers: the looped packet arrived (or failed to send),
    /// and the hairpin socket's own Binding request was answered (or failed), so the classifier
    /// can check the looped packet's source (RFC 4787 REQ-9a).
    package var hairpinSettled: Bool {
        func resolved(_ test: NATProbeTest) -> Bool? {
            records.last { $0.test == test }.map { $0.reply != nil || $0.failure != nil }
        }
        return resolved(.hairpin) == true && resolved(.hairpinMapping) != false
    }

    /// Ends a hairpin test whose packet did not loop back within `wait`: hairpinning is absent.
    package mutating func hairpinTimedOut(after wait: Duration) {
        for (transactionID, entry) in pending where records[entry.record].test == .hairpin {
            pending[transactionID] = nil
            records[entry.record].failure = .noReply
            records[entry.record].error = "did not loop back within \(NetcheckDuration.text(wait))"
        }
    }

    /// Ends every transaction still waiting; call once when the phase ends. A probe of the plan
    /// counts as unanswered; a hairpin test cut short is inconclusive.
    package mutating func finish(after elapsed: Duration) {
        for entry in pending.values {
            let waited = NetcheckDuration.text(elapsed - entry.sentAt)
            if records[entry.record].test == .hairpin {
                records[entry.record].failure = .deadline
                records[entry.record].error = "the report ended \(waited) after the hairpin packet left"
            } else {
                records[entry.record].failure = .noReply
                records[entry.record].error = "no reply within \(waited)"
            }
        }
        pending = [:]
    }

    /// The first answered IPv4 mapping transaction, for the hairpin test: the server that
    /// answered and the public endpoint it saw.
    package var firstIPv4Answer: (server: NATEndpoint, serverName: String, mapped: NATEndpoint)? {
        guard let record = records.first(where: { $0.test == .mapping && $0.family == .ipv4 && $0.mapped != nil }),
            let mapped = record.mapped
        else { return nil }
        return (record.destination, record.serverName, mapped)
    }
}
