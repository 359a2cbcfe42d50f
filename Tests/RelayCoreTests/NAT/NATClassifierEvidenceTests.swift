import Testing

@testable import RelayCore

/// Hairpinning, port preservation, hints and the prose (spec/nat.md §7.4–7.7, §5).
@Suite struct NATClassifierEvidenceTests {
    typealias F = NATFixtures
    static let a = "198.51.100.1:3478"
    static let b = "203.0.113.1:3478"
    static let publicX = "203.0.113.77:40000"

    static func withHairpin(source: String?, failure: NATTransactionFailure? = nil, mapped: String = publicX) -> [NATTransactionRecord] {
        var hairpin = F.record(.hairpin, to: mapped, source: source, failure: failure)
        hairpin.reply?.mapped = nil
        return [
            F.record(to: a, mapped: mapped),
            F.record(to: b, mapped: mapped),
            F.record(.hairpinMapping, to: a, mapped: "203.0.113.77:41000", local: "0.0.0.0:41000"),
            hairpin,
        ]
    }

    @Test func hairpinWithTheExternalSource() {
        let verdict = F.classify(Self.withHairpin(source: "203.0.113.77:41000")).ipv4
        #expect(verdict?.hairpinning == true)
        #expect(verdict?.hairpinningReason.contains("REQ-9a") == true)
        #expect(verdict?.hairpinningReason.contains("forbids") == false)
    }

    @Test func hairpinWithThePrivateSourceIsFlagged() {
        let verdict = F.classify(Self.withHairpin(source: "192.168.1.10:41000")).ipv4
        #expect(verdict?.hairpinning == true)
        #expect(verdict?.hairpinningReason.contains("forbids") == true)
    }

    @Test func noHairpin() {
        let verdict = F.classify(Self.withHairpin(source: nil, failure: .noReply)).ipv4
        #expect(verdict?.hairpinning == false)
    }

    @Test func hairpinInconclusiveOnSendFailure() {
        let verdict = F.classify(Self.withHairpin(source: nil, failure: .sendFailed)).ipv4
        #expect(verdict?.hairpinning == nil)
        #expect(verdict?.hairpinningReason.contains("inconclusive") == true)
    }

    @Test func hairpinNotApplicableWithoutNAT() {
        let records = Self.withHairpin(source: "192.168.1.10:41000", mapped: "192.168.1.10:40000")
        let verdict = F.classify(records).ipv4
        #expect(verdict?.natType == NATType.none)
        #expect(verdict?.hairpinning == nil)
        #expect(verdict?.hairpinningReason.contains("not applicable") == true)
    }

    @Test func hairpinNotTestedWithoutAMapping() {
        let verdict = F.classify([F.record(to: Self.a, failure: .noReply), F.record(to: Self.b, failure: .noReply)]).ipv4
        #expect(verdict?.hairpinning == nil)
        #expect(verdict?.hairpinningReason.contains("not tested") == true)
    }

    @Test(arguments: [
        ("203.0.113.77:40000", true as Bool?),
        ("203.0.113.77:51234", false),
        ("192.168.1.10:40000", nil),
    ])
    func portPreservation(mapped: String, expected: Bool?) {
        let verdict = F.classify([F.record(to: Self.a, mapped: mapped), F.record(to: Self.b, mapped: mapped)]).ipv4
        #expect(verdict?.portPreservation == expected)
    }

    @Test func portPreservationCountsEverySocket() {
        let records = [
            F.record(to: Self.a, mapped: Self.publicX),
            F.record(to: Self.b, mapped: Self.publicX),
            F.record(.hairpinMapping, to: Self.a, mapped: "203.0.113.77:60000", local: "0.0.0.0:41000"),
        ]
        #expect(F.classify(records).ipv4?.portPreservation == false)
    }

    // MARK: - Hints

    @Test func carrierGradeNATInterface() {
        let interfaces = F.interfaces(["100.72.1.2"]) + [NATLocalInterface(name: "tailscale0", address: F.ep("100.100.1.1:1"))]
        let observations = F.observations([F.record(to: Self.a, mapped: Self.publicX)], interfaces: interfaces)
        let hints = NATClassifier.classify(observations).hints
        #expect(hints.filter { $0.contains("carrier-grade") }.count == 1)
        #expect(!hints.contains { $0.contains("tailscale0") })
    }

    @Test func privateAddressSeenByPublicServers() {
        let records = [F.record(to: Self.a, mapped: "100.64.0.9:40000"), F.record(to: Self.b, mapped: "100.64.0.9:40000")]
        #expect(F.classify(records).hints.contains { $0.contains("another NAT") })
    }

    @Test(arguments: [
        ("10.0.0.1", "private: double NAT"),
        ("198.51.100.200", "another NAT beyond the gateway"),
    ])
    func doubleNATFromPortMapping(external: String, mention: String) {
        let observations = F.observations(
            [F.record(to: Self.a, mapped: Self.publicX)], portMapping: PortMappingEvidence(upnp: true, externalAddress: external))
        #expect(NATClassifier.classify(observations).hints.contains { $0.contains(mention) })
    }

    @Test func matchingExternalAddressIsNoHint() {
        let observations = F.observations(
            [F.record(to: Self.a, mapped: Self.publicX)], portMapping: PortMappingEvidence(natpmp: true, externalAddress: "203.0.113.77"))
        #expect(!NATClassifier.classify(observations).hints.contains { $0.contains("gateway") })
    }

    @Test func rewrittenResponseOrigin() {
        let record = F.record(to: Self.a, mapped: Self.publicX, responseOrigin: "10.1.1.1:3478")
        #expect(F.classify([record]).hints.contains { $0.contains("rewrites addresses") })
        let honest = F.record(to: Self.a, mapped: Self.publicX, responseOrigin: Self.a)
        #expect(!F.classify([honest]).hints.contains { $0.contains("rewrites addresses") })
    }

    @Test func ignoredDatagramsAndNotesAreReported() {
        var observations = F.observations([F.record(to: Self.a, mapped: Self.publicX)], ignored: 3)
        observations.notes = ["a note"]
        let hints = NATClassifier.classify(observations).hints
        #expect(hints.contains { $0.hasPrefix("3 datagram(s) were ignored") })
        #expect(hints.last == "a note")
    }

    // MARK: - Prose

    @Test(arguments: NATType.allCases)
    func everyTypeHasTwoOrThreeSentences(_ type: NATType) {
        var family = NATFamilyVerdict(family: .ipv4, publicAddress: F.ep(Self.publicX), natType: type, mappingReason: "why")
        family.mapping = type == .easy ? .endpointIndependent : (type == .hard ? .addressAndPortDependent : .unknown)
        let text = NATExplanation.sentences(NATVerdict(ipv4: family))
        let sentences = text.split(separator: ". ").count
        #expect(text.hasSuffix("."))
        #expect((2...3).contains(sentences), "\(text)")
    }

    @Test func legacyNames() {
        func name(_ mapping: NATMappingBehavior, _ filtering: NATFilteringBehavior, _ type: NATType = .easy) -> String {
            NATExplanation.legacyName(NATFamilyVerdict(family: .ipv4, natType: type, mapping: mapping, filtering: filtering))
        }
        #expect(name(.none, .endpointIndependent, .none) == "Open Internet")
        #expect(name(.endpointIndependent, .addressDependent) == "Restricted cone")
        #expect(name(.addressAndPortDependent, .addressAndPortDependent, .hard) == "Symmetric")
        #expect(name(.endpointDependent, .unknown, .hard) == "Symmetric")
        #expect(name(.unknown, .unknown, .blocked) == "UDP blocked")
        #expect(name(.unknown, .unknown, .unknown) == "Unknown")
        #expect(NATExplanation.legacyName(nil) == "Unknown")
    }
}
