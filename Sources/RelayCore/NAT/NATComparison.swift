/// `stunner compare A.json B.json`: can two hosts, given their NAT reports, talk directly?
///
/// The expectations are spec/nat.md §6's table (derived from the RFC 4787 definitions and marked
/// UNVERIFIED against Tailscale's measured success rates). Port mapping on a side makes it behave
/// like an easy NAT with endpoint-independent filtering. Both families are judged; the better
/// outcome wins.
package struct NATComparison: Hashable, Sendable, Codable {
    package enum Outcome: String, Hashable, Sendable, Codable, Comparable {
        case direct
        case possibleWithEffort = "possible-with-effort"
        case relayRequired = "relay-required"

        /// The phrase for people.
        package var summary: String {
            switch self {
            case .direct: return "direct connection expected"
            case .possibleWithEffort: return "direct connection possible with effort"
            case .relayRequired: return "impossible without a relay"
            }
        }

        private var rank: Int {
            switch self {
            case .direct: return 0
            case .possibleWithEffort: return 1
            case .relayRequired: return 2
            }
        }

        package static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rank < rhs.rank }
    }

    /// How one side behaves for the purpose of traversal.
    package enum Side: String, Hashable, Sendable, Codable {
        case open
        case easyLenient = "easy-lenient-filtering"
        case easyStrict = "easy-strict-filtering"
        case easyUnmeasured = "easy-filtering-unknown"
        case hard
        case hardPreservingPorts = "hard-port-preserving"
        case blocked
        case unknown
    }

    package var schemaVersion = 1
    package var outcome: Outcome
    package var summary: String
    package var reason: String
    /// "ipv4" or "ipv6": the family the outcome is for.
    package var family: NATAddressFamily
    package var a: Side
    package var b: Side

    package static func compare(_ first: NATReport, _ second: NATReport) -> NATComparison {
        let ipv4 = judge(side(of: FamilyView(first), portMapping: first.portMapping.any),
                         side(of: FamilyView(second), portMapping: second.portMapping.any), family: .ipv4)
        if let v6a = first.ipv6, let v6b = second.ipv6, v6a.udp, v6b.udp {
            let ipv6 = judge(side(of: FamilyView(v6a), portMapping: false), side(of: FamilyView(v6b), portMapping: false),
                             family: .ipv6)
            if ipv6.outcome < ipv4.outcome { return ipv6 }
        }
        return ipv4
    }

    /// What matters of one family's verdict.
    struct FamilyView {
        var natType: NATType
        var filtering: NATFilteringBehavior
        var portPreservation: Bool?
        var reason: String

        init(_ report: NATReport) {
            natType = report.natType
            filtering = report.filtering
            portPreservation = report.portPreservation
            reason = report.mappingReason
        }

        init(_ report: NATFamilyReport) {
            natType = report.natType
            filtering = report.filtering
            portPreservation = report.portPreservation
            reason = report.mappingReason
        }
    }

    static func side(of view: FamilyView, portMapping: Bool) -> Side {
        switch view.natType {
        case .blocked: return .blocked
        case .unknown: return portMapping ? .easyLenient : .unknown
        case _ where portMapping: return .easyLenient
        case .none:
            switch view.filtering {
            case .endpointIndependent: return .open
            case .addressDependent: return .easyLenient
            case .addressAndPortDependent: return .easyStrict
            case .unknown: return .easyUnmeasured
            }
        case .easy:
            switch view.filtering {
            case .endpointIndependent, .addressDependent: return .easyLenient
            case .addressAndPortDependent: return .easyStrict
            case .unknown: return .easyUnmeasured
            }
        case .hard:
            return view.portPreservation == true ? .hardPreservingPorts : .hard
        }
    }

    static func judge(_ a: Side, _ b: Side, family: NATAddressFamily) -> NATComparison {
        let (outcome, reason) = decide(a, b)
        return NATComparison(outcome: outcome, summary: outcome.summary, reason: reason, family: family, a: a, b: b)
    }

    /// The §6 table, symmetric in A and B.
    static func decide(_ a: Side, _ b: Side) -> (Outcome, String) {
        for (side, name) in [(a, "A"), (b, "B")] where side == .blocked {
            return (.relayRequired, "\(name) cannot use UDP at all, so only a relay (DERP over HTTPS) can carry traffic")
        }
        for (side, name) in [(a, "A"), (b, "B")] where side == .unknown {
            return (.possibleWithEffort, "\(name)'s NAT could not be classified, so a direct path may or may not work")
        }
        for (side, name, other) in [(a, "A", "B"), (b, "B", "A")] where side == .open {
            return (.direct, "\(name) has no NAT and no filtering, so \(other) can always reach it directly")
        }
        let easy: Set<Side> = [.easyLenient, .easyStrict, .easyUnmeasured]
        if easy.contains(a) && easy.contains(b) {
            return (.direct, "both keep one public address for every destination, so each can reach the address the "
                + "other learnt from STUN once both send at the same time")
        }
        let hard: Set<Side> = [.hard, .hardPreservingPorts]
        if hard.contains(a) && hard.contains(b) {
            if a == .hardPreservingPorts && b == .hardPreservingPorts {
                return (.possibleWithEffort, "both NATs pick a new mapping per destination, but both keep local port "
                    + "numbers, so each side can guess the other's port")
            }
            return (.relayRequired, "both NATs pick a new public port for each destination, so neither side can "
                + "predict where to send; traffic needs a relay unless one side gets port mapping")
        }
        // One easy side and one hard side.
        let (easySide, easyName, hardSide, hardName) = easy.contains(a) ? (a, "A", b, "B") : (b, "B", a, "A")
        switch easySide {
        case .easyLenient:
            return (.direct, "\(hardName)'s NAT is hard, but \(easyName) admits packets from any port of an address it "
                + "has sent to, so \(hardName) sends first and \(easyName) answers the port it sees")
        case .easyStrict where hardSide == .hardPreservingPorts:
            return (.possibleWithEffort, "\(easyName) admits only exact addresses it has sent to and \(hardName)'s NAT "
                + "is hard, but \(hardName) keeps local port numbers, so \(easyName) can guess its port")
        case .easyStrict:
            return (.relayRequired, "\(easyName) admits only exact addresses it has sent to, and \(hardName)'s NAT picks "
                + "a new, unpredictable port for each destination; traffic needs a relay unless one side gets port "
                + "mapping")
        default:
            return (.possibleWithEffort, "\(hardName)'s NAT is hard and \(easyName)'s filtering was not measured: direct "
                + "works only if \(easyName) admits packets from new ports of \(hardName)'s address")
        }
    }
}
