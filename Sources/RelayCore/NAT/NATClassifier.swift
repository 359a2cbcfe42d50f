/// Turns the observations of a probe run into RFC 4787 verdicts (spec/nat.md §7). A pure
/// function: no sockets, no clock, so every combination of observations is unit-tested.
///
/// Per address family (never across families):
/// - mapping from the replies to the shared mapping socket (`NATClassifier+Mapping.swift`);
/// - filtering from the RFC 5780 change-request tests on fresh sockets (`+Filtering.swift`);
/// - hairpinning, port preservation and the public address (`+Evidence.swift`);
/// - the summary word: blocked, none, easy, hard or unknown (§7.8).
package enum NATClassifier {
    package static func classify(_ observations: NATObservations) -> NATVerdict {
        let ipv4 = classify(observations, family: .ipv4)
        let ipv6 = classify(observations, family: .ipv6)
        var verdict = NATVerdict(
            ipv4: ipv4,
            ipv6: ipv6,
            udp: (ipv4?.udp ?? false) || (ipv6?.udp ?? false),
            portMapping: observations.portMapping
        )
        verdict.hints = hints(observations, verdict: verdict)
        return verdict
    }

    /// The verdict for one family, or nil when nothing of that family was probed.
    package static func classify(_ observations: NATObservations, family: NATAddressFamily) -> NATFamilyVerdict? {
        let records = observations.transactions(of: family)
        guard !records.isEmpty else { return nil }
        let mappingRecords = records.filter { $0.test.isMappingTest && $0.socket.role == .mapping }
        let mapping = classifyMapping(mappingRecords, observations: observations)
        let filtering = classifyFiltering(records, mapping: mapping.behavior)
        let hairpin = classifyHairpin(records, mapping: mapping.behavior, observations: observations)

        var verdict = NATFamilyVerdict(family: family)
        verdict.udp = records.contains { $0.test != .hairpin && $0.reply != nil }
        verdict.serversTried = Set(records.filter { $0.test == .mapping }.map(\.serverPrimary)).count
        verdict.serversAnswered = Set(records.filter { $0.test == .mapping && $0.reply != nil }.map(\.serverPrimary)).count
        verdict.publicAddress = publicAddress(mappingRecords, observations: observations)
        verdict.mapping = mapping.behavior
        verdict.mappingReason = mapping.reason
        verdict.filtering = filtering.behavior
        verdict.filteringReason = filtering.reason
        verdict.hairpinning = hairpin.result
        verdict.hairpinningReason = hairpin.reason
        verdict.portPreservation = portPreservation(records, observations: observations)
        (verdict.natType, verdict.mappingReason) = summary(records, family: family, mapping: mapping)
        return verdict
    }

    /// spec/nat.md §7.8. "blocked" needs at least two servers whose requests went out and met
    /// silence; if requests could not even be sent, that is "unknown" with the send error.
    static func summary(
        _ records: [NATTransactionRecord], family: NATAddressFamily, mapping: MappingFinding
    ) -> (NATType, String) {
        let replied = records.contains { $0.test != .hairpin && $0.reply != nil }
        guard replied else {
            let primaries = records.filter { $0.test == .mapping }
            let silent = Set(primaries.filter { $0.failure == .noReply || $0.failure == .deadline }.map(\.serverPrimary))
            if silent.count >= 2 {
                return (.blocked, "none of the \(silent.count) servers answered over \(family) (UDP looks blocked)")
            }
            return (.unknown, mapping.reason)
        }
        switch mapping.behavior {
        case .none: return (.none, mapping.reason)
        case .endpointIndependent: return (.easy, mapping.reason)
        case .addressDependent, .addressAndPortDependent, .endpointDependent: return (.hard, mapping.reason)
        case .unknown: return (.unknown, mapping.reason)
        }
    }

    /// Whether a reply's mapped endpoint is this host's own endpoint: an interface address and,
    /// when known, the sending socket's own port (§7.2 rule 2).
    static func isUntranslated(_ record: NATTransactionRecord, observations: NATObservations) -> Bool {
        guard let mapped = record.mapped, observations.isLocalAddress(mapped) else { return false }
        guard let local = record.local else { return true }
        return mapped.port == local.port
    }

    /// Human list of names: `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
        }
    }

    /// Distinct values in first-seen order.
    static func distinct<T: Hashable>(_ values: [T]) -> [T] {
        var seen: Set<T> = []
        return values.filter { seen.insert($0).inserted }
    }
}
