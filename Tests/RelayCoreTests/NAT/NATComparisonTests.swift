import Testing

@testable import RelayCore

/// `stunner compare` against spec/nat.md §6's table.
@Suite struct NATComparisonTests {
    static func report(
        _ type: NATType, filtering: NATFilteringBehavior = .unknown, preserved: Bool? = nil, portMapping: Bool = false
    ) -> NATReport {
        var family = NATFamilyVerdict(family: .ipv4, udp: type != .blocked, natType: type, filtering: filtering,
                                      portPreservation: preserved)
        family.mapping = type == .easy ? .endpointIndependent : (type == .hard ? .addressAndPortDependent : .unknown)
        let verdict = NATVerdict(ipv4: family, udp: family.udp, portMapping: portMapping ? PortMappingEvidence(upnp: true) : nil)
        return NATReport(observations: NATObservations(), verdict: verdict)
    }

    static let open = report(.none, filtering: .endpointIndependent)
    static let easyEIF = report(.easy, filtering: .endpointIndependent)
    static let easyADF = report(.easy, filtering: .addressDependent)
    static let easyAPDF = report(.easy, filtering: .addressAndPortDependent)
    static let easyUnknown = report(.easy)
    static let hard = report(.hard, filtering: .addressAndPortDependent)
    static let hardPreserving = report(.hard, filtering: .addressAndPortDependent, preserved: true)
    static let hardMapped = report(.hard, portMapping: true)
    static let blocked = report(.blocked)
    static let unknown = report(.unknown)

    typealias Outcome = NATComparison.Outcome

    @Test(arguments: [
        (open, hard, Outcome.direct),
        (open, blocked, .relayRequired),
        (easyEIF, easyAPDF, .direct),
        (easyAPDF, easyAPDF, .direct),
        (easyADF, hard, .direct),
        (easyEIF, hard, .direct),
        (easyAPDF, hard, .relayRequired),
        (easyAPDF, hardPreserving, .possibleWithEffort),
        (easyUnknown, hard, .possibleWithEffort),
        (hard, hard, .relayRequired),
        (hardPreserving, hardPreserving, .possibleWithEffort),
        (hardMapped, hard, .direct),
        (hardMapped, easyAPDF, .direct),
        (unknown, easyEIF, .possibleWithEffort),
        (blocked, blocked, .relayRequired),
        (report(.none, filtering: .addressAndPortDependent), hard, .relayRequired),
        (report(.none), hard, .possibleWithEffort),
    ])
    func table(a: NATReport, b: NATReport, expected: Outcome) {
        let forward = NATComparison.compare(a, b)
        let backward = NATComparison.compare(b, a)
        #expect(forward.outcome == expected, "\(forward.reason)")
        #expect(backward.outcome == expected, "symmetric")
        #expect(!forward.reason.isEmpty)
        #expect(forward.summary == expected.summary)
    }

    @Test func ipv6CanRescueAHardIPv4Pair() {
        var a = Self.hard
        var b = Self.hard
        var v6 = NATFamilyVerdict(family: .ipv6, udp: true, natType: .none, filtering: .addressAndPortDependent)
        v6.mapping = .none
        a.ipv6 = NATFamilyReport(v6)
        b.ipv6 = NATFamilyReport(v6)
        let comparison = NATComparison.compare(a, b)
        #expect(comparison.outcome == .direct)
        #expect(comparison.family == .ipv6)
    }

    @Test func phrases() {
        #expect(Outcome.direct.summary == "direct connection expected")
        #expect(Outcome.possibleWithEffort.summary == "direct connection possible with effort")
        #expect(Outcome.relayRequired.summary == "impossible without a relay")
    }
}
