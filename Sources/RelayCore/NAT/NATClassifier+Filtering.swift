// Filtering behaviour from RFC 5780 §4.4 (stun.md §6.4, spec/nat.md §7.3).
//
// Two fresh sockets each send one CHANGE-REQUEST to the server's primary address IP1:P1 and
// have contacted nothing else, so only the NAT's filter decides whether the reply gets in:
//   F1: change IP and port -> reply from IP2:P2 passes only an EIF filter
//   F2: change port        -> reply from IP1:P2 passes an EIF or ADF filter
// The reply's actual UDP source decides; a reply from IP1:P1 means the server ignored the
// request and proves nothing. Silence is evidence only when the server's alternate endpoints
// are known to answer: the mapping socket probed IP2:P2 and IP1:P2 in the same run.

extension NATClassifier {
    /// What one filtering test observed.
    enum FilteringOutcome: Hashable {
        /// The reply came from the changed address, as asked.
        case passed
        /// The retransmission schedule ran out without a reply.
        case silent
        /// The reply came from the primary address: the server ignored CHANGE-REQUEST.
        case ignored
        /// The server answered with an error (e.g. 420 Unknown Attribute).
        case refused(String)
        /// The reply came from an address that is neither the primary nor the changed one.
        case unexpected(NATEndpoint)
        /// No conclusion: send failure, socket unavailable, deadline.
        case inconclusive(String)
    }

    struct FilteringFinding: Hashable {
        var behavior: NATFilteringBehavior
        var reason: String
    }

    static func classifyFiltering(_ records: [NATTransactionRecord], mapping: NATMappingBehavior) -> FilteringFinding {
        let changeBoth = records.first { $0.test == .filteringChangeIPAndPort }
        let changePort = records.first { $0.test == .filteringChangePort }
        guard changeBoth != nil || changePort != nil else {
            return FilteringFinding(behavior: .unknown, reason: whyNotTested(records))
        }
        let server = (changeBoth ?? changePort)?.serverPrimary
        let alive = records.filter { $0.test.isMappingTest && $0.serverPrimary == server && $0.mapped != nil }
        return decideFiltering(
            changeBoth: changeBoth.map(filteringOutcome),
            changePort: changePort.map(filteringOutcome),
            alternateAddressAnswered: alive.contains { $0.test == .mappingAlternateAddress },
            alternatePortAnswered: alive.contains { $0.test == .mappingAlternatePort },
            serverName: (changeBoth ?? changePort)?.serverName ?? "the server"
        )
    }

    static func filteringOutcome(_ record: NATTransactionRecord) -> FilteringOutcome {
        guard let reply = record.reply else {
            if record.failure == .noReply { return .silent }
            return .inconclusive(record.error ?? "no reply")
        }
        if let code = reply.errorCode {
            return .refused("error \(code)" + (reply.errorReason.map { " \($0)" } ?? ""))
        }
        let primary = record.serverPrimary
        let source = reply.source
        if source == primary { return .ignored }
        let changedAsAsked: Bool
        switch record.test {
        case .filteringChangeIPAndPort: changedAsAsked = !source.hasSameIP(as: primary) && source.port != primary.port
        default: changedAsAsked = source.hasSameIP(as: primary) && source.port != primary.port
        }
        return changedAsAsked ? .passed : .unexpected(source)
    }

    /// The RFC 5780 §4.4 decision table, extended with every inconclusive and contradictory case.
    static func decideFiltering(
        changeBoth: FilteringOutcome?,
        changePort: FilteringOutcome?,
        alternateAddressAnswered: Bool,
        alternatePortAnswered: Bool,
        serverName: String
    ) -> FilteringFinding {
        let both = "the reply from \(serverName)'s other IP and port"
        let port = "the reply from its other port"
        switch (changeBoth, changePort) {
        case (.passed, .silent):
            return FilteringFinding(
                behavior: .unknown,
                reason: "contradictory: \(both) got through but \(port) on the same IP did not (packet loss or an unusual NAT)"
            )
        case (.passed, _):
            return FilteringFinding(
                behavior: .endpointIndependent,
                reason: "\(both), which this socket never contacted, got through"
            )
        case (.silent, .passed):
            return FilteringFinding(
                behavior: .addressDependent,
                reason: "\(port) on the same IP got through, but \(both) did not"
            )
        case (.silent, .silent):
            if alternateAddressAnswered && alternatePortAnswered {
                return FilteringFinding(
                    behavior: .addressAndPortDependent,
                    reason: "neither \(both) nor \(port) got through, although both addresses answered the mapping socket"
                )
            }
            if alternateAddressAnswered {
                return FilteringFinding(
                    behavior: .unknown,
                    reason: "not endpoint-independent (\(both) did not get through), but the server's other port never "
                        + "answered, so address-dependent cannot be told from address-and-port-dependent filtering"
                )
            }
            return FilteringFinding(
                behavior: .unknown,
                reason: "no reply to either change request, and \(serverName)'s other address did not answer the mapping "
                    + "socket either, so the silence may be the server's"
            )
        case (.silent, let other):
            let detail = other.map(describe) ?? "not run"
            if alternateAddressAnswered {
                return FilteringFinding(
                    behavior: .unknown,
                    reason: "not endpoint-independent (\(both) did not get through), but the port-only test was "
                        + "inconclusive: \(detail)"
                )
            }
            return FilteringFinding(
                behavior: .unknown,
                reason: "no reply to the change-IP-and-port request, the server's other address never answered, and the "
                    + "port-only test was inconclusive: \(detail)"
            )
        case (let first, .passed):
            return FilteringFinding(
                behavior: .unknown,
                reason: "endpoint-independent or address-dependent: \(port) got through, but the change-IP-and-port "
                    + "test was inconclusive: \(first.map(describe) ?? "not run")"
            )
        case (let first, let second):
            let detail = first.map(describe) ?? second.map(describe) ?? "not run"
            return FilteringFinding(behavior: .unknown, reason: "the change-request tests were inconclusive: \(detail)")
        }
    }

    private static func describe(_ outcome: FilteringOutcome) -> String {
        switch outcome {
        case .passed: return "the reply came from the changed address"
        case .silent: return "no reply"
        case .ignored: return "the server ignored CHANGE-REQUEST (it answered from its primary address)"
        case .refused(let text): return "the server refused CHANGE-REQUEST (\(text))"
        case .unexpected(let source): return "the reply came from an unexpected address, \(source)"
        case .inconclusive(let text): return text
        }
    }

    /// Why no filtering test ran.
    private static func whyNotTested(_ records: [NATTransactionRecord]) -> String {
        let primaries = records.filter { $0.test == .mapping }
        guard primaries.contains(where: { $0.reply != nil }) else {
            return "not tested: no server answered"
        }
        if let faulty = primaries.first(where: { $0.reply?.otherAddress != nil }),
            let other = faulty.reply?.otherAddress
        {
            return "not tested: \(faulty.serverName) offered OTHER-ADDRESS \(other), which cannot be used (it must "
                + "differ from \(faulty.serverPrimary) in both IP and port and be of the same family)"
        }
        return "not tested: no server offered RFC 5780 (OTHER-ADDRESS with CHANGE-REQUEST); DERP STUN servers cannot "
            + "measure filtering"
    }
}
