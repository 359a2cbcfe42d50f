import Testing

@testable import RelayCore

/// The filtering half of the truth table (RFC 5780 §4.4, spec/nat.md §7.3), including every
/// inconclusive and contradictory combination.
@Suite struct NATClassifierFilteringTests {
    typealias F = NATFixtures
    typealias Outcome = NATClassifier.FilteringOutcome
    static let primary = "198.51.100.1:3478"
    static let other = "198.51.100.2:3479"
    static let otherIPPrimaryPort = "198.51.100.2:3478"
    static let primaryIPOtherPort = "198.51.100.1:3479"

    static let outcomes: [Outcome?] = [
        nil, .passed, .silent, .ignored, .refused("error 420"), .unexpected(F.ep("192.0.2.9:1")), .inconclusive("deadline"),
    ]

    static func decide(_ both: Outcome?, _ port: Outcome?, alive: (Bool, Bool) = (true, true)) -> NATClassifier.FilteringFinding {
        NATClassifier.decideFiltering(
            changeBoth: both, changePort: port, alternateAddressAnswered: alive.0, alternatePortAnswered: alive.1,
            serverName: "stun")
    }

    /// RFC 5780 §4.4 and our additions, row by row.
    @Test func decisionTable() {
        #expect(Self.decide(.passed, .passed).behavior == .endpointIndependent)
        #expect(Self.decide(.passed, nil).behavior == .endpointIndependent)
        #expect(Self.decide(.passed, .ignored).behavior == .endpointIndependent)
        #expect(Self.decide(.passed, .inconclusive("x")).behavior == .endpointIndependent)
        #expect(Self.decide(.passed, .silent).behavior == .unknown, "EIF with a lost port-only reply is contradictory")
        #expect(Self.decide(.silent, .passed).behavior == .addressDependent)
        #expect(Self.decide(.silent, .passed, alive: (false, false)).behavior == .addressDependent)
        #expect(Self.decide(.silent, .silent).behavior == .addressAndPortDependent)
        #expect(Self.decide(.silent, .silent, alive: (true, false)).behavior == .unknown)
        #expect(Self.decide(.silent, .silent, alive: (false, true)).behavior == .unknown)
        #expect(Self.decide(.silent, .silent, alive: (false, false)).behavior == .unknown)
        #expect(Self.decide(.silent, .ignored).behavior == .unknown)
        #expect(Self.decide(.ignored, .silent).behavior == .unknown)
        #expect(Self.decide(.ignored, .ignored).behavior == .unknown)
        #expect(Self.decide(.refused("420"), .refused("420")).behavior == .unknown)
        #expect(Self.decide(.ignored, .passed).reason.contains("endpoint-independent or address-dependent"))
        #expect(Self.decide(.silent, .silent, alive: (true, false)).reason.contains("not endpoint-independent"))
        #expect(Self.decide(.silent, .silent, alive: (false, false)).reason.contains("may be the server's"))
    }

    /// Every combination of outcomes and liveness gives a verdict with a reason, never a crash,
    /// and a definite verdict only where the table allows one.
    @Test func everyCombination() {
        for both in Self.outcomes {
            for port in Self.outcomes {
                for alive in [(true, true), (true, false), (false, true), (false, false)] {
                    let finding = Self.decide(both, port, alive: alive)
                    #expect(!finding.reason.isEmpty)
                    switch finding.behavior {
                    case .endpointIndependent:
                        #expect(both == .passed && port != .silent)
                    case .addressDependent:
                        #expect(both == .silent && port == .passed)
                    case .addressAndPortDependent:
                        #expect(both == .silent && port == .silent && alive == (true, true))
                    case .unknown:
                        break
                    }
                }
            }
        }
    }

    // MARK: - Outcomes from records

    static func filteringRecords(
        both: (source: String?, failure: NATTransactionFailure?, error: Int?),
        port: (source: String?, failure: NATTransactionFailure?, error: Int?),
        alternatesAlive: Bool = true
    ) -> [NATTransactionRecord] {
        var records = [F.record(.mapping, to: primary, mapped: "203.0.113.77:40000", otherAddressInReply: other)]
        if alternatesAlive {
            records.append(F.record(.mappingAlternateIP, to: otherIPPrimaryPort, primary: primary, other: other,
                                    mapped: "203.0.113.77:40000"))
            records.append(F.record(.mappingAlternateAddress, to: other, primary: primary, other: other,
                                    mapped: "203.0.113.77:40000"))
            records.append(F.record(.mappingAlternatePort, to: primaryIPOtherPort, primary: primary, other: other,
                                    mapped: "203.0.113.77:40000"))
        }
        records.append(F.record(.filteringChangeIPAndPort, to: primary, primary: primary, other: other,
                                mapped: both.source == nil || both.error != nil ? nil : "203.0.113.77:41000",
                                source: both.source, failure: both.failure, errorCode: both.error))
        records.append(F.record(.filteringChangePort, to: primary, primary: primary, other: other,
                                mapped: port.source == nil || port.error != nil ? nil : "203.0.113.77:41001",
                                source: port.source, failure: port.failure, errorCode: port.error))
        return records
    }

    @Test func eifFromTheOtherAddress() {
        let records = Self.filteringRecords(both: (Self.other, nil, nil), port: (Self.primaryIPOtherPort, nil, nil))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .endpointIndependent)
        #expect(verdict?.mapping == .endpointIndependent)
        #expect(NATExplanation.legacyName(verdict) == "Full cone")
    }

    @Test func adfWhenOnlyThePortChangeGetsIn() {
        let records = Self.filteringRecords(both: (nil, .noReply, nil), port: (Self.primaryIPOtherPort, nil, nil))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .addressDependent)
        #expect(NATExplanation.legacyName(verdict) == "Restricted cone")
    }

    @Test func apdfWhenNeitherGetsIn() {
        let records = Self.filteringRecords(both: (nil, .noReply, nil), port: (nil, .noReply, nil))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .addressAndPortDependent)
        #expect(NATExplanation.legacyName(verdict) == "Port-restricted cone")
    }

    @Test func silenceProvesNothingWhenTheAlternatesNeverAnswered() {
        let records = Self.filteringRecords(both: (nil, .noReply, nil), port: (nil, .noReply, nil), alternatesAlive: false)
        #expect(F.classify(records).ipv4?.filtering == .unknown)
    }

    @Test func aReplyFromThePrimaryMeansTheServerIgnoredTheRequest() {
        let records = Self.filteringRecords(both: (Self.primary, nil, nil), port: (Self.primary, nil, nil))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .unknown)
        #expect(verdict?.filteringReason.contains("ignored CHANGE-REQUEST") == true)
    }

    @Test func an420IsARefusal() {
        let records = Self.filteringRecords(both: (Self.primary, nil, 420), port: (Self.primary, nil, 420))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .unknown)
        #expect(verdict?.filteringReason.contains("refused") == true)
    }

    @Test func aReplyFromTheWrongChangedAddressIsUnexpected() {
        // Change-IP-and-port answered from the other IP but the primary port: not what was asked.
        let records = Self.filteringRecords(both: (Self.otherIPPrimaryPort, nil, nil), port: (nil, .noReply, nil))
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .unknown)
        #expect(verdict?.filteringReason.contains("unexpected") == true)
    }

    @Test func theDeadlineIsNotSilence() {
        let records = Self.filteringRecords(both: (nil, .deadline, nil), port: (nil, .deadline, nil))
        #expect(F.classify(records).ipv4?.filtering == .unknown)
    }

    @Test func noRFC5780ServerMeansNotTested() {
        let records = [F.record(to: "198.51.100.1:3478", mapped: "203.0.113.77:40000"),
                       F.record(to: "203.0.113.1:3478", mapped: "203.0.113.77:40000")]
        let verdict = F.classify(records).ipv4
        #expect(verdict?.filtering == .unknown)
        #expect(verdict?.filteringReason.contains("DERP STUN servers cannot measure filtering") == true)
        #expect(NATExplanation.legacyName(verdict) == "Cone (filtering not measured)")
    }

    @Test func aFaultyOtherAddressIsExplained() {
        let records = [F.record(to: Self.primary, mapped: "203.0.113.77:40000", otherAddressInReply: "198.51.100.1:3479")]
        #expect(F.classify(records).ipv4?.filteringReason.contains("cannot be used") == true)
    }

    @Test func noNATWithAFirewallIsASymmetricUDPFirewall() {
        var records = Self.filteringRecords(both: (nil, .noReply, nil), port: (nil, .noReply, nil))
        for index in records.indices where records[index].test.isMappingTest {
            records[index].reply?.mapped = F.ep("192.168.1.10:40000")
        }
        let verdict = F.classify(records).ipv4
        #expect(verdict?.natType == NATType.none)
        #expect(verdict?.filtering == .addressAndPortDependent)
        #expect(NATExplanation.legacyName(verdict) == "Symmetric UDP firewall")
    }
}
