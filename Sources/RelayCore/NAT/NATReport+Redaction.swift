// `--no-ip`: hide this host's own addresses (interface addresses, public mappings, the gateway's
// external address) everywhere in a report, prose included. Server addresses and loopback stay.

extension NATReport {
    package static let redactedIPv4 = "x.x.x.x"
    package static let redactedIPv6 = "x::x"

    /// The report with this host's addresses replaced by `x.x.x.x` / `x::x`; ports are kept.
    package func redactingAddresses(interfaces: [NATLocalInterface]) -> NATReport {
        var own: Set<NATEndpoint> = []
        for interface in interfaces where !interface.address.isLoopback { own.insert(interface.address) }
        let reported = [publicAddress, ipv6?.publicAddress] + probes.map(\.mapped) + probes.map(\.source)
        for text in reported.compactMap({ $0 }) {
            if let endpoint = NATEndpoint(parsing: text), !endpoint.isLoopback,
                probes.contains(where: { $0.mapped == text })
            {
                own.insert(endpoint.ip)
            }
        }
        if let external = portMapping.externalAddress, let endpoint = NATEndpoint(parsingIP: external) {
            own.insert(endpoint)
        }
        let ips = own.map(\.ipDescription).sorted { $0.count > $1.count }
        guard !ips.isEmpty else { return self }
        let redact: (String) -> String = { NATRedaction.redact($0, ips: ips) }

        var copy = self
        copy.publicAddress = publicAddress.map(redact)
        copy.mappingReason = redact(mappingReason)
        copy.filteringReason = redact(filteringReason)
        copy.hairpinningReason = redact(hairpinningReason)
        copy.explanation = redact(explanation)
        copy.hints = hints.map(redact)
        copy.localAddresses = localAddresses.map(redact)
        copy.portMapping.externalAddress = portMapping.externalAddress.map(redact)
        if var family = ipv6 {
            family.publicAddress = family.publicAddress.map(redact)
            family.mappingReason = redact(family.mappingReason)
            family.filteringReason = redact(family.filteringReason)
            family.hairpinningReason = redact(family.hairpinningReason)
            copy.ipv6 = family
        }
        copy.probes = probes.map { probe in
            var probe = probe
            probe.server = redact(probe.server)
            probe.serverName = redact(probe.serverName)
            probe.mapped = probe.mapped.map(redact)
            probe.source = probe.source.map(redact)
            probe.local = probe.local.map(redact)
            probe.error = probe.error.map(redact)
            return probe
        }
        copy.events = events?.map { event in
            var event = event
            event.detail = redact(event.detail)
            if let peer = event.peer, own.contains(peer.ip) { event.peer = nil }
            return event
        }
        return copy
    }
}

/// Whole-token replacement of IP address text inside prose.
enum NATRedaction {
    /// Replaces each occurrence of one of `ips` that is not part of a longer address (the
    /// characters around it are not hex digits, dots or, before it, colons).
    static func redact(_ text: String, ips: [String]) -> String {
        var result = text
        for ip in ips {
            let replacement = ip.contains(":") ? NATReport.redactedIPv6 : NATReport.redactedIPv4
            result = replaceTokens(of: ip, with: replacement, in: result)
        }
        return result
    }

    private static func replaceTokens(of needle: String, with replacement: String, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: needle) {
            let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : nil
            let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
            let boundedBefore = before.map { !($0.isHexDigit || $0 == "." || $0 == ":") } ?? true
            let boundedAfter = after.map { !($0.isHexDigit || $0 == ".") } ?? true
            output += rest[..<range.lowerBound]
            output += boundedBefore && boundedAfter ? replacement : String(rest[range])
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
