// Mapping behaviour from the replies to one family's mapping socket (spec/nat.md §7.2,
// stun.md §6.3 and §7).
//
// Every reply is a pair (destination the request went to, mapped endpoint). RFC 5780's Tests
// I–III are three such pairs (IP1:P1, IP2:P1, IP2:P2), so one rule covers DERP servers and
// RFC 5780 servers alike:
// - all mapped endpoints equal this host's own endpoint            -> none
// - all equal, destinations on two or more IPs                       -> EIM
// - all equal, one destination IP                                    -> unknown (EIM or ADM)
// - they differ: a same-IP pair with different ports whose mappings
//   differ -> APDM; only equal same-IP pairs -> ADM; both kinds -> contradictory (endpoint-dependent);
//   no same-IP pair -> endpoint-dependent (ADM or APDM, cannot tell)
// A destination that reported two different mappings makes the verdict unknown (unstable NAT).

extension NATClassifier {
    struct MappingFinding: Hashable {
        var behavior: NATMappingBehavior
        var reason: String
        /// The mapped IP differs between destinations (RFC 4787 "arbitrary" pooling).
        var arbitraryPooling = false
    }

    static func classifyMapping(_ records: [NATTransactionRecord], observations: NATObservations) -> MappingFinding {
        let answered = records.filter { $0.mapped != nil }
        guard !answered.isEmpty else { return noAnswers(records) }

        let untranslated = answered.filter { isUntranslated($0, observations: observations) }
        let translated = answered.filter { !isUntranslated($0, observations: observations) }
        guard !translated.isEmpty else {
            let seen = distinct(untranslated.compactMap(\.mapped)).map(\.description)
            return MappingFinding(
                behavior: .none,
                reason: "\(serverCount(untranslated)) saw this host's own address \(list(seen)) (no translation)"
            )
        }
        var aside = ""
        if !untranslated.isEmpty {
            let names = distinct(untranslated.map(\.serverName))
            aside = "; \(list(names)) saw the local address and \(names.count == 1 ? "is" : "are") left out (on this side of the NAT)"
        }

        if let unstable = unstableDestination(translated) {
            return MappingFinding(behavior: .unknown, reason: unstable + aside)
        }
        let mappedEndpoints = distinct(translated.compactMap(\.mapped))
        let destinationIPs = distinct(translated.map(\.destination.ip))
        let pooling = distinct(mappedEndpoints.map(\.ip)).count > 1

        if mappedEndpoints.count == 1, let only = mappedEndpoints.first {
            if destinationIPs.count >= 2 {
                return MappingFinding(
                    behavior: .endpointIndependent,
                    reason: "\(destinationCount(translated)) on \(destinationIPs.count) IPs all saw \(only)" + aside
                )
            }
            if distinct(translated.map(\.destination)).count >= 2 {
                return MappingFinding(
                    behavior: .unknown,
                    reason: "the mapping \(only) did not change with the server's port, but every reply came from one IP "
                        + "(\(destinationIPs.first?.ipDescription ?? "")), so endpoint-independent cannot be told from "
                        + "address-dependent mapping" + aside
                )
            }
            return MappingFinding(
                behavior: .unknown,
                reason: "only one server answered (\(translated.first?.serverName ?? "")); mappings need a second server "
                    + "on another IP to compare" + aside
            )
        }

        var finding = refineDependentMapping(translated)
        finding.reason += aside
        finding.arbitraryPooling = pooling
        return finding
    }

    /// Mappings differ: use pairs of destinations with the same IP and different ports.
    private static func refineDependentMapping(_ translated: [NATTransactionRecord]) -> MappingFinding {
        var portMatters: [String] = []
        var portDoesNotMatter: [String] = []
        for ip in distinct(translated.map(\.destination.ip)) {
            let sameIP = translated.filter { $0.destination.ip == ip }
            guard distinct(sameIP.map(\.destination)).count >= 2 else { continue }
            let mapped = distinct(sameIP.compactMap(\.mapped))
            let ports = distinct(sameIP.map { String($0.destination.port) })
            let text = "ports \(list(ports)) of \(ip.ipDescription) saw \(list(mapped.map(\.description)))"
            if mapped.count > 1 { portMatters.append(text) } else { portDoesNotMatter.append(text) }
        }
        let differing = distinct(translated.map { "\($0.mapped?.description ?? "?") from \($0.destination)" })
        let summary = "mappings differ by destination (\(list(differing)))"
        switch (portMatters.isEmpty, portDoesNotMatter.isEmpty) {
        case (false, false):
            return MappingFinding(
                behavior: .endpointDependent,
                reason: summary + "; contradictory port evidence: \(list(portMatters)), but \(list(portDoesNotMatter))"
            )
        case (false, true):
            return MappingFinding(behavior: .addressAndPortDependent, reason: summary + "; \(list(portMatters))")
        case (true, false):
            return MappingFinding(behavior: .addressDependent, reason: summary + "; \(list(portDoesNotMatter))")
        case (true, true):
            return MappingFinding(
                behavior: .endpointDependent,
                reason: summary + "; no server offered two ports on one IP, so address-dependent cannot be told "
                    + "from address-and-port-dependent mapping"
            )
        }
    }

    /// A destination that reported two different mappings to the same socket.
    private static func unstableDestination(_ translated: [NATTransactionRecord]) -> String? {
        for destination in distinct(translated.map(\.destination)) {
            let mapped = distinct(translated.filter { $0.destination == destination }.compactMap(\.mapped))
            if mapped.count > 1 {
                return "\(destination) reported different mappings (\(list(mapped.map(\.description)))) for the same "
                    + "socket: the NAT's mappings are not stable"
            }
        }
        return nil
    }

    private static func noAnswers(_ records: [NATTransactionRecord]) -> MappingFinding {
        let primaries = records.filter { $0.test == .mapping }
        let servers = distinct(primaries.map(\.serverPrimary))
        switch servers.count {
        case 0:
            return MappingFinding(behavior: .unknown, reason: "no server was probed")
        case 1:
            let error = primaries.first?.error ?? "no reply"
            return MappingFinding(
                behavior: .unknown,
                reason: "the only server tried (\(primaries.first?.serverName ?? "")) did not answer: \(error)"
            )
        default:
            let errors = distinct(primaries.compactMap(\.error))
            return MappingFinding(
                behavior: .unknown,
                reason: "none of the \(servers.count) servers answered (\(list(errors)))"
            )
        }
    }

    private static func serverCount(_ records: [NATTransactionRecord]) -> String {
        let count = distinct(records.map(\.serverPrimary)).count
        return count == 1 ? "the server" : "all \(count) servers"
    }

    private static func destinationCount(_ records: [NATTransactionRecord]) -> String {
        let count = distinct(records.map(\.destination)).count
        return "\(count) destinations"
    }
}
