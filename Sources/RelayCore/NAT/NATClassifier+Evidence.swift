// The other evidence reported beside mapping and filtering (spec/nat.md §7.4, §7.5, §7.7):
// public address, port preservation, hairpinning and the hints.

extension NATClassifier {
    /// The mapped endpoint reported most often by the mapping socket's replies, translated ones
    /// first; ties go to the one seen first.
    static func publicAddress(_ mappingRecords: [NATTransactionRecord], observations: NATObservations) -> NATEndpoint? {
        let answered = mappingRecords.filter { $0.mapped != nil }
        let translated = answered.filter { !isUntranslated($0, observations: observations) }
        let pool = (translated.isEmpty ? answered : translated).compactMap(\.mapped)
        var counts: [NATEndpoint: Int] = [:]
        for endpoint in pool { counts[endpoint, default: 0] += 1 }
        var best: NATEndpoint?
        for endpoint in distinct(pool) where best.map({ counts[endpoint, default: 0] > counts[$0, default: 0] }) ?? true {
            best = endpoint
        }
        return best
    }

    /// True when every translated reply (from any socket of the family) kept the sending
    /// socket's local port; nil when there is no translated reply to judge by.
    static func portPreservation(_ records: [NATTransactionRecord], observations: NATObservations) -> Bool? {
        let judged = records.filter { $0.mapped != nil && $0.local != nil && !isUntranslated($0, observations: observations) }
        guard !judged.isEmpty else { return nil }
        return judged.allSatisfy { $0.mapped?.port == $0.local?.port }
    }

    /// stun.md §6.7: did a packet from the hairpin socket to the mapping socket's public address
    /// come back in? Not applicable without a NAT.
    static func classifyHairpin(
        _ records: [NATTransactionRecord], mapping: NATMappingBehavior, observations: NATObservations
    ) -> (result: Bool?, reason: String) {
        guard let probe = records.first(where: { $0.test == .hairpin }) else {
            if mapping == .none { return (nil, "not applicable: no NAT") }
            if records.contains(where: { $0.test == .mapping && $0.mapped != nil }) { return (nil, "not tested") }
            return (nil, "not tested: no public address was learnt")
        }
        if mapping == .none {
            return (nil, "not applicable: no NAT (a packet to \(probe.destination) goes straight to the socket)")
        }
        if let reply = probe.reply {
            let ownMapping = records.first { $0.test == .hairpinMapping }?.mapped
            if reply.source == ownMapping {
                return (true, "a packet to \(probe.destination) from a second socket came back in, with that socket's "
                    + "public address as its source (RFC 4787 REQ-9a)")
            }
            if observations.isLocalAddress(reply.source) {
                return (true, "a packet to \(probe.destination) from a second socket came back in, but with its private "
                    + "source address \(reply.source), which RFC 4787 REQ-9a forbids")
            }
            return (true, "a packet to \(probe.destination) from a second socket came back in, from \(reply.source)")
        }
        if probe.failure == .noReply {
            return (false, "a packet to \(probe.destination) from a second socket did not come back in")
        }
        return (nil, "inconclusive: \(probe.error ?? "no reply")")
    }

    /// spec/nat.md §7.7 and other things worth a sentence.
    static func hints(_ observations: NATObservations, verdict: NATVerdict) -> [String] {
        var hints: [String] = []
        for interface in observations.interfaces
        where interface.address.isSharedAddressSpace && !interface.name.hasPrefix("tailscale") {
            hints.append("interface \(interface.name) has \(interface.address.ipDescription) in 100.64.0.0/10: "
                + "a carrier-grade NAT is probably upstream")
        }
        if let public4 = verdict.ipv4?.publicAddress, verdict.ipv4?.mapping != NATMappingBehavior.none {
            let remote = observations.transactions(of: .ipv4).contains {
                $0.mapped == public4 && !$0.destination.isPrivate && !$0.destination.isLoopback
                    && !$0.destination.isSharedAddressSpace
            }
            if remote && (public4.isPrivate || public4.isSharedAddressSpace) {
                hints.append("public servers see \(public4.ipDescription), a private or shared address: "
                    + "there is another NAT (probably carrier-grade) beyond this one")
            }
        }
        hints += portMappingHints(observations.portMapping, publicAddress: verdict.ipv4?.publicAddress)
        for family in NATAddressFamily.allCases {
            let records = observations.transactions(of: family).filter { $0.socket.role == .mapping }
            if classifyMapping(records, observations: observations).arbitraryPooling {
                hints.append("the public \(family) address differs between destinations (IP address pooling is "
                    + "\"arbitrary\", RFC 4787 REQ-2 recommends \"paired\")")
            }
        }
        for record in observations.transactions where record.test == .mapping {
            guard let origin = record.reply?.responseOrigin, origin.port != 0, origin != record.destination,
                !isUnspecified(origin)
            else { continue }
            hints.append("\(record.serverName) says it answered from \(origin), but the request went to "
                + "\(record.destination): something on the path rewrites addresses")
        }
        if observations.ignoredDatagrams > 0 {
            hints.append("\(observations.ignoredDatagrams) datagram(s) were ignored (not STUN, malformed, or with an "
                + "unknown transaction ID)")
        }
        return hints + observations.notes
    }

    private static func portMappingHints(_ evidence: PortMappingEvidence?, publicAddress: NATEndpoint?) -> [String] {
        guard let evidence, let text = evidence.externalAddress, let external = NATEndpoint(parsingIP: text) else {
            return []
        }
        if external.isPrivate || external.isSharedAddressSpace {
            return ["the gateway reports the external address \(text), which is private: double NAT, so port mappings "
                + "on that gateway will not help"]
        }
        if let publicAddress, publicAddress.family == external.family, !publicAddress.hasSameIP(as: external) {
            return ["the gateway reports the external address \(text) but STUN servers see \(publicAddress.ipDescription): "
                + "there is another NAT beyond the gateway"]
        }
        return []
    }

    private static func isUnspecified(_ endpoint: NATEndpoint) -> Bool {
        endpoint.address.addressBytes.allSatisfy { $0 == 0 }
    }
}
